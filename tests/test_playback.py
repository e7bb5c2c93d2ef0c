"""Playbacks through the store (start, reports, stop) and what the pages read of them (Continue watching,
history), on a fresh database: the rules themselves are tabled in test_playback_rules.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from app import db
from app.models import Plan, Playback, Quality, utcnow
from app.services import accounts, playback, playback_store
from app.services.errors import AccessDenied, NotFound, ScreensFull, ValidationError
from app.services.playback_rules import Report

from .helpers import make_account, seed_titles

_devices: dict[int, str] = {}

pytestmark = pytest.mark.every_database  # once on SQLite, once on PostgreSQL (tests/conftest.py)


def start(user_id: int, title_id: int, device: str | None = None, now=None) -> playback_store.PlaybackStart:
    """A playback started from a real sign-in session: the user's first one unless `device` names another."""
    if device is None:
        device = _devices.get(user_id)
        if device is None or accounts.user_for_session(device) is None:
            device = _devices[user_id] = accounts.start_session(user_id=user_id)
    return playback_store.start_playback(user_id=user_id, title_id=title_id, device=device, now=now)


def another_device(user_id: int) -> str:
    return accounts.start_session(user_id=user_id)


def save(token: str, position, *, ended=False, leaving=False, played=None, now=None) -> playback_store.SaveResult:
    return playback_store.save_now(token, Report(position, ended=ended, leaving=leaving, played_s=played), now=now)


def resume(user_id: int, title_id: int) -> float:
    with db.session() as session:
        return playback.resume_position(session, user_id=user_id, title_id=title_id)


def test_a_report_is_stored_and_resumes_the_next_playback():
    user = make_account()
    (title_id,) = seed_titles(1, duration_s=100)
    first = start(user.id, title_id)
    assert first.resume_from == 0.0 and first.quality == Quality.SD
    result = save(first.token, 40.0)
    assert (result.saved, result.position_s, result.resumable) == (True, 40.0, True)
    assert resume(user.id, title_id) == 40.0
    assert start(user.id, title_id).resume_from == 40.0


def test_the_players_zero_before_its_seek_never_overwrites_a_good_position():
    user = make_account()
    (title_id,) = seed_titles(1, duration_s=100)
    save(start(user.id, title_id).token, 40.0)
    again = start(user.id, title_id)
    assert not save(again.token, 0.0).saved
    assert resume(user.id, title_id) == 40.0


@pytest.mark.parametrize('bad', [-1.0, 1e9])
def test_impossible_positions_are_refused_as_bad_input(bad):
    user = make_account()
    (title_id,) = seed_titles(1, duration_s=100)
    with pytest.raises(ValidationError):
        save(start(user.id, title_id).token, bad)


def test_an_unknown_token_is_not_found():
    make_account()
    seed_titles(1)
    with pytest.raises(NotFound):
        save('no-such-token', 50.0)
    with pytest.raises(NotFound):
        playback_store.stream_grant('no-such-token', Quality.SD)


def test_a_token_dies_with_its_sign_in_session():
    user = make_account()
    (title_id,) = seed_titles(1)
    device = accounts.start_session(user_id=user.id)
    play = start(user.id, title_id, device=device)
    assert playback_store.stream_grant(play.token, Quality.SD).path.endswith('sd.mp4')
    accounts.end_session(token=device)
    with pytest.raises(AccessDenied, match='watch.session_ended'):
        playback_store.stream_grant(play.token, Quality.SD)
    with pytest.raises(AccessDenied, match='watch.session_ended'):
        save(play.token, 50.0)


def test_a_token_whose_heartbeat_lapsed_gets_no_bytes_until_it_reports_again():
    user = make_account()
    (title_id,) = seed_titles(1)
    long_ago = utcnow() - timedelta(minutes=5)
    play = start(user.id, title_id, now=long_ago)  # then the laptop slept: no heartbeat since
    with pytest.raises(AccessDenied, match='watch.lapsed'):
        playback_store.stream_grant(play.token, Quality.SD)
    save(play.token, 12.0)  # awake again: one screen is free, so it lives again
    assert playback_store.stream_grant(play.token, Quality.SD)


def test_leaving_ends_the_playback_and_frees_its_screen_for_good():
    user = make_account()
    (title_id,) = seed_titles(1)
    first = start(user.id, title_id)
    save(first.token, 10.0, leaving=True)  # the page went away
    with pytest.raises(AccessDenied, match='watch.stopped_elsewhere'):
        save(first.token, 9.0)  # an older beacon of the same page, arriving late: it does not come back
    second = start(user.id, title_id, device=another_device(user.id))
    assert playback_store.stream_grant(second.token, Quality.SD)


def test_free_has_one_screen_even_with_tokens_that_lapsed_and_came_back():
    user = make_account()
    (title_id,) = seed_titles(1)
    long_ago = utcnow() - timedelta(minutes=5)
    first = start(user.id, title_id, now=long_ago)  # lapsed since
    second = start(user.id, title_id, device=another_device(user.id))  # so the screen was free
    with pytest.raises(AccessDenied, match='watch.screens_full'):
        save(first.token, 11.0)  # may not come back while the second plays
    with pytest.raises(AccessDenied, match='watch.lapsed'):
        playback_store.stream_grant(first.token, Quality.SD)
    assert playback_store.stream_grant(second.token, Quality.SD)
    with pytest.raises(ScreensFull) as full:
        start(user.id, title_id, device=another_device(user.id))
    assert (full.value.used, full.value.limit) == (1, 1)


def test_one_device_is_one_screen_and_plays_one_thing_at_a_time():
    user = make_account()
    ids = seed_titles(2, premium_every=0)
    device = accounts.start_session(user_id=user.id)
    first = start(user.id, ids[0], device=device)
    second = start(user.id, ids[1], device=device)  # another tab of the same browser: no second screen
    with pytest.raises(AccessDenied, match='watch.stopped_elsewhere'):
        save(first.token, 20.0)
    assert save(second.token, 20.0).saved


def test_stopping_every_playback_of_an_account_stops_their_bytes():
    user = make_account(plan=Plan.PREMIUM)
    (title_id,) = seed_titles(1)
    plays = [start(user.id, title_id, device=another_device(user.id)) for _ in range(2)]
    assert playback_store.stop_user_playbacks(user_id=user.id) == 2
    for play in plays:
        with pytest.raises(AccessDenied, match='watch.stopped_elsewhere'):
            playback_store.stream_grant(play.token, Quality.HD)


def test_a_downgrade_stops_hd_and_premium_titles_at_the_next_request():
    user = make_account(plan=Plan.PREMIUM)
    ids = seed_titles(3, premium_every=3)
    play = start(user.id, ids[2])
    assert play.quality == Quality.HD
    accounts.set_plan(user_id=user.id, plan=Plan.FREE)
    with pytest.raises(AccessDenied, match='plan.locked_title'):
        playback_store.stream_grant(play.token, Quality.SD)
    with pytest.raises(AccessDenied, match='watch.stopped_plan'):
        save(play.token, 30.0)


def test_continue_watching_is_most_recent_first_at_most_12_and_removable():
    user = make_account(plan=Plan.PREMIUM)
    ids = seed_titles(15, duration_s=100)
    base = utcnow()
    for offset, title_id in enumerate(ids):
        play = start(user.id, title_id, now=base + timedelta(minutes=offset))
        save(play.token, 50.0, now=base + timedelta(minutes=offset, seconds=30))
    with db.session() as session:
        row = playback.continue_watching(session, user_id=user.id)
    assert [item.card.id for item in row] == list(reversed(ids))[:12]
    assert row[0].fraction == pytest.approx(0.5)
    playback.remove_from_continue(user_id=user.id, title_id=ids[-1])
    with db.session() as session:
        row = playback.continue_watching(session, user_id=user.id)
    assert ids[-1] not in [item.card.id for item in row]
    assert resume(user.id, ids[-1]) == 0.0


def test_history_lists_newest_first_and_entries_can_be_removed_or_cleared():
    user = make_account(plan=Plan.PREMIUM)
    ids = seed_titles(3)
    base = utcnow()
    for offset, title_id in enumerate(ids):
        play = start(user.id, title_id, now=base + timedelta(minutes=offset))
        later = base + timedelta(minutes=offset, seconds=30)
        playback_store.save_now(play.token, Report(30.0, played_s=30.0), now=later)
    entries = playback.history(user_id=user.id)
    assert [entry.card.id for entry in entries] == list(reversed(ids))
    playback.remove_history_entry(user_id=user.id, entry_id=entries[0].id)
    assert len(playback.history(user_id=user.id)) == 2
    other = make_account('bea')
    with pytest.raises(NotFound):
        playback.remove_history_entry(user_id=other.id, entry_id=entries[1].id)
    assert playback.clear_history(user_id=user.id) == 2
    assert playback.history(user_id=user.id) == []


def test_a_free_user_cannot_start_a_premium_title():
    user = make_account()
    ids = seed_titles(3, premium_every=3)
    with pytest.raises(AccessDenied):
        start(user.id, ids[2])


def test_a_users_stale_playbacks_are_dropped_when_a_new_one_starts():
    user = make_account()
    (title_id,) = seed_titles(1)
    long_ago = utcnow() - timedelta(days=3)
    for index in range(5):  # a minute apart: each old one has stopped counting as a screen
        start(user.id, title_id, now=long_ago + timedelta(minutes=index))
    start(user.id, title_id)
    with db.session() as session:
        assert session.exec(select(func.count()).select_from(Playback)).one() == 1


def test_a_playback_enters_the_history_once_really_watched_and_once_a_day():
    user = make_account()
    (title_id,) = seed_titles(1, duration_s=1000)  # 5 % is 50 s: 30 s comes first
    base = utcnow()
    play = start(user.id, title_id, now=base)
    save(play.token, 20.0, played=20.0, now=base + timedelta(seconds=20))
    assert playback.history(user_id=user.id) == []  # opened and played 20 s: not yet
    save(play.token, 31.0, played=31.0, now=base + timedelta(seconds=31))
    assert [entry.position_s for entry in playback.history(user_id=user.id)] == [31.0]
    save(play.token, 45.0, played=45.0, now=base + timedelta(seconds=45))
    again = start(user.id, title_id, now=base + timedelta(minutes=5))  # the same day: the same entry
    save(again.token, 120.0, played=40.0, now=base + timedelta(minutes=6))
    assert [entry.position_s for entry in playback.history(user_id=user.id)] == [120.0]
    tomorrow = start(user.id, title_id, now=base + timedelta(days=1))
    save(tomorrow.token, 130.0, played=35.0, now=base + timedelta(days=1, minutes=1))
    assert [entry.position_s for entry in playback.history(user_id=user.id)] == [130.0, 120.0]


def test_a_player_cannot_claim_more_playing_than_the_time_since_it_started():
    user = make_account()
    (title_id,) = seed_titles(1, duration_s=1000)
    base = utcnow()
    play = start(user.id, title_id, now=base)
    save(play.token, 500.0, played=500.0, now=base + timedelta(seconds=10))  # seeked far, played 10 s at most
    assert playback.history(user_id=user.id) == []


def test_the_viewers_day_is_the_day_in_their_time_zone():
    from datetime import UTC, date, datetime

    late = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    assert playback_store.viewers_day('Europe/Madrid', late) == date(2026, 12, 2)
    assert playback_store.viewers_day('America/Mexico_City', late) == date(2026, 12, 1)
    assert playback_store.viewers_day('Not/AZone', late) == playback_store.viewers_day(None, late) == date(2026, 12, 1)
