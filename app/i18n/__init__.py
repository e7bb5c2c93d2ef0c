"""The string tables (es, en), the lookup, and the choice of language from a browser's Accept-Language.

Standard library only: services, scripts and pages all use it. The strings live in `app/i18n/strings/`.
"""

from __future__ import annotations

from ..config import LANGUAGES
from .strings import AREAS


def _tables() -> dict[str, dict[str, str]]:
    tables: dict[str, dict[str, str]] = {language: {} for language in LANGUAGES}
    for area in AREAS:
        for key, texts in area.STRINGS.items():
            if any(key in table for table in tables.values()):
                raise RuntimeError(f'string key {key!r} is defined twice (in {area.__name__})')
            for language, text in zip(LANGUAGES, texts, strict=True):
                tables[language][key] = text
    return tables


TEXTS: dict[str, dict[str, str]] = _tables()


def translate(language: str, key: str, **params: object) -> str:
    """The text for `key` in `language` (falling back to Spanish), with `{placeholders}` filled in."""
    table = TEXTS.get(language) or TEXTS['es']
    text = table.get(key) or TEXTS['es'].get(key) or key
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError, ValueError):  # a placeholder without its value: show the text, never crash a page
        return text


def parse_accept_language(header: str | None, default: str) -> str:
    """The best of our languages for an Accept-Language header ('en-GB,en;q=0.9,es;q=0.8' -> 'en')."""
    best, best_q = default, -1.0
    for part in (header or '').split(',')[:20]:
        pieces = part.strip().split(';')
        code = pieces[0].strip().lower().split('-')[0]
        q = 1.0
        for piece in pieces[1:]:
            name, _, value = piece.strip().partition('=')
            if name == 'q':
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if code in LANGUAGES and q > best_q:
            best, best_q = code, q
    return best
