"""The NiceGUI side of languages: which language this browser reads, and `t()` to look strings up in it."""

from __future__ import annotations

from nicegui import app, context

from .config import LANGUAGES, get_settings
from .i18n import parse_accept_language, translate

LANG_KEY = 'lang'


def current_language() -> str:
    """The language chosen in the header (kept for the browser and the user), else the browser's, else the default."""
    chosen = app.storage.user.get(LANG_KEY)
    if chosen in LANGUAGES:
        return chosen
    default = get_settings().default_language
    try:
        request = context.client.request
    except RuntimeError:
        return default
    header = request.headers.get('accept-language') if request is not None else None
    return parse_accept_language(header, default)


def t(key: str, **params: object) -> str:
    return translate(current_language(), key, **params)
