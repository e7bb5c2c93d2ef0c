"""Kodi-style ``.nfo`` files (``movie.nfo``, ``tvshow.nfo``, ``<video>.nfo``): title, plot, year and genres.

Parsed with the standard library's expat, which refuses entity expansion bombs since expat 2.4.1; documents that
declare a DTD or entities are refused outright all the same (an .nfo has no use for them), as is anything over
1 MB. A file that is not XML (some tools write a bare IMDb link) gives no facts instead of an error.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 1_000_000
_ROOTS = frozenset({'movie', 'tvshow', 'episodedetails'})


@dataclass(frozen=True)
class NfoFacts:
    title: str = ''
    plot: str = ''
    year: int | None = None
    genres: list[str] = field(default_factory=list)
    season: int | None = None  # episodes
    episode: int | None = None


def read_nfo(path: str | Path) -> NfoFacts:
    """The facts in one .nfo file; empty facts when it is missing, too large, not XML or not a Kodi document."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            return NfoFacts()
        raw = path.read_bytes()
    except OSError:
        return NfoFacts()
    if b'<!DOCTYPE' in raw.upper() or b'<!ENTITY' in raw.upper():
        return NfoFacts()
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError:
        return NfoFacts()
    if root.tag not in _ROOTS:
        return NfoFacts()
    year = _int(root.findtext('year')) or _int((root.findtext('premiered') or root.findtext('aired') or '')[:4])
    genres = [text.strip()[:40] for node in root.findall('genre') if (text := node.text) and text.strip()]
    return NfoFacts(
        title=(root.findtext('title') or '').strip()[:200],
        plot=(root.findtext('plot') or root.findtext('outline') or '').strip()[:2000],
        year=year if year and 1888 <= year <= 2100 else None,
        genres=genres,
        season=_int(root.findtext('season')),
        episode=_int(root.findtext('episode')),
    )


def _int(text: str | None) -> int | None:
    text = (text or '').strip()
    return int(text) if re.fullmatch(r'\d{1,4}', text) else None
