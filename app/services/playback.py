"""What the viewer sees of their playing: where to resume, Continue watching, and the watch history.

Starting a playback, its token and the progress reports live in `playback_store` (their rules in
`playback_rules`); series' next episodes in `series`; this module reads what they wrote, for the pages.
"""

from __future__ import annotations

import functools

from sqlalchemy import Select, bindparam
from sqlalchemy.orm import aliased
from sqlmodel import Session, delete, select

from .. import db, events
from ..models import (
    ContinueItem,
    EpisodeRef,
    HistoryEntry,
    Kind,
    Progress,
    Title,
    TitleCard,
    WatchHistory,
    as_utc,
)
from . import playback_rules as rules
from . import series as series_service
from .catalog import card, get_title_row
from .errors import NotFound

CONTINUE_LIMIT = 12
HISTORY_PAGE_MAX = 100


# Page paths read these for every page load: Core selects of the columns they show (no ORM instances to build).
_CARD_COLUMNS = (Title.id, Title.title, Title.year, Title.genre, Title.kind, Title.rating, Title.is_premium,
                 Title.duration_s)  # fmt: skip


def _card(row: tuple) -> TitleCard:
    """A card from the `_CARD_COLUMNS` of a row, in that order."""
    id_, title, year, genre, kind, rating, is_premium, duration_s = row
    return TitleCard(id=id_, title=title, year=year, genre=genre, kind=kind, rating=rating, is_premium=is_premium,
                     duration_s=duration_s)  # fmt: skip


def resume_position(session: Session, *, user_id: int, title_id: int) -> float:
    query = select(Progress.position_s, Progress.resumable, Progress.watched).where(
        Progress.user_id == user_id, Progress.title_id == title_id
    )
    row = session.connection().execute(query).first()
    saved = rules.Saved(*row) if row is not None else None
    return rules.resume_from(saved)


def continue_watching(session: Session, *, user_id: int, limit: int = CONTINUE_LIMIT) -> list[ContinueItem]:
    """Films in progress and, for each series being watched, its next episode: one row, newest activity first."""
    limit = max(1, min(limit, CONTINUE_LIMIT))
    items = []
    films = session.connection().execute(_films_in_progress_query(), {'user_id': user_id, 'limit': limit})
    for position_s, updated_at, *columns in films.all():
        film = _card(columns)
        items.append(
            ContinueItem(card=film, position_s=position_s, duration_s=film.duration_s, updated_at=as_utc(updated_at))
        )
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
    query = _history_query()
    page = {'user_id': user_id, 'offset': max(0, offset), 'limit': max(1, min(limit, HISTORY_PAGE_MAX))}
    width = len(_CARD_COLUMNS)
    entries = []
    with db.transaction() as connection:
        for entry_id, watched_at, position_s, quality, season, number, series_id, *rest in connection.execute(
            query, page
        ):
            title = _card(rest[:width])
            entries.append(
                HistoryEntry(
                    id=entry_id,
                    card=_card(rest[width:]) if series_id is not None else title,
                    episode=EpisodeRef(id=title.id, season=season or 0, number=number or 0, title=title.title)
                    if series_id is not None
                    else None,
                    watched_at=as_utc(watched_at),
                    position_s=position_s,
                    duration_s=title.duration_s,
                    quality=quality,
                )
            )
    return entries


@functools.cache
def _films_in_progress_query() -> Select:
    """Built once, as every page path's statements are (building one is most of what a small query costs)."""
    return (
        select(Progress.position_s, Progress.updated_at, *_CARD_COLUMNS)
        .join(Title, Title.id == Progress.title_id)
        .where(Progress.user_id == bindparam('user_id'), Progress.resumable, Title.kind == Kind.MOVIE.value)
        .order_by(Progress.updated_at.desc())
        .limit(bindparam('limit'))
    )


@functools.cache
def _history_query() -> Select:
    """Built once, with bind parameters: building a select of forty columns through an alias costs more than
    running it."""
    series = aliased(Title)
    shown = tuple(getattr(series, column.key) for column in _CARD_COLUMNS)
    return (
        select(
            WatchHistory.id,
            WatchHistory.watched_at,
            WatchHistory.position_s,
            WatchHistory.quality,
            Title.season_number,
            Title.episode_number,
            Title.series_id,
            *_CARD_COLUMNS,
            *shown,
        )  # fmt: skip
        .join(Title, Title.id == WatchHistory.title_id)
        .outerjoin(series, series.id == Title.series_id)
        .where(WatchHistory.user_id == bindparam('user_id'))
        .order_by(WatchHistory.watched_at.desc(), WatchHistory.id.desc())
        .offset(bindparam('offset'))
        .limit(bindparam('limit'))
    )


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
