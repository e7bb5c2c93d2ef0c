"""Domain errors: each carries an i18n key and its parameters, so the edge can show it in the user's language."""

from __future__ import annotations


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


def status_code(error: DomainError, *, invalid: int = 400) -> int:
    """The HTTP status an edge answers a domain error with: 404, 403, or `invalid` for bad input."""
    return 404 if isinstance(error, NotFound) else 403 if isinstance(error, AccessDenied) else invalid
