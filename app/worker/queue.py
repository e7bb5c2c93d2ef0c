"""The task queue (huey): SQLite at ``data/jobs.db`` for one machine, Redis when BUTACA_REDIS_URL is set (several
machines share it). It carries only "run job N"; the job's state lives in Butaca's database (services/jobs.py)."""

from __future__ import annotations

import hashlib
import os
import threading

from huey import Huey, RedisHuey, SqliteHuey

from ..config import get_settings, library_settings

_lock = threading.Lock()
_current: tuple[tuple, Huey, object] | None = None


def queue() -> tuple[Huey, object]:
    """The huey instance for the settings of now, and its one task (``run_job(job_id)``)."""
    global _current
    settings = library_settings()
    database = get_settings().database_url
    key = (settings.redis_url, str(settings.jobs_db), database)
    with _lock:
        if _current is None or _current[0] != key:
            if settings.redis_url:
                # Job numbers mean something in one database only: installations sharing a Redis keep apart.
                name = f'butaca-jobs-{hashlib.sha256(database.encode()).hexdigest()[:10]}'
                huey: Huey = RedisHuey(name, url=settings.redis_url)
            else:
                settings.jobs_db.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                # Private from the start, as the database (its -wal and -shm files take the same mode).
                os.close(os.open(settings.jobs_db, os.O_RDWR | os.O_CREAT, 0o600))
                huey = SqliteHuey('butaca-jobs', filename=str(settings.jobs_db))
            task = huey.task(name='run_job')(_run_job)
            _current = (key, huey, task)
        return _current[1], _current[2]


def _run_job(job_id: int) -> None:
    from .runner import run

    run(job_id)


def send(job_id: int) -> None:
    """Queue job ``job_id`` (made in the jobs table first) for the next free worker."""
    _, task = queue()
    task(job_id)  # type: ignore[operator]
