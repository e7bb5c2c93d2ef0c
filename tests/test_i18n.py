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
    assert not keys - set(TEXTS['es']), sorted(keys - set(TEXTS['es']))
