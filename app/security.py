"""Password hashing with bcrypt, and random tokens. No UI, no database."""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Callable
from typing import Any, TypeVar

import bcrypt

BCRYPT_MAX_BYTES = 72
_F = TypeVar('_F', bound=Callable[..., Any])
_seconds = 0.0  # how long one bcrypt check or hash takes on this machine, as measured (its cost is a setting)


def bcrypt_seconds() -> float:
    """One bcrypt call's time here lately (0.0 before the first). Only real bcrypt calls count: a flood of attempts
    refused before hashing (throttled, malformed) must not make the password queue think its jobs are cheap."""
    return _seconds


def _measured(started: float) -> None:
    global _seconds
    took = time.perf_counter() - started
    _seconds = took if _seconds == 0.0 else 0.8 * _seconds + 0.2 * took


def hash_password(password: str, *, rounds: int) -> str:
    """bcrypt hash of a password that the caller has already checked to be at most 72 bytes."""
    raw = password.encode()
    if len(raw) > BCRYPT_MAX_BYTES:  # bcrypt 5 raises on longer input; accounts.py validates before this
        raise ValueError('password longer than 72 bytes')
    started = time.perf_counter()
    try:
        return bcrypt.hashpw(raw, bcrypt.gensalt(rounds=rounds)).decode()
    finally:
        _measured(started)


def verify_password(password: str, password_hash: str) -> bool:
    try:
        raw = password.encode()
    except UnicodeEncodeError:  # a lone surrogate: no password can be that
        return False
    if len(raw) > BCRYPT_MAX_BYTES:
        return False
    started = time.perf_counter()
    try:
        return bcrypt.checkpw(raw, password_hash.encode())
    except ValueError:  # a malformed stored hash is a failed check, not a crash
        return False
    finally:
        _measured(started)


@functools.cache
def dummy_hash(rounds: int) -> str:
    """A hash to check against for unknown usernames, so a miss costs the same time as a wrong password."""
    return hash_password(secrets.token_urlsafe(16), rounds=rounds)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def uses_bcrypt(fn: _F) -> _F:
    """Marks a function that checks or makes password hashes: `app.work.run` sends it to the password pool."""
    fn.uses_bcrypt = True  # type: ignore[attr-defined]
    return fn
