"""Where playbacks and progress are stored: the statements, and the progress writer that applies reports in batches.

Each open player reports every 10 s, so a progress report is the write the app does most. One thread (the
writer) takes every report waiting, reads the state of all of them in one query, decides each with
`playback_rules.decide` (in order, so two reports of one title see each other), sends the writes together (one
executemany per statement), commits once, and only then answers each caller: an acknowledged save is on disk.
Run one by one, each report took a thread, a connection and a commit of its own (benchmarks/README.md).

The statements are SQLAlchemy Core built once (SQLAlchemy then only fills in values): they run on every Range read
and report, where the ORM costs several times the query itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import queue
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import aliased

from .. import db, events
from ..models import AuthSession, Kind, Plan, Playback, Progress, Quality, Title, User, WatchHistory, as_utc, utcnow
from ..security import new_token
from . import playback_rules as rules
from .errors import AccessDenied, NotFound, ScreensFull, ValidationError
from .plans import denial, max_screens, quality_for

MAX_BATCH = 256  # bounds one transaction (and the wait of the last report in it)
TOKEN_MAX = 64
log = logging.getLogger('butaca.saves')


# ---- reading a playback -------------------------------------------------------------------------------------------

# An episode is premium when its series is: the series' flag decides, wherever the episode's own says otherwise.
_Series = aliased(Title)
PREMIUM = func.coalesce(_Series.is_premium, Title.is_premium)

_PLAYBACK_COLUMNS = (
    Playback.token,
    Playback.user_id,
    Playback.device,
    Playback.title_id,
    Playback.history_id,
    Playback.quality,
    Playback.started_at,
    Playback.heartbeat_at,
    Playback.stopped,
    Playback.played_s,
    AuthSession.token.label('session_token'),
    User.subscription_type,
    User.time_zone,
    PREMIUM.label('is_premium'),
    Title.duration_s,
)


def _playback_query(*columns):
    return (
        select(*_PLAYBACK_COLUMNS, *columns)
        .join(Title, Title.id == Playback.title_id)
        .outerjoin(_Series, _Series.id == Title.series_id)
        .join(User, User.id == Playback.user_id)
        .outerjoin(AuthSession, AuthSession.token == Playback.device)
    )


_PLAYBACKS = (
    _playback_query(Progress.position_s, Progress.resumable, Progress.watched, Progress.user_id.label('p'))
    .outerjoin(Progress, (Progress.user_id == Playback.user_id) & (Progress.title_id == Playback.title_id))
    .where(Playback.token.in_(bindparam('tokens', expanding=True)))
)
_STREAM = _playback_query(Title.video_sd_path, Title.video_hd_path).where(Playback.token == bindparam('token'))
_EXTRAS = _playback_query(Title.subtitles, Title.trickplay).where(Playback.token == bindparam('token'))
# The devices (signed-in browsers) of some accounts that hold a live screen now.
_LIVE_DEVICES = (
    select(Playback.user_id, Playback.device)
    .join(AuthSession, AuthSession.token == Playback.device)
    .where(
        Playback.user_id.in_(bindparam('users', expanding=True)),
        Playback.heartbeat_at >= bindparam('since'),
        Playback.stopped.is_(False),
    )
    .distinct()
)


def _playback(row: Row) -> rules.Playback:
    return rules.Playback(
        title_id=row.title_id,
        quality=Quality(row.quality),
        started_at=as_utc(row.started_at),
        heartbeat_at=as_utc(row.heartbeat_at),
        stopped=bool(row.stopped),
        session_alive=row.session_token is not None,
        plan=Plan(row.subscription_type),
        is_premium=bool(row.is_premium),
        duration_s=float(row.duration_s),
        played_s=float(row.played_s or 0.0),
        in_history=row.history_id is not None,
    )


def live_devices(connection: Connection, user_ids: Iterable[int], now: datetime) -> dict[int, set[str]]:
    """For each account, the devices that hold a live screen now."""
    found: dict[int, set[str]] = {}
    users = sorted(set(user_ids))
    if users:
        for user_id, device in connection.execute(_LIVE_DEVICES, {'users': users, 'since': now - rules.SCREEN_WINDOW}):
            found.setdefault(user_id, set()).add(device)
    return found


@dataclass(frozen=True)
class StreamGrant:
    title_id: int
    path: str  # the rendition's file, relative to the media folder


def stream_grant(token: str, quality: Quality, *, now: datetime | None = None) -> StreamGrant:
    """The file of the `quality` rendition this playback token may fetch now, else NotFound or AccessDenied.

    One query: the playback with its title, its account's plan and whether its sign-in session still exists.
    """
    with db.transaction() as connection:
        row = connection.execute(_STREAM, {'token': token[:TOKEN_MAX]}).first()
    if row is None:
        raise NotFound('title.not_found')
    if key := rules.stream_refusal(_playback(row), quality, now or utcnow()):
        raise AccessDenied(key)
    return StreamGrant(title_id=row.title_id, path=row.video_hd_path if quality == Quality.HD else row.video_sd_path)


def extra_grant(token: str, kind: str, key: str = '', *, now: datetime | None = None) -> str:
    """The file of a playback's subtitles in language `key` (kind 'subtitles') or its trickplay sprite ('trickplay'),
    under the same rules as its video (a live token of a plan that covers the title); NotFound or AccessDenied."""
    with db.transaction() as connection:
        row = connection.execute(_EXTRAS, {'token': token[:TOKEN_MAX]}).first()
    if row is None:
        raise NotFound('title.not_found')
    if refused := rules.stream_refusal(_playback(row), Quality.SD, now or utcnow()):
        raise AccessDenied(refused)
    path = (row.subtitles or {}).get(key) if kind == 'subtitles' else (row.trickplay or {}).get('path')
    if not path:
        raise NotFound('title.not_found')
    return path


SUBTITLES_OFF = 'off'  # the viewer chose no subtitles (None in the account: they never chose)
_PLAYBACK_USER = (
    select(Playback.user_id, AuthSession.token.label('session_token'))
    .outerjoin(AuthSession, AuthSession.token == Playback.device)
    .where(Playback.token == bindparam('token'))
)


def remember_subtitles(token: str, language: str | None) -> None:
    """The subtitles the viewer of this playback chose ('es', 'en' or None for off), for their next titles."""
    from ..config import LANGUAGES

    with db.transaction() as connection:
        row = connection.execute(_PLAYBACK_USER, {'token': token[:TOKEN_MAX]}).first()
    if row is None or row.session_token is None:
        raise NotFound('title.not_found')
    if language is not None and language not in LANGUAGES:
        raise ValidationError('errors.bad_progress')
    with db.transaction(write=True) as connection:
        stored = language or SUBTITLES_OFF
        connection.execute(update(User).where(User.id == row.user_id).values(subtitle_language=stored))


# ---- writing progress ----------------------------------------------------------------------------------------------

_HEARTBEAT = (
    update(Playback)
    .where(Playback.token == bindparam('b_token'))
    .values(heartbeat_at=bindparam('b_at'), stopped=bindparam('b_ended'), played_s=bindparam('b_played'))
)
_ATTACH_HISTORY = update(Playback).where(Playback.token == bindparam('b_token')).values(history_id=bindparam('b_id'))
_HISTORY_POSITION = (
    update(WatchHistory).where(WatchHistory.id == bindparam('b_id')).values(position_s=bindparam('b_position'))
)
_PROGRESS_COLUMNS = ('position_s', 'duration_s', 'resumable', 'watched', 'updated_at')


def upsert_progress(connection: Connection):
    """INSERT ... ON CONFLICT DO UPDATE for playback_progress, in this database's dialect (SQLite or PostgreSQL)."""
    return _upsert_progress(connection.dialect.name)


@functools.cache
def _upsert_progress(dialect_name: str):
    # Built once per dialect: building it (and its cache key) for every batch of the progress writer costs about as
    # much as the batch's own statements when batches are small.
    dialect = postgresql if dialect_name == 'postgresql' else sqlite
    statement = dialect.insert(Progress)
    return statement.on_conflict_do_update(
        index_elements=[Progress.user_id, Progress.title_id],
        set_={name: statement.excluded[name] for name in _PROGRESS_COLUMNS},
    )


@dataclass(frozen=True)
class SaveResult:
    saved: bool  # False when the report changed nothing but the heartbeat
    position_s: float
    resumable: bool
    watched: bool


@dataclass
class _Job:
    token: str
    report: rules.Report
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop
    outcome: SaveResult | Exception | None = None
    user_id: int | None = None  # whose playback it was, once read


@dataclass
class _Batch:
    """The writes of one batch, the last one per key winning (reports of a batch are decided in order)."""

    heartbeats: dict[str, tuple[datetime, bool, float]] = field(default_factory=dict)
    progress: dict[tuple[int, int], dict] = field(default_factory=dict)
    history: dict[int, float] = field(default_factory=dict)

    def send(self, connection: Connection) -> None:
        if self.heartbeats:
            rows = [
                {'b_token': token, 'b_at': at, 'b_ended': ended, 'b_played': played}
                for token, (at, ended, played) in self.heartbeats.items()
            ]
            connection.execute(_HEARTBEAT, rows)
        if self.progress:
            connection.execute(upsert_progress(connection), list(self.progress.values()))
        if self.history:
            rows = [{'b_id': entry, 'b_position': position} for entry, position in self.history.items()]
            connection.execute(_HISTORY_POSITION, rows)


def _apply(connection: Connection, jobs: list[_Job], now: datetime) -> None:
    """Decide every job of a batch in order and send the writes; each job's outcome is set (or left None when a bug
    stopped it, which `ProgressWriter` turns into a failure)."""
    tokens = sorted({job.token for job in jobs})
    rows = {row.token: row for row in connection.execute(_PLAYBACKS, {'tokens': tokens})}
    lapsed = [row.user_id for row in rows.values() if as_utc(row.heartbeat_at) < now - rules.SCREEN_WINDOW]
    live = live_devices(connection, lapsed, now)
    saved: dict[tuple[int, int], rules.Saved | None] = {}
    history_ids: dict[str, int] = {}  # history entries made in this batch, per playback
    batch = _Batch()
    for job in jobs:
        row = rows.get(job.token)
        if row is None:
            job.outcome = NotFound('title.not_found')
            continue
        job.user_id = row.user_id
        key = (row.user_id, row.title_id)
        if key not in saved:
            saved[key] = rules.Saved(row.position_s, bool(row.resumable), bool(row.watched)) if row.p else None
        playback = _playback(row)
        if job.token in batch.heartbeats:  # an earlier report of this batch moved it, or ended it
            at, ended, played = batch.heartbeats[job.token]
            playback = replace(playback, heartbeat_at=at, stopped=ended, played_s=played)
        if job.token in history_ids:
            playback = replace(playback, in_history=True)
        try:
            decision = rules.decide(
                playback,
                saved[key],
                job.report,
                now=now,
                live_elsewhere=len(live.get(row.user_id, set()) - {row.device}),
                screen_limit=max_screens(playback.plan),
            )
        except Exception as error:  # a bug in one report fails that report alone
            log.exception('progress report failed')
            job.outcome = error
            continue
        if not decision.accepted:
            job.outcome = (ValidationError if decision.invalid else AccessDenied)(decision.refused)
            continue
        played = decision.played_s if decision.played_s is not None else playback.played_s
        batch.heartbeats[job.token] = (decision.heartbeat_at, decision.ends, played)
        devices = live.setdefault(row.user_id, set())
        if decision.heartbeat_at >= now - rules.SCREEN_WINDOW:  # what later reports of this batch must count
            devices.add(row.device)
        else:
            devices.discard(row.device)
        if decision.saved is not None:
            saved[key] = decision.saved
            batch.progress[key] = {
                'user_id': row.user_id,
                'title_id': row.title_id,
                'position_s': decision.saved.position_s,
                'duration_s': playback.duration_s,
                'resumable': decision.saved.resumable,
                'watched': decision.saved.watched,
                'updated_at': now,
            }
            history_id = history_ids.get(job.token, row.history_id)
            if decision.enters_history:
                history_id = history_ids[job.token] = _enter_history(connection, row, decision, now)
            if history_id is not None and decision.history_position is not None:
                batch.history[history_id] = decision.history_position
        current = saved[key] or rules.Saved()
        job.outcome = SaveResult(decision.saved is not None, current.position_s, current.resumable, current.watched)
    batch.send(connection)


def save_now(token: str, report: rules.Report, *, now: datetime | None = None) -> SaveResult:
    """Apply one report at once, in a unit of its own (scripts and tests; the app goes through `writer`)."""
    job = _Job(token[:TOKEN_MAX], report, None, None)  # type: ignore[arg-type]  (no caller waits on a loop)
    with db.transaction(write=True) as connection:
        _apply(connection, [job], now or utcnow())
    _tell_pages([job])
    if isinstance(job.outcome, Exception):
        raise job.outcome
    assert job.outcome is not None
    return job.outcome


def viewers_day(time_zone: str | None, now: datetime) -> date:
    """The viewer's day at `now`, in their time zone (UTC when it is unknown or not one we know)."""
    try:
        zone = ZoneInfo(time_zone) if time_zone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return now.astimezone(zone).date()


def _enter_history(connection: Connection, row: Row, decision: rules.Decision, now: datetime) -> int:
    """The playback's history entry: this title's entry of the viewer's day, made now or brought up to now."""
    dialect = postgresql if connection.dialect.name == 'postgresql' else sqlite
    values = {
        'user_id': row.user_id,
        'title_id': row.title_id,
        'day': viewers_day(row.time_zone, now),
        'watched_at': now,
        'position_s': decision.history_position or 0.0,
        'quality': Quality(row.quality),
    }
    statement = dialect.insert(WatchHistory).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[WatchHistory.user_id, WatchHistory.title_id, WatchHistory.day],
        set_={'watched_at': now, 'position_s': statement.excluded.position_s, 'quality': statement.excluded.quality},
    ).returning(WatchHistory.id)
    history_id = connection.execute(statement).scalar_one()
    connection.execute(_ATTACH_HISTORY, {'b_token': row.token, 'b_id': history_id})
    return history_id


class ProgressWriter:
    """One thread that applies progress reports in batches (group commit); `save` answers after the commit."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    async def save(self, token: str, report: rules.Report) -> SaveResult:
        """Apply one report of the playback `token`. Raises the DomainError of the rule that refused it, or
        RuntimeError when the database failed (the player keeps the report and sends it again)."""
        loop = asyncio.get_running_loop()
        job = _Job(token[:TOKEN_MAX], report, loop.create_future(), loop)
        self._ensure_running()
        self._queue.put(job)
        return await job.future

    def _ensure_running(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name='butaca-progress-writer', daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        """Apply what is queued, then end the thread (on shutdown)."""
        thread = self._thread
        if thread is not None and thread.is_alive():
            self._queue.put(None)
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = [first], False
            while len(batch) < MAX_BATCH:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                batch.append(job)
            try:
                self._commit(batch)
            except (IntegrityError, DataError):
                # Something one report's data can cause (say, its title deleted meanwhile): nothing of the batch
                # was committed. Each report alone, so that it cannot take the others down with it.
                for job in batch:
                    self._commit_alone(job)
            except Exception:
                # The database itself (locked by another process, disk full, gone): retrying each report would only
                # wait out the busy timeout once per report. Fail them all now; players send them again.
                log.exception('progress saves failed: %d reports', len(batch))
                _fail(batch)
            finally:
                _answer(batch)
            if stop:
                return

    def _commit(self, jobs: list[_Job]) -> None:
        with db.transaction(write=True) as connection:
            _apply(connection, jobs, utcnow())
        _tell_pages(jobs)

    def _commit_alone(self, job: _Job) -> None:
        try:
            self._commit([job])
        except Exception:
            log.exception('progress save failed')
            _fail([job])


def _tell_pages(jobs: list[_Job]) -> None:
    """After the commit: the accounts whose progress changed (their home and profile pages redraw their rows)."""
    for user_id in sorted({job.user_id for job in jobs if isinstance(job.outcome, SaveResult) and job.outcome.saved}):
        events.publish(f'progress:{user_id}')


def _fail(jobs: list[_Job]) -> None:
    for job in jobs:
        job.outcome = RuntimeError('the progress could not be saved')


def _answer(batch: list[_Job]) -> None:
    """Hand the outcomes to the callers' event loops: one wake-up per loop and batch."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_Job]] = {}
    for job in batch:
        if job.outcome is None:
            job.outcome = RuntimeError('the progress could not be saved')
        by_loop.setdefault(job.loop, []).append(job)
    for loop, jobs in by_loop.items():
        with contextlib.suppress(RuntimeError):  # that loop is closed: nobody is waiting any more
            loop.call_soon_threadsafe(_settle, jobs)


def _settle(jobs: list[_Job]) -> None:
    for job in jobs:
        if job.future.done():
            continue  # the caller went away (its request was cancelled)
        if isinstance(job.outcome, Exception):
            job.future.set_exception(job.outcome)
        else:
            job.future.set_result(job.outcome)


writer = ProgressWriter()


# ---- starting and stopping playbacks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaybackStart:
    token: str
    title_id: int
    quality: Quality
    resume_from: float


_ACCOUNT = select(User.subscription_type).where(User.id == bindparam('user'))
_TITLE = (
    select(Title.title, Title.kind, PREMIUM.label('is_premium'))
    .outerjoin(_Series, _Series.id == Title.series_id)
    .where(Title.id == bindparam('title'))
)
_SAVED = select(Progress.position_s, Progress.resumable, Progress.watched).where(
    Progress.user_id == bindparam('user'), Progress.title_id == bindparam('title')
)
_STOP_DEVICE = (
    update(Playback)
    .where(Playback.user_id == bindparam('b_user'), Playback.device == bindparam('b_device'), ~Playback.stopped)
    .values(stopped=True)
)
_STOP_ACCOUNT = update(Playback).where(Playback.user_id == bindparam('b_user'), ~Playback.stopped).values(stopped=True)
# Old playbacks only ever matter for their heartbeat: each start drops the account's stale ones.
KEEP_PLAYBACKS = timedelta(days=1)
_PRUNE = delete(Playback).where(Playback.user_id == bindparam('b_user'), Playback.heartbeat_at < bindparam('b_before'))


def start_playback(*, user_id: int, title_id: int, device: str, now: datetime | None = None) -> PlaybackStart:
    """Check the plan and the screens and hand out a new playback token (the history entry comes once the viewer
    has really watched: `playback_rules.watched_enough`).

    `device` is the sign-in session of the browser that plays: one device is one screen, whatever its number of
    tabs, and plays one thing at a time (its earlier playbacks stop). Raises NotFound, AccessDenied, ScreensFull.
    """
    now = now or utcnow()
    with db.transaction(write=True) as connection:
        # The account's row first, locked on PostgreSQL: two starts of one account cannot both take the last screen.
        plan = connection.execute(_ACCOUNT.with_for_update(), {'user': user_id}).scalar_one_or_none()
        title = connection.execute(_TITLE, {'title': title_id}).first()
        if plan is None or title is None or title.kind == Kind.SERIES:  # a series plays through its episodes
            raise NotFound('title.not_found')
        plan = Plan(plan)
        if key := denial(plan, is_premium=title.is_premium):
            raise AccessDenied(key, title=title.title)
        used, limit = len(live_devices(connection, [user_id], now).get(user_id, set()) - {device}), max_screens(plan)
        if rules.screens_full(used, limit):
            others = connection.execute(
                _OTHER_SCREENS, {'user': user_id, 'device': device, 'since': now - rules.SCREEN_WINDOW}
            )
            raise ScreensFull(used, limit, tuple((name, as_utc(heard), agent) for name, heard, agent in others))
        quality = quality_for(plan)
        stored = connection.execute(_SAVED, {'user': user_id, 'title': title_id}).first()
        resume = rules.resume_from(rules.Saved(*stored) if stored else None)
        connection.execute(_STOP_DEVICE, {'b_user': user_id, 'b_device': device})
        connection.execute(_PRUNE, {'b_user': user_id, 'b_before': now - KEEP_PLAYBACKS})
        token = new_token()
        connection.execute(
            insert(Playback).values(
                token=token,
                user_id=user_id,
                device=device,
                title_id=title_id,
                quality=quality,
                started_at=now,
                heartbeat_at=now,
            )
        )
    return PlaybackStart(token=token, title_id=title_id, quality=quality, resume_from=resume)


# What the account's other live screens play, and when each was last heard from (for the refusal's message).
_OTHER_SCREENS = (
    select(Title.title, func.max(Playback.heartbeat_at), AuthSession.user_agent)
    .join(Title, Title.id == Playback.title_id)
    .join(AuthSession, AuthSession.token == Playback.device)
    .where(
        Playback.user_id == bindparam('user'),
        Playback.device != bindparam('device'),
        Playback.heartbeat_at >= bindparam('since'),
        Playback.stopped.is_(False),
    )
    .group_by(Playback.device, Title.title, AuthSession.user_agent)
    .order_by(func.max(Playback.heartbeat_at).desc())
    .limit(8)
)


_RUNNING = select(Playback.token).where(Playback.user_id == bindparam('user'), ~Playback.stopped)


def stop_user_playbacks(*, user_id: int) -> int:
    """Stop every playback of the account (the "stop the other screens" action); returns how many there were.

    Their bytes stop at the next read; their players, told through `account:{user_id}` with the stopped tokens,
    stop at once where their page is open (any process), not at their next report."""
    with db.transaction(write=True) as connection:
        tokens = list(connection.execute(_RUNNING, {'user': user_id}).scalars())
        connection.execute(_STOP_ACCOUNT, {'b_user': user_id})
    events.publish(f'account:{user_id}', stopped=tokens)
    return len(tokens)
