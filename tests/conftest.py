"""Test set-up: a fresh SQLite file and data folder per test, a low bcrypt cost, no demo library."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app import db


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
    """Three real demo titles (H.264/AAC, 30 s, SD and HD), made once per test session with PyAV."""
    from app.library.demo import DEMO_TITLES, generate_demo_library

    free = [spec for spec in DEMO_TITLES if not spec.is_premium][:2]
    premium = [spec for spec in DEMO_TITLES if spec.is_premium][:1]
    media_dir = tmp_path_factory.mktemp('demo-media')
    entries = generate_demo_library(media_dir, titles=free + premium, duration_override=30, workers=2)
    return media_dir, entries


@pytest.fixture
def demo_catalog(demo_media: tuple[Path, list[dict]], monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """The demo titles in this test's database (media files shared, read-only); returns them with their ids."""
    from app.services import catalog

    media_dir, entries = demo_media
    monkeypatch.setenv('BUTACA_MEDIA_DIR', str(media_dir))
    with db.session_scope() as session:
        rows = [catalog.add_title(session, **entry) for entry in entries]
        return [{**entry, 'id': row.id} for entry, row in zip(entries, rows, strict=True)]


@pytest.fixture(scope='session')
def nicegui_chrome_options(nicegui_chrome_options):
    """One set of Chromium options for every browser test module (the driver is made once per session, by
    whichever module asks first): a real window size, Spanish first (the brief's language), and the flags Chromium
    needs on a closed network. Autoplay stays at Chromium's default policy."""
    for argument in (
        'window-size=1280,900',
        'lang=es-ES',
        'disable-background-networking',
        'disable-component-update',
        'no-first-run',
        'disable-sync',
        'mute-audio',
    ):
        nicegui_chrome_options.add_argument(argument)
    nicegui_chrome_options.add_experimental_option('prefs', {'intl.accept_languages': 'es-ES,es'})
    return nicegui_chrome_options
