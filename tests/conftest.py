"""Test set-up: a fresh database and data folder per test, a low bcrypt cost, no demo library.

Every test gets a fresh SQLite file, a copy of one migrated once per run. The tests of modules marked
`every_database` run a second time on PostgreSQL (test ids end in [sqlite] and [postgresql]; the second run is
marked `postgresql`): one database per module, made from a template migrated once per run, emptied before each
test. Databases are named for this run alone and dropped at its end. PostgreSQL is BUTACA_TEST_POSTGRES_URL
(default below); without a server there its tests are skipped, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, event, inspect, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from app import db, migrate

POSTGRES_URL = os.environ.get('BUTACA_TEST_POSTGRES_URL') or 'postgresql+psycopg://postgres@127.0.0.1:5432/test'


def pytest_collection_finish() -> None:
    # NiceGUI's test fixtures run a full garbage collection twice a test (nicegui.testing.general), which walks every
    # object alive, the framework, SQLAlchemy and the app included: 0.1 s each time. What collection imported lives
    # for the whole run, so it moves to the permanent generation once, and a collection walks only what a test made.
    # Hypothesis first: on import it checks, through the collector, that the random generators it registers (trio's)
    # are alive, and frozen objects are invisible to that check.
    import hypothesis  # noqa: F401

    gc.freeze()


# The port of this run's browser-test server, held for the whole run (see screen_port).
_held_port: list = []


@pytest.hookimpl(trylast=True)  # after NiceGUI's own, which drew Screen.PORT from the kernel's ephemeral range
def pytest_configure(config: pytest.Config) -> None:
    from nicegui.testing import Screen

    Screen.PORT = screen_port()


def screen_port() -> int:
    """A port for the browser tests' server that no other process on this machine will take while this run lasts.

    The server stops between tests, so a port drawn once from the kernel's ephemeral range (as NiceGUI draws it) is
    free in between, and any bind to port 0 (another suite's servers, nginx, benchmarks) may be given it: a suite
    beside this one once was, and this run's browser loaded that suite's bare benchmark page. So the port comes from
    just below the ephemeral range, which bind(0) never hands out, and a lock file held until this run ends keeps
    other runs of this suite off it."""
    import fcntl
    import random
    import socket
    import tempfile

    low = (
        int(Path('/proc/sys/net/ipv4/ip_local_port_range').read_text().split()[0]) if sys.platform == 'linux' else 49152
    )
    folder = Path(tempfile.gettempdir()) / 'butaca-test-ports'
    folder.mkdir(exist_ok=True)
    ports = list(range(max(1024, low - 8192), low))
    random.shuffle(ports)
    for port in ports:
        lock = (folder / f'{port}.lock').open('w')
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue  # another run holds it
        with socket.socket() as probe:
            try:
                probe.bind(('127.0.0.1', port))
            except OSError:
                lock.close()
                continue  # something else listens there
        _held_port.append(lock)  # held (open, locked) until this process ends
        return port
    raise RuntimeError(f'no free port below {low} for the browser tests')


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A browser test drives Chromium for seconds: it is `slow` too, so the inner loop (`-m 'not slow'`) stays short
    # without each browser module having to say so (CI runs everything).
    for item in items:
        if item.get_closest_marker('browser') and not item.get_closest_marker('slow'):
            item.add_marker(pytest.mark.slow)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if 'database_url' in metafunc.fixturenames and metafunc.definition.get_closest_marker('every_database'):
        # The PostgreSQL run is also `slow`: the inner loop (`-m 'not slow'`) is SQLite's; CI runs both.
        kinds = ['sqlite', pytest.param('postgresql', marks=[pytest.mark.postgresql, pytest.mark.slow])]
        metafunc.parametrize('database_url', kinds, indirect=True)


class Postgres:
    """The test server, through its maintenance database: makes databases for this run only, named
    butaca_test_<pid>_<random>_<n> (other runs and other people share the server), and drops them."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin = create_engine(
            self.url, isolation_level='AUTOCOMMIT', poolclass=NullPool, connect_args={'connect_timeout': 3}
        )
        self.prefix = f'butaca_test_{os.getpid()}_{secrets.token_hex(3)}'
        self._numbers = itertools.count()
        self.made: set[str] = set()

    def check(self) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql('SELECT 1')

    def create(self, *, template: str | None = None) -> str:
        """A new database (empty, or a copy of `template`); returns its URL."""
        name = f'{self.prefix}_{next(self._numbers)}'
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE {name}' + (f' TEMPLATE {template}' if template else ''))
        self.made.add(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')
        self.made.discard(name)

    def close(self) -> None:
        for name in sorted(self.made):
            self.drop(self.url.set(database=name).render_as_string(hide_password=False))
        self.admin.dispose()


@pytest.fixture(scope='session')
def postgres() -> Iterator[Postgres]:
    """The PostgreSQL server of the tests; skips them when there is none, but in CI it must be there."""
    server = Postgres(POSTGRES_URL)
    try:
        server.check()
    except OperationalError as error:
        where = server.url.render_as_string(hide_password=True)
        if os.environ.get('CI') == 'true':
            pytest.fail(f'CI needs PostgreSQL at {where} (BUTACA_TEST_POSTGRES_URL): {error}')
        pytest.skip(f'no PostgreSQL at {where} (set BUTACA_TEST_POSTGRES_URL)')
    yield server
    server.close()


@pytest.fixture(scope='session')
def postgres_template(postgres: Postgres) -> str:
    """The name of a PostgreSQL database migrated to head once per run, for CREATE DATABASE ... TEMPLATE."""
    url = postgres.create()
    _migrate_once(url)
    return make_url(url).database


@pytest.fixture(scope='session')
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per run, copied for each test."""
    path = tmp_path_factory.mktemp('template') / 'database.db'
    _migrate_once(f'sqlite:///{path}')
    return path


def _migrate_once(url: str) -> None:
    # An engine of its own, closed at once: a template database must have no connection when it is copied.
    engine = create_engine(url, poolclass=NullPool)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


class PostgresModuleDatabase:
    """One PostgreSQL database for a module's tests, emptied before each of them: making and dropping a database
    per test costs from 0.1 s to a second on a busy shared server, emptying the tables a few milliseconds."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url, poolclass=NullPool)
        with self.engine.connect() as connection:
            tables = [name for name, _ in reversed(inspect(connection).get_sorted_table_and_fkc_names()) if name]
            sequences = connection.exec_driver_sql("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
            self._empty = ';'.join(
                # The search's own tables (migrate.NOT_ALEMBICS) keep their rows: search_genres is reference data
                # made by its revision, and the index of the titles deleted goes with them (ON DELETE CASCADE).
                [
                    f'DELETE FROM {table}'
                    for table in tables
                    if table != 'alembic_version' and migrate.include_name(table, 'table', None)
                ]
                + [f"SELECT setval('{name}', 1, false)" for name in sequences.scalars()]
            )

    def empty(self) -> None:
        """No rows, and every id counting from 1 again, as in a new database."""
        with self.engine.begin() as connection:
            connection.exec_driver_sql(self._empty)


@pytest.fixture(scope='module')
def postgres_module_database(postgres: Postgres, postgres_template: str) -> Iterator[PostgresModuleDatabase]:
    database = PostgresModuleDatabase(postgres.create(template=postgres_template))
    yield database
    database.engine.dispose()
    db.dispose_engines()
    postgres.drop(database.url)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """This test's fresh database at head: SQLite, or PostgreSQL for the second run of an every_database test."""
    if getattr(request, 'param', 'sqlite') == 'sqlite':
        path = tmp_path / 'data' / 'database.db'
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(request.getfixturevalue('sqlite_template'), path)
        return f'sqlite:///{path}'
    database: PostgresModuleDatabase = request.getfixturevalue('postgres_module_database')
    database.empty()
    return database.url


if TYPE_CHECKING:
    from app.library.demo import DemoSeries


@pytest.fixture(autouse=True)
def frozen_heap() -> Iterator[None]:
    """After each test, what outlived it joins the permanent generation (see pytest_collection_finish): NiceGUI's
    fixtures collect twice a test, and without this each collection walks what every earlier test left alive (the
    page modules NiceGUI re-imports per test, the framework's registries), 0.3 s a test by the end of a run.
    The pages a test left open are deleted first, as a server deletes them (NiceGUI's test fixtures do not): frozen,
    they would live to the interpreter's exit, where a dialog's finalizer deletes it from a client already gone."""
    yield
    from nicegui import Client

    for client in list(Client.instances.values()):
        if not client.is_deleted:
            client.delete()
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def butaca_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[Path]:
    monkeypatch.setenv('BUTACA_DATA_DIR', str(tmp_path / 'data'))
    monkeypatch.setenv('BUTACA_MEDIA_DIR', str(tmp_path / 'media'))
    monkeypatch.setenv('BUTACA_DATABASE_URL', database_url)
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
        'actions.py',
        'auth.py',
        'middleware.py',
        'api.py',
        'playback_http.py',
        'wiring.py',
        'media.py',
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
    with db.session(write=True) as session:
        rows = [catalog.add_title(session, **title_arguments(entry)) for entry in entries]
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


@pytest.fixture(scope='session')
def nicegui_driver(nicegui_driver):
    """NiceGUI's driver, waiting as every test waits (tests/waits.py: at most WAIT_S) rather than NiceGUI's own 4 s
    for a page load and an element to appear: on a busy machine a page takes longer than that to load."""
    from nicegui.testing import Screen

    from .waits import WAIT_S

    Screen.IMPLICIT_WAIT = WAIT_S
    nicegui_driver.implicitly_wait(WAIT_S)
    nicegui_driver.set_page_load_timeout(WAIT_S)
    return nicegui_driver
