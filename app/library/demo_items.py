"""One item of the demo library (a film, an episode, or a series' poster and backdrop): making its files, and
reusing them while its recipe is unchanged.

A film or an episode is painted footage encoded in both renditions, whose frames also give the trickplay sheet, with
its subtitles and artwork; everything is written in its own folder, with a manifest written last.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from av.video.reformatter import VideoReformatter
from PIL import Image

from .demo_catalog import MINOR_GENRES, FilmSpec, SeriesSpec
from .images import (
    BACKDROP_WIDTHS,
    POSTER_ASPECT,
    POSTER_WIDTHS,
    STILL_WIDTHS,
    WIDE_ASPECT,
    make_image_sizes,
    size_records,
)
from .placeholder import paint
from .placeholder.footage import Footage, Shot
from .placeholder.music import soundtrack
from .renditions import Rendition, RenditionWriter, max_kbps
from .subtitles import write_subtitles
from .trickplay import INTERVAL_S, TILE_WIDTH, make_trickplay

FOLDER = 'demo'  # in the media folder
ITEM_MANIFEST = '.demo.json'  # in each item's folder: its fingerprint, its entry and the sizes of its files
FPS = 3  # enough for lights drifting slowly; x264 costs about the same per frame whatever the frame shows
HD_SIZE, SD_SIZE = (1280, 720), (854, 480)
QP = 26
# The code that shapes the files: a change to any of these remakes every item (no version number to forget).
RECIPE_MODULES = ('demo_items.py', 'renditions.py', 'images.py', 'trickplay.py', 'subtitles.py', 'placeholder')


@dataclass(frozen=True)
class DemoItem:
    """One unit of work: its files live in ``folder`` (relative to the media folder), described by its entry."""

    kind: str  # 'film', 'episode' or 'artwork'
    folder: str
    duration_s: float
    film: FilmSpec | None = None
    series: SeriesSpec | None = None
    season: int = 0
    episode: int = 0

    @property
    def label(self) -> str:
        if self.film is not None:
            return self.film.title
        assert self.series is not None
        if self.kind == 'artwork':
            return f'{self.series.title}, poster and backdrop'
        title = self.series.seasons[self.season - 1][self.episode - 1].title
        return f'{self.series.title} {self.season}x{self.episode:02d} «{title}»'

    def fingerprint(self) -> str:
        """Changes whenever anything that shapes this item's files changes."""
        series = self.series
        if series is not None:  # the series' own facts and this episode's, not its sister episodes'
            episode = series.seasons[self.season - 1][self.episode - 1] if self.kind == 'episode' else None
            series = {**asdict(series), 'seasons': len(series.seasons), 'episode': episode and asdict(episode)}
        recipe = [_code_hash(), self.kind, self.folder, self.duration_s, self.film and asdict(self.film), series]
        return hashlib.sha256(json.dumps(recipe, ensure_ascii=False).encode()).hexdigest()[:20]

    def reusable_entry(self, media_dir: Path) -> dict[str, Any] | None:
        """The entry made by an earlier run, if it came from the same recipe and its files are all there, whole."""
        try:
            manifest = json.loads((media_dir / self.folder / ITEM_MANIFEST).read_text(encoding='utf-8'))
            if manifest['fingerprint'] != self.fingerprint():
                return None
            if any((media_dir / path).stat().st_size != size for path, size in manifest['files'].items()):
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return manifest['entry']

    def make(self, media_dir: Path, threads: int) -> tuple[dict[str, Any], float]:
        """Make every file of this item; returns its entry and the seconds it took."""
        started = time.perf_counter()
        folder = media_dir / self.folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ITEM_MANIFEST).unlink(missing_ok=True)
        make = {'film': _make_film, 'episode': _make_episode, 'artwork': _make_artwork}[self.kind]
        entry = make(self, media_dir, folder, threads)
        files = {
            path.relative_to(media_dir).as_posix(): path.stat().st_size
            for path in folder.iterdir()
            if path.is_file() and not path.name.startswith('.')
        }
        manifest = {'fingerprint': self.fingerprint(), 'entry': entry, 'files': files}
        partial = folder / (ITEM_MANIFEST + '.partial')
        partial.write_text(json.dumps(manifest, ensure_ascii=False), encoding='utf-8')
        os.replace(partial, folder / ITEM_MANIFEST)  # written last: an item without it is made again
        return entry, time.perf_counter() - started


def demo_items(
    films: Sequence[FilmSpec], series: Sequence[SeriesSpec], film_s: float | None, episode_s: float | None
) -> list[DemoItem]:
    """Every item, longest first (films, then episodes, then artwork), which keeps both workers busy to the end."""
    items = [DemoItem('film', f'{FOLDER}/{spec.slug}', float(film_s or spec.duration_s), film=spec) for spec in films]
    for spec in series:
        duration = float(episode_s or spec.episode_s)
        for season, episodes in enumerate(spec.seasons, 1):
            for number in range(1, len(episodes) + 1):
                folder = f'{FOLDER}/{spec.slug}/s{season:02d}e{number:02d}'
                items.append(DemoItem('episode', folder, duration, series=spec, season=season, episode=number))
    items += [DemoItem('artwork', f'{FOLDER}/{spec.slug}', 0.0, series=spec) for spec in series]
    return items


@cache
def _code_hash() -> str:
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in RECIPE_MODULES:
        for path in sorted((here / name).rglob('*.py')) if (here / name).is_dir() else [here / name]:
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _rel(path: Path, media_dir: Path) -> str:
    return path.relative_to(media_dir).as_posix()


def _make_film(item: DemoItem, media_dir: Path, folder: Path, threads: int) -> dict[str, Any]:
    spec = item.film
    assert spec is not None
    look, accent = spec.look, spec.look.colors[2]
    scene = paint.scene(HD_SIZE, look)
    rows = paint.heading(HD_SIZE, title=spec.title, facts=[str(spec.year)], accent=accent, title_px=108)
    shots = [Shot(0.0, paint.card(scene, rows, accent=accent))]
    sound = soundtrack(item.duration_s, seed=look.seed, minor=spec.genre in MINOR_GENRES)
    video = _render(folder, media_dir, shots, item.duration_s, look, sound, threads)
    poster = paint.poster(look, title=spec.title, year=spec.year)
    images = _artwork(folder, media_dir, poster, paint.backdrop(scene))
    subtitles = write_subtitles(folder, {'es': spec.synopsis, 'en': spec.synopsis_en}, item.duration_s)
    return {
        'title': spec.title,
        'genre': spec.genre,
        'year': spec.year,
        'duration_s': item.duration_s,
        'poster_path': images['poster'][-1]['jpeg'],
        'backdrop_path': images['backdrop'][-1]['jpeg'],
        **video,
        'description': spec.synopsis,
        'rating': spec.rating,
        'kind': 'movie',
        'is_premium': spec.premium,
        'description_en': spec.synopsis_en,
        'subtitles': {language: _rel(path, media_dir) for language, path in subtitles.items()},
        'images': images,
    }


def _make_episode(item: DemoItem, media_dir: Path, folder: Path, threads: int) -> dict[str, Any]:
    spec = item.series
    assert spec is not None
    episode = spec.seasons[item.season - 1][item.episode - 1]
    scale = item.duration_s / spec.episode_s  # the markers keep their place in shortened (test) episodes
    intro_start, intro_end = (round(value * scale, 2) for value in spec.intro_s)
    credits_start = round(item.duration_s - spec.credits_s * scale, 2)
    look = spec.look
    scene = paint.scene(HD_SIZE, look.varied(item.season * 100 + item.episode))
    meta = f'Temporada {item.season} · Episodio {item.episode}'
    accent = look.colors[2]
    rows = paint.heading(HD_SIZE, kicker=spec.title, title=episode.title, facts=[meta], accent=accent, title_px=96)
    content = paint.card(scene, rows, accent=accent)
    intro, credits = _series_cards(spec)
    shots = [
        Shot(0.0, content),
        Shot(intro_start, intro),
        Shot(intro_end, content),
        Shot(credits_start, credits, lights=False),
    ]
    video = _render(folder, media_dir, shots, item.duration_s, look, _series_sound(spec, item.duration_s), threads)
    stills = size_records(make_image_sizes(scene, folder, 'still', STILL_WIDTHS, aspect=WIDE_ASPECT), media_dir)
    subtitles = write_subtitles(folder, {'es': episode.synopsis, 'en': episode.synopsis_en}, item.duration_s)
    return {  # the fields of demo.DemoEpisode
        'number': item.episode,
        'title': episode.title,
        'synopsis': episode.synopsis,
        'synopsis_en': episode.synopsis_en,
        'duration_s': item.duration_s,
        **video,
        'still_path': stills[-1]['jpeg'],
        'intro_start_s': intro_start,
        'intro_end_s': intro_end,
        'credits_start_s': credits_start,
        'subtitles': {language: _rel(path, media_dir) for language, path in subtitles.items()},
        'images': {'still': stills},
    }


def _make_artwork(item: DemoItem, media_dir: Path, folder: Path, threads: int) -> dict[str, Any]:
    spec = item.series
    assert spec is not None
    poster = paint.poster(spec.look, title=spec.title, year=spec.year)
    images = _artwork(folder, media_dir, poster, paint.backdrop(paint.scene(HD_SIZE, spec.look)))
    return {
        'poster_path': images['poster'][-1]['jpeg'],
        'backdrop_path': images['backdrop'][-1]['jpeg'],
        'images': images,
    }


@lru_cache(maxsize=4)
def _series_cards(spec: SeriesSpec) -> tuple[Image.Image, Image.Image]:
    """The intro (a title sequence) and the end credits, shared by every episode a worker makes of this series."""
    scene, accent = paint.scene(HD_SIZE, spec.look), spec.look.colors[2]
    # the title sequence, as the posters: the name and the year, no words of one language
    title = paint.heading(HD_SIZE, title=spec.title, facts=[str(spec.year)], accent=accent, title_px=124)
    credits = paint.heading(
        HD_SIZE, kicker='Créditos', title=spec.title, facts=spec.credits, accent=accent, title_px=64
    )
    return (
        paint.card(scene, title, accent=accent, tag='INTRO'),
        paint.card(scene, credits, accent=accent, tag='CRÉDITOS', dim=0.72),
    )


@lru_cache(maxsize=4)
def _series_sound(spec: SeriesSpec, duration_s: float) -> bytes:
    """A series' theme: every episode of a series has the same length, so one encode serves them all."""
    return soundtrack(duration_s, seed=spec.look.seed, minor=spec.genre in MINOR_GENRES)


def _artwork(folder: Path, media_dir: Path, poster: Image.Image, backdrop: Image.Image) -> dict[str, Any]:
    return {
        'poster': size_records(
            make_image_sizes(poster, folder, 'poster', POSTER_WIDTHS, aspect=POSTER_ASPECT), media_dir
        ),
        'backdrop': size_records(
            make_image_sizes(backdrop, folder, 'backdrop', BACKDROP_WIDTHS, aspect=WIDE_ASPECT), media_dir
        ),
    }


def _render(
    folder: Path,
    media_dir: Path,
    shots: Sequence[Shot],
    duration_s: float,
    look: paint.Look,
    sound: bytes,
    threads: int,
) -> dict[str, Any]:
    """Both renditions of the footage, and the trickplay sheet from the frames painted for them (no decoding)."""
    footage = Footage(
        shots, duration_s=duration_s, fps=FPS, sizes=(HD_SIZE, SD_SIZE), accent=look.colors[2], seed=look.seed
    )
    hd, sd = (
        Rendition(folder / name, *size, max_kbps(*size, FPS), qp=QP)
        for name, size in (('hd.mp4', HD_SIZE), ('sd.mp4', SD_SIZE))
    )
    every = round(INTERVAL_S * FPS)
    thumbnails = []
    shrink, tile_height = VideoReformatter(), round(TILE_WIDTH * SD_SIZE[1] / SD_SIZE[0] / 2) * 2  # its scaler is kept
    with RenditionWriter(
        [hd, sd], fps=FPS, audio=sound, preset='ultrafast', threads=threads, color_matrix='bt709'
    ) as writer:
        for index in range(footage.frame_count):
            pictures = footage.frame(index)
            writer.write(pictures)
            if index % every == 0:
                thumbnails.append(
                    shrink.reformat(pictures[1], TILE_WIDTH, tile_height, 'rgb24', interpolation='AREA').to_image()
                )
    trickplay = make_trickplay(thumbnails, folder)
    return {
        'video_sd_path': _rel(sd.path, media_dir),
        'video_hd_path': _rel(hd.path, media_dir),
        'sd_height': sd.height,
        'hd_height': hd.height,
        'trickplay': {
            'path': _rel(trickplay.sprite, media_dir),
            'json': _rel(trickplay.facts, media_dir),
            **{key: value for key, value in trickplay.facts_dict().items() if key != 'sprite'},
        },
    }
