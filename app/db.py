"""The one place an engine is made: SQLite pragmas (WAL, foreign keys, busy timeout) and the session scope."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from . import models  # noqa: F401  (registers every table on SQLModel.metadata)
from .config import get_settings

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer commits; NORMAL sync is durable across a process crash in WAL mode.
    cursor.execute('PRAGMA journal_mode=WAL')
    cursor.execute('PRAGMA synchronous=NORMAL')
    cursor.execute('PRAGMA foreign_keys=ON')
    cursor.execute('PRAGMA busy_timeout=10000')
    cursor.close()


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
            _engines[url] = engine
        return engine


def init_db(url: str | None = None) -> Engine:
    """Create every table that is missing (the first start makes the database file)."""
    engine = get_engine(url)
    SQLModel.metadata.create_all(engine)
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


def call(fn, /, **kwargs):
    """Run `fn(session, **kwargs)` in its own unit of work: the shape `run.io_bound(db.call, service_fn, ...)` wants."""
    with session_scope() as session:
        return fn(session, **kwargs)
