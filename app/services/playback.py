"""Playback: starting a play (history + screen count), saving progress with the resume rules, Continue watching.

Resume rules, as in Jellyfin: under 5 % watched is not resumable (still in the history); over 90 % or ended is
watched (position reset, out of Continue watching); a near-zero report just after a resume, or from a failed load,
never overwrites a good position.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, delete, func, select, update

from .. import db
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
        Playback.user_id == user_id,
        col(Playback.heartbeat_at) >= since,
        col(Playback.stopped).is_(False),
        col(Playback.device) != other_than,
    )
    return session.exec(query).one()


def start_playback(
    session: Session, *, user_id: int, title_id: int, token: str, device: str, now: datetime | None = None
) -> PlaybackStart:
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
    session.exec(
        update(Playback)
        .where(col(Playback.user_id) == user_id, col(Playback.device) == device, col(Playback.stopped).is_(False))
        .values(stopped=True)
    )
    # Old playbacks only ever matter for their heartbeat: drop this user's stale ones so the table stays small.
    session.exec(
        delete(Playback).where(col(Playback.user_id) == user_id, col(Playback.heartbeat_at) < now - KEEP_PLAYBACKS)
    )
    session.add(
        Playback(
            token=token,
            user_id=user_id,
            device=device,
            title_id=title_id,
            history_id=history.id,
            quality=quality,
            started_at=now,
            heartbeat_at=now,
        )
    )
    return PlaybackStart(token=token, title_id=title_id, quality=quality, resume_from=resume)


def stop_user_playbacks(session: Session, *, user_id: int) -> int:
    query = update(Playback).where(col(Playback.user_id) == user_id, col(Playback.stopped).is_(False))
    return session.exec(query.values(stopped=True)).rowcount


# The player's two requests, built once (SQLAlchemy then only fills in the values): each runs for every Range read
# or progress report, in Core (`db.run_core`), where the ORM would cost several times the query.
_STREAM = (
    select(
        Playback.title_id,
        Playback.stopped,
        Playback.quality,
        Title.is_premium,
        Title.title,
        Title.video_sd_path,
        Title.video_hd_path,
        User.subscription_type,
    )
    .join(Title, col(Title.id) == col(Playback.title_id))
    .join(User, col(User.id) == col(Playback.user_id))
    .where(Playback.token == bindparam('token'), Playback.user_id == bindparam('user_id'))
)
_TITLE_AND_PLAN = (
    select(Title.is_premium, Title.title, User.subscription_type)
    .join(User, col(User.id) == bindparam('user_id'))
    .where(Title.id == bindparam('title_id'))
)
_HEARTBEAT = (
    update(Playback)
    .where(col(Playback.token) == bindparam('b_token'), col(Playback.user_id) == bindparam('b_user_id'))
    .values(heartbeat_at=bindparam('b_heartbeat'))
)
_SAVE_STATE = (
    select(
        Playback.title_id,
        Playback.stopped,
        Playback.quality,
        Playback.history_id,
        Playback.started_at,
        Title.duration_s,
        Title.is_premium,
        User.subscription_type,
        Progress.position_s,
        Progress.resumable,
        Progress.watched,
        Progress.user_id,
    )
    .join(Title, col(Title.id) == col(Playback.title_id))
    .join(User, col(User.id) == col(Playback.user_id))
    .outerjoin(
        Progress, (col(Progress.user_id) == col(Playback.user_id)) & (col(Progress.title_id) == col(Playback.title_id))
    )
    .where(Playback.token == bindparam('b_token'), Playback.user_id == bindparam('b_user_id'))
)


def _progress_values() -> dict:
    return {name: bindparam(f'b_{name}') for name in ('position_s', 'duration_s', 'resumable', 'watched', 'updated_at')}


_UPDATE_PROGRESS = (
    update(Progress)
    .where(col(Progress.user_id) == bindparam('b_key_user'), col(Progress.title_id) == bindparam('b_key_title'))
    .values(_progress_values())
)
_INSERT_PROGRESS = insert(Progress).values(
    user_id=bindparam('b_key_user'), title_id=bindparam('b_key_title'), **_progress_values()
)
_HISTORY_POSITION = (
    update(WatchHistory)
    .where(col(WatchHistory.id) == bindparam('b_history_id'))
    .values(position_s=bindparam('b_position_s'))
)


@dataclass(frozen=True)
class StreamGrant:
    title_id: int
    path: str  # the rendition's file, relative to the media folder


def authorize_stream(
    connection: Connection, *, user_id: int, title_id: int, token: str, quality: Quality
) -> StreamGrant:
    """The file of the `quality` rendition this playback token may fetch now, else a domain error.

    Runs for every Range request of a player, so it is one query: the playback with its title and the user's plan.
    A plan that does not cover the title or the rendition is AccessDenied (403), whatever the token says.
    """
    found = connection.execute(_STREAM, {'token': token[:64], 'user_id': user_id}).first()
    if found is None:
        # No such playback: an unknown title is 404; for a known one the plan decides (403) before the token (404).
        title = connection.execute(_TITLE_AND_PLAN, {'title_id': title_id, 'user_id': user_id}).first()
        if title is not None and (
            key := plans.denial(Plan(title.subscription_type), is_premium=title.is_premium, quality=quality)
        ):
            raise AccessDenied(key, title=title.title)
        raise NotFound('title.not_found')
    plan = Plan(found.subscription_type)
    if key := plans.denial(plan, is_premium=found.is_premium, quality=quality):
        raise AccessDenied(key, title=found.title)
    if found.title_id != title_id:
        raise NotFound('title.not_found')
    _check_alive(stopped=found.stopped, quality=Quality(found.quality), is_premium=found.is_premium, plan=plan)
    return StreamGrant(title_id=title_id, path=found.video_hd_path if quality == Quality.HD else found.video_sd_path)


def _check_alive(*, stopped: bool, quality: Quality, is_premium: bool, plan: Plan) -> None:
    if stopped:
        raise AccessDenied('watch.stopped_elsewhere')
    if plans.denial(plan, is_premium=is_premium, quality=quality):
        raise AccessDenied('watch.stopped_plan')  # downgraded since it started


def _clean_position(value: object) -> float:
    try:
        position = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError) as error:  # OverflowError: a JSON integer of 400 digits
        raise ValidationError('errors.bad_progress') from error
    if not math.isfinite(position) or position < 0:
        raise ValidationError('errors.bad_progress')
    return position


class DeferredWrites:
    """The writes of several saves in one transaction, sent together (one executemany per statement) before the
    commit: SQLAlchemy's cost per statement is most of a save's (benchmarks/README.md).

    A save that would read what an earlier save of the batch is about to write (the same playback, or the same
    title of the same user) sends them first, so a batch ends exactly as if its saves had run one by one.
    """

    def __init__(self) -> None:
        self._rows: dict[object, list[dict]] = {}
        self._keys: set[tuple] = set()

    def add(self, statement: object, values: dict, *keys: tuple) -> None:
        self._rows.setdefault(statement, []).append(values)
        self._keys.update(keys)

    def before_reading(self, connection: Connection, *keys: tuple) -> bool:
        """Send the pending writes if any of them is to `keys`; True when it did (what was read is stale)."""
        if self._keys.isdisjoint(keys):
            return False
        self.flush(connection)
        return True

    def mark(self) -> dict[object, int]:
        return {statement: len(rows) for statement, rows in self._rows.items()}

    def rewind(self, mark: dict[object, int]) -> None:
        """Drop what was queued since `mark` (a save that failed after queuing; its keys may stay: that only
        costs an early flush)."""
        for statement, rows in self._rows.items():
            del rows[mark.get(statement, 0) :]

    def flush(self, connection: Connection) -> None:
        for statement, rows in self._rows.items():
            connection.execute(statement, rows)  # type: ignore[call-overload]
        self._rows.clear()
        self._keys.clear()


def save_progress(
    connection: Connection,
    *,
    user_id: int,
    token: str,
    position_s: object,
    ended: bool = False,
    leaving: bool = False,
    now: datetime | None = None,
    deferred: DeferredWrites | None = None,
) -> SaveResult:
    """Apply one progress report from a player. Also the playback's heartbeat (it keeps the screen counted).

    `leaving` (the page is being closed) frees the screen at once. `position_s=None` reports nothing else, as a
    player that never loaded does when it leaves. The hot path of the app, in Core (`db.run_core`): the writer
    lock first, so that nothing changes between the one read (the playback with its title, the user's plan and the
    stored position) and the writes that follow it. With `deferred` (the progress writer's batch) the writes are
    queued there, and sent by whoever commits.
    """
    now = now or utcnow()
    position = None if position_s is None else _clean_position(position_s)
    db.writing(connection)
    token = token[:64]
    if deferred is not None:
        deferred.before_reading(connection, ('playback', token))
    found = connection.execute(_SAVE_STATE, {'b_token': token, 'b_user_id': user_id}).first()
    if (
        found is not None
        and deferred is not None
        and deferred.before_reading(connection, ('progress', user_id, found.title_id))
    ):
        found = connection.execute(_SAVE_STATE, {'b_token': token, 'b_user_id': user_id}).first()
    if found is None:
        raise NotFound('title.not_found')
    duration = found.duration_s
    _check_alive(
        stopped=found.stopped,
        quality=Quality(found.quality),
        is_premium=found.is_premium,
        plan=Plan(found.subscription_type),
    )
    if position is not None and position > duration + 2:  # players report a little past the end, not more
        raise ValidationError('errors.bad_progress')
    # Every check is done: from here on it only writes (a batch of saves shares one transaction, app/saves.py).
    keys = (('playback', token), ('progress', user_id, found.title_id))

    def write(statement: object, values: dict) -> None:
        if deferred is None:
            connection.execute(statement, values)  # type: ignore[call-overload]
        else:
            deferred.add(statement, values, *keys)

    heartbeat = now - ACTIVE_WINDOW - timedelta(seconds=1) if leaving else now
    write(_HEARTBEAT, {'b_token': token, 'b_user_id': user_id, 'b_heartbeat': heartbeat})
    stored = found.user_id is not None
    old_position = found.position_s if stored else 0.0
    old_resumable, old_watched = bool(stored and found.resumable), bool(stored and found.watched)
    if position is None:
        return SaveResult(saved=False, position_s=old_position, resumable=old_resumable, watched=old_watched)
    position = min(position, duration)
    fraction = position / duration if duration > 0 else 1.0
    new_position, resumable, watched = position, old_resumable, old_watched
    if ended or fraction >= WATCHED_FRACTION:
        new_position, resumable, watched = 0.0, False, True
    elif fraction < MIN_FRACTION:
        if old_resumable and now - as_utc(found.started_at) < RESUME_GRACE:
            # the player's 0 before its seek to the resume point, or a load that failed
            return SaveResult(saved=False, position_s=old_position, resumable=True, watched=old_watched)
        resumable = False
    else:
        resumable = True
    values = {
        'b_key_user': user_id,
        'b_key_title': found.title_id,
        'b_position_s': new_position,
        'b_duration_s': duration,
        'b_resumable': resumable,
        'b_watched': watched,
        'b_updated_at': now,
    }
    write(_UPDATE_PROGRESS if stored else _INSERT_PROGRESS, values)
    if found.history_id is not None:
        write(_HISTORY_POSITION, {'b_history_id': found.history_id, 'b_position_s': position})
    return SaveResult(saved=True, position_s=new_position, resumable=resumable, watched=watched)


def continue_watching(session: Session, *, user_id: int, limit: int = CONTINUE_LIMIT) -> list[ContinueItem]:
    query = (
        select(Progress, Title)
        .join(Title, col(Title.id) == col(Progress.title_id))
        .where(Progress.user_id == user_id, col(Progress.resumable).is_(True))
        .order_by(col(Progress.updated_at).desc())
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


def remove_from_continue(session: Session, *, user_id: int, title_id: int) -> None:
    row = session.get(Progress, (user_id, title_id))
    if row is None:
        raise NotFound('title.not_found')
    row.resumable, row.position_s = False, 0.0


def history(session: Session, *, user_id: int, limit: int = 50, offset: int = 0) -> list[HistoryEntry]:
    query = (
        select(WatchHistory, Title)
        .join(Title, col(Title.id) == col(WatchHistory.title_id))
        .where(WatchHistory.user_id == user_id)
        .order_by(col(WatchHistory.watched_at).desc(), col(WatchHistory.id).desc())
        .offset(max(0, offset))
        .limit(max(1, min(limit, HISTORY_PAGE_MAX)))
    )
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


def remove_history_entry(session: Session, *, user_id: int, entry_id: int) -> None:
    entry = session.get(WatchHistory, entry_id)
    if entry is None or entry.user_id != user_id:
        raise NotFound('title.not_found')
    session.delete(entry)


def clear_history(session: Session, *, user_id: int) -> int:
    return session.exec(delete(WatchHistory).where(col(WatchHistory.user_id) == user_id)).rowcount
