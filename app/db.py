"""The one place an engine is made, and units of work: `transaction()` (Core) and `session()` (ORM).

A unit is either for reading or for writing, said when it opens. On SQLite a writing unit takes this process's
writer lock before its first statement and keeps it until it commits or rolls back; nothing else ever takes it.
So a service cannot hold the lock by accident while it does slow work (bcrypt, files): it opens a writing unit
only around its writes. A reading unit that tries to write raises at once (in tests as in production).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, create_engine

from . import (
    migrate,
    models,  # noqa: F401  (registers every table on SQLModel.metadata)
)
from .config import get_settings, private_folder

_engines: dict[str, Engine] = {}
_lock = threading.Lock()

# One writer at a time per process. SQLite allows one writer anyway; waiting here wakes at once when the writer
# commits, where SQLite's own busy handler sleeps and polls (tens of ms at a time under load). PostgreSQL has row
# locks and needs none of this.
_writer = threading.Lock()
_holder = threading.local()  # whether this thread holds `_writer`: a nested writing unit would deadlock

# SQLite: one writer per database file; WAL lets readers go on meanwhile.
AUTOCHECKPOINT_PAGES = 20_000  # about 80 MB of WAL: checkpoints run in `Checkpointer`, this is only the safety net


class ReadOnlyUnit(RuntimeError):
    """A statement that writes ran in a unit opened for reading: open it with write=True."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer commits; NORMAL sync is durable across a process crash in WAL mode.
    cursor.execute('PRAGMA journal_mode=WAL')
    cursor.execute('PRAGMA synchronous=NORMAL')
    cursor.execute('PRAGMA foreign_keys=ON')
    cursor.execute('PRAGMA busy_timeout=10000')
    cursor.execute(f'PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}')
    cursor.close()


_WRITES = ('insert', 'update', 'delete', 'replace')
_READ_ONLY = 'butaca_read_only'


def _refuse_writes_in_read_units(connection: Connection, _cursor, statement: str, *_args) -> None:
    if connection.info.get(_READ_ONLY) and statement.lstrip()[:7].lower().startswith(_WRITES):
        raise ReadOnlyUnit(f'a write in a unit opened for reading: {statement.split()[0]} ...')


def get_engine(url: str | None = None) -> Engine:
    """The engine for the configured database URL (one per URL, made on first use)."""
    url = url or get_settings().database_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            if url.startswith('sqlite'):
                path = url.split('///', 1)[-1]
                if path and path != ':memory:':
                    private_file(Path(path))
                # As many kept connections as threads that query at once (app/work.py's database pool, the progress
                # writer, the checkpointer, the password pool): SQLAlchemy's default keeps 5, and under load every
                # query past the fifth would open a connection, run the pragmas and close it again. A SQLite
                # connection is a file handle and a page cache that grows only as it is used.
                engine = create_engine(
                    url, connect_args={'check_same_thread': False, 'timeout': 10}, pool_size=20, max_overflow=20
                )
                event.listen(engine, 'connect', _sqlite_pragmas)
            else:
                engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
                event.listen(engine, 'before_cursor_execute', _without_nul, retval=True)
            event.listen(engine, 'before_cursor_execute', _refuse_writes_in_read_units)
            _engines[url] = engine
        return engine


def private_file(path: Path) -> None:
    """Make the database file 0600 in a 0700 folder before SQLite does (it would make it 0644): accounts and
    password hashes are nobody else's business. Its -wal and -shm files take the same mode from it."""
    private_folder(path.parent)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))


def is_sqlite(engine: Engine | None = None) -> bool:
    return (engine or get_engine()).dialect.name == 'sqlite'


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
def transaction(*, write: bool = False) -> Iterator[Connection]:
    """A unit of work in SQLAlchemy Core: commits on success, rolls back on error.

    `write=True` takes the writer lock first (SQLite), so what the unit reads no other writer of this process can
    change before it commits. Core is what the paths that run on every player request use: the ORM costs several
    times the query there.
    """
    engine = get_engine()
    locked = write and is_sqlite(engine)
    if locked:
        if getattr(_holder, 'held', False):
            raise RuntimeError('a writing unit inside another on the same thread: pass the outer unit down instead')
        _writer.acquire()
        _holder.held = True
    try:
        with engine.connect() as connection:
            connection.info[_READ_ONLY] = not write
            try:
                with connection.begin():
                    yield connection
            finally:
                connection.info.pop(_READ_ONLY, None)
    finally:
        if locked:
            _holder.held = False
            _writer.release()


@contextmanager
def session(*, write: bool = False) -> Iterator[Session]:
    """A unit of work with the ORM, on a `transaction()`: commits on success, rolls back on error."""
    with transaction(write=write) as connection, Session(bind=connection, expire_on_commit=False) as orm:
        yield orm
        orm.flush()


class Checkpointer:
    """Copies the WAL into the database file every second from its own thread and connection (PASSIVE: it never
    waits for or blocks a writer), so that the fsync of a checkpoint does not stall the progress writer while a
    thousand saves a second wait behind it. SQLite only."""

    def __init__(self, every: float = 1.0) -> None:
        self.every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Start-up runs on the event loop and shutdown in a worker thread: when an app stops while it is still
        # starting (a test's teardown on a busy machine), the two meet here.
        self._lock = threading.Lock()

    def start(self) -> None:
        engine = get_engine()
        with self._lock:
            if not is_sqlite(engine) or self._thread is not None:
                return
            self._stop.clear()
            thread = threading.Thread(target=self._run, args=(engine,), name='butaca-checkpoints', daemon=True)
            thread.start()
            self._thread = thread

    def stop(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is not None:
                self._stop.set()
                thread.join(timeout=10)

    def _run(self, engine: Engine) -> None:
        while not self._stop.wait(self.every):
            try:
                with engine.connect() as connection:
                    connection.exec_driver_sql('PRAGMA wal_checkpoint(PASSIVE)')
            except Exception:  # a failed checkpoint is retried next second; SQLite's own limit is the net
                logging.getLogger('butaca.db').exception('WAL checkpoint failed')


checkpoints = Checkpointer()
