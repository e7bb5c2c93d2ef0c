"""Both string tables have the same keys and placeholders, and every key the code uses exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from app.i18n import TEXTS, parse_accept_language, translate

APP = Path(__file__).resolve().parent.parent / 'app'


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_tables_have_exactly_the_same_keys():
    assert set(TEXTS['es']) == set(TEXTS['en'])


@pytest.mark.parametrize('key', sorted(TEXTS['es']))
def test_both_tables_have_the_same_placeholders(key):
    assert placeholders(TEXTS['es'][key]) == placeholders(TEXTS['en'][key])


def test_every_key_used_in_the_code_exists():
    pattern = re.compile(
        r"""(?:\bt|translate\([^,]+,|Error|Denied|NotFound|flash)\(\s*f?['"]"""
        r"""([a-z_]+\.[a-zA-Z_.{}]+)['"]"""
    )
    used = set()
    for path in APP.rglob('*.py'):
        used |= set(pattern.findall(path.read_text()))
    assert len(used) > 40
    missing = set()
    for key in used:
        if '{' in key:  # f-string keys such as plan.{plan}: check every value they can take
            prefix = key.split('{')[0]
            assert any(k.startswith(prefix) for k in TEXTS['es']), key
        elif key not in TEXTS['es']:
            missing.add(key)
    assert not missing


@pytest.mark.parametrize(
    ('header', 'expected'),
    [
        ('en-GB,en;q=0.9', 'en'),
        ('es-ES,es;q=0.9,en;q=0.8', 'es'),
        ('fr-FR,fr;q=0.9', 'es'),
        ('fr,en;q=0.5', 'en'),
        ('de;q=1,es;q=0.2,en;q=0.4', 'en'),
        ('', 'es'),
        ('garbage;;q=x,,', 'es'),
    ],
)
def test_the_browser_language_is_picked_from_accept_language(header, expected):
    assert parse_accept_language(header, 'es') == expected


def test_placeholders_are_filled():
    assert translate('en', 'login.welcome', username='Ana') == 'Hi, Ana! Good to see you.'


def test_every_string_the_player_scripts_show_exists_in_both_languages():
    """The player's JavaScript shows only texts its shell carries (app/components/player.py sends every player.*
    and watch.* string): any key it names must exist."""
    scripts = [APP / 'static' / 'player.js', *(APP / 'static' / 'butaca').glob('*.js')]
    keys = set()
    for path in scripts:
        keys |= set(re.findall(r"""["']((?:player|watch)\.[a-z_]+)["']""", path.read_text()))
    assert len(keys) > 40
    missing = {key for key in keys if key not in TEXTS['es'] and f'{key}.other' not in TEXTS['es']}  # or plural
    assert not missing, sorted(missing)


def test_every_plural_key_used_in_the_code_has_its_other_form():
    pattern = re.compile(r"""(?:\btn|plural)\(\s*(?:[A-Za-z_]+,\s*)?['"]([a-z_]+\.[a-z_.]+)['"]""")
    used = set()
    for path in APP.rglob('*.py'):
        used |= set(pattern.findall(path.read_text()))
    assert {'catalog.results', 'series.left', 'watch.screens_full'} <= used
    assert all(f'{key}.other' in TEXTS['es'] and f'{key}.one' in TEXTS['es'] for key in used), used


@pytest.mark.parametrize(
    ('language', 'key', 'count', 'params', 'expected'),
    [
        ('es', 'catalog.results', 1, {}, '1 título'),
        ('es', 'catalog.results', 0, {}, '0 títulos'),
        ('es', 'catalog.results', 2, {}, '2 títulos'),
        ('es', 'catalog.results', 10000, {}, '10.000 títulos'),
        ('en', 'catalog.results', 1, {}, '1 title'),
        ('en', 'catalog.results', 0, {}, '0 titles'),
        ('en', 'catalog.results', 1234, {}, '1,234 titles'),
        ('en', 'watch.screens_full', 1, {'used': 1}, 'You are using 1 of 1 screen your plan allows at once.'),
        ('es', 'watch.screens_full', 4, {'used': 4}, 'Estás usando 4 de 4 pantallas de tu plan a la vez.'),
        ('es', 'series.left', 1, {}, 'queda 1 min'),
        ('es', 'series.left', 12, {}, 'quedan 12 min'),
        ('en', 'series.seasons', 1, {}, '1 season'),
    ],
)
def test_plurals_follow_each_languages_rules(language, key, count, params, expected):
    from app.i18n.format import plural

    assert plural(language, key, count, **params) == expected


def test_dates_follow_the_language_and_the_viewers_time_zone():
    from datetime import datetime

    from app.i18n.format import day, when

    moment = datetime(2026, 12, 1, 20, 5)  # stored in UTC, without a zone
    assert when('es', moment, 'Europe/Madrid') == '1 dic 2026, 21:05'
    assert when('en', moment, 'America/New_York').replace('\u202f', ' ') == 'Dec 1, 2026, 3:05 PM'
    assert when('en', moment, None).replace('\u202f', ' ') == 'Dec 1, 2026, 8:05 PM'  # no zone: UTC
    assert when('es', moment, 'Not/AZone') == '1 dic 2026, 20:05'
    assert day('es', moment, 'Pacific/Kiritimati') == '2 de diciembre de 2026'  # already tomorrow there


@pytest.mark.parametrize(
    ('language', 'genre', 'rating', 'expected'),
    [
        ('es', 'Ciencia ficción', 'TP', ('Ciencia ficción', 'Todos los públicos')),
        ('en', 'Ciencia ficción', 'TP', ('Science fiction', 'All ages')),
        ('en', 'Suspense', '12', ('Thriller', '12+')),
        ('es', 'Suspense', '18', ('Suspense', '+18')),
        ('en', 'Género nuevo', '21', ('Género nuevo', '21')),  # unknown: shown as stored
    ],
)
def test_genres_and_maturity_ratings_follow_the_language(language, genre, rating, expected):
    from app.i18n.format import genre as genre_name
    from app.i18n.format import rating as rating_name

    assert (genre_name(language, genre), rating_name(language, rating)) == expected


def test_every_demo_genre_has_both_languages():
    from app.library.demo_catalog import FILMS, SERIES

    genres = {spec.genre for spec in (*FILMS, *SERIES)}
    assert genres and all(f'genre.{name}' in TEXTS['en'] for name in genres), genres
