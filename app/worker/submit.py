"""Putting work in the queue: a job row first (what people see), then the message that runs it."""

from __future__ import annotations

from typing import Any

from ..models import UserPublic
from ..services import jobs
from .queue import send


def submit(*, kind: str, label: str, params: dict[str, Any], created_by: str = '') -> int:
    job_id = jobs.create(kind=kind, label=label, params=params, created_by=created_by)
    send(job_id)
    return job_id


def retry(*, actor: UserPublic | None, job_id: int) -> None:
    jobs.retry(actor=actor, job_id=job_id)
    send(job_id)
