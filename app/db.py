"""The one place an engine is made: SQLite pragmas (WAL, foreign keys, busy timeout) and the session scope."""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import ORMExecuteState, SessionTransaction
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

from . import (
    migrate,
    models,  # noqa: F401  (registers every table on SQLModel.metadata)
)
from .config import get_settings

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


# One writer at a time per process. SQLite allows one writer anyway; waiting here wakes at once when the writer
# commits, where SQLite's own busy handler sleeps and polls (tens of ms at a time under load). The lock is taken
# only when a session first writes (flush or bulk DML) and dropped when its transaction ends, so reads never wait
# and slow work done before the first write (bcrypt) does not hold it.
_write_lock = threading.Lock()
_LOCK_KEY = 'butaca_write_lock'


def _take_write_lock(session: OrmSession) -> None:
    if not session.info.get(_LOCK_KEY) and session.get_bind().dialect.name == 'sqlite':
        _write_lock.acquire()
        session.info[_LOCK_KEY] = True


def writing(connection: Connection) -> None:
    """Take this process's writer lock before the first write of a Core statement (ORM writes take it themselves).

    The hot paths call it first thing, so that what they read next is what no other writer can change before
    they commit."""
    if connection.dialect.name != 'sqlite':
        return
    if connection not in _core_units.open:
        raise RuntimeError('db.writing needs a connection from db.transaction(), which releases the lock')
    if not _core_units.open[connection]:
        _write_lock.acquire()
        _core_units.open[connection] = True


class _CoreUnits(threading.local):
    """The Core units of work open in this thread, and whether each holds the writer lock. Kept here, not in
    `Connection.info` (which belongs to the pooled DBAPI connection and is replaced if SQLAlchemy invalidates it)."""

    def __init__(self) -> None:
        self.open: dict[Connection, bool] = {}


_core_units = _CoreUnits()


def _drop_write_lock(session: OrmSession, transaction: SessionTransaction) -> None:
    if transaction.parent is None and session.info.pop(_LOCK_KEY, False):
        _write_lock.release()


def _before_orm_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _take_write_lock(state.session)


event.listen(OrmSession, 'before_flush', lambda session, _context, _instances: _take_write_lock(session))
event.listen(OrmSession, 'do_orm_execute', _before_orm_execute)
event.listen(OrmSession, 'after_transaction_end', _drop_write_lock)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer commits; NORMAL sync is durable across a process crash in WAL mode.
    cursor.execute('PRAGMA journal_mode=WAL')
    cursor.execute('PRAGMA synchronous=NORMAL')
    cursor.execute('PRAGMA foreign_keys=ON')
    cursor.execute('PRAGMA busy_timeout=10000')
    # Checkpoints (copying the WAL into the database file, with an fsync) run in `checkpoints` below, not in
    # whichever writer happens to commit the 1000th page; this higher limit is only the safety net.
    cursor.execute(f'PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}')
    cursor.close()


AUTOCHECKPOINT_PAGES = 20_000  # about 80 MB of WAL


class Checkpointer:
    """Copies the WAL into the database file every second from its own thread and connection (PASSIVE: it never
    waits for or blocks a writer), so that the fsync of a checkpoint does not stall the progress writer while a
    thousand saves a second wait behind it."""

    def __init__(self, every: float = 1.0) -> None:
        self.every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        engine = get_engine()
        if engine.dialect.name != 'sqlite' or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(engine,), name='butaca-checkpoints', daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self, engine: Engine) -> None:
        while not self._stop.wait(self.every):
            try:
                with engine.connect() as connection:
                    connection.exec_driver_sql('PRAGMA wal_checkpoint(PASSIVE)')
            except Exception:  # a failed checkpoint is retried next second; SQLite's own limit is the net
                logging.getLogger('butaca.db').exception('WAL checkpoint failed')


checkpoints = Checkpointer()


def get_engine(url: str | None = None) -> Engine:
    """The engine for the configured database URL (one per URL, made on first use)."""
    url = url or get_settings().database_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            if url.startswith('sqlite'):
                path = url.split('///', 1)[-1]
                if path and path != ':memory:':
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                engine = create_engine(url, connect_args={'check_same_thread': False, 'timeout': 10})
                event.listen(engine, 'connect', _sqlite_pragmas)
            else:
                engine = create_engine(url, pool_pre_ping=True)
                event.listen(engine, 'before_cursor_execute', _without_nul, retval=True)
            _engines[url] = engine
        return engine


def _without_nul(_conn, _cursor, statement, parameters, _context, executemany):
    """PostgreSQL's text cannot hold NUL, SQLite's can: a NUL that came in with a search, a name or a token
    becomes U+FFFD, which matches nothing real either, instead of failing the query (a 500 for a typed %00)."""
    # A list of rows for executemany; one dict for a statement, and for an "insertmanyvalues" batch too.
    many = executemany and not isinstance(parameters, dict)
    rows = parameters if many else [parameters]
    if not any(_nul_in(row) for row in rows):
        return statement, parameters
    cleaned = [_nul_replaced(row) for row in rows]
    return statement, cleaned if many else cleaned[0]


def _nul_in(row: object) -> bool:
    values = row.values() if isinstance(row, dict) else row if isinstance(row, tuple | list) else ()
    return any(isinstance(value, str) and '\x00' in value for value in values)


def _nul_replaced(row: object) -> object:
    def clean(value: object) -> object:
        return value.replace('\x00', '\ufffd') if isinstance(value, str) else value

    if isinstance(row, dict):
        return {key: clean(value) for key, value in row.items()}
    return type(row)(clean(value) for value in row)  # type: ignore[call-arg]


def init_db(url: str | None = None) -> Engine:
    """Bring the database to the code's schema with its migrations (app/migrate.py): the first start creates it,
    an update upgrades it, one process at a time; with nothing to do, one query. Raises migrate.MigrationError
    (a one-line reason) when the database cannot be used by this code, e.g. a newer Butaca migrated it."""
    engine = get_engine(url)
    migrate.upgrade(engine)
    return engine


def dispose_engines() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def session_scope() -> Iterator[Session]:
    """A short unit of work: commits on success, rolls back on error, always closes."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def transaction() -> Iterator[Connection]:
    """A unit of work in SQLAlchemy Core, for the paths that run on every player request (progress saves, media
    access checks): the ORM costs several times the query itself there (benchmarks/README.md).
    Commits on success, rolls back on error; the writer lock (see `writing`) is dropped after either."""
    with get_engine().connect() as connection:
        _core_units.open[connection] = False
        try:
            with connection.begin():
                yield connection
        finally:
            if _core_units.open.pop(connection):
                _write_lock.release()


def run_core(fn, /, **kwargs):
    """Run `fn(connection, **kwargs)` in its own Core unit of work (the `db.call` of the hot paths)."""
    with transaction() as connection:
        return fn(connection, **kwargs)


async def in_thread(fn, /, *args, **kwargs):
    """`fn(*args, **kwargs)` in NiceGUI's shared worker threads, the pool `run.io_bound` uses.

    Unlike `run.io_bound`, a caller that is cancelled (a page NiceGUI stopped waiting for, a client that left) gets
    CancelledError, never a None result that it could take for "signed out" or "nothing found".
    """
    from nicegui import run  # the one NiceGUI import here: the services and scripts never need it

    return await asyncio.get_running_loop().run_in_executor(run.thread_pool, functools.partial(fn, *args, **kwargs))


async def run_io(fn, /, **kwargs):
    """`call` in a worker thread: what pages and event handlers use, so that the event loop, which serves every
    open page, never waits for a query or for the writer lock (tests/conftest.py fails any test that does)."""
    return await in_thread(call, fn, **kwargs)


def call(fn, /, **kwargs):
    """Run `fn(session, **kwargs)` in its own unit of work: the shape `run.io_bound(db.call, service_fn, ...)` wants."""
    with session_scope() as session:
        return fn(session, **kwargs)
