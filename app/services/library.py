"""Library folders and the files scans found in them (the scanning itself is app/library/scan.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import col, select

from .. import db, events
from ..models import LibraryFile, LibraryFolder, UserPublic, utcnow
from . import admin
from .errors import NotFound, ValidationError


class FolderRow(BaseModel):
    id: int
    path: str
    scanned_at: datetime | None
    report: dict[str, Any]


def folders() -> list[FolderRow]:
    with db.session() as session:
        rows = session.exec(select(LibraryFolder).order_by(LibraryFolder.path)).all()
        return [FolderRow(id=r.id, path=r.path, scanned_at=r.scanned_at, report=dict(r.report or {})) for r in rows]


def folder(folder_id: int) -> FolderRow:
    with db.session() as session:
        row = session.get(LibraryFolder, folder_id)
        if row is None:
            raise NotFound('library.no_folder')
        return FolderRow(id=row.id, path=row.path, scanned_at=row.scanned_at, report=dict(row.report or {}))


def add_folder(*, actor: UserPublic | None, path: str) -> int:
    """A folder (already confined to the roots by the caller) for the scans; one that contains or is inside
    another library folder is refused (its files would be found twice)."""
    with db.session(write=True) as session:
        for other in session.exec(select(LibraryFolder.path)).all():
            if path == other or path.startswith(other.rstrip('/') + '/') or other.startswith(path.rstrip('/') + '/'):
                raise ValidationError('library.overlaps', path=other)
        row = LibraryFolder(path=path)
        session.add(row)
        session.flush()
        admin.record(session, actor=actor, action='add_folder', target=path[-200:])
        assert row.id is not None
        return row.id


def remove_folder(*, actor: UserPublic | None, folder_id: int) -> None:
    """The folder leaves the scans; titles already imported from it stay in the catalog."""
    with db.session(write=True) as session:
        row = session.get(LibraryFolder, folder_id)
        if row is None:
            raise NotFound('library.no_folder')
        admin.record(session, actor=actor, action='remove_folder', target=row.path[-200:])
        session.delete(row)


def known_files(folder_id: int) -> dict[str, LibraryFile]:
    with db.session() as session:
        rows = session.exec(select(LibraryFile).where(LibraryFile.folder_id == folder_id)).all()
        for row in rows:
            session.expunge(row)
        return {row.path: row for row in rows}


def save_scan(*, folder_id: int, files: list[dict[str, Any]], report: dict[str, Any], actor: UserPublic | None) -> None:
    """Store what a scan found (each file's facts by path) and its report, in one unit."""
    now = utcnow()
    with db.session(write=True) as session:
        row = session.get(LibraryFolder, folder_id)
        if row is None:
            raise NotFound('library.no_folder')
        existing = {
            f.path: f for f in session.exec(select(LibraryFile).where(LibraryFile.folder_id == folder_id)).all()
        }
        for facts in files:
            found = existing.get(facts['path'])
            if found is None:
                found = LibraryFile(folder_id=folder_id, path=facts['path'])
            for key, value in facts.items():
                setattr(found, key, value)
            found.seen_at = now
            session.add(found)
        row.scanned_at = now
        row.report = report
        session.add(row)
        counts = ', '.join(f'{key} {len(report.get(key, []))}' for key in ('added', 'changed', 'missing', 'refused'))
        admin.record(session, actor=actor, action='scan', target=row.path[-200:], detail=counts)
    events.publish('jobs', folder_id=folder_id, scanned=True)


def job_finished(job_id: int, *, state: str, title_id: int | None, error: str) -> None:
    """The files an import job was for: in the library (with their title), or refused (with why)."""
    with db.session(write=True) as session:
        for row in session.exec(select(LibraryFile).where(col(LibraryFile.job_id) == job_id)).all():
            if state == 'done':
                row.state, row.title_id, row.reason = 'ok', title_id, ''
            elif state == 'failed':
                row.state, row.reason = 'refused', error[:300]
            else:
                row.state = 'new'  # cancelled: the next scan offers it again
                row.size = -1
            session.add(row)
