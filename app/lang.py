"""The NiceGUI side of languages: which language this page speaks, `t()` to look strings up in it, and the
viewer's plurals, dates, genres and ratings (app/i18n/format.py) in it.

A signed-in viewer's language is kept in their account; an anonymous visitor's choice in a cookie (no per-visitor
storage before sign-in); otherwise the browser's Accept-Language, else the configured default.
"""

from __future__ import annotations

from datetime import datetime

from nicegui import context
from starlette.requests import Request

from .config import LANGUAGES, get_settings
from .cookies import LANGUAGE as LANGUAGE_COOKIE
from .cookies import time_zone as browser_time_zone
from .i18n import format as formats
from .i18n import parse_accept_language, translate


def current_language() -> str:
    try:
        request = context.client.request
    except RuntimeError:  # no page (a script, a test calling a component directly)
        return get_settings().default_language
    # Asked for every string of a page (a hundred times a build): worked out once per request. A page's later
    # handlers keep its language; changing it navigates to a new page.
    known = getattr(request.state, 'language', None)
    if known is None:
        known = request.state.language = _language_of(request)
    return known


def _language_of(request: Request) -> str:
    user = getattr(request.state, 'user', None)
    if user is not None and user.language in LANGUAGES:
        return user.language
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return parse_accept_language(request.headers.get('accept-language'), get_settings().default_language)


def t(key: str, **params: object) -> str:
    return translate(current_language(), key, **params)


def tn(key: str, count: float, **params: object) -> str:
    """`key` for `count` in the viewer's language and its plural rules ('1 título', '2 títulos')."""
    return formats.plural(current_language(), key, count, **params)


def viewer_time_zone() -> str | None:
    """The time zone of the browser the viewer is using, else their account's (a new browser's first page, before
    it has said), else None (UTC). Each sign-in keeps the browser's zone in the account (app/auth_routes.py)."""
    try:
        request = context.client.request
    except RuntimeError:
        return None
    reported = browser_time_zone(request)
    if reported and formats.known_zone(reported):
        return reported
    user = getattr(request.state, 'user', None)
    return user.time_zone if user is not None and user.time_zone else None


def when(moment: datetime) -> str:
    """A moment in the viewer's language and time zone."""
    return formats.when(current_language(), moment, viewer_time_zone())


def ago(moment: datetime, now: datetime) -> str:
    return formats.ago(current_language(), moment, now)


def day(moment: datetime) -> str:
    return formats.day(current_language(), moment, viewer_time_zone())


def genre_name(genre: str) -> str:
    return formats.genre(current_language(), genre)


def rating_name(rating: str) -> str:
    return formats.rating(current_language(), rating)
