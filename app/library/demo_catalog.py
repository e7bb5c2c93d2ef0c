"""The demo catalog: the invented films and series of ``demo_catalog.toml``, as specs the demo library makes."""

from __future__ import annotations

import tomllib
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .naming import slugify
from .placeholder.paint import Look

CATALOG_FILE = Path(__file__).with_name('demo_catalog.toml')
MINOR_GENRES = {'Drama', 'Suspense', 'Ciencia ficción'}  # their music is in a minor key


class _Titled:
    """What films and series share: a slug made from the title, and the look of their pictures."""

    title: str
    palette: tuple[str, str, str]  # sky, ground, accent
    motif: str

    @property
    def slug(self) -> str:
        return slugify(self.title)

    @property
    def look(self) -> Look:
        return Look(self.palette, self.motif, zlib.crc32(self.slug.encode()))


@dataclass(frozen=True)
class FilmSpec(_Titled):
    title: str
    genre: str
    year: int
    rating: str  # TP, 7, 12, 16, 18
    duration_s: float
    premium: bool
    palette: tuple[str, str, str]  # sky, ground, accent
    motif: str
    synopsis: str
    synopsis_en: str


@dataclass(frozen=True)
class EpisodeSpec:
    title: str
    synopsis: str
    synopsis_en: str


@dataclass(frozen=True)
class SeriesSpec(_Titled):
    title: str
    genre: str
    year: int
    rating: str
    premium: bool
    palette: tuple[str, str, str]
    motif: str
    episode_s: float
    intro_s: tuple[float, float]  # intro start and end, in an episode of episode_s
    credits_s: float  # the credits fill the last credits_s seconds
    credits: tuple[str, ...]
    synopsis: str
    synopsis_en: str
    seasons: tuple[tuple[EpisodeSpec, ...], ...]


def load_catalog(path: Path = CATALOG_FILE) -> tuple[tuple[FilmSpec, ...], tuple[SeriesSpec, ...]]:
    """The films and series described in ``path`` (TOML), in catalog order."""
    data = tomllib.loads(path.read_text(encoding='utf-8'))

    def frozen(row: dict[str, Any]) -> dict[str, Any]:  # lists become tuples: specs are hashable, hence cacheable
        return {
            key: tuple(value) if isinstance(value, list) else value for key, value in row.items() if key != 'season'
        }

    films = tuple(FilmSpec(**frozen(row)) for row in data['film'])
    series = tuple(
        SeriesSpec(
            **frozen(row),
            seasons=tuple(tuple(EpisodeSpec(**episode) for episode in season['episodes']) for season in row['season']),
        )
        for row in data['series']
    )
    return films, series


FILMS, SERIES = load_catalog()
