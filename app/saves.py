"""The progress writer: every progress report is applied by one thread, in batches that share one transaction
(group commit), and each caller is answered only after that transaction has committed.

Each open player reports every 10 s (and when paused, seeking or leaving), so this is the write the app does most.
Run one by one, each report took a worker thread, a connection, a transaction and a commit of its own, and the
worker threads fought over the GIL and the SQLite writer lock (benchmarks/README.md). Here the event loop hands a
report to the writer thread; the writer takes every report waiting, checks each (a report's checks all come
before its writes, so a refused report leaves nothing behind), sends their writes together (one executemany per
statement, `playback.DeferredWrites`), commits once and answers them all.
An acknowledged save is on disk, as before: nothing is answered before the commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from . import db
from .config import get_settings
from .services import accounts, playback
from .services.errors import DomainError

MAX_BATCH = 256  # bounds one transaction (and the wait of the last report in it)
log = logging.getLogger('butaca.saves')


@dataclass(frozen=True)
class Report:
    token: str  # the playback token
    position: object
    ended: bool
    leaving: bool


class NotSignedIn(Exception):
    """The sign-in token given with a report is unknown, signed out or idle too long."""


@dataclass
class _Job:
    work: Callable[[Connection, playback.DeferredWrites], Any]
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop
    outcome: Any = None
    failed: bool = False


class Writer:
    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.transactions = 0  # with `reports`: how well reports are grouped
        self.reports = 0

    async def save(
        self, report: Report, *, user_id: int | None = None, session_token: str | None = None
    ) -> playback.SaveResult:
        """Apply one report for `user_id`, or for the user of `session_token` (checked in the same transaction).

        Raises NotSignedIn or the DomainError of the rule that refused it.
        """
        idle_days = get_settings().session_idle_days

        def work(connection: Connection, deferred: playback.DeferredWrites) -> playback.SaveResult:
            user = user_id
            if user is None:
                found = accounts.resolve_session(connection, token=session_token, idle_days=idle_days)
                if found is None:
                    raise NotSignedIn
                user = found.id
            return playback.save_progress(
                connection,
                user_id=user,
                token=report.token,
                position_s=report.position,
                ended=report.ended,
                leaving=report.leaving,
                deferred=deferred,
            )

        return await self.submit(work)

    async def submit(self, work: Callable[[Connection, playback.DeferredWrites], Any]) -> Any:
        """Run `work(connection, deferred)` in the next batch; its queued writes are sent before the commit."""
        loop = asyncio.get_running_loop()
        job = _Job(work, loop.create_future(), loop)
        self._ensure_running()
        self._queue.put(job)
        return await job.future

    def _ensure_running(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, name='butaca-saves', daemon=True)
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
            batch = [first]
            stop = False
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
                self._apply(batch)
            except BaseException:
                log.exception('progress writer failed')
                for job in batch:
                    _fail(job)
            finally:
                self.reports += len(batch)
                _answer(batch)  # every caller gets an answer, whatever happened
            if stop:
                return

    def _apply(self, batch: list[_Job]) -> None:
        try:
            self._commit(batch)
        except (IntegrityError, DataError):
            # Something one report's data can cause (say, a title deleted meanwhile): nothing of the batch was
            # committed. Try each report alone, so that it cannot take the others down with it.
            if len(batch) == 1:
                log.exception('progress save failed')
                _fail(batch[0])
                return
            for job in batch:
                try:
                    self._commit([job])
                except Exception:
                    log.exception('progress save failed')
                    _fail(job)
        except Exception:
            # The database itself (locked by another process, disk full, gone): retrying each report would only
            # wait out the busy timeout once per report, holding the writer lock. Fail them all now; players retry.
            log.exception('progress saves failed: %d reports', len(batch))
            for job in batch:
                _fail(job)

    def _commit(self, jobs: list[_Job]) -> None:
        """The jobs in one transaction: each job's checks and reads, then their queued writes, then the commit."""
        self.transactions += 1
        with db.transaction() as connection:
            db.writing(connection)
            deferred = playback.DeferredWrites()
            for job in jobs:
                _attempt(job, connection, deferred)
            deferred.flush(connection)


def _attempt(job: _Job, connection: Connection, deferred: playback.DeferredWrites) -> None:
    """Run one report's work; a refusal or a bug fails that report alone, a database error the batch."""
    mark = deferred.mark()
    try:
        job.outcome, job.failed = job.work(connection, deferred), False
    except (DomainError, NotSignedIn) as error:
        deferred.rewind(mark)
        job.outcome, job.failed = error, True
    except SQLAlchemyError:
        raise
    except Exception:
        log.exception('progress save failed')
        deferred.rewind(mark)
        _fail(job)


def _fail(job: _Job) -> None:
    job.outcome, job.failed = RuntimeError('the progress could not be saved'), True


def _answer(batch: list[_Job]) -> None:
    """Hand the outcomes to the callers' event loops: one wake-up per loop and batch."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_Job]] = {}
    for job in batch:
        by_loop.setdefault(job.loop, []).append(job)
    for loop, jobs in by_loop.items():
        with contextlib.suppress(RuntimeError):  # that loop is closed: nobody is waiting any more
            loop.call_soon_threadsafe(_settle, jobs)


def _settle(jobs: list[_Job]) -> None:
    for job in jobs:
        if job.future.done():
            continue  # the caller went away (its request was cancelled)
        if job.failed:
            job.future.set_exception(job.outcome)
        else:
            job.future.set_result(job.outcome)


writer = Writer()
