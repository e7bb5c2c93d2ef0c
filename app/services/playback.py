"""Playback: starting a play (history + screen count), saving progress with the resume rules, Continue watching.

Resume rules, as in Jellyfin: under 5 % watched is not resumable (still in the history); over 90 % or ended is
watched (position reset, out of Continue watching); a near-zero report just after a resume, or from a failed load,
never overwrites a good position.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, func, select, update

from ..models import (
    ContinueItem,
    HistoryEntry,
    Plan,
    Playback,
    Progress,
    Quality,
    Title,
    User,
    WatchHistory,
    as_utc,
    utcnow,
)
from . import plans
from .catalog import card, get_title_row
from .errors import AccessDenied, NotFound, ValidationError

MIN_FRACTION = 0.05
WATCHED_FRACTION = 0.90
CONTINUE_LIMIT = 12
HISTORY_PAGE_MAX = 100
# A playback counts as a screen in use while its heartbeat (a progress save) is this recent.
ACTIVE_WINDOW = timedelta(seconds=30)
# Right after a resume, a report below MIN_FRACTION is most likely the player's 0 before its seek: ignore it.
RESUME_GRACE = timedelta(seconds=20)
KEEP_PLAYBACKS = timedelta(days=1)


@dataclass(frozen=True)
class PlaybackStart:
    token: str
    title_id: int
    quality: Quality
    resume_from: float


@dataclass(frozen=True)
class SaveResult:
    saved: bool  # False when the report was ignored by the rules
    position_s: float
    resumable: bool
    watched: bool


class ScreensFull(AccessDenied):
    def __init__(self, used: int, limit: int) -> None:
        super().__init__('watch.screens_full', used=used, limit=limit)
        self.used, self.limit = used, limit


def resume_position(session: Session, *, user_id: int, title_id: int) -> float:
    row = session.get(Progress, (user_id, title_id))
    return row.position_s if row is not None and row.resumable else 0.0


def active_playbacks(session: Session, *, user_id: int, now: datetime | None = None, other_than: str = '') -> int:
    """Screens in use: devices with a recent heartbeat (a device's own earlier playbacks are not another screen)."""
    since = (now or utcnow()) - ACTIVE_WINDOW
    query = select(func.count(func.distinct(Playback.device))).where(
        Playback.user_id == user_id, col(Playback.heartbeat_at) >= since, col(Playback.stopped).is_(False),
        col(Playback.device) != other_than)
    return session.exec(query).one()


def start_playback(session: Session, *, user_id: int, title_id: int, token: str, device: str,
                   now: datetime | None = None) -> PlaybackStart:
    """Check the plan and the screens, record the play in the history, and hand out a playback token.

    A device plays one thing at a time: its earlier playbacks (another tab, the page before a reload) stop.
    """
    now = now or utcnow()
    title = get_title_row(session, title_id)
    plan = plans.check_access(session, user_id=user_id, title=title)
    used, limit = active_playbacks(session, user_id=user_id, now=now, other_than=device), plans.max_screens(plan)
    if used >= limit:
        raise ScreensFull(used, limit)
    quality = plans.quality_for(plan)
    resume = resume_position(session, user_id=user_id, title_id=title_id)
    history = WatchHistory(user_id=user_id, title_id=title_id, watched_at=now, position_s=resume, quality=quality)
    session.add(history)
    session.flush()
    session.exec(update(Playback).where(col(Playback.user_id) == user_id, col(Playback.device) == device,
                                        col(Playback.stopped).is_(False)).values(stopped=True))
    # Old playbacks only ever matter for their heartbeat: drop this user's stale ones so the table stays small.
    session.exec(delete(Playback).where(col(Playback.user_id) == user_id,
                                        col(Playback.heartbeat_at) < now - KEEP_PLAYBACKS))
    session.add(Playback(token=token, user_id=user_id, device=device, title_id=title_id, history_id=history.id,
                         quality=quality, started_at=now, heartbeat_at=now))
    return PlaybackStart(token=token, title_id=title_id, quality=quality, resume_from=resume)


def stop_user_playbacks(session: Session, *, user_id: int) -> int:
    query = update(Playback).where(col(Playback.user_id) == user_id, col(Playback.stopped).is_(False))
    return session.exec(query.values(stopped=True)).rowcount


def authorize_stream(session: Session, *, user_id: int, title_id: int, token: str, quality: Quality) -> Title:
    """The title whose `quality` rendition this playback token may fetch now, else a domain error.

    Runs for every Range request of a player, so it is one query: the playback with its title and the user's plan.
    A plan that does not cover the title or the rendition is AccessDenied (403), whatever the token says.
    """
    found = session.exec(
        select(Playback.title_id, Playback.stopped, Playback.quality, Title, User.subscription_type)
        .join(Title, col(Title.id) == col(Playback.title_id)).join(User, col(User.id) == col(Playback.user_id))
        .where(Playback.token == token[:64], Playback.user_id == user_id)).first()
    if found is None:
        title = get_title_row(session, title_id)  # unknown title: 404; known one: the plan decides before the token
        plans.check_access(session, user_id=user_id, title=title, quality=quality)
        raise NotFound('title.not_found')
    playback_title, stopped, playback_quality, title, plan = found
    plan = Plan(plan)
    if key := plans.denial(plan, is_premium=title.is_premium, quality=quality):
        raise AccessDenied(key, title=title.title)
    if playback_title != title_id:
        raise NotFound('title.not_found')
    _check_alive(stopped=stopped, quality=Quality(playback_quality), is_premium=title.is_premium, plan=plan)
    return title


def _check_alive(*, stopped: bool, quality: Quality, is_premium: bool, plan: Plan) -> None:
    if stopped:
        raise AccessDenied('watch.stopped_elsewhere')
    if plans.denial(plan, is_premium=is_premium, quality=quality):
        raise AccessDenied('watch.stopped_plan')  # downgraded since it started


def _clean_position(value: object) -> float:
    try:
        position = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as error:
        raise ValidationError('errors.bad_progress') from error
    if not math.isfinite(position) or position < 0:
        raise ValidationError('errors.bad_progress')
    return position


def save_progress(session: Session, *, user_id: int, token: str, position_s: object, ended: bool = False,
                  leaving: bool = False, now: datetime | None = None) -> SaveResult:
    """Apply one progress report from a player. Also the playback's heartbeat (it keeps the screen counted).

    `leaving` (the page is being closed) frees the screen at once. `position_s=None` reports nothing else, as a
    player that never loaded does when it leaves. The hot path of the app: one query reads the playback with its
    title and the user's plan, then plain UPDATE/INSERT statements.
    """
    now = now or utcnow()
    position = None if position_s is None else _clean_position(position_s)
    found = session.exec(
        select(Playback.title_id, Playback.stopped, Playback.quality, Playback.history_id, Playback.started_at,
               Title.duration_s, Title.is_premium, User.subscription_type)
        .join(Title, col(Title.id) == col(Playback.title_id)).join(User, col(User.id) == col(Playback.user_id))
        .where(Playback.token == token[:64], Playback.user_id == user_id)).first()
    if found is None:
        raise NotFound('title.not_found')
    title_id, stopped, quality, history_id, started_at, duration, is_premium, plan = found
    _check_alive(stopped=stopped, quality=Quality(quality), is_premium=is_premium, plan=Plan(plan))
    heartbeat = now - ACTIVE_WINDOW - timedelta(seconds=1) if leaving else now
    session.exec(update(Playback).where(col(Playback.token) == token[:64]).values(heartbeat_at=heartbeat))
    row = session.get(Progress, (user_id, title_id))
    if position is None:
        return SaveResult(saved=False, position_s=row.position_s if row else 0.0,
                          resumable=bool(row and row.resumable), watched=bool(row and row.watched))
    if position > duration + 2:  # players report a little past the end; more than that is not a real position
        raise ValidationError('errors.bad_progress')
    position = min(position, duration)
    if row is None:
        row = Progress(user_id=user_id, title_id=title_id, duration_s=duration)
        session.add(row)
    fraction = position / duration if duration > 0 else 1.0
    saved = True
    if ended or fraction >= WATCHED_FRACTION:
        row.position_s, row.resumable, row.watched = 0.0, False, True
    elif fraction < MIN_FRACTION:
        if row.resumable and now - as_utc(started_at) < RESUME_GRACE:
            saved = False  # the player's 0 before its seek to the resume point, or a load that failed
        else:
            row.position_s, row.resumable = position, False
    else:
        row.position_s, row.resumable = position, True
    if saved:
        row.duration_s, row.updated_at = duration, now
        if history_id is not None:
            session.exec(update(WatchHistory).where(col(WatchHistory.id) == history_id).values(position_s=position))
    return SaveResult(saved=saved, position_s=row.position_s, resumable=row.resumable, watched=row.watched)


def continue_watching(session: Session, *, user_id: int, limit: int = CONTINUE_LIMIT) -> list[ContinueItem]:
    query = (select(Progress, Title).join(Title, col(Title.id) == col(Progress.title_id))
             .where(Progress.user_id == user_id, col(Progress.resumable).is_(True))
             .order_by(col(Progress.updated_at).desc()).limit(max(1, min(limit, CONTINUE_LIMIT))))
    return [ContinueItem(card=card(title), position_s=progress.position_s, duration_s=title.duration_s,
                         updated_at=progress.updated_at) for progress, title in session.exec(query).all()]


def remove_from_continue(session: Session, *, user_id: int, title_id: int) -> None:
    row = session.get(Progress, (user_id, title_id))
    if row is None:
        raise NotFound('title.not_found')
    row.resumable, row.position_s = False, 0.0


def history(session: Session, *, user_id: int, limit: int = 50, offset: int = 0) -> list[HistoryEntry]:
    query = (select(WatchHistory, Title).join(Title, col(Title.id) == col(WatchHistory.title_id))
             .where(WatchHistory.user_id == user_id)
             .order_by(col(WatchHistory.watched_at).desc(), col(WatchHistory.id).desc())
             .offset(max(0, offset)).limit(max(1, min(limit, HISTORY_PAGE_MAX))))
    return [HistoryEntry(id=entry.id, card=card(title), watched_at=entry.watched_at, position_s=entry.position_s,
                         quality=entry.quality) for entry, title in session.exec(query).all()]


def remove_history_entry(session: Session, *, user_id: int, entry_id: int) -> None:
    entry = session.get(WatchHistory, entry_id)
    if entry is None or entry.user_id != user_id:
        raise NotFound('title.not_found')
    session.delete(entry)


def clear_history(session: Session, *, user_id: int) -> int:
    return session.exec(delete(WatchHistory).where(col(WatchHistory.user_id) == user_id)).rowcount
