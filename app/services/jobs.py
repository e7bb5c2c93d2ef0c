"""Library jobs as Butaca keeps them: state, progress, errors and results of each import (the task queue carries only
"run job N"; everything people see is here).

A job is claimed atomically (queued -> running) so that a message delivered twice runs it once; a job whose worker
died is put back in the queue (`recover`), and runs again from the start. Every change is published on `jobs`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlmodel import col, select, update

from .. import db, events
from ..models import Job, UserPublic, as_utc, utcnow
from . import admin
from .errors import NotFound, ValidationError

QUEUED, RUNNING, CANCELLING, DONE, FAILED, CANCELLED = 'queued', 'running', 'cancelling', 'done', 'failed', 'cancelled'
ACTIVE = (QUEUED, RUNNING, CANCELLING)
FINISHED = (DONE, FAILED, CANCELLED)
STALE_AFTER = timedelta(seconds=90)  # a running job without a heartbeat this long lost its worker (another machine)
LIST_MAX = 200


class JobRow(BaseModel):
    id: int
    kind: str
    state: str
    label: str
    progress: float
    message: str
    error: str
    title_id: int | None
    attempts: int
    created_by: str
    created_at: datetime
    finished_at: datetime | None


def _row(job: Job) -> JobRow:
    assert job.id is not None
    return JobRow(
        id=job.id,
        kind=job.kind,
        state=job.state,
        label=job.label,
        progress=job.progress,
        message=job.message,
        error=job.error,
        title_id=job.title_id,
        attempts=job.attempts,
        created_by=job.created_by,
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


def _changed(job_id: int, state: str) -> None:
    events.publish('jobs', job_id=job_id, state=state)


def create(*, kind: str, label: str, params: dict[str, Any], created_by: str = '') -> int:
    with db.session(write=True) as session:
        job = Job(kind=kind, label=label[:200], params=params, created_by=created_by[:32])
        session.add(job)
        session.flush()
        assert job.id is not None
        job_id = job.id
    _changed(job_id, QUEUED)
    return job_id


def claim(job_id: int, *, worker: str) -> tuple[str, dict[str, Any]] | None:
    """Queued -> running for this worker; (kind, params), or None when it is not queued (done, cancelled, or
    claimed by another delivery of the same message)."""
    now = utcnow()
    with db.session(write=True) as session:
        claimed = session.exec(
            update(Job)
            .where(col(Job.id) == job_id, col(Job.state) == QUEUED)
            .values(
                state=RUNNING,
                worker=worker[:100],
                started_at=now,
                heartbeat_at=now,
                progress=0.0,
                message='',
                error='',
                attempts=Job.attempts + 1,
            )
        ).rowcount
        if not claimed:
            return None
        job = session.get(Job, job_id)
        assert job is not None
        found = job.kind, dict(job.params)
    _changed(job_id, RUNNING)
    return found


def report(job_id: int, *, progress: float, message: str) -> str:
    """Progress of a running job (also its heartbeat); returns its state, which says whether to go on."""
    with db.session(write=True) as session:
        job = session.get(Job, job_id)
        if job is None:
            return CANCELLED
        if job.state == RUNNING:
            job.progress = max(0.0, min(1.0, progress))
            job.message = message[:200]
            job.heartbeat_at = utcnow()
        state = job.state
    events.publish('jobs', job_id=job_id, state=state, progress=progress, message=message[:200])
    return state


def beat(job_id: int) -> str:
    """A running job's heartbeat when it has no progress to tell (a long probe or trickplay); returns its state."""
    with db.session(write=True) as session:
        job = session.get(Job, job_id)
        if job is None:
            return CANCELLED
        if job.state in (RUNNING, CANCELLING):
            job.heartbeat_at = utcnow()
        return job.state


def state_of(job_id: int) -> str:
    with db.session() as session:
        found = session.exec(select(Job.state).where(Job.id == job_id)).first()
    return found or CANCELLED


def finish(job_id: int, *, state: str, error: str = '', title_id: int | None = None) -> None:
    """The end of a run: done (with the title it made), failed (with why) or cancelled."""
    assert state in FINISHED
    with db.session(write=True) as session:
        job = session.get(Job, job_id)
        if job is None:
            return
        job.state = state
        job.error = error[:500]
        job.finished_at = utcnow()
        job.worker = None
        if state == DONE:
            job.progress, job.title_id = 1.0, title_id
    _changed(job_id, state)


def cancel(*, actor: UserPublic, job_id: int) -> str:
    """A queued job is cancelled at once; a running one is asked to stop (its encode is killed). The new state."""
    with db.session(write=True) as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound('jobs.not_found')
        if job.state not in ACTIVE:
            raise ValidationError('jobs.not_active')
        if job.state == QUEUED:
            job.state, job.finished_at = CANCELLED, utcnow()
        else:
            job.state = CANCELLING
        state = job.state
        admin.record(session, actor=actor, action='cancel_job', target=f'#{job_id} {job.label}'[:200])
    _changed(job_id, state)
    return state


def retry(*, actor: UserPublic | None, job_id: int) -> None:
    """A failed or cancelled job back in the queue (the caller sends it to the task queue)."""
    with db.session(write=True) as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound('jobs.not_found')
        if job.state not in (FAILED, CANCELLED):
            raise ValidationError('jobs.not_finished')
        job.state, job.error, job.progress, job.message, job.finished_at = QUEUED, '', 0.0, '', None
        if actor is not None:
            admin.record(session, actor=actor, action='retry_job', target=f'#{job_id} {job.label}'[:200])
    _changed(job_id, QUEUED)


def recover(*, host: str, alive: Callable[[int], bool]) -> list[int]:
    """Jobs a dead worker left behind, back to queued (they run again from the start); returns their ids, with
    those still queued, for the caller to send to the task queue again (a claim makes a second delivery harmless).

    A worker on this `host` is dead when its process is gone (`alive(pid)` is False); a worker elsewhere when its
    heartbeat is older than STALE_AFTER.
    """
    now = utcnow()
    requeued = []
    with db.session(write=True) as session:
        for job in session.exec(select(Job).where(col(Job.state).in_(ACTIVE))).all():
            if job.state == QUEUED:
                requeued.append(job.id)
                continue
            worker_host, _, pid = (job.worker or '').rpartition(':')
            if worker_host == host and pid.isdigit():
                dead = not alive(int(pid))
            else:
                dead = job.heartbeat_at is None or as_utc(job.heartbeat_at) < now - STALE_AFTER
            if not dead:
                continue
            if job.state == CANCELLING:
                job.state, job.finished_at, job.worker = CANCELLED, now, None
            else:
                job.state, job.worker, job.progress, job.message = QUEUED, None, 0.0, ''
                requeued.append(job.id)
    for job_id in requeued:
        _changed(job_id, QUEUED)
    return [job_id for job_id in requeued if job_id is not None]


def listing(*, limit: int = 50) -> list[JobRow]:
    """Active jobs first (oldest first, as they will run), then the finished ones, newest first."""
    limit = max(1, min(limit, LIST_MAX))
    with db.session() as session:
        active = session.exec(select(Job).where(col(Job.state).in_(ACTIVE)).order_by(col(Job.id)).limit(limit)).all()
        finished = session.exec(
            select(Job).where(col(Job.state).in_(FINISHED)).order_by(col(Job.id).desc()).limit(limit)
        ).all()
        return [_row(job) for job in [*active, *finished][:limit]]


def get(job_id: int) -> JobRow:
    with db.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound('jobs.not_found')
        return _row(job)
