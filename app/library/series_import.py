"""Importing a whole series from a folder named as Jellyfin and Plex expect, all or nothing.

``Show Name (2020)/Season 01/Show Name S01E02 - Episode Title.mkv`` (see naming.py). The folder is read and every
episode probed before anything is encoded; the files are then made in a staging folder that becomes the series'
folder only once every episode is encoded, and the series, its seasons and episodes are added in one transaction.
A broken file, a clash of numbers or a failed commit leaves no folder and no row behind. A series already in the
catalog (same title and year) gets only the episodes it lacks.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .. import events
from ..config import get_settings
from .images import (
    BACKDROP_WIDTHS,
    POSTER_ASPECT,
    POSTER_WIDTHS,
    STILL_WIDTHS,
    WIDE_ASPECT,
    cover,
    make_image_sizes,
    open_picture,
    size_records_in,
)
from .naming import is_video, parse_episode, series_of, sidecar, slugify
from .nfo import read_nfo
from .placeholder.paint import POSTER_SIZE, backdrop, title_over
from .probe import NotAVideo, VideoInfo, frame_at, probe
from .subtitles import copy_subtitle
from .trickplay import trickplay_from_video
from .web_renditions import make_renditions

Progress = Callable[[str], None]

LIBRARY_FOLDER = 'library'
STAGING_PREFIX = '.staging-'  # in the library folder: a series being made; never referenced by a row
STILL_AT = 0.1


class ImportRefused(ValueError):
    """The folder cannot be imported as it is; ``str(error)`` says why, for people."""


@dataclass
class EpisodeFile:
    path: Path
    season: int
    number: int
    title: str
    subtitles: dict[str, Path] = field(default_factory=dict)  # language -> .srt/.vtt sidecar
    still: Path | None = None  # <video>-thumb.jpg
    description: str = ''
    info: VideoInfo | None = None

    @property
    def label(self) -> str:
        name = f'S{self.season:02d}E{self.number:02d}'
        return f'{name} «{self.title}»' if self.title else name


@dataclass
class SeriesFolder:
    """What a series folder holds, read from its names (and its tvshow.nfo) without opening a video."""

    folder: Path
    title: str
    year: int | None
    description: str = ''
    genres: list[str] = field(default_factory=list)
    poster: Path | None = None
    backdrop: Path | None = None
    season_names: dict[int, str] = field(default_factory=dict)
    episodes: list[EpisodeFile] = field(default_factory=list)


def read_series_folder(folder: str | Path, only: Collection[str] | None = None) -> SeriesFolder:
    """The series in ``folder``; raises ImportRefused when it holds no episode, a video whose name gives no
    episode number, or two videos with the same season and number. ``only``: the videos to take (paths; a scan
    names what it found new), any other video is left out."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ImportRefused(f'«{folder}» no es una carpeta.')
    named = series_of(folder / 'S01E01.mkv')
    show = read_nfo(folder / 'tvshow.nfo')
    series = SeriesFolder(
        folder,
        title=show.title or named.title,
        year=named.year or show.year,
        description=show.plot,
        genres=show.genres,
    )
    files = sorted(path for path in folder.rglob('*') if path.is_file() and not path.name.startswith('.'))
    videos, unnamed, seen = [], [], {}
    for path in files:
        if is_video(path) and only is not None and str(path) not in only:
            continue
        if is_video(path):
            parsed = parse_episode(path.relative_to(folder.parent))
            if parsed is None:
                unnamed.append(path.relative_to(folder).as_posix())
                continue
            episode = EpisodeFile(path, parsed.season, parsed.episode, parsed.title)
            facts = read_nfo(path.with_suffix('.nfo'))
            episode.title, episode.description = facts.title or episode.title, facts.plot
            key = (episode.season, episode.number)
            if key in seen:
                raise ImportRefused(
                    f'Dos vídeos son el episodio S{key[0]:02d}E{key[1]:02d}: «{seen[key].name}» y «{path.name}».'
                )
            seen[key] = path
            videos.append(episode)
    if unnamed:
        listed = ', '.join(f'«{name}»' for name in unnamed[:5])
        raise ImportRefused(
            f'No se sabe qué episodio es {listed}: el nombre debe llevar la temporada y el número '
            '(«Serie S01E02 - Título.mkv» o «Serie 1x02.mkv»).'
        )
    if not videos:
        raise ImportRefused(f'«{folder.name}» no tiene ningún episodio (vídeos con S01E02 o 1x02 en el nombre).')
    by_stem = {episode.path.with_suffix(''): episode for episode in videos}
    for path in files:
        found = sidecar(path)
        if found is None:
            continue
        if found.owner == '' and path.parent == folder:
            if found.kind == 'poster':
                series.poster = series.poster or path
            elif found.kind == 'backdrop':
                series.backdrop = series.backdrop or path
            continue
        owner = by_stem.get(path.parent / found.owner)
        if owner is None:
            continue
        if found.kind == 'subtitle':
            owner.subtitles.setdefault(found.language, path)
        elif found.kind == 'still':
            owner.still = path
    series.episodes = sorted(videos, key=lambda episode: (episode.season, episode.number))
    for episode in series.episodes:
        series.season_names.setdefault(
            episode.season, 'Especiales' if episode.season == 0 else f'Temporada {episode.season}'
        )
        episode.title = episode.title or f'Episodio {episode.number}'
    return series


def import_series(
    folder: str | Path,
    *,
    genre: str | None = None,
    year: int | None = None,
    premium: bool = False,
    rating: str = 'TP',
    description: str = '',
    progress: Progress | None = None,
    staging_tag: str = '',
    only: Collection[str] | None = None,
) -> int:
    """Add the series in ``folder`` with its seasons and episodes; returns the series' id.

    Raises ImportRefused (names), NotAVideo (a broken file) or ValueError (metadata); then, and on any other
    failure, nothing is left: no staging folder, no series folder, no row.
    """
    from ..db import session as unit
    from ..services import catalog
    from .importer import DEFAULT_GENRE, check_metadata

    report = progress or (lambda message: None)
    series = read_series_folder(folder, None if only is None else set(only))
    title = series.title.strip()
    genre = (genre or (series.genres[0] if series.genres else DEFAULT_GENRE)).strip()
    year = year or series.year or date.today().year
    check_metadata(title, genre, year, rating, 'series')
    existing = _existing_episodes(title, year)
    todo = [episode for episode in series.episodes if (episode.season, episode.number) not in existing[1]]
    if not todo:
        report(f'«{title}» ya tiene sus {len(series.episodes)} episodios en el catálogo: no hay nada que añadir.')
        assert existing[0] is not None
        return existing[0]
    total = len(todo)
    for index, episode in enumerate(todo, 1):
        report(f'[{index}/{total}] {episode.label}: comprobando «{episode.path.name}»…')
        episode.info = probe(episode.path)  # NotAVideo before anything is encoded
    library = get_settings().media_dir / LIBRARY_FOLDER
    library.mkdir(parents=True, exist_ok=True)
    name = f'{slugify(title, max_length=40)}-{secrets.token_hex(4)}'
    staging, final = library / f'{STAGING_PREFIX}{staging_tag}{name}', library / name
    base = final.relative_to(get_settings().media_dir).as_posix()
    staging.mkdir()
    moved = False
    try:
        made = []
        for index, episode in enumerate(todo, 1):
            label = f'[{index}/{total}] {episode.label}'
            made.append(_make_episode(episode, staging, base, lambda text, label=label: report(f'{label}: {text}')))
        artwork = None
        if existing[0] is None:
            report('Creando el cartel y el fondo de la serie…')
            first = staging / _episode_folder(todo[0]) / made[0]['video_hd_path'].rsplit('/', 1)[1]
            artwork = _make_artwork(series, title, year, first, staging, base)
        os.replace(staging, final)
        moved = True
        with unit(write=True) as session:
            if existing[0] is None:
                assert artwork is not None
                row = catalog.add_series(
                    session,
                    title=title,
                    genre=genre,
                    year=year,
                    rating=rating,
                    is_premium=premium,
                    description=(description or series.description).strip(),
                    **artwork,
                )
            else:
                row = catalog.get_title_row(session, existing[0])
            assert row.id is not None
            for number in sorted({episode.season for episode in todo}):
                catalog.add_season(session, series_id=row.id, number=number, name=series.season_names.get(number))
            for episode, entry in zip(todo, made, strict=True):
                catalog.add_episode(
                    session,
                    series=row,
                    season_number=episode.season,
                    episode_number=episode.number,
                    title=episode.title,
                    description=episode.description,
                    **entry,
                )
            series_id = row.id
    except BaseException:
        shutil.rmtree(final if moved else staging, ignore_errors=True)
        raise
    events.publish('catalog', title_ids=[series_id])
    return series_id


def _existing_episodes(title: str, year: int) -> tuple[int | None, set[tuple[int, int]]]:
    """The id of the series already in the catalog under this title and year, and its (season, number) pairs."""
    from sqlmodel import select

    from ..db import session as unit
    from ..models import Kind, Title
    from ..services.text import search_key

    with unit() as session:
        query = select(Title.id).where(
            Title.kind == Kind.SERIES.value, Title.search_key == search_key(title), Title.year == year
        )
        series_id = session.exec(query).first()
        if series_id is None:
            return None, set()
        pairs = session.exec(
            select(Title.season_number, Title.episode_number).where(Title.series_id == series_id)
        ).all()
        return series_id, {(season, number) for season, number in pairs if season is not None and number is not None}


def _episode_folder(episode: EpisodeFile) -> str:
    return f's{episode.season:02d}e{episode.number:03d}'


def _make_episode(episode: EpisodeFile, staging: Path, base: str, report: Progress) -> dict[str, Any]:
    """Renditions, still, trickplay and subtitles of one episode in ``staging``; add_episode's arguments (paths as
    they will be once the staging folder is the series' folder, ``base``)."""
    info = episode.info or probe(episode.path)
    name = _episode_folder(episode)
    folder = staging / name
    folder.mkdir()
    made = make_renditions(episode.path, folder, info, report)
    duration = made.duration_s
    report('miniaturas y subtítulos…')
    picture = open_picture(episode.still) or frame_at(folder / made.hd_name, duration * STILL_AT)
    stills = make_image_sizes(picture, folder, 'still', STILL_WIDTHS, aspect=WIDE_ASPECT)
    trick = trickplay_from_video(folder / made.sd_name, folder, duration_s=duration)
    subtitles = {
        language: copy_subtitle(src, folder / f'subtitles.{language}.vtt').name
        for language, src in episode.subtitles.items()
    }
    rel = f'{base}/{name}'
    return {
        'duration_s': round(duration, 3),
        'video_sd_path': f'{rel}/{made.sd_name}',
        'video_hd_path': f'{rel}/{made.hd_name}',
        'sd_height': made.sd_height,
        'hd_height': made.hd_height,
        'still_path': f'{rel}/{stills[-1].jpeg.name}',
        'subtitles': {language: f'{rel}/{file}' for language, file in subtitles.items()},
        'trickplay': {
            'path': f'{rel}/{trick.sprite.name}',
            'json': f'{rel}/{trick.facts.name}',
            **{key: value for key, value in trick.facts_dict().items() if key != 'sprite'},
        },
        'images': {'still': size_records_in(stills, rel)},
    }


def _make_artwork(series: SeriesFolder, title: str, year: int, first: Path, staging: Path, base: str) -> dict[str, Any]:
    """The series' poster and backdrop: its poster.jpg and fanart.jpg when it has them, else its first episode's
    picture with the title and the year over it."""
    still = None
    poster = open_picture(series.poster)
    if poster is None:
        still = frame_at(first, probe(first).duration_s * STILL_AT)
        poster = title_over(cover(still, POSTER_SIZE, centering=(0.5, 0.4)), title=title, year=year)
    wide = open_picture(series.backdrop)
    if wide is None:
        still = still or frame_at(first, probe(first).duration_s * STILL_AT)
        wide = backdrop(cover(still, (max(BACKDROP_WIDTHS), max(BACKDROP_WIDTHS) * 9 // 16)))
    posters = make_image_sizes(poster, staging, 'poster', POSTER_WIDTHS, aspect=POSTER_ASPECT)
    backdrops = make_image_sizes(wide, staging, 'backdrop', BACKDROP_WIDTHS, aspect=WIDE_ASPECT)
    return {
        'poster_path': f'{base}/{posters[-1].jpeg.name}',
        'backdrop_path': f'{base}/{backdrops[-1].jpeg.name}',
        'images': {'poster': size_records_in(posters, base), 'backdrop': size_records_in(backdrops, base)},
    }


__all__ = ['ImportRefused', 'NotAVideo', 'SeriesFolder', 'import_series', 'read_series_folder']
