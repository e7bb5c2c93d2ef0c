"""Test set-up: a fresh SQLite file and data folder per test, a low bcrypt cost, no demo library."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app import db

if TYPE_CHECKING:
    from app.library.demo import DemoSeries


@pytest.fixture(autouse=True)
def butaca_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv('BUTACA_DATA_DIR', str(tmp_path / 'data'))
    monkeypatch.setenv('BUTACA_MEDIA_DIR', str(tmp_path / 'media'))
    monkeypatch.setenv('BUTACA_DATABASE_URL', f'sqlite:///{tmp_path / "data" / "database.db"}')
    monkeypatch.setenv('BUTACA_BCRYPT_ROUNDS', '4')
    monkeypatch.setenv('BUTACA_DEMO_LIBRARY', 'off')
    monkeypatch.setenv('BUTACA_STORAGE_SECRET', 'test-secret-only-for-the-test-suite')
    monkeypatch.delenv('BUTACA_ENV', raising=False)
    monkeypatch.delenv('BUTACA_DEFAULT_LANGUAGE', raising=False)
    os.environ.pop('BUTACA_ACCEL_REDIRECT', None)
    db.init_db()
    yield tmp_path
    db.dispose_engines()


_EDGE = tuple(
    str(Path(__file__).resolve().parent.parent / 'app' / name)
    for name in (
        'pages',
        'components',
        'auth.py',
        'middleware.py',
        'api.py',
        'fastlane.py',
        'wiring.py',
        'media.py',
        'saves.py',
    )
)


@pytest.fixture(autouse=True)
def no_queries_on_the_event_loop() -> Iterator[list[str]]:
    """Fails a test in which app code (pages, handlers, routes) ran a query on the event loop's thread.

    A query there freezes every open page of every user while it runs, or while it waits for the writer lock.
    Test set-up may query from the loop (it is not the app); only frames of the app's edge count.
    """
    offenders: list[str] = []

    def check(_conn, _cursor, statement, *_args) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # a worker thread
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename.startswith(_EDGE):
                offenders.append(f'{frame.f_code.co_filename}:{frame.f_lineno} {statement.split()[0]}')
                return
            frame = frame.f_back

    event.listen(Engine, 'before_cursor_execute', check)
    yield offenders
    event.remove(Engine, 'before_cursor_execute', check)
    assert not offenders, 'queries on the event loop:\n' + '\n'.join(sorted(set(offenders)))


@pytest.fixture(scope='session')
def demo_media(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    """Three real demo films (two free, one premium; H.264/AAC, 30 s, SD and HD, subtitles, trickplay, artwork),
    made once per test session with PyAV; returns the media folder and the films' entries."""
    from app.library.demo import FILMS, generate_demo_library

    free = [spec for spec in FILMS if not spec.premium][:2]
    premium = [spec for spec in FILMS if spec.premium][:1]
    media_dir = tmp_path_factory.mktemp('demo-media')
    library = generate_demo_library(media_dir, films=free + premium, series=(), duration_override=30, workers=2)
    return media_dir, library.films


@pytest.fixture(scope='session')
def demo_series_media(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSeries]:
    """One real demo series (one season of three 8 s episodes, each with SD and HD, still, subtitles, trickplay and
    intro and credits markers), made once per test session; returns the media folder and the series."""
    from app.library.demo import SERIES, generate_demo_library

    small = min(SERIES, key=lambda spec: sum(len(season) for season in spec.seasons))
    media_dir = tmp_path_factory.mktemp('demo-series')
    library = generate_demo_library(media_dir, films=(), series=[small], episode_duration_override=8, workers=2)
    return media_dir, library.series[0]


@pytest.fixture
def demo_catalog(demo_media: tuple[Path, list[dict]], monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """The demo films in this test's database (media files shared, read-only); returns them with their ids."""
    from app.library.demo import title_arguments
    from app.services import catalog

    media_dir, entries = demo_media
    monkeypatch.setenv('BUTACA_MEDIA_DIR', str(media_dir))
    with db.session_scope() as session:
        rows = [catalog.add_title(session, **title_arguments(entry)) for entry in entries]
        return [{**entry, 'id': row.id} for entry, row in zip(entries, rows, strict=True)]
