"""Throttling: sign-in failures and registrations, counted as rows in the database so that every process behind
a proxy sees the same counts.

Sign-in: after 5 failures for one username or from one address within 15 minutes, wait. A browser that signed in to
that account before (its device cookie) has a budget of its own instead (OWASP's device cookies), so a stranger
guessing the username cannot keep its owner out. Registration: at most 5 accounts an hour from one address.
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
    def __init__(self, retry_after: timedelta, key: str = 'login.throttled') -> None:
        self.retry_after = retry_after
        super().__init__(key, minutes=max(1, math.ceil(retry_after.total_seconds() / 60)))


REGISTRATIONS_PER_WINDOW = 5
REGISTRATION_WINDOW = timedelta(hours=1)


def _keys(username_key: str, address: str | None, device: str | None = None) -> list[str]:
    if device:
        return [f'device:{device[:100]}']
    keys = [f'user:{username_key[:100]}'] if username_key else []
    if address:
        keys.append(f'addr:{address[:100]}')
    return keys


def check(
    session: Session,
    *,
    username_key: str,
    address: str | None,
    device: str | None = None,
    now: datetime | None = None,
) -> None:
    """Raise Throttled (saying how long to wait) when a key of this attempt has had too many recent failures."""
    _check(session, _keys(username_key, address, device), MAX_FAILURES, WINDOW, now or utcnow())


def _check(
    session: Session, keys: list[str], limit: int, window: timedelta, now: datetime, key: str = 'login.throttled'
) -> None:
    since = now - window
    for name in keys:
        recent = select(LoginFailure.at).where(LoginFailure.key == name, col(LoginFailure.at) > since)
        count = session.exec(select(func.count()).select_from(recent.subquery())).one()
        if count >= limit:
            # Allowed again once the oldest of the last `limit` events leaves the window.
            times = session.exec(recent.order_by(col(LoginFailure.at).desc()).limit(limit)).all()
            oldest = min(as_utc(at) for at in times)
            raise Throttled(oldest + window - now, key)


def record_failure(
    session: Session,
    *,
    username_key: str,
    address: str | None,
    device: str | None = None,
    now: datetime | None = None,
) -> None:
    now = now or utcnow()
    for key in _keys(username_key, address, device):
        session.add(LoginFailure(key=key, at=now))
    # Old rows are of no use: keep the table small.
    session.exec(delete(LoginFailure).where(col(LoginFailure.at) < now - 2 * REGISTRATION_WINDOW))


def check_registration(session: Session, *, address: str | None, now: datetime | None = None) -> None:
    """Raise Throttled when this address made REGISTRATIONS_PER_WINDOW accounts within the hour."""
    if address:
        keys = [f'register:{address[:100]}']
        _check(session, keys, REGISTRATIONS_PER_WINDOW, REGISTRATION_WINDOW, now or utcnow(), 'register.throttled')


def record_registration(session: Session, *, address: str | None, now: datetime | None = None) -> None:
    if address:
        session.add(LoginFailure(key=f'register:{address[:100]}', at=now or utcnow()))


def reset(session: Session, *, username_key: str) -> None:
    session.exec(delete(LoginFailure).where(col(LoginFailure.key) == f'user:{username_key[:100]}'))
