"""What the viewer sees of their playing: where to resume, Continue watching, and the watch history.

Starting a playback, its token and the progress reports live in `playback_store` (their rules in
`playback_rules`); this module reads what they wrote, for the pages.
"""

from __future__ import annotations

from sqlmodel import Session, delete, select

from .. import db
from ..models import ContinueItem, HistoryEntry, Progress, Title, WatchHistory
from . import playback_rules as rules
from .catalog import card
from .errors import NotFound

CONTINUE_LIMIT = 12
HISTORY_PAGE_MAX = 100


def resume_position(session: Session, *, user_id: int, title_id: int) -> float:
    row = session.get(Progress, (user_id, title_id))
    saved = rules.Saved(row.position_s, row.resumable, row.watched) if row is not None else None
    return rules.resume_from(saved)


def continue_watching(session: Session, *, user_id: int, limit: int = CONTINUE_LIMIT) -> list[ContinueItem]:
    query = (
        select(Progress, Title)
        .join(Title, Title.id == Progress.title_id)
        .where(Progress.user_id == user_id, Progress.resumable)
        .order_by(Progress.updated_at.desc())
        .limit(max(1, min(limit, CONTINUE_LIMIT)))
    )
    return [
        ContinueItem(
            card=card(title),
            position_s=progress.position_s,
            duration_s=title.duration_s,
            updated_at=progress.updated_at,
        )
        for progress, title in session.exec(query).all()
    ]


def remove_from_continue(*, user_id: int, title_id: int) -> None:
    with db.session(write=True) as session:
        row = session.get(Progress, (user_id, title_id))
        if row is None:
            raise NotFound('title.not_found')
        row.resumable, row.position_s = False, 0.0


def history(*, user_id: int, limit: int = 50, offset: int = 0) -> list[HistoryEntry]:
    query = (
        select(WatchHistory, Title)
        .join(Title, Title.id == WatchHistory.title_id)
        .where(WatchHistory.user_id == user_id)
        .order_by(WatchHistory.watched_at.desc(), WatchHistory.id.desc())
        .offset(max(0, offset))
        .limit(max(1, min(limit, HISTORY_PAGE_MAX)))
    )
    with db.session() as session:
        return [
            HistoryEntry(
                id=entry.id,
                card=card(title),
                watched_at=entry.watched_at,
                position_s=entry.position_s,
                quality=entry.quality,
            )
            for entry, title in session.exec(query).all()
        ]


def remove_history_entry(*, user_id: int, entry_id: int) -> None:
    with db.session(write=True) as session:
        entry = session.get(WatchHistory, entry_id)
        if entry is None or entry.user_id != user_id:
            raise NotFound('title.not_found')
        session.delete(entry)


def clear_history(*, user_id: int) -> int:
    with db.session(write=True) as session:
        return session.exec(delete(WatchHistory).where(WatchHistory.user_id == user_id)).rowcount
