"""Password hashing with bcrypt, and random tokens. No UI, no database."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

import bcrypt

BCRYPT_MAX_BYTES = 72
_F = TypeVar('_F', bound=Callable[..., Any])


def hash_password(password: str, *, rounds: int) -> str:
    """bcrypt hash of a password that the caller has already checked to be at most 72 bytes."""
    raw = password.encode()
    if len(raw) > BCRYPT_MAX_BYTES:  # bcrypt 5 raises on longer input; accounts.py validates before this
        raise ValueError('password longer than 72 bytes')
    return bcrypt.hashpw(raw, bcrypt.gensalt(rounds=rounds)).decode()


def verify_password(password: str, password_hash: str) -> bool:
    raw = password.encode()
    if len(raw) > BCRYPT_MAX_BYTES:
        return False
    try:
        return bcrypt.checkpw(raw, password_hash.encode())
    except ValueError:  # a malformed stored hash is a failed check, not a crash
        return False


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
