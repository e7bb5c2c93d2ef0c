"""The playback rules as a table: `playback_rules.decide` and `stream_refusal` called directly, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.models import Plan, Quality
from app.services import playback_rules as rules

NOW = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def playing(**changes: object) -> rules.Playback:
    """A FREE viewer's SD playback of a free 100 s title, started 5 minutes ago, heartbeat just now."""
    values = {
        'title_id': 1,
        'quality': Quality.SD,
        'started_at': NOW - timedelta(minutes=5),
        'heartbeat_at': NOW - 10 * SECOND,
        'stopped': False,
        'session_alive': True,
        'plan': Plan.FREE,
        'is_premium': False,
        'duration_s': 100.0,
        **changes,
    }
    return rules.Playback(**values)  # type: ignore[arg-type]


def report(position: float | None, **flags: object) -> rules.Report:
    return rules.Report(position_s=position, **flags)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ('position', 'ended', 'resumable', 'watched', 'kept'),
    [
        (2.0, False, False, False, 2.0),  # under 5 %: not resumable, still in the history
        (4.9, False, False, False, 4.9),
        (5.0, False, True, False, 5.0),  # 5 %: resumable
        (50.0, False, True, False, 50.0),
        (89.9, False, True, False, 89.9),
        (90.0, False, False, True, 0.0),  # 90 %: watched, position back to 0
        (99.0, False, False, True, 0.0),
        (101.5, False, False, True, 0.0),  # a little past the end, as players report: the end
        (30.0, True, False, True, 0.0),  # ended: watched whatever the position
    ],
)
def test_resume_rules(position, ended, resumable, watched, kept):
    decision = rules.decide(playing(), None, report(position, ended=ended), now=NOW)
    assert decision.accepted
    assert decision.saved == rules.Saved(position_s=kept, resumable=resumable, watched=watched)
    assert decision.heartbeat_at == NOW


def test_a_near_zero_report_just_after_a_resume_is_ignored_but_keeps_the_screen():
    resumed = playing(started_at=NOW - 5 * SECOND)
    good = rules.Saved(position_s=40.0, resumable=True)
    decision = rules.decide(resumed, good, report(0.0), now=NOW)
    assert decision.accepted and decision.saved is None and decision.history_position is None
    assert decision.heartbeat_at == NOW


def test_a_low_position_long_after_the_resume_is_the_viewers_choice():
    decision = rules.decide(playing(), rules.Saved(position_s=40.0, resumable=True), report(1.0), now=NOW)
    assert decision.saved == rules.Saved(position_s=1.0, resumable=False)


def test_watched_stays_watched_when_the_viewer_starts_again():
    decision = rules.decide(playing(), rules.Saved(watched=True), report(30.0), now=NOW)
    assert decision.saved == rules.Saved(position_s=30.0, resumable=True, watched=True)


def test_a_report_without_a_position_is_only_a_heartbeat():
    decision = rules.decide(playing(), rules.Saved(position_s=40.0, resumable=True), report(None), now=NOW)
    assert decision.accepted and decision.saved is None and decision.heartbeat_at == NOW


def test_leaving_ends_the_playback_and_frees_the_screen_at_once():
    decision = rules.decide(playing(), None, report(50.0, leaving=True), now=NOW)
    assert decision.saved is not None and decision.ends
    assert not rules.is_live(playing(heartbeat_at=decision.heartbeat_at), NOW)


@pytest.mark.parametrize('position', [-1.0, 102.1, 1e9])
def test_impossible_positions_are_bad_input(position):
    decision = rules.decide(playing(), None, report(position), now=NOW)
    assert (decision.refused, decision.invalid) == ('errors.bad_progress', True)
    assert decision.heartbeat_at is None and decision.saved is None


@pytest.mark.parametrize(
    ('changes', 'key'),
    [
        ({'session_alive': False}, 'watch.session_ended'),  # signed out, password changed, account gone
        ({'stopped': True}, 'watch.stopped_elsewhere'),
        ({'is_premium': True}, 'watch.stopped_plan'),  # downgraded since it started
        ({'quality': Quality.HD}, 'watch.stopped_plan'),
    ],
)
def test_a_report_of_a_dead_playback_is_refused_and_writes_nothing(changes, key):
    decision = rules.decide(playing(**changes), None, report(50.0), now=NOW)
    assert decision.refused == key and not decision.invalid
    assert (decision.heartbeat_at, decision.saved, decision.history_position) == (None, None, None)


@pytest.mark.parametrize(
    ('live_elsewhere', 'limit', 'accepted'),
    [(0, 1, True), (1, 1, False), (3, 4, True), (4, 4, False)],
)
def test_a_lapsed_playback_comes_back_only_within_the_plans_screens(live_elsewhere, limit, accepted):
    lapsed = playing(heartbeat_at=NOW - rules.SCREEN_WINDOW - SECOND)
    decision = rules.decide(lapsed, None, report(50.0), now=NOW, live_elsewhere=live_elsewhere, screen_limit=limit)
    assert decision.accepted is accepted
    assert decision.refused == (None if accepted else 'watch.screens_full')


def test_a_live_playback_is_not_counted_again():
    decision = rules.decide(playing(), None, report(50.0), now=NOW, live_elsewhere=5, screen_limit=1)
    assert decision.accepted


@pytest.mark.parametrize(
    ('changes', 'quality', 'key'),
    [
        ({}, Quality.SD, None),
        ({}, Quality.HD, 'plan.quality_denied'),
        ({'plan': Plan.PREMIUM, 'quality': Quality.HD}, Quality.HD, None),
        ({'is_premium': True}, Quality.SD, 'plan.locked_title'),
        ({'stopped': True}, Quality.SD, 'watch.stopped_elsewhere'),
        ({'session_alive': False}, Quality.SD, 'watch.session_ended'),
        ({'heartbeat_at': NOW - rules.SCREEN_WINDOW - SECOND}, Quality.SD, 'watch.lapsed'),
        ({'heartbeat_at': NOW - rules.SCREEN_WINDOW + SECOND}, Quality.SD, None),
    ],
)
def test_video_bytes_go_only_to_a_live_token_within_its_plan(changes, quality, key):
    assert rules.stream_refusal(playing(**changes), quality, NOW) == key


@pytest.mark.parametrize(('saved', 'expected'), [(None, 0.0), (rules.Saved(40.0, True), 40.0), (rules.Saved(3.0), 0.0)])
def test_where_a_title_resumes(saved, expected):
    assert rules.resume_from(saved) == expected


@pytest.mark.parametrize(
    ('duration', 'played', 'enters'),
    [
        (1000.0, 29.0, False),  # 30 s come before 5 % (50 s)
        (1000.0, 30.0, True),
        (100.0, 4.9, False),  # 5 % (5 s) comes before 30 s
        (100.0, 5.0, True),
        (1000.0, None, False),  # a player that counts nothing never enters the history
    ],
)
def test_the_history_entry_is_written_once_really_watched(duration, played, enters):
    decision = rules.decide(playing(duration_s=duration), None, report(10.0, played_s=played), now=NOW)
    assert decision.enters_history is enters
    assert decision.history_position == (10.0 if enters else None)


def test_once_in_the_history_its_position_follows_the_playback():
    decision = rules.decide(playing(in_history=True, played_s=100.0), None, report(42.0), now=NOW)
    assert not decision.enters_history and decision.history_position == 42.0


def test_played_seconds_never_exceed_the_time_since_the_playback_started():
    young = playing(started_at=NOW - 10 * SECOND)
    decision = rules.decide(young, None, report(90.0, played_s=400.0), now=NOW)
    assert decision.played_s == pytest.approx(11.0)  # ten seconds old, plus one of leeway
    assert rules.decide(young, None, report(5.0, played_s=None), now=NOW).played_s is None
