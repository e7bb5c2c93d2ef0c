"""The demo catalog: invented titles whose videos, sound and artwork are generated locally (no downloads)."""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import multiprocessing
import os
import sys
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from PIL import Image

from ..config import get_settings
from .artwork import Look, draw_backdrop, draw_poster, paint_scene
from .media_tools import NotAVideo, Rendition, RenditionWriter, max_kbps, probe, save_jpeg
from .naming import slugify
from .synth import TitleFootage, pad_track

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

DEMO_FOLDER = 'demo'
MANIFEST = '.demo.json'
FORMAT_VERSION = 7  # bump to regenerate every demo file after changing how they are made
FPS = 10  # plenty for title cards; keeps the whole library to well under a minute of encoding
SD_SIZE = (854, 480)
HD_SIZE = (1280, 720)
QP = 26
AUDIO_RATE = 24_000  # a pad of sine chords needs no more, and it halves the AAC encoding time
AUDIO_BITRATE = 48_000
POSTER_FILE, BACKDROP_FILE, SD_FILE, HD_FILE = 'poster.jpg', 'backdrop.jpg', 'sd.mp4', 'hd.mp4'
_MINOR_GENRES = {'Drama', 'Suspense', 'Ciencia ficción'}
_ROOTS_HZ = (146.83, 164.81, 174.61, 196.0, 220.0, 246.94, 261.63)  # D3 .. C4


@dataclass(frozen=True)
class DemoTitle:
    title: str
    genre: str
    kind: str  # 'movie' or 'series'
    year: int
    rating: str  # TP, 7, 12, 16, 18
    duration_s: int
    is_premium: bool
    description: str
    palette: tuple[str, str, str]  # sky, ground, accent
    motif: str

    @property
    def slug(self) -> str:
        return slugify(self.title)

    @property
    def look(self) -> Look:
        return Look(self.palette, self.motif)

    @property
    def kicker(self) -> str:
        return 'Serie' if self.kind == 'series' else 'Película'

    @property
    def meta(self) -> str:
        rating = 'TP' if self.rating == 'TP' else f'+{self.rating}'
        return f'{self.year} · {self.genre} · {rating}'

    @property
    def seed(self) -> int:
        return zlib.crc32(self.slug.encode())


DEMO_TITLES: tuple[DemoTitle, ...] = (
    DemoTitle(
        title='La última ola',
        genre='Drama',
        kind='movie',
        year=2023,
        rating='12',
        duration_s=62,
        is_premium=False,
        description=(
            'Una surfista veterana vuelve a su pueblo de la costa para enfrentarse a la ola que le cambió la vida.'
        ),
        palette=('#0b3d91', '#02162e', '#ff8a3d'),
        motif='waves',
    ),
    DemoTitle(
        title='Neón en Madrid',
        genre='Suspense',
        kind='series',
        year=2024,
        rating='16',
        duration_s=60,
        is_premium=True,
        description=(
            'Una inspectora de la brigada nocturna persigue a un falsificador de arte entre los letreros de neón '
            'de Malasaña.'
        ),
        palette=('#2a0845', '#0d0221', '#ff2e88'),
        motif='city',
    ),
    DemoTitle(
        title='Órbita cero',
        genre='Ciencia ficción',
        kind='movie',
        year=2025,
        rating='12',
        duration_s=80,
        is_premium=True,
        description=(
            'La tripulación de una estación espacial olvidada descubre que la Tierra ha dejado de responder. '
            'Alguien tiene que bajar a mirar.'
        ),
        palette=('#0a0f2c', '#02030a', '#5ec8ff'),
        motif='space',
    ),
    DemoTitle(
        title='Risas en el ascensor',
        genre='Comedia',
        kind='movie',
        year=2022,
        rating='7',
        duration_s=60,
        is_premium=False,
        description='Seis vecinos que no se soportan se quedan atrapados en el ascensor la noche de Fin de Año.',
        palette=('#ff5e62', '#ff9966', '#6a0572'),
        motif='confetti',
    ),
    DemoTitle(
        title='El bosque que canta',
        genre='Animación',
        kind='movie',
        year=2021,
        rating='TP',
        duration_s=60,
        is_premium=False,
        description='Una ardilla muy curiosa busca el origen de la melodía que cada noche despierta a todo el bosque.',
        palette=('#2d6a4f', '#081c15', '#b7e4c7'),
        motif='forest',
    ),
    DemoTitle(
        title='Cumbres de silencio',
        genre='Documental',
        kind='movie',
        year=2020,
        rating='TP',
        duration_s=70,
        is_premium=False,
        description=(
            'Un viaje a pie por los Picos de Europa junto a los últimos pastores que pasan el verano en las alturas.'
        ),
        palette=('#4a6fa5', '#1b2a41', '#ffd27f'),
        motif='mountains',
    ),
    DemoTitle(
        title='Burbujas',
        genre='Animación',
        kind='series',
        year=2023,
        rating='TP',
        duration_s=60,
        is_premium=False,
        description='Pip y Lola recorren el fondo del mar dentro de una burbuja que nunca explota. Bueno, casi nunca.',
        palette=('#00a6a6', '#045d75', '#ffcf56'),
        motif='bubbles',
    ),
    DemoTitle(
        title='Sombras en la persiana',
        genre='Suspense',
        kind='movie',
        year=2019,
        rating='18',
        duration_s=62,
        is_premium=False,
        description=(
            'Un detective retirado recibe cada noche una llamada desde su antiguo despacho, cerrado hace veinte años.'
        ),
        palette=('#1c1c2b', '#07070c', '#c9a227'),
        motif='beams',
    ),
    DemoTitle(
        title='Ciudad de medianoche',
        genre='Ciencia ficción',
        kind='series',
        year=2024,
        rating='12',
        duration_s=60,
        is_premium=True,
        description='En la Barcelona de 2089 la luz solo se enciende de noche, y alguien ha empezado a apagarla.',
        palette=('#1a0033', '#05000f', '#ff6ec7'),
        motif='grid',
    ),
    DemoTitle(
        title='Amor a fuego lento',
        genre='Romance',
        kind='movie',
        year=2022,
        rating='12',
        duration_s=60,
        is_premium=False,
        description='Una chef y un crítico gastronómico se enamoran sin saber que él tiene que reseñar su restaurante.',
        palette=('#6d214f', '#1e0a1e', '#ff9ff3'),
        motif='bokeh',
    ),
    DemoTitle(
        title='Cartas desde Cádiz',
        genre='Romance',
        kind='series',
        year=2021,
        rating='12',
        duration_s=60,
        is_premium=False,
        description=(
            'Dos desconocidos se escriben durante todo un verano gracias a unas cartas olvidadas en una librería '
            'del puerto.'
        ),
        palette=('#ff7e5f', '#2b1055', '#feb47b'),
        motif='waves',
    ),
    DemoTitle(
        title='Tierra de gigantes',
        genre='Documental',
        kind='series',
        year=2022,
        rating='TP',
        duration_s=72,
        is_premium=True,
        description='La vida secreta de la fauna ibérica, del lince a la avutarda, a lo largo de un año entero.',
        palette=('#f7971e', '#7b2d00', '#ffd200'),
        motif='rays',
    ),
    DemoTitle(
        title='Operación Paella',
        genre='Comedia',
        kind='movie',
        year=2024,
        rating='7',
        duration_s=60,
        is_premium=False,
        description=(
            'Un agente secreto bastante torpe debe infiltrarse en el concurso de cocina más famoso de Valencia.'
        ),
        palette=('#ffb703', '#fb5607', '#023e8a'),
        motif='confetti',
    ),
    DemoTitle(
        title='Más allá de Marte',
        genre='Ciencia ficción',
        kind='movie',
        year=2023,
        rating='12',
        duration_s=96,
        is_premium=True,
        description='Una ingeniera y su robot de mantenimiento emprenden el viaje más largo que nadie ha intentado.',
        palette=('#3a0ca3', '#10002b', '#f72585'),
        motif='space',
    ),
    DemoTitle(
        title='El guardián del faro',
        genre='Drama',
        kind='movie',
        year=2018,
        rating='16',
        duration_s=62,
        is_premium=False,
        description='Un farero solitario encuentra a una niña en una barca a la deriva y decide no contárselo a nadie.',
        palette=('#1d3557', '#03060f', '#f1e3a0'),
        motif='waves',
    ),
    DemoTitle(
        title='Pequeños monstruos',
        genre='Animación',
        kind='series',
        year=2024,
        rating='7',
        duration_s=60,
        is_premium=False,
        description='Los monstruos que viven debajo de la cama también tienen miedo: de los niños.',
        palette=('#7209b7', '#240046', '#4cc9f0'),
        motif='bubbles',
    ),
    DemoTitle(
        title='Rumbo al sur',
        genre='Aventura',
        kind='movie',
        year=2021,
        rating='12',
        duration_s=64,
        is_premium=True,
        description=(
            'Tres amigas cruzan la península en una furgoneta vieja para cumplir la promesa que se hicieron a los'
            ' quince años.'
        ),
        palette=('#e76f51', '#264653', '#f4a261'),
        motif='rays',
    ),
    DemoTitle(
        title='Voces del desierto',
        genre='Documental',
        kind='movie',
        year=2019,
        rating='TP',
        duration_s=66,
        is_premium=False,
        description='Retrato de los pueblos del sureste que resisten al avance del desierto, contado por sus vecinos.',
        palette=('#c97b63', '#3d1f1f', '#ffe8d6'),
        motif='mountains',
    ),
)


def _console(message: str) -> None:
    sys.stdout.write(message + '\n')
    sys.stdout.flush()


# ---------------------------------------------------------------- one title


def _fingerprint(spec: DemoTitle, duration: float) -> str:
    """Changes whenever anything that shapes the files changes (so stale files get regenerated)."""
    recipe = json.dumps([FORMAT_VERSION, asdict(spec), duration, FPS, SD_SIZE, HD_SIZE, QP, AUDIO_RATE])
    return hashlib.sha256(recipe.encode()).hexdigest()[:16]


def _entry(spec: DemoTitle, duration: float) -> dict:
    """Keyword arguments for ``catalog.add_title`` (paths relative to the media folder)."""
    base = f'{DEMO_FOLDER}/{spec.slug}'
    return {
        'title': spec.title,
        'genre': spec.genre,
        'year': spec.year,
        'duration_s': float(duration),
        'poster_path': f'{base}/{POSTER_FILE}',
        'backdrop_path': f'{base}/{BACKDROP_FILE}',
        'video_sd_path': f'{base}/{SD_FILE}',
        'video_hd_path': f'{base}/{HD_FILE}',
        'sd_height': SD_SIZE[1],
        'hd_height': HD_SIZE[1],
        'description': spec.description,
        'rating': spec.rating,
        'kind': spec.kind,
        'is_premium': spec.is_premium,
    }


def _is_ready(folder: Path, spec: DemoTitle, duration: float) -> bool:
    """The title's four files exist, were made from the same recipe, and the videos and pictures open."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    if manifest.get('fingerprint') != _fingerprint(spec, duration):
        return False
    try:
        for name, height in ((SD_FILE, SD_SIZE[1]), (HD_FILE, HD_SIZE[1])):
            info = probe(folder / name)
            if info.height != height or abs(info.duration_s - duration) > 0.6 or not info.has_audio:
                return False
        for name, size in ((POSTER_FILE, (400, 600)), (BACKDROP_FILE, HD_SIZE)):
            with Image.open(folder / name) as image:
                if image.size != size:
                    return False
                image.verify()
    except (NotAVideo, OSError, SyntaxError, ValueError):
        return False
    return True


def build_title(spec: DemoTitle, folder: str | os.PathLike[str], duration: float, *, threads: int = 0) -> float:
    """Draw the artwork and render both renditions of one demo title into ``folder``; returns the seconds taken."""
    started = time.perf_counter()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).unlink(missing_ok=True)
    look, seed = spec.look, spec.seed
    save_jpeg(draw_poster(look, title=spec.title, kicker=spec.kicker, meta=spec.meta, seed=seed), folder / POSTER_FILE)
    scene = paint_scene(HD_SIZE, look, seed=seed)  # shared by the backdrop and the video
    save_jpeg(
        draw_backdrop(look, seed=seed, scene=scene),
        folder / BACKDROP_FILE,
    )
    sound = pad_track(
        duration,
        rate=AUDIO_RATE,
        root_hz=_ROOTS_HZ[seed % len(_ROOTS_HZ)],
        minor=spec.genre in _MINOR_GENRES,
        seed=seed,
        bit_rate=AUDIO_BITRATE,
    )
    footage = TitleFootage(
        look,
        title=spec.title,
        kicker=spec.kicker,
        meta=spec.meta,
        duration_s=duration,
        fps=FPS,
        sizes=(SD_SIZE, HD_SIZE),  # drawn natively at both sizes, in the order of the renditions below
        seed=seed,
        scene=scene,
    )
    renditions = [
        Rendition(folder / name, *size, max_kbps(*size, FPS), qp=QP)
        for name, size in ((SD_FILE, SD_SIZE), (HD_FILE, HD_SIZE))
    ]
    with RenditionWriter(
        renditions, fps=FPS, audio=sound, preset='ultrafast', threads=threads, color_matrix='bt709'
    ) as writer:
        for frame in footage.frames():
            writer.write(frame)
    manifest = {'fingerprint': _fingerprint(spec, duration), 'title': spec.title, 'duration_s': duration}
    partial = folder / (MANIFEST + '.partial')
    partial.write_text(json.dumps(manifest, ensure_ascii=False))
    os.replace(partial, folder / MANIFEST)
    return time.perf_counter() - started


# ---------------------------------------------------------------- the library

WORKER_FLAG = 'BUTACA_DEMO_WORKER'


@contextmanager
def _worker_environment() -> Iterator[None]:
    """Mark processes started meanwhile as demo workers.

    A spawned worker imports the parent's main module again; should that module call ``ensure_demo_catalog()``
    at import time, the flag makes the call a no-op instead of a second, competing generation.
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
    titles: Sequence[DemoTitle] | None = None,
    duration_override: float | None = None,
    workers: int = 2,
) -> list[dict]:
    """Make (or reuse) every demo title's files under ``media_dir/demo/<slug>/``.

    Returns one dict per title, in catalogue order, ready for ``catalog.add_title(session, **entry)``.
    Files already made from the same recipe are reused unless ``force``; the rest are rendered in ``workers``
    processes (spawned: they import this package afresh), longest first. Progress lines go to ``progress``
    (default: this module's logger, at INFO).
    """
    report = progress or log.info
    specs = list(DEMO_TITLES if titles is None else titles)
    media_dir = Path(media_dir)
    durations = {spec.slug: float(duration_override or spec.duration_s) for spec in specs}
    folders = {spec.slug: media_dir / DEMO_FOLDER / spec.slug for spec in specs}
    todo = [spec for spec in specs if force or not _is_ready(folders[spec.slug], spec, durations[spec.slug])]
    done = 0
    for spec in specs:
        if spec not in todo:
            done += 1
            report(f'Preparando catálogo de demostración: {done}/{len(specs)} {spec.title} (ya estaba listo)')
    todo.sort(key=lambda spec: durations[spec.slug], reverse=True)

    def finished(spec: DemoTitle, seconds: float) -> None:
        nonlocal done
        done += 1
        report(f'Preparando catálogo de demostración: {done}/{len(specs)} {spec.title} ({seconds:.1f} s)')

    if os.environ.get(WORKER_FLAG):
        workers = 1  # inside one of our worker processes: no pool in a pool
    if workers <= 1 or len(todo) <= 1:
        for spec in todo:
            finished(spec, build_title(spec, folders[spec.slug], durations[spec.slug]))
    elif todo:
        # spawn, not fork: the caller may be a server with threads, and a forked lock can deadlock the child
        context = multiprocessing.get_context('spawn')
        with ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=context) as pool:
            with _worker_environment():  # the workers start during submit() and inherit the flag
                futures: dict[Future[float], DemoTitle] = {
                    pool.submit(build_title, spec, str(folders[spec.slug]), durations[spec.slug], threads=1): spec
                    for spec in todo
                }
            for future in as_completed(futures):
                error = future.exception()
                if error is not None:
                    for other in futures:
                        other.cancel()
                    raise RuntimeError(f'No se pudo generar «{futures[future].title}»: {error}') from error
                finished(futures[future], future.result())
    return [_entry(spec, durations[spec.slug]) for spec in specs]


def ensure_demo_catalog(
    progress: Progress | None = None,
    *,
    titles: Sequence[DemoTitle] | None = None,
    duration_override: float | None = None,
    workers: int = 2,
) -> int:
    """Fill an empty catalog with the demo titles (making or reusing their files); returns how many were added.

    Does nothing (returns 0) when the catalog already has titles. Expects the tables to exist (``init_db()``).
    Progress goes to ``progress`` (default: one line per title on standard output).
    """
    from ..db import session as unit
    from ..services import catalog

    if os.environ.get(WORKER_FLAG):
        return 0
    with unit(write=True) as session:
        if catalog.count_titles(session):
            return 0
    entries = generate_demo_library(
        get_settings().media_dir,
        progress=progress or _console,
        titles=titles,
        duration_override=duration_override,
        workers=workers,
    )
    with unit(write=True) as session:
        if catalog.count_titles(session):  # filled by someone else meanwhile
            return 0
        for entry in entries:
            catalog.add_title(session, **entry)
    return len(entries)


# ---------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m app.library.demo [--force]``: make the demo media and add the demo titles to the catalog."""
    parser = argparse.ArgumentParser(
        prog='python -m app.library.demo',
        description='Genera los vídeos, el sonido y los carteles del catálogo de demostración y lo añade al catálogo.',
    )
    parser.add_argument(
        '--force', action='store_true', help='regenera todos los archivos y vuelve a crear los títulos de demostración'
    )
    parser.add_argument(
        '--duration',
        type=float,
        default=None,
        metavar='S',
        help='duración de cada vídeo en segundos (para pruebas rápidas)',
    )
    parser.add_argument('--workers', type=int, default=2, metavar='N', help='procesos en paralelo (2 por defecto)')
    args = parser.parse_args(argv)

    from sqlmodel import delete, or_, select

    from ..db import init_db
    from ..db import session as unit
    from ..models import Title
    from ..services import catalog

    started = time.perf_counter()
    init_db()
    media_dir = get_settings().media_dir
    entries = generate_demo_library(
        media_dir, force=args.force, progress=_console, duration_override=args.duration, workers=args.workers
    )
    prefix = f'{DEMO_FOLDER}/%'
    with unit(write=True) as session:
        if args.force:
            session.exec(delete(Title).where(or_(Title.video_hd_path.like(prefix), Title.video_sd_path.like(prefix))))
        present = set(session.exec(select(Title.video_hd_path)).all())
        added = 0
        for entry in entries:
            if entry['video_hd_path'] not in present:
                catalog.add_title(session, **entry)
                added += 1
    _console(
        f'Catálogo de demostración listo: {added} títulos añadidos, {len(entries)} en total, en '
        f'{media_dir / DEMO_FOLDER}.'
    )
    _console(f'Tiempo total: {time.perf_counter() - started:.1f} s')
    return 0


if __name__ == '__main__':
    from app.library import demo as _demo  # run the importable module, so worker processes find build_title

    sys.exit(_demo.main())
