"""Importing your own videos: probe, encode SD and HD renditions, make artwork and trickplay, add the catalog row."""

from __future__ import annotations

import argparse
import logging
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from ..config import get_settings
from .images import BACKDROP_WIDTHS, POSTER_ASPECT, POSTER_WIDTHS, WIDE_ASPECT, cover, make_image_sizes, size_records
from .naming import slugify, title_from_filename
from .placeholder.paint import POSTER_SIZE, backdrop, title_over
from .probe import NotAVideo, frame_at, probe
from .renditions import output_fps, renditions_for, transcode_renditions
from .trickplay import trickplay_from_video

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

LIBRARY_FOLDER = 'library'
DEFAULT_GENRE = 'Otros'
RATINGS = ('TP', '7', '12', '16', '18')
KINDS = ('movie', 'series')
STILL_AT = 0.1  # poster and backdrop come from the picture at 10 % of the running time


def _check(title: str, genre: str, year: int, rating: str, kind: str) -> None:
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
) -> int:
    """Add one video file to the catalog and return the new title's id.

    The file is encoded into ``<media>/library/<slug>-<id>/``: sd.mp4 and hd.mp4, the poster and the backdrop in
    the sizes the pages show (``poster-200.webp``, ``poster-400.jpg``... see ``images.make_image_sizes``), and a
    trickplay sheet with its facts (``trickplay.jpg``, ``trickplay.json``).
    Raises NotAVideo when the file is not a playable video, ValueError for bad metadata; in either case, and on
    any other failure, nothing is left behind: no folder, no row.
    """
    from ..db import session as unit
    from ..services import catalog

    report = progress or (lambda message: None)
    path = Path(path)
    title, genre = title.strip(), genre.strip()
    _check(title, genre, year, rating, kind)
    report(f'Analizando «{path.name}»…')
    info = probe(path)
    sound = 'con sonido' if info.has_audio else 'sin sonido (se añade una pista silenciosa)'
    report(f'{info.width}×{info.height}, {info.duration_s:.1f} s, {sound}')
    media_dir = get_settings().media_dir
    folder = media_dir / LIBRARY_FOLDER / f'{slugify(title, max_length=40)}-{secrets.token_hex(4)}'
    folder.mkdir(parents=True)
    try:
        sd, hd = renditions_for(folder, info.width, info.height, float(output_fps(info)))
        duration = transcode_renditions(path, [sd, hd], info=info, progress=report)
        report('Creando el cartel, el fondo y las miniaturas…')
        still = frame_at(hd.path, duration * STILL_AT)
        rating_label = rating if rating == 'TP' else f'+{rating}'
        meta = f'{year} · {genre} · {rating_label}'
        kicker = 'Serie' if kind == 'series' else 'Película'
        poster = title_over(cover(still, POSTER_SIZE, centering=(0.5, 0.4)), title=title, meta=meta, kicker=kicker)
        posters = make_image_sizes(poster, folder, 'poster', POSTER_WIDTHS, aspect=POSTER_ASPECT)
        wide = backdrop(cover(still, (max(BACKDROP_WIDTHS), max(BACKDROP_WIDTHS) * 9 // 16)))
        backdrops = make_image_sizes(wide, folder, 'backdrop', BACKDROP_WIDTHS, aspect=WIDE_ASPECT)
        trickplay_from_video(sd.path, folder, duration_s=duration)
        base = folder.relative_to(media_dir).as_posix()
        with unit(write=True) as session:
            row = catalog.add_title(
                session,
                title=title,
                genre=genre,
                year=year,
                duration_s=round(duration, 3),
                poster_path=f'{base}/{posters[-1].jpeg.name}',
                backdrop_path=f'{base}/{backdrops[-1].jpeg.name}',
                video_sd_path=f'{base}/{sd.path.name}',
                video_hd_path=f'{base}/{hd.path.name}',
                sd_height=sd.height,
                hd_height=hd.height,
                description=description.strip(),
                rating=rating,
                kind=kind,
                is_premium=premium,
                images={'poster': size_records(posters, media_dir), 'backdrop': size_records(backdrops, media_dir)},
            )
            title_id = row.id
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    assert title_id is not None
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
        if self.tty and message.startswith('Codificando'):
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
    """``python -m app.library.importer FILE [FILE...] [--title T] [--genre G] [--year Y] ...``; 1 if any failed."""
    parser = argparse.ArgumentParser(
        prog='python -m app.library.importer',
        description='Importa vídeos al catálogo de Butaca: los codifica en SD y HD, crea el cartel y el fondo, '
        'y añade el título.',
    )
    parser.add_argument('files', nargs='+', metavar='FILE', help='vídeos que importar')
    parser.add_argument('--title', help='título (por defecto, el nombre del archivo)')
    parser.add_argument('--genre', default=DEFAULT_GENRE, help=f'género (por defecto, {DEFAULT_GENRE})')
    parser.add_argument('--year', type=_year, default=date.today().year, help='año (por defecto, el actual)')
    parser.add_argument('--premium', action='store_true', help='solo para suscriptores Premium')
    parser.add_argument('--rating', choices=RATINGS, default='TP', help='calificación por edades (TP por defecto)')
    parser.add_argument('--kind', choices=KINDS, default='movie', help='película (movie) o serie (series)')
    parser.add_argument('--description', default='', help='sinopsis')
    args = parser.parse_args(argv)

    from ..db import init_db

    init_db()
    failures = 0
    total = len(args.files)
    for index, name in enumerate(args.files, 1):
        console = _Console(f'[{index}/{total}] {Path(name).name}')
        started = time.perf_counter()
        title = args.title or title_from_filename(name)
        try:
            title_id = import_video(
                name,
                title=title,
                genre=args.genre,
                year=args.year,
                premium=args.premium,
                rating=args.rating,
                kind=args.kind,
                description=args.description,
                progress=console,
            )
        except (NotAVideo, ValueError) as error:
            console.close()
            failures += 1
            sys.stderr.write(f'[{index}/{total}] {Path(name).name}: ERROR: {error} No se ha importado.\n')
        except Exception as error:
            console.close()
            failures += 1
            log.debug('import failed', exc_info=True)
            sys.stderr.write(f'[{index}/{total}] {Path(name).name}: ERROR inesperado: {error!r}. No se ha importado.\n')
        else:
            console(f'«{title}» añadido al catálogo (id {title_id}) en {time.perf_counter() - started:.1f} s.')
    if failures:
        sys.stderr.write(f'{failures} de {total} archivos no se pudieron importar.\n')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
