"""What the viewer sees of their playing: where to resume, Continue watching, and the watch history.

Starting a playback, its token and the progress reports live in `playback_store` (their rules in
`playback_rules`); series' next episodes in `series`; this module reads what they wrote, for the pages.
"""

from __future__ import annotations

from sqlalchemy.orm import aliased
from sqlmodel import Session, delete, select

from .. import db, events
from ..models import ContinueItem, EpisodeRef, HistoryEntry, Kind, Progress, Title, WatchHistory, as_utc
from . import playback_rules as rules
from . import series as series_service
from .catalog import card, get_title_row
from .errors import NotFound

CONTINUE_LIMIT = 12
HISTORY_PAGE_MAX = 100


def resume_position(session: Session, *, user_id: int, title_id: int) -> float:
    row = session.get(Progress, (user_id, title_id))
    saved = rules.Saved(row.position_s, row.resumable, row.watched) if row is not None else None
    return rules.resume_from(saved)


def continue_watching(session: Session, *, user_id: int, limit: int = CONTINUE_LIMIT) -> list[ContinueItem]:
    """Films in progress and, for each series being watched, its next episode: one row, newest activity first."""
    limit = max(1, min(limit, CONTINUE_LIMIT))
    films = (
        select(Progress, Title)
        .join(Title, Title.id == Progress.title_id)
        .where(Progress.user_id == user_id, Progress.resumable, Title.kind == Kind.MOVIE.value)
        .order_by(Progress.updated_at.desc())
        .limit(limit)
    )
    items = [
        ContinueItem(
            card=card(title),
            position_s=progress.position_s,
            duration_s=title.duration_s,
            updated_at=as_utc(progress.updated_at),
        )
        for progress, title in session.exec(films).all()
    ]
    for found in series_service.watching(session, user_id=user_id):
        items.append(
            ContinueItem(
                card=card(found.series),
                episode=_episode(found.episode),
                position_s=found.resume_s,
                duration_s=found.episode.duration_s,
                updated_at=found.activity,
            )
        )
    items.sort(key=lambda item: item.updated_at, reverse=True)
    return items[:limit]


def remove_from_continue(*, user_id: int, title_id: int) -> None:
    """Take a film (or a series, until it is played again) out of Continue watching."""
    with db.session() as session:
        kind = get_title_row(session, title_id).kind
    if kind == Kind.SERIES:
        series_service.dismiss(user_id=user_id, series_id=title_id)
        return
    with db.session(write=True) as session:
        row = session.get(Progress, (user_id, title_id))
        if row is None:
            raise NotFound('title.not_found')
        row.resumable, row.position_s = False, 0.0
    events.publish(f'progress:{user_id}')


def history(*, user_id: int, limit: int = 50, offset: int = 0) -> list[HistoryEntry]:
    """The viewer's history, newest first; an episode's entry shows its series with the episode."""
    series = aliased(Title)
    query = (
        select(WatchHistory, Title, series)
        .join(Title, Title.id == WatchHistory.title_id)
        .outerjoin(series, series.id == Title.series_id)
        .where(WatchHistory.user_id == user_id)
        .order_by(WatchHistory.watched_at.desc(), WatchHistory.id.desc())
        .offset(max(0, offset))
        .limit(max(1, min(limit, HISTORY_PAGE_MAX)))
    )
    with db.session() as session:
        return [
            HistoryEntry(
                id=entry.id,
                card=card(parent if parent is not None else title),
                episode=_episode(title) if parent is not None else None,
                watched_at=as_utc(entry.watched_at),
                position_s=entry.position_s,
                duration_s=title.duration_s,
                quality=entry.quality,
            )
            for entry, title, parent in session.exec(query).all()
        ]


def _episode(row: Title) -> EpisodeRef:
    assert row.id is not None
    return EpisodeRef(id=row.id, season=row.season_number or 0, number=row.episode_number or 0, title=row.title)


def remove_history_entry(*, user_id: int, entry_id: int) -> None:
    with db.session(write=True) as session:
        entry = session.get(WatchHistory, entry_id)
        if entry is None or entry.user_id != user_id:
            raise NotFound('title.not_found')
        session.delete(entry)


def clear_history(*, user_id: int) -> int:
    with db.session(write=True) as session:
        return session.exec(delete(WatchHistory).where(WatchHistory.user_id == user_id)).rowcount
