"""A browser's name from its User-Agent, as a person says it ('Chrome en Windows', 'Safari on iPhone'): enough to
tell one's own screens apart, not a fingerprint. Pages put it in words in the viewer's language."""

from __future__ import annotations

from dataclasses import dataclass

# First match wins: Edge and Opera also say "Chrome", Chrome also says "Safari", so they come first.
BROWSERS = (
    ('Edg/', 'Edge'),
    ('OPR/', 'Opera'),
    ('Firefox/', 'Firefox'),
    ('Chromium/', 'Chromium'),
    ('Chrome/', 'Chrome'),
    ('Safari/', 'Safari'),
)
SYSTEMS = (
    ('iPhone', 'iPhone'),
    ('iPad', 'iPad'),
    ('Android', 'Android'),
    ('Windows', 'Windows'),
    ('Mac OS X', 'Mac'),
    ('CrOS', 'ChromeOS'),
    ('Linux', 'Linux'),
)


@dataclass(frozen=True)
class Browser:
    name: str | None
    system: str | None


def parse(user_agent: str | None) -> Browser:
    agent = user_agent or ''
    name = next((label for mark, label in BROWSERS if mark in agent), None)
    system = next((label for mark, label in SYSTEMS if mark in agent), None)
    return Browser(name, system)
