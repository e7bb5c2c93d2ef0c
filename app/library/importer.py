"""Importing your own videos: probe, encode SD and HD renditions, make artwork and trickplay, add the catalog row."""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from .. import events
from ..config import get_settings
from .images import (
    BACKDROP_WIDTHS,
    POSTER_ASPECT,
    POSTER_WIDTHS,
    WIDE_ASPECT,
    cover,
    make_image_sizes,
    open_picture,
    size_records_in,
)
from .naming import slugify, title_from_filename
from .placeholder.paint import POSTER_SIZE, backdrop, title_over
from .probe import NotAVideo, frame_at, probe
from .subtitles import copy_subtitle
from .trickplay import trickplay_from_video
from .web_renditions import make_renditions

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

LIBRARY_FOLDER = 'library'
DEFAULT_GENRE = 'Otros'
RATINGS = ('TP', '7', '12', '16', '18')
KINDS = ('movie', 'series')
STAGING_PREFIX = '.staging-'  # in the library folder: a title being made; no row points into it
STILL_AT = 0.1  # poster and backdrop come from the picture at 10 % of the running time


def check_metadata(title: str, genre: str, year: int, rating: str, kind: str) -> None:
    if not title.strip() or len(title.strip()) > 200:
        raise ValueError('El título debe tener entre 1 y 200 caracteres.')
    if not genre.strip() or len(genre.strip()) > 40:
        raise ValueError('El género debe tener entre 1 y 40 caracteres.')
    if not 1888 <= year <= date.today().year + 5:
        raise ValueError(f'Año no válido: {year}.')
    if rating not in RATINGS:
        raise ValueError(f'Calificación no válida: {rating!r} (usa una de {", ".join(RATINGS)}).')
    if kind not in KINDS:
        raise ValueError(f'Tipo no válido: {kind!r} (usa movie o series).')


def import_video(
    path: str | Path,
    *,
    title: str,
    genre: str,
    year: int,
    premium: bool = False,
    rating: str = 'TP',
    kind: str = 'movie',
    description: str = '',
    progress: Progress | None = None,
    staging_tag: str = '',
    poster: str | Path | None = None,
    backdrop_image: str | Path | None = None,
    subtitles: dict[str, str] | None = None,
) -> int:
    """Add one video file to the catalog and return the new title's id.

    The file's renditions go into ``<media>/library/<slug>-<id>/``: hd.mp4 and sd.mp4 (a web-ready H.264/AAC MP4
    plays as it is and only its missing SD is encoded: web_renditions.py), the poster and the backdrop in the sizes
    the pages show (``poster-200.webp``, ``poster-400.jpg``... see ``images.make_image_sizes``; from the ``poster``
    and ``backdrop_image`` sidecars when given, else from a frame), subtitles (``subtitles`` language -> .srt/.vtt)
    and a trickplay sheet with its facts (``trickplay.jpg``, ``trickplay.json``).
    Raises NotAVideo when the file is not a playable video, ValueError for bad metadata; in either case, and on
    any other failure, nothing is left behind: no folder, no row. The files are made in
    ``library/.staging-<staging_tag><name>/``, renamed to their folder just before the row is added: a process
    killed meanwhile leaves only a staging folder, which a job run again removes (app/worker/runner.py).
    """
    from ..db import session as unit
    from ..services import catalog

    report = progress or (lambda message: None)
    path = Path(path)
    title, genre = title.strip(), genre.strip()
    check_metadata(title, genre, year, rating, kind)
    report(f'Analizando «{path.name}»…')
    info = probe(path)
    sound = 'con sonido' if info.has_audio else 'sin sonido (se añade una pista silenciosa)'
    report(f'{info.width}×{info.height}, {info.duration_s:.1f} s, {sound}')
    media_dir = get_settings().media_dir
    name = f'{slugify(title, max_length=40)}-{secrets.token_hex(4)}'
    final = media_dir / LIBRARY_FOLDER / name
    folder = media_dir / LIBRARY_FOLDER / f'{STAGING_PREFIX}{staging_tag}{name}'
    folder.mkdir(parents=True)
    try:
        made = make_renditions(path, folder, info, report)
        duration = made.duration_s
        report('Creando el cartel, el fondo y las miniaturas…')
        still = frame_at(folder / made.hd_name, duration * STILL_AT)
        picture = open_picture(poster)
        if picture is None:
            picture = title_over(cover(still, POSTER_SIZE, centering=(0.5, 0.4)), title=title, year=year)
        posters = make_image_sizes(picture, folder, 'poster', POSTER_WIDTHS, aspect=POSTER_ASPECT)
        wide = open_picture(backdrop_image) or backdrop(
            cover(still, (max(BACKDROP_WIDTHS), max(BACKDROP_WIDTHS) * 9 // 16))
        )
        backdrops = make_image_sizes(wide, folder, 'backdrop', BACKDROP_WIDTHS, aspect=WIDE_ASPECT)
        trick = trickplay_from_video(folder / made.sd_name, folder, duration_s=duration)
        texts = {
            language: copy_subtitle(src, folder / f'subtitles.{language}.vtt').name
            for language, src in (subtitles or {}).items()
        }
        base = final.relative_to(media_dir).as_posix()
        os.replace(folder, final)
        with unit(write=True) as session:
            row = catalog.add_title(
                session,
                title=title,
                genre=genre,
                year=year,
                duration_s=round(duration, 3),
                poster_path=f'{base}/{posters[-1].jpeg.name}',
                backdrop_path=f'{base}/{backdrops[-1].jpeg.name}',
                video_sd_path=f'{base}/{made.sd_name}',
                video_hd_path=f'{base}/{made.hd_name}',
                sd_height=made.sd_height,
                hd_height=made.hd_height,
                description=description.strip(),
                rating=rating,
                kind=kind,
                is_premium=premium,
                subtitles={language: f'{base}/{file}' for language, file in texts.items()},
                trickplay={
                    'path': f'{base}/{trick.sprite.name}',
                    'json': f'{base}/{trick.facts.name}',
                    **{key: value for key, value in trick.facts_dict().items() if key != 'sprite'},
                },
                images={'poster': size_records_in(posters, base), 'backdrop': size_records_in(backdrops, base)},
            )
            title_id = row.id
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(final, ignore_errors=True)
        raise
    assert title_id is not None
    # Open pages and the shared cache of what everyone sees (services/shared_cache.py) learn of it: here, and in
    # the servers when a bus carries events between processes (without one, the cache's age limit applies).
    events.publish('catalog', title_ids=[title_id])
    return title_id


def reencode_title(path: str | Path, *, title_id: int, progress: Progress | None = None, staging_tag: str = '') -> int:
    """A changed source for a title already in the catalog (a film or an episode): its renditions and trickplay
    made again and swapped in, one file at a time (atomically), in the title's folder; its artwork, subtitles,
    progress and history stay. Returns the title's id."""
    from ..db import session as unit
    from ..services import catalog

    report = progress or (lambda message: None)
    path = Path(path)
    report(f'Analizando «{path.name}»…')
    info = probe(path)
    media_dir = get_settings().media_dir
    with unit() as session:
        old = catalog.get_title_row(session, title_id)
        target = (media_dir / old.video_hd_path).parent
        base = target.relative_to(media_dir).as_posix()
    folder = media_dir / LIBRARY_FOLDER / f'{STAGING_PREFIX}{staging_tag}replace-{title_id}'
    folder.mkdir(parents=True, exist_ok=True)
    try:
        made = make_renditions(path, folder, info, report)
        trick = trickplay_from_video(folder / made.sd_name, folder, duration_s=made.duration_s)
        for produced in folder.iterdir():
            os.replace(produced, target / produced.name)
        with unit(write=True) as session:
            row = catalog.get_title_row(session, title_id)
            row.duration_s = round(made.duration_s, 3)
            row.video_sd_path, row.video_hd_path = f'{base}/{made.sd_name}', f'{base}/{made.hd_name}'
            row.sd_height, row.hd_height = made.sd_height, made.hd_height
            row.trickplay = {
                'path': f'{base}/{trick.sprite.name}',
                'json': f'{base}/{trick.facts.name}',
                **{key: value for key, value in trick.facts_dict().items() if key != 'sprite'},
            }
            session.add(row)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    events.publish('catalog', title_ids=[title_id])
    return title_id


# ---------------------------------------------------------------- command line


def _year(text: str) -> int:
    try:
        value = int(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f'el año debe ser un número, no {text!r}') from error
    if not 1888 <= value <= date.today().year + 5:
        raise argparse.ArgumentTypeError(f'año fuera de rango: {value}')
    return value


class _Console:
    """Progress lines on standard output; the encoding percentage rewrites one line on a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.tty = sys.stdout.isatty()
        self.open_line = False

    def __call__(self, message: str) -> None:
        if self.tty and 'Codificando' in message:
            sys.stdout.write(f'\r{self.label}: {message}   ')
            self.open_line = not message.endswith('100 %')
            if not self.open_line:
                sys.stdout.write('\n')
        else:
            self.close()
            sys.stdout.write(f'{self.label}: {message}\n')
        sys.stdout.flush()

    def close(self) -> None:
        if self.open_line:
            sys.stdout.write('\n')
            self.open_line = False


def main(argv: Sequence[str] | None = None) -> int:
    """``butaca-import FILE|FOLDER [...] [--title T] [--genre G] [--year Y] ...``: 1 if any failed.

    A FILE is a film (or a lone video); a FOLDER is a series named as Jellyfin and Plex expect
    (``Show (2020)/Season 01/Show S01E02 - Title.mkv``), imported whole or not at all.
    """
    parser = argparse.ArgumentParser(
        prog='butaca-import',
        description='Importa vídeos al catálogo de Butaca: los codifica en SD y HD, crea el cartel y el fondo, '
        'y añade el título. Una carpeta es una serie: «Serie (2020)/Season 01/Serie S01E02 - Título.mkv».',
    )
    parser.add_argument('files', nargs='+', metavar='FILE|FOLDER', help='vídeos o carpetas de series que importar')
    parser.add_argument('--title', help='título (por defecto, el nombre del archivo)')
    parser.add_argument('--genre', help=f'género (por defecto, el del .nfo o {DEFAULT_GENRE})')
    parser.add_argument('--year', type=_year, help='año (por defecto, el del nombre, el del .nfo o el actual)')
    parser.add_argument('--premium', action='store_true', help='solo para suscriptores Premium')
    parser.add_argument('--rating', choices=RATINGS, default='TP', help='calificación por edades (TP por defecto)')
    parser.add_argument('--kind', choices=KINDS, default='movie', help='película (movie) o serie (series)')
    parser.add_argument('--description', default='', help='sinopsis')
    args = parser.parse_args(argv)

    from .. import events, events_redis
    from ..db import init_db
    from .series_import import ImportRefused, import_series

    init_db()
    events_redis.install()  # with BUTACA_REDIS_URL: open pages of every process show the new titles at once
    failures = 0
    total = len(args.files)
    for index, name in enumerate(args.files, 1):
        console = _Console(f'[{index}/{total}] {Path(name).name}')
        started = time.perf_counter()
        try:
            if Path(name).is_dir():
                title_id = import_series(
                    name,
                    genre=args.genre,
                    year=args.year,
                    premium=args.premium,
                    rating=args.rating,
                    description=args.description,
                    progress=console,
                )
                done = f'Serie añadida al catálogo (id {title_id})'
            else:
                title = args.title or title_from_filename(name)
                title_id = import_video(
                    name,
                    title=title,
                    genre=args.genre or DEFAULT_GENRE,
                    year=args.year or date.today().year,
                    premium=args.premium,
                    rating=args.rating,
                    kind=args.kind,
                    description=args.description,
                    progress=console,
                )
                done = f'«{title}» añadido al catálogo (id {title_id})'
        except (NotAVideo, ImportRefused, ValueError) as error:
            console.close()
            failures += 1
            sys.stderr.write(f'[{index}/{total}] {Path(name).name}: ERROR: {error} No se ha importado.\n')
        except Exception as error:
            console.close()
            failures += 1
            log.debug('import failed', exc_info=True)
            sys.stderr.write(f'[{index}/{total}] {Path(name).name}: ERROR inesperado: {error!r}. No se ha importado.\n')
        else:
            console(f'{done} en {time.perf_counter() - started:.1f} s.')
    events.set_bus(None)  # what is queued goes out before the command ends
    if failures:
        sys.stderr.write(f'{failures} de {total} no se pudieron importar.\n')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
