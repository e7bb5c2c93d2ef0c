"""Numbers, plurals, dates and the catalog's own vocabulary (genres, maturity ratings, kinds) in the viewer's
language, through Babel (CLDR data): the plural rules and date formats of each language are Babel's, not ours.

Plural strings live in the string tables as one key per CLDR plural category: 'catalog.results.one',
'catalog.results.other' (Spanish and English need these two; a language with more adds its keys).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_datetime, format_timedelta
from babel.numbers import format_decimal

from . import TEXTS, translate

# The locale each interface language formats with (Spain's Spanish, the USA's English).
LOCALES = {'es': 'es_ES', 'en': 'en_US'}
# Maturity ratings as stored (app/models.py Title.rating) -> their string key.
RATINGS = {'TP': 'rating.all', '7': 'rating.7', '12': 'rating.12', '16': 'rating.16', '18': 'rating.18'}


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(LOCALES.get(language, LOCALES['es']))


def number(language: str, value: float) -> str:
    """'1.234' in Spanish, '1,234' in English."""
    return format_decimal(value, locale=_locale(language))


def plural(language: str, key: str, count: float, **params: object) -> str:
    """The text of `key` for `count` in its CLDR plural category ('1 título', '2 títulos', '1 title'); `{count}` is
    the number as the language writes it."""
    category = _locale(language).plural_form(count)
    table = TEXTS.get(language) or TEXTS['es']
    chosen = f'{key}.{category}' if f'{key}.{category}' in table else f'{key}.other'
    return translate(language, chosen, count=number(language, count), **params)


def known_zone(time_zone: str) -> bool:
    """Whether the zone database knows `time_zone` (an IANA name, 'UTC' included)."""
    return zone(time_zone) is not UTC


def zone(time_zone: str | None) -> ZoneInfo | type[UTC]:
    """The viewer's time zone, or UTC when they have none (or an unknown one)."""
    if not time_zone:
        return UTC
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


# Pure, and a page asks for the same ones on every load (a profile's 20 history rows): Babel's formatting was a
# thirtieth of a profile page.
@lru_cache(maxsize=4096)
def when(language: str, moment: datetime, time_zone: str | None = None) -> str:
    """A moment in the viewer's time zone as their language writes it ('1 dic 2026, 20:05', 'Dec 1, 2026, 8:05 PM')."""
    if moment.tzinfo is None:  # the database keeps UTC without a zone
        moment = moment.replace(tzinfo=UTC)
    locale = _locale(language)
    # The language's own way of joining a medium date and a short time (no seconds): '{1}, {0}' in both today.
    pattern = str(locale.datetime_formats['medium']).format(locale.time_formats['short'], locale.date_formats['medium'])
    return format_datetime(moment, format=pattern, tzinfo=zone(time_zone), locale=locale)


def ago(language: str, moment: datetime, now: datetime) -> str:
    """How long ago, as the language says it ('hace 2 minutos', '2 minutes ago'; 'ahora' / 'now' under a minute)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    delta = moment - now
    if abs(delta.total_seconds()) < 60:
        return translate(language, 'time.now')
    return format_timedelta(delta, add_direction=True, threshold=1, locale=_locale(language))


@lru_cache(maxsize=4096)
def day(language: str, moment: datetime, time_zone: str | None = None) -> str:
    """A day as the viewer's language writes it ('1 de diciembre de 2026' / 'December 1, 2026')."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_date(moment.astimezone(zone(time_zone)), format='long', locale=_locale(language))


def genre(language: str, name: str) -> str:
    """A genre as stored (in Spanish, the catalog's language) in the viewer's language; unknown genres as they are."""
    key = f'genre.{name}'
    return translate(language, key) if key in TEXTS['es'] else name


def rating(language: str, value: str) -> str:
    """A maturity rating ('TP', '7', ... '18') as the viewer's language says it ('Todos los públicos' / 'All ages',
    '+12' / '12+')."""
    key = RATINGS.get(value.strip().lstrip('+'))
    return translate(language, key) if key else value
