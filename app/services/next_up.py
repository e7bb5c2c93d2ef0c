"""Next Up: which episode of a series a viewer plays next, as one pure function (no database, no clock).

The rules (README, "Series"), in order:

1. An episode in progress is resumed, the most recently played one if there are several, unless it comes before
   the most recently finished episode: starting an old episode again does not move the series' place.
2. Otherwise the episode after the most recently finished one (by season and number, into the next season),
   skipping episodes already watched.
3. Nothing finished and nothing in progress: the first episode (the series is not started: `started` is False).
4. Everything after the last finished episode is watched: the series is finished (no next episode). A new episode
   added after it brings it back.

Finishing an old episode makes it the most recently finished one; what follows it is skipped while watched, so the
place comes back to where it was unless the viewer has unwatched episodes after the old one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Episode:
    id: int
    season: int
    number: int


@dataclass(frozen=True)
class State:
    """What the viewer did with one episode (no state: never played)."""

    position_s: float = 0.0
    resumable: bool = False  # in progress
    watched: bool = False  # finished at least once
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Next:
    episode: Episode
    resume_s: float  # where it starts: 0, or the position of an episode in progress
    started: bool  # the viewer has played something of the series


def next_up(episodes: Sequence[Episode], states: dict[int, State]) -> Next | None:
    """The episode to play next, or None when every episode is watched (or there is none)."""
    ordered = sorted(episodes, key=lambda episode: (episode.season, episode.number, episode.id))
    if not ordered:
        return None
    index = {episode.id: position for position, episode in enumerate(ordered)}
    finished = [e for e in ordered if states.get(e.id, State()).watched and states[e.id].updated_at is not None]
    last = max(finished, key=lambda e: (states[e.id].updated_at, index[e.id])) if finished else None
    floor = index[last.id] if last is not None else -1
    playing = [
        e
        for e in ordered
        if states.get(e.id, State()).resumable and states[e.id].updated_at is not None and index[e.id] > floor
    ]
    if playing:
        current = max(playing, key=lambda e: (states[e.id].updated_at, index[e.id]))
        return Next(current, states[current.id].position_s, started=True)
    if last is None:
        started = any(e.id in states for e in ordered)
        first = next((e for e in ordered if not states.get(e.id, State()).watched), None)
        return Next(first, 0.0, started=started) if first is not None else None
    for episode in ordered[floor + 1 :]:
        if not states.get(episode.id, State()).watched:
            return Next(episode, 0.0, started=True)
    return None


def after(episodes: Sequence[Episode], current_id: int) -> Episode | None:
    """The episode that follows `current_id` in order (into the next season), or None after the last one."""
    ordered = sorted(episodes, key=lambda episode: (episode.season, episode.number, episode.id))
    for position, episode in enumerate(ordered):
        if episode.id == current_id:
            return ordered[position + 1] if position + 1 < len(ordered) else None
    return None
