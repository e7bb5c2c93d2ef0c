"""The playback rules, as pure functions: what a player may fetch and what one of its reports changes.

Given the stored state, the report, the plan's limits and the time, they return a decision; the store
(`playback_store`) reads the state before and writes the decision after. No database, lock or framework here, so
the rules can be read in one sitting and tested as a table (tests/test_playback_rules.py).

Resume rules, as Jellyfin's: under 5 % watched is not resumable; from 90 %, or at the end, the title is watched
(position back to 0, out of Continue watching); a near-zero report just after a resume, or from a player that never
loaded, never overwrites a good position.

History: a playback enters the viewer's history once they have really played 30 s or 5 % of the title, whichever
comes first (the player counts the seconds it played; opening a page and leaving writes nothing); one entry per
title per day, whose position follows the playback.

A playback token is the only authority of the player's requests (video bytes, progress reports). It is *live* while
its sign-in session exists, it was not stopped, and its heartbeat (any report, sent every 10 s also while paused)
is younger than the screen window; a plan change is checked on every request. A token whose heartbeat lapsed comes
back to life with its next report only if the plan's screen count allows it, so an account never has more live
tokens than screens.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ..models import Plan, Quality
from .plans import denial

MIN_FRACTION = 0.05
WATCHED_FRACTION = 0.90
# A playback counts as a screen in use while its heartbeat is this recent.
SCREEN_WINDOW = timedelta(seconds=30)
# Right after a resume, a report below MIN_FRACTION is most likely the player's 0 before its seek: ignore it.
RESUME_GRACE = timedelta(seconds=20)
# Players report a little past the end (rounding, the last frame), never more.
OVERSHOOT_S = 2.0
# What "really watched" means for the history: this many seconds, or this share of the title, whichever is less.
HISTORY_SECONDS = 30.0
HISTORY_FRACTION = 0.05


@dataclass(frozen=True)
class Playback:
    """One open player as stored, with what the rules need of its title, its account and its session."""

    title_id: int
    quality: Quality
    started_at: datetime
    heartbeat_at: datetime
    stopped: bool
    session_alive: bool  # the sign-in session it was started from still exists
    plan: Plan
    is_premium: bool
    duration_s: float
    played_s: float = 0.0  # seconds really played so far, as its player counted them
    in_history: bool = False  # it has its history entry already


@dataclass(frozen=True)
class Saved:
    """Where the viewer stopped in a title (nothing stored yet is the default)."""

    position_s: float = 0.0
    resumable: bool = False
    watched: bool = False


@dataclass(frozen=True)
class Report:
    """A progress report: `position_s` None when the player has no real position (it never loaded)."""

    position_s: float | None
    ended: bool = False
    leaving: bool = False  # the page is going away: its playback ends and frees the screen now
    played_s: float | None = None  # seconds really played since this playback started (the player counts them)


@dataclass(frozen=True)
class Decision:
    """What a report does. `refused` is a message key, and then nothing is written."""

    refused: str | None = None
    invalid: bool = False  # the refusal is bad input (the player's fault), not a rule saying no
    heartbeat_at: datetime | None = None
    ends: bool = False  # the playback is over (its page left): no later report brings it back
    saved: Saved | None = None  # the new progress, or None when it does not change
    played_s: float | None = None  # the playback's new count of seconds played, when it grew
    enters_history: bool = False  # the history entry is written now (30 s or 5 % played)
    history_position: float | None = None  # the position its history entry shows now

    @property
    def accepted(self) -> bool:
        return self.refused is None


def is_live(playback: Playback, now: datetime) -> bool:
    return playback.session_alive and not playback.stopped and playback.heartbeat_at >= now - SCREEN_WINDOW


def stream_refusal(playback: Playback, quality: Quality, now: datetime) -> str | None:
    """Why this token may not fetch the `quality` rendition now, or None when it may."""
    if key := denial(playback.plan, is_premium=playback.is_premium, quality=quality):
        return key
    return _stopped(playback) or (None if is_live(playback, now) else 'watch.lapsed')


def screens_full(live_elsewhere: int, limit: int) -> bool:
    """Whether one more screen would pass the plan's limit (`live_elsewhere`: the account's other live devices)."""
    return live_elsewhere >= limit


def resume_from(saved: Saved | None) -> float:
    return saved.position_s if saved is not None and saved.resumable else 0.0


def decide(
    playback: Playback,
    saved: Saved | None,
    report: Report,
    *,
    now: datetime,
    live_elsewhere: int = 0,
    screen_limit: int = 1,
) -> Decision:
    """What one report changes. `live_elsewhere` (the account's other live devices) matters only for a token whose
    heartbeat lapsed, which comes back to life only within `screen_limit`."""
    if key := _stopped(playback) or _plan_changed(playback):
        return Decision(refused=key)
    if playback.heartbeat_at < now - SCREEN_WINDOW and screens_full(live_elsewhere, screen_limit):
        return Decision(refused='watch.screens_full')
    position = report.position_s
    if position is not None and (position < 0 or position > playback.duration_s + OVERSHOOT_S):
        return Decision(refused='errors.bad_progress', invalid=True)
    # A page that leaves sends its last report and may send an older one after it (browsers do not keep beacons in
    # order): ending the playback, rather than only backdating its heartbeat, keeps that one from reviving it.
    heartbeat = now - SCREEN_WINDOW - timedelta(seconds=1) if report.leaving else now
    played = _played(playback, report, now)
    base = Decision(heartbeat_at=heartbeat, ends=report.leaving, played_s=played)
    if position is None:
        return base
    new = _resume(playback, saved or Saved(), min(position, playback.duration_s), report.ended, now)
    if new is None:
        return base
    enters = not playback.in_history and watched_enough(played or playback.played_s, playback.duration_s)
    in_history = playback.in_history or enters
    return replace(base, saved=new, enters_history=enters, history_position=position if in_history else None)


def watched_enough(played_s: float, duration_s: float) -> bool:
    """Whether this much playing makes a history entry: 30 s or 5 % of the title, whichever comes first."""
    return played_s >= min(HISTORY_SECONDS, HISTORY_FRACTION * duration_s)


def _played(playback: Playback, report: Report, now: datetime) -> float | None:
    """The playback's count of seconds played after this report, when it grew: what the player says, but never
    more than the time since the playback started (a player cannot have played longer than it existed)."""
    if report.played_s is None or report.played_s <= playback.played_s:
        return None
    return min(report.played_s, (now - playback.started_at).total_seconds() + 1.0)


def _stopped(playback: Playback) -> str | None:
    if not playback.session_alive:
        return 'watch.session_ended'
    return 'watch.stopped_elsewhere' if playback.stopped else None


def _plan_changed(playback: Playback) -> str | None:
    return (
        'watch.stopped_plan'
        if denial(playback.plan, is_premium=playback.is_premium, quality=playback.quality)
        else None
    )


def _resume(playback: Playback, saved: Saved, position: float, ended: bool, now: datetime) -> Saved | None:
    duration = playback.duration_s
    fraction = position / duration if duration > 0 else 1.0
    if ended or fraction >= WATCHED_FRACTION:
        return Saved(position_s=0.0, resumable=False, watched=True)
    if fraction >= MIN_FRACTION:
        return replace(saved, position_s=position, resumable=True)
    if saved.resumable and now - playback.started_at < RESUME_GRACE:
        return None  # the player's 0 before its seek to the resume point, or a load that failed
    return replace(saved, position_s=position, resumable=False)
