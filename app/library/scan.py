"""Scanning a library folder: what is new, changed, missing or refused, and the import jobs for what is new.

One scanner at a time, whatever the number of processes: a file lock in the data folder (one machine, SQLite) or a
PostgreSQL advisory lock (several machines sharing the database). A scan only reads names and probes new or changed
videos (seconds for a large folder); the encoding is the jobs' work. Names are read as Jellyfin and Plex expect
(naming.py), with Kodi .nfo files where present. A missing file is reported and its title kept: the title plays
from the renditions in the media folder, not from the source.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import text

from .. import db
from ..config import get_settings
from ..models import UserPublic
from ..services import library
from .naming import is_video, parse_episode, parse_film, season_of_folder, sidecar
from .nfo import read_nfo
from .probe import NotAVideo, probe
from .roots import OutsideRoots, confine

log = logging.getLogger('butaca.scan')
LOCK_FILE = 'scan.lock'  # in the data folder
ADVISORY_KEY = 0x42757461  # 'Buta': the PostgreSQL advisory lock of the scanner
DEFAULT_GENRE = 'Otros'


class ScanBusy(RuntimeError):
    """Another scan is running (in this process or another)."""


@contextlib.contextmanager
def scan_lock() -> Iterator[None]:
    engine = db.get_engine()
    if engine.dialect.name == 'postgresql':
        with engine.connect() as connection:
            if not connection.execute(text('SELECT pg_try_advisory_lock(:key)'), {'key': ADVISORY_KEY}).scalar():
                raise ScanBusy
            try:
                yield
            finally:
                connection.execute(text('SELECT pg_advisory_unlock(:key)'), {'key': ADVISORY_KEY})
                connection.commit()
        return
    path = get_settings().data_dir / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open('w') as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise ScanBusy from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def scan_folder(folder_id: int, *, actor: UserPublic | None = None) -> dict[str, Any]:
    """Scan one library folder now; returns its report (also stored with the folder). Raises ScanBusy."""
    from ..worker.submit import submit

    with scan_lock():
        folder = library.folder(folder_id)
        report: dict[str, Any] = {'added': [], 'changed': [], 'missing': [], 'refused': [], 'unchanged': 0}
        try:
            root = confine(folder.path)
        except OutsideRoots:
            report['refused'].append({'path': folder.path, 'why': 'outside BUTACA_LIBRARY_ROOTS'})
            library.save_scan(folder_id=folder_id, files=[], report=report, actor=actor)
            return report
        known = library.known_files(folder_id)
        files: list[dict[str, Any]] = []
        series_jobs: dict[Path, list[str]] = {}
        seen: set[str] = set()
        for path in sorted(root.rglob('*')) if root.is_dir() else []:
            relative = path.relative_to(root)
            if any(part.startswith('.') for part in relative.parts) or not path.is_file() or not is_video(path):
                continue
            key = str(path)
            seen.add(key)
            stat = path.stat()
            facts = {'path': key, 'size': stat.st_size, 'mtime': stat.st_mtime}
            old = known.get(key)
            same = old is not None and old.size == stat.st_size and old.mtime == stat.st_mtime
            if same and old is not None and old.state != 'missing':
                if old.state == 'refused':
                    report['refused'].append({'path': str(relative), 'why': old.reason})
                else:
                    report['unchanged'] += 1
                continue
            try:
                confine(path)
                probe(path)
            except (OutsideRoots, NotAVideo) as error:
                why = 'outside the library roots' if isinstance(error, OutsideRoots) else str(error)
                report['refused'].append({'path': str(relative), 'why': why})
                files.append({**facts, 'state': 'refused', 'reason': why[:300], 'job_id': None})
                continue
            episode = parse_episode(path.relative_to(root.parent))
            if old is not None and old.title_id is not None and old.state != 'refused':
                title_id = _episode_id(old.title_id, episode) if episode else old.title_id
                if title_id is not None:
                    job = submit(
                        kind='reencode',
                        label=f'{path.name}'[:200],
                        params={'kind': 'reencode', 'path': key, 'title_id': title_id},
                        created_by=_name(actor),
                    )
                    report['changed'].append(str(relative))
                    files.append({**facts, 'state': 'importing', 'reason': '', 'job_id': job})
                    continue
            if episode is not None:
                show = path.parent.parent if season_of_folder(path.parent.name) is not None else path.parent
                if not show.is_relative_to(root):  # a season folder right in the library folder: whose series?
                    why = 'an episode must be in a folder named after its series'
                    report['refused'].append({'path': str(relative), 'why': why})
                    files.append({**facts, 'state': 'refused', 'reason': why, 'job_id': None})
                    continue
                series_jobs.setdefault(show, []).append(key)
                report['added'].append(str(relative))
                files.append({**facts, 'state': 'importing', 'reason': '', 'job_id': ('series', str(show))})
                continue
            job = submit(
                kind='import', label=parse_film(path).title, params=_film_params(path), created_by=_name(actor)
            )
            report['added'].append(str(relative))
            files.append({**facts, 'state': 'importing', 'reason': '', 'job_id': job})
        for show, paths in series_jobs.items():
            job = submit(
                kind='import',
                label=show.name[:200],
                params={'kind': 'series', 'path': str(show), 'only': paths},
                created_by=_name(actor),
            )
            for facts in files:
                if facts['job_id'] == ('series', str(show)):
                    facts['job_id'] = job
        for key, old in known.items():
            if key not in seen and old.state != 'missing':
                report['missing'].append(str(Path(key).relative_to(root)) if Path(key).is_relative_to(root) else key)
                files.append({'path': key, 'state': 'missing', 'reason': ''})
        library.save_scan(folder_id=folder_id, files=files, report=report, actor=actor)
    log.info(
        'scan of %s: %d added, %d changed, %d missing, %d refused, %d unchanged',
        folder.path,
        *(len(report[key]) for key in ('added', 'changed', 'missing', 'refused')),
        report['unchanged'],
    )
    return report


def _name(actor: UserPublic | None) -> str:
    return actor.username if actor else 'scan'


def _episode_id(series_id: int, episode: Any) -> int | None:
    from sqlmodel import select

    from ..models import Title

    with db.session() as session:
        return session.exec(
            select(Title.id).where(
                Title.series_id == series_id,
                Title.season_number == episode.season,
                Title.episode_number == episode.episode,
            )
        ).first()


def _film_params(path: Path) -> dict[str, Any]:
    """A film's import: title and year from its name (or its folder's), its .nfo, and its sidecars."""
    named = parse_film(path)
    facts = read_nfo(path.with_suffix('.nfo'))
    if not facts.title:
        facts = read_nfo(path.parent / 'movie.nfo')
    params: dict[str, Any] = {
        'kind': 'film',
        'path': str(path),
        'title': facts.title or named.title,
        'year': named.year or facts.year or date.today().year,
        'genre': facts.genres[0] if facts.genres else DEFAULT_GENRE,
        'description': facts.plot,
        'subtitles': {},
    }
    own_folder = parse_film(path.parent / 'x').year is not None or path.parent.name == path.stem
    for other in sorted(path.parent.iterdir()):
        found = sidecar(other.name)
        if found is None:
            continue
        if found.kind == 'subtitle' and found.owner == path.stem:
            params['subtitles'].setdefault(found.language, str(other))
        elif found.kind in {'poster', 'backdrop'} and (found.owner == path.stem or (found.owner == '' and own_folder)):
            params.setdefault('poster' if found.kind == 'poster' else 'backdrop_image', str(other))
    return params
