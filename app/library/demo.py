"""The demo library: the invented films and series of ``demo_catalog.toml``, their media made here on first start.

Every film and episode gets an SD (480p) and an HD (720p) H.264/AAC rendition, Spanish and English WebVTT
subtitles and a trickplay sheet; films and series get a poster and a backdrop, episodes a still, all in the sizes the
pages show (WebP and JPEG). The pictures, motion and music come from ``placeholder``; the files are written by the
plumbing modules (``renditions``, ``images``, ``trickplay``, ``subtitles``) that the importer uses too.

Items (a film, an episode, a series' artwork) are made in worker processes, longest first, and each is reused until
its recipe changes: its entry in the catalog file, the durations, or the code of any module that shapes the files.
From an empty ``assets/media/demo`` the whole library (12 films, 3 series of 15 episodes) takes about 20 s of wall
and 20 s of CPU time on two busy cores, 0.4 of the previous 18-title library's (README, "Demo library": how it was
measured). It must stay within 30 s on a quiet 2-core machine with whatever is added to it.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from .. import events
from ..config import get_settings
from .demo_catalog import FILMS, SERIES, FilmSpec, SeriesSpec
from .demo_items import FOLDER, DemoItem, demo_items

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

LIBRARY_MANIFEST = 'manifest.json'  # in the demo folder: what the last complete run made (see demo_series)
EXTRA_KEYS: tuple[str, ...] = ()  # entry keys catalog.add_title has no column for (none any more)
WORKER_FLAG = 'BUTACA_DEMO_WORKER'


# ---------------------------------------------------------------- what a run returns


@dataclass(frozen=True)
class DemoEpisode:
    """One episode's facts and files (paths relative to the media folder; times in seconds from its start)."""

    number: int
    title: str
    synopsis: str
    synopsis_en: str
    duration_s: float
    video_sd_path: str
    video_hd_path: str
    sd_height: int
    hd_height: int
    still_path: str  # the largest JPEG still (16:9)
    intro_start_s: float
    intro_end_s: float
    credits_start_s: float
    subtitles: dict[str, str]  # language -> .vtt path
    trickplay: dict[str, Any]  # path (sprite), json, interval_s, tile_width, tile_height, columns, rows, count
    images: dict[str, list[dict[str, Any]]]  # {'still': [{width, height, webp, jpeg}, ...]}, smallest first


@dataclass(frozen=True)
class DemoSeason:
    number: int
    name: str
    episodes: list[DemoEpisode]


@dataclass(frozen=True)
class DemoSeries:
    """A series with its artwork (paths relative to the media folder), seasons and episodes."""

    title: str
    genre: str
    year: int
    rating: str
    is_premium: bool
    description: str
    description_en: str
    poster_path: str  # the largest JPEG poster (2:3)
    backdrop_path: str  # the largest JPEG backdrop (16:9)
    images: dict[str, list[dict[str, Any]]]  # {'poster': [...], 'backdrop': [...]}, as in DemoEpisode.images
    seasons: list[DemoSeason]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DemoSeries:
        seasons = [
            DemoSeason(season['number'], season['name'], [DemoEpisode(**episode) for episode in season['episodes']])
            for season in data['seasons']
        ]
        return cls(**{**data, 'seasons': seasons})


@dataclass(frozen=True)
class DemoLibrary:
    """What a run made, in catalog order; every path is relative to the media folder.

    ``films``: dicts of ``catalog.add_title``'s keyword arguments (title, genre, year, duration_s, poster_path and
    backdrop_path (the largest JPEGs), video_sd_path, video_hd_path, sd_height, hd_height, description (Spanish),
    rating, kind, is_premium) plus EXTRA_KEYS, which ``title_arguments`` strips: ``description_en``; ``subtitles``
    ({'es': path, 'en': path}); ``trickplay`` ({'path': sprite, 'json': facts, 'interval_s', 'tile_width',
    'tile_height', 'columns', 'rows', 'count'}); ``images`` ({'poster': sizes, 'backdrop': sizes}, each size
    {'width', 'height', 'webp': path, 'jpeg': path}, smallest first). ``series``: see DemoSeries.
    """

    films: list[dict[str, Any]] = field(default_factory=list)
    series: list[DemoSeries] = field(default_factory=list)


def title_arguments(entry: dict[str, Any]) -> dict[str, Any]:
    """A film entry without the keys ``catalog.add_title`` does not take (yet)."""
    return {key: value for key, value in entry.items() if key not in EXTRA_KEYS}


def demo_series(media_dir: Path) -> list[DemoSeries]:
    """The series of the last complete run in ``media_dir`` (``[]`` before one has finished)."""
    try:
        data = json.loads((Path(media_dir) / FOLDER / LIBRARY_MANIFEST).read_text(encoding='utf-8'))
    except (OSError, ValueError):
        return []
    return [DemoSeries.from_dict(series) for series in data.get('series', [])]


# ---------------------------------------------------------------- the library


@contextmanager
def _worker_environment() -> Iterator[None]:
    """Mark processes started meanwhile as demo workers.

    A spawned worker imports the parent's main module again; should that module call ``ensure_demo_catalog()``
    at import time (or start the app, as main.py would), the flag makes it a no-op instead of a second app.
    """
    previous = os.environ.get(WORKER_FLAG)
    os.environ[WORKER_FLAG] = '1'
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(WORKER_FLAG, None)
        else:
            os.environ[WORKER_FLAG] = previous


def generate_demo_library(
    media_dir: Path,
    *,
    force: bool = False,
    progress: Progress | None = None,
    films: Sequence[FilmSpec] | None = None,
    series: Sequence[SeriesSpec] | None = None,
    duration_override: float | None = None,
    episode_duration_override: float | None = None,
    workers: int = 2,
    on_film_ready: Callable[[int, dict[str, Any]], None] | None = None,
) -> DemoLibrary:
    """Make (or reuse) every file of the demo ``films`` and ``series`` (default: the whole catalog) under
    ``media_dir/demo/`` and return the library, in catalog order.

    Items already made from the same recipe are reused unless ``force``; the rest are made in ``workers`` processes
    (spawned: they import this package afresh). ``on_film_ready(position, entry)`` is called in this process for
    each film as soon as its files are ready (reused ones first), ``position`` being its place in ``films``.
    ``duration_override`` and ``episode_duration_override`` shorten every film or episode (for tests).
    One English progress line per item goes to ``progress`` (default: this module's logger, at INFO).
    """
    report = progress or log.info
    started = time.perf_counter()
    media_dir = Path(media_dir)
    films = FILMS if films is None else tuple(films)
    series = SERIES if series is None else tuple(series)
    items = demo_items(films, series, duration_override, episode_duration_override)
    entries: dict[int, dict[str, Any]] = {}
    todo: list[int] = []
    for index, item in enumerate(items):
        entry = None if force else item.reusable_entry(media_dir)
        if entry is None:
            todo.append(index)
            continue
        entries[index] = entry
        report(f'demo library: {len(entries)}/{len(items)} ready ({item.label}, reused from an earlier run)')
        if on_film_ready and item.kind == 'film':
            on_film_ready(index, entry)
    if todo:
        (media_dir / FOLDER / LIBRARY_MANIFEST).unlink(missing_ok=True)

    def finished(index: int, entry: dict[str, Any], seconds: float) -> None:
        entries[index] = entry
        item = items[index]
        report(
            f'demo library: {len(entries)}/{len(items)} ready ({item.label}, {seconds:.1f} s for this {item.kind}, '
            f'{time.perf_counter() - started:.1f} s elapsed)'
        )
        if on_film_ready and item.kind == 'film':
            on_film_ready(index, entry)

    if os.environ.get(WORKER_FLAG):
        workers = 1  # inside one of our worker processes: no pool in a pool
    if workers <= 1 or len(todo) <= 1:
        for index in todo:
            finished(index, *items[index].make(media_dir, threads=0))
    else:
        _make_in_pool(items, todo, media_dir, workers, finished)
    library = DemoLibrary(
        films=[entries[index] for index, item in enumerate(items) if item.kind == 'film'],
        series=[_assemble(spec, items, entries) for spec in series],
    )
    _write_manifest(media_dir, library)
    report(
        f'demo library: all {len(items)} items ready in {time.perf_counter() - started:.1f} s elapsed '
        f'({len(todo)} made, {len(items) - len(todo)} reused; {len(films)} films, {len(series)} series)'
    )
    return library


def _make_in_pool(
    items: list[DemoItem], todo: list[int], media_dir: Path, workers: int, finished: Callable[[int, dict, float], None]
) -> None:
    # spawn, not fork: the caller may be a server with threads, and a forked lock can deadlock the child
    context = multiprocessing.get_context('spawn')
    with ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=context) as pool:
        with _worker_environment():  # the workers start during submit() and inherit the flag
            futures: dict[Future[tuple[dict, float]], int] = {
                pool.submit(items[index].make, media_dir, 1): index for index in todo
            }
        for future in as_completed(futures):
            error = future.exception()
            if error is not None:
                for other in futures:
                    other.cancel()
                raise RuntimeError(f'Could not make the demo item «{items[futures[future]].label}»: {error}') from error
            finished(futures[future], *future.result())


def _assemble(spec: SeriesSpec, items: list[DemoItem], entries: dict[int, dict[str, Any]]) -> DemoSeries:
    mine = {
        (item.kind, item.season, item.episode): entries[index]
        for index, item in enumerate(items)
        if item.series == spec
    }
    art = mine[('artwork', 0, 0)]
    seasons = [
        DemoSeason(
            season,
            f'Temporada {season}',
            [DemoEpisode(**mine[('episode', season, n)]) for n in range(1, len(episodes) + 1)],
        )
        for season, episodes in enumerate(spec.seasons, 1)
    ]
    return DemoSeries(
        title=spec.title,
        genre=spec.genre,
        year=spec.year,
        rating=spec.rating,
        is_premium=spec.premium,
        description=spec.synopsis,
        description_en=spec.synopsis_en,
        poster_path=art['poster_path'],
        backdrop_path=art['backdrop_path'],
        images=art['images'],
        seasons=seasons,
    )


def _write_manifest(media_dir: Path, library: DemoLibrary) -> None:
    path = media_dir / FOLDER / LIBRARY_MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + '.partial')
    data = {'films': library.films, 'series': [asdict(series) for series in library.series]}
    partial.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding='utf-8')
    os.replace(partial, path)


# ---------------------------------------------------------------- the catalog in the database


def _add_film(entry: dict[str, Any], *, created_at: datetime) -> int | None:
    """Add one film (unless a title with its video is there already); returns its id, or None if it was there."""
    from sqlmodel import select

    from ..db import session as unit
    from ..models import Title
    from ..services import catalog

    with unit(write=True) as session:
        if session.exec(select(Title.id).where(Title.video_hd_path == entry['video_hd_path'])).first() is not None:
            return None
        row = catalog.add_title(session, **title_arguments(entry))
        # 'Recently added' and the hero follow the catalog order, not the order in which the workers finished.
        row.created_at = created_at
        session.flush()
        return row.id


def add_series(series: DemoSeries, *, created_at: datetime | None = None) -> int | None:
    """Add one demo series with its seasons and episodes in one unit (unless it is there already); its id or None."""
    from sqlmodel import select

    from ..db import session as unit
    from ..models import Kind, Title
    from ..services import catalog

    with unit(write=True) as session:
        query = select(Title.id).where(Title.kind == Kind.SERIES.value, Title.poster_path == series.poster_path)
        if session.exec(query).first() is not None:
            return None
        row = catalog.add_series(
            session,
            title=series.title,
            genre=series.genre,
            year=series.year,
            rating=series.rating,
            is_premium=series.is_premium,
            description=series.description,
            description_en=series.description_en,
            poster_path=series.poster_path,
            backdrop_path=series.backdrop_path,
            images=series.images,
        )
        for season in series.seasons:
            catalog.add_season(session, series_id=row.id, number=season.number, name=season.name)
            for episode in season.episodes:
                catalog.add_episode(
                    session,
                    series=row,
                    season_number=season.number,
                    episode_number=episode.number,
                    title=episode.title,
                    description=episode.synopsis,
                    description_en=episode.synopsis_en,
                    duration_s=episode.duration_s,
                    video_sd_path=episode.video_sd_path,
                    video_hd_path=episode.video_hd_path,
                    sd_height=episode.sd_height,
                    hd_height=episode.hd_height,
                    still_path=episode.still_path,
                    intro_start_s=episode.intro_start_s,
                    intro_end_s=episode.intro_end_s,
                    credits_start_s=episode.credits_start_s,
                    subtitles=episode.subtitles,
                    trickplay=episode.trickplay,
                    images=episode.images,
                )
        if created_at is not None:
            row.created_at = created_at
        session.flush()
        return row.id


def _film_adder(on_title_added: Callable[[int], None] | None, added: list[int]) -> Callable[[int, dict], None]:
    from ..models import utcnow

    base = utcnow()

    def add(position: int, entry: dict[str, Any]) -> None:
        title_id = _add_film(entry, created_at=base - timedelta(seconds=position))
        if title_id is not None:
            added.append(title_id)
            events.publish('catalog', title_ids=[title_id])  # open home pages show it at once
            if on_title_added:
                on_title_added(title_id)

    return add


def ensure_demo_catalog(
    progress: Progress | None = None,
    *,
    on_title_added: Callable[[int], None] | None = None,
    films: Sequence[FilmSpec] | None = None,
    series: Sequence[SeriesSpec] | None = None,
    duration_override: float | None = None,
    episode_duration_override: float | None = None,
    workers: int = 2,
) -> int:
    """Fill an empty catalog with the demo films, each committed as soon as its files are ready (made or reused),
    then the series; returns how many titles were added.

    ``on_title_added(title_id)`` is called after each commit (from the thread running this), and the `catalog`
    event tells open pages. Does nothing (returns 0) when the catalog already has titles. Expects the tables to
    exist (``init_db()``).
    """
    from ..db import session as unit
    from ..services import catalog

    if os.environ.get(WORKER_FLAG):
        return 0
    with unit() as session:
        if catalog.count_titles(session):
            return 0
    added: list[int] = []
    library = generate_demo_library(
        get_settings().media_dir,
        progress=progress,
        films=films,
        series=series,
        duration_override=duration_override,
        episode_duration_override=episode_duration_override,
        workers=workers,
        on_film_ready=_film_adder(on_title_added, added),
    )
    for made in library.series:
        series_id = add_series(made)
        if series_id is not None:
            added.append(series_id)
            events.publish('catalog', title_ids=[series_id])
            if on_title_added:
                on_title_added(series_id)
    return len(added)


# ---------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m app.library.demo [--force]``: make the demo media and add the demo films to the catalog."""
    parser = argparse.ArgumentParser(
        prog='python -m app.library.demo',
        description='Makes the media of the demo library (videos, subtitles, artwork) and adds its films.',
    )
    parser.add_argument('--force', action='store_true', help='make every file again and add the demo films anew')
    parser.add_argument('--duration', type=float, default=None, metavar='S', help='length of every video (quick tests)')
    parser.add_argument('--workers', type=int, default=2, metavar='N', help='processes in parallel (default 2)')
    args = parser.parse_args(argv)

    from sqlmodel import delete, or_

    from ..db import init_db
    from ..db import session as unit
    from ..models import Title

    init_db()
    media_dir = get_settings().media_dir
    if args.force:
        prefix = f'{FOLDER}/%'
        with unit(write=True) as session:
            demo = or_(
                Title.video_hd_path.like(prefix), Title.video_sd_path.like(prefix), Title.poster_path.like(prefix)
            )
            session.exec(delete(Title).where(demo))
    added: list[int] = []
    library = generate_demo_library(
        media_dir,
        force=args.force,
        progress=_console,
        duration_override=args.duration,
        episode_duration_override=args.duration,
        workers=args.workers,
        on_film_ready=_film_adder(None, added),
    )
    series_added = [series_id for made in library.series if (series_id := add_series(made)) is not None]
    _console(
        f'demo catalog: {len(added)} films and {len(series_added)} series added, {len(library.films)} films and '
        f'{len(library.series)} series in '
        f'{media_dir / FOLDER}'
    )
    return 0


def _console(message: str) -> None:
    sys.stdout.write(message + '\n')
    sys.stdout.flush()


if __name__ == '__main__':
    sys.exit(main())
