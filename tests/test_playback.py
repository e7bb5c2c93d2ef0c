"""Resume rules, Continue watching and history, as plain service calls."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import db
from app.models import Plan, utcnow
from app.services import playback
from app.services.errors import AccessDenied, NotFound, ValidationError

from .helpers import make_account, seed_titles

pytestmark = pytest.mark.every_database  # once on SQLite, once on PostgreSQL (tests/conftest.py)


def start(user_id: int, title_id: int, device: str = 'dev-1', now=None):
    return db.call(
        playback.start_playback,
        user_id=user_id,
        title_id=title_id,
        token=f'tok-{device}-{title_id}',
        device=device,
        now=now,
    )


def save(user_id: int, token: str, position, *, ended=False, now=None):
    return db.run_core(playback.save_progress, user_id=user_id, token=token, position_s=position, ended=ended, now=now)


@pytest.mark.parametrize(
    ('position', 'ended', 'resumable', 'watched', 'kept'),
    [
        (2.0, False, False, False, 2.0),  # under 5 %: not resumable, still in the history
        (4.9, False, False, False, 4.9),
        (5.0, False, True, False, 5.0),  # 5 %: resumable
        (50.0, False, True, False, 50.0),
        (89.9, False, True, False, 89.9),
        (90.0, False, False, True, 0.0),  # 90 %: watched, position reset
        (99.0, False, False, True, 0.0),
        (30.0, True, False, True, 0.0),  # ended: watched whatever the position
    ],
)
def test_resume_rules(position, ended, resumable, watched, kept):
    user = make_account()
    (title_id,) = seed_titles(1, duration_s=100)
    play = start(user.id, title_id)
    result = save(user.id, play.token, position, ended=ended, now=utcnow() + timedelta(minutes=1))
    assert (result.resumable, result.watched, result.position_s) == (resumable, watched, kept)
    assert db.call(playback.resume_position, user_id=user.id, title_id=title_id) == (kept if resumable else 0.0)
    assert [entry.card.id for entry in db.call(playback.history, user_id=user.id)] == [title_id]


def test_a_near_zero_report_just_after_a_resume_never_overwrites_a_good_position():
    user = make_account()
    (title_id,) = seed_titles(1, duration_s=100)
    first = start(user.id, title_id)
    save(user.id, first.token, 40.0)
    second = db.call(playback.start_playback, user_id=user.id, title_id=title_id, token='tok-again', device='dev-1')
    assert second.resume_from == 40.0
    result = save(user.id, second.token, 0.0)  # the player's 0 before its seek
    assert not result.saved
    assert db.call(playback.resume_position, user_id=user.id, title_id=title_id) == 40.0
    # Later on, a low position is a real choice (the user went back to the start): honoured.
    later = save(user.id, second.token, 1.0, now=utcnow() + timedelta(minutes=2))
    assert later.saved and not later.resumable


@pytest.mark.parametrize('bad', [-1, float('nan'), float('inf'), 'abc', None, 1e9])
def test_impossible_positions_are_rejected(bad):
    user = make_account()
    (title_id,) = seed_titles(1, duration_s=100)
    play = start(user.id, title_id)
    if bad is None:
        assert not save(user.id, play.token, bad).saved  # no position: only a heartbeat
        return
    with pytest.raises(ValidationError):
        save(user.id, play.token, bad)


def test_another_users_playback_token_is_not_found():
    ana, bea = make_account('ana'), make_account('bea')
    (title_id,) = seed_titles(1)
    play = start(ana.id, title_id)
    with pytest.raises(NotFound):
        save(bea.id, play.token, 50.0)


def test_continue_watching_is_most_recent_first_at_most_12_and_removable():
    user = make_account(plan=Plan.PREMIUM)
    ids = seed_titles(15, duration_s=100)
    base = utcnow()
    for offset, title_id in enumerate(ids):
        play = start(user.id, title_id, device=f'd{offset}', now=base + timedelta(minutes=offset))
        save(user.id, play.token, 50.0, now=base + timedelta(minutes=offset, seconds=30))
    row = db.call(playback.continue_watching, user_id=user.id)
    assert [item.card.id for item in row] == list(reversed(ids))[:12]
    assert row[0].fraction == pytest.approx(0.5)
    db.call(playback.remove_from_continue, user_id=user.id, title_id=ids[-1])
    row = db.call(playback.continue_watching, user_id=user.id)
    assert ids[-1] not in [item.card.id for item in row]
    assert db.call(playback.resume_position, user_id=user.id, title_id=ids[-1]) == 0.0


def test_history_lists_newest_first_and_entries_can_be_removed_or_cleared():
    user = make_account(plan=Plan.PREMIUM)
    ids = seed_titles(3)
    base = utcnow()
    for offset, title_id in enumerate(ids):
        start(user.id, title_id, now=base + timedelta(minutes=offset))
    entries = db.call(playback.history, user_id=user.id)
    assert [entry.card.id for entry in entries] == list(reversed(ids))
    db.call(playback.remove_history_entry, user_id=user.id, entry_id=entries[0].id)
    assert len(db.call(playback.history, user_id=user.id)) == 2
    other = make_account('bea')
    with pytest.raises(NotFound):
        db.call(playback.remove_history_entry, user_id=other.id, entry_id=entries[1].id)
    assert db.call(playback.clear_history, user_id=user.id) == 2
    assert db.call(playback.history, user_id=user.id) == []


def test_a_free_user_cannot_start_a_premium_title():
    user = make_account()
    ids = seed_titles(3, premium_every=3)
    with pytest.raises(AccessDenied):
        start(user.id, ids[2])


def test_a_users_stale_playbacks_are_dropped_when_a_new_one_starts():
    from sqlmodel import func, select

    from app.models import Playback

    user = make_account()
    (title_id,) = seed_titles(1)
    long_ago = utcnow() - timedelta(days=3)
    for index in range(5):  # a minute apart: each old one has stopped counting as a screen
        start(user.id, title_id, device=f'old-{index}', now=long_ago + timedelta(minutes=index))
    start(user.id, title_id, device='today')
    with db.session_scope() as session:
        assert session.exec(select(func.count()).select_from(Playback)).one() == 1
