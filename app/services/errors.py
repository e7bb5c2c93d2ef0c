"""Domain errors: each carries an i18n key and its parameters, so the edge can show it in the user's language."""

from __future__ import annotations

from datetime import datetime


class DomainError(Exception):
    """A rule said no. `key` names the message in app/i18n/strings/; `params` fill its placeholders."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class ValidationError(DomainError):
    """The input breaks a rule (empty field, too long, wrong format...)."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not the caller's)."""


class AccessDenied(DomainError):
    """The caller may not do this (plan, screens, ownership)."""


class ScreensFull(AccessDenied):
    """The plan's screens are all in use: `used` of `limit`; `screens` says what each other screen plays and when
    it was last heard from, on which browser ((title, datetime in UTC, User-Agent or None), most recent first)."""

    def __init__(self, used: int, limit: int, screens: tuple[tuple[str, datetime, str | None], ...] = ()) -> None:
        super().__init__('watch.screens_full', used=used, limit=limit)
        self.used, self.limit, self.screens = used, limit, screens


class Busy(DomainError):
    """Too much of this work is already waiting: try again in a moment (nobody is made to wait for long)."""

    def __init__(self) -> None:
        super().__init__('errors.busy')
