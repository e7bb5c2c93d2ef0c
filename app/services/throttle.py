"""Sign-in throttling: after 5 failures for one username or from one address within 15 minutes, wait.

Failures are rows in the database, so every process behind a proxy sees the same counts.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, func, select

from ..models import LoginFailure, as_utc, utcnow
from .errors import DomainError

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


class Throttled(DomainError):
    def __init__(self, retry_after: timedelta) -> None:
        self.retry_after = retry_after
        super().__init__('login.throttled', minutes=max(1, math.ceil(retry_after.total_seconds() / 60)))


def _keys(username_key: str, address: str | None) -> list[str]:
    keys = [f'user:{username_key[:100]}'] if username_key else []
    if address:
        keys.append(f'addr:{address[:100]}')
    return keys


def check(session: Session, *, username_key: str, address: str | None, now: datetime | None = None) -> None:
    """Raise Throttled (saying how long to wait) when either key has had too many recent failures."""
    now = now or utcnow()
    since = now - WINDOW
    for key in _keys(username_key, address):
        recent = select(LoginFailure.at).where(LoginFailure.key == key, col(LoginFailure.at) > since)
        count = session.exec(select(func.count()).select_from(recent.subquery())).one()
        if count >= MAX_FAILURES:
            # Allowed again once the oldest of the last MAX_FAILURES failures leaves the window.
            times = session.exec(recent.order_by(col(LoginFailure.at).desc()).limit(MAX_FAILURES)).all()
            oldest = min(as_utc(at) for at in times)
            raise Throttled(oldest + WINDOW - now)


def record_failure(session: Session, *, username_key: str, address: str | None, now: datetime | None = None) -> None:
    now = now or utcnow()
    for key in _keys(username_key, address):
        session.add(LoginFailure(key=key, at=now))
    # Old rows are of no use: keep the table small.
    session.exec(delete(LoginFailure).where(col(LoginFailure.at) < now - 2 * WINDOW))


def reset(session: Session, *, username_key: str) -> None:
    session.exec(delete(LoginFailure).where(col(LoginFailure.key) == f'user:{username_key[:100]}'))
