"""Shared pieces of the scripts: a Butaca server in a subprocess, seeding its database, signed-in HTTP clients."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from .ping import Pinger
from .procstat import tree_cpu_seconds

if TYPE_CHECKING:
    import socketio

ROOT = Path(__file__).resolve().parent.parent
TOKEN_RE = re.compile(r'/play/([A-Za-z0-9_\-]+)/video/(sd|hd)')
DATABASE_URL_FILE = 'database_url'
CLIENT_ID_RE = re.compile(r"'client_id': '([0-9a-f-]+)'")


def step(text: str) -> None:
    """A line on stderr saying what the benchmark does now, so that a run of minutes is never silent for long (the
    table goes to stdout; tests/test_benchmarks.py takes these lines as the run's progress)."""
    print(f'  {text}', file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def database_url(data_dir: Path) -> str:
    """The database of the run in `data_dir`: the SQLite file in it, unless `set_database_url` named another."""
    named = data_dir / DATABASE_URL_FILE
    return named.read_text().strip() if named.exists() else f'sqlite:///{data_dir / "database.db"}'


def set_database_url(data_dir: Path, url: str | None) -> None:
    """Make the run in `data_dir` use the database at `url` (an empty one, e.g. PostgreSQL) instead of SQLite."""
    if url:
        data_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / DATABASE_URL_FILE).write_text(url)


def server_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    # Nothing of a surrounding pytest run may leak in: NiceGUI would think it runs inside a screen test.
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(('PYTEST_', 'NICEGUI_SCREEN'))},
        'BUTACA_ENV': 'production',
        'BUTACA_STORAGE_SECRET': secrets.token_urlsafe(48),
        'BUTACA_DATA_DIR': str(data_dir),
        'BUTACA_DATABASE_URL': database_url(data_dir),
        'BUTACA_MEDIA_DIR': str(data_dir / 'media'),
        'BUTACA_DEMO_LIBRARY': 'off',
        'BUTACA_BCRYPT_ROUNDS': '4',
        'NICEGUI_STORAGE_PATH': str(data_dir / '.nicegui'),
    }
    env.update(overrides)
    return env


def use_database(data_dir: Path) -> None:
    """Point this process's app.config at the same data folder as the server (for seeding and checking)."""
    os.environ.update({key: value for key, value in server_env(data_dir).items() if key.startswith('BUTACA_')})
    from app import db

    db.dispose_engines()
    db.init_db()


# A starting server that neither answers nor uses any CPU for this long is stuck. Measured as progress rather than
# as one deadline: on a loaded machine start-up takes as long as it takes, and a stuck one is told in seconds.
STALL_S = 10.0


def wait_healthy(url: str, process: subprocess.Popen, *, what: str) -> None:
    """Until `url`/api/health answers 200, while `process` (and what it started) works at it: fails
    (RuntimeError) when it exits, or when it neither answers nor uses CPU for STALL_S."""
    used, moved = -1.0, time.monotonic()
    while True:
        if process.poll() is not None:
            raise RuntimeError(f'{what}: exited with {process.returncode}')
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f'{url}/api/health', timeout=1).status_code == 200:
                return
        now = tree_cpu_seconds(process.pid)
        if now != used:
            used, moved = now, time.monotonic()
        elif time.monotonic() - moved > STALL_S:
            raise RuntimeError(f'{what}: no answer and no work for {STALL_S:g} s')
        time.sleep(0.2)


class Server:
    """`python main.py` in production mode on a free loopback port, with its output in data_dir/server.log."""

    def __init__(self, data_dir: Path, **env: str) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        # Plain http on loopback: say so, or production would mark its cookies Secure (HTTPS only).
        plain = {'BUTACA_PUBLIC_URL': f'http://127.0.0.1:{self.port}'}
        self.env = server_env(data_dir, BUTACA_PORT=str(self.port), BUTACA_HOST='127.0.0.1', **{**plain, **env})
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.port}'

    def start(self) -> Server:
        step(f'starting Butaca on port {self.port}')
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = (self.data_dir / 'server.log').open('ab')
        self.process = subprocess.Popen(
            [sys.executable, 'main.py'],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_healthy(self.url, self.process, what=f'the server; see {self.data_dir / "server.log"}')
        except RuntimeError:
            self.stop()
            raise
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, as in a crash."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def seed_viewers(
    data_dir: Path,
    *,
    viewers: int,
    duration_s: float = 7200.0,
    video_file: Path | None = None,
    own_titles: bool = True,
) -> None:
    """`viewers` FREE accounts (viewer0.. with password 'benchmark-pass') and one free title per viewer (none
    without `own_titles`).

    The title's files are stand-ins unless `video_file` is given (then every rendition is that real video).
    """
    step(f'seeding {viewers} viewers')
    use_database(data_dir)
    from app import db
    from app.models import User
    from app.security import hash_password
    from app.services import catalog

    media = data_dir / 'media' / 'bench'
    media.mkdir(parents=True, exist_ok=True)
    for name in ('poster.jpg', 'backdrop.jpg', 'sd.mp4', 'hd.mp4'):
        target = media / name
        if video_file is not None and name.endswith('.mp4'):
            if not target.exists():  # a copy: a link pointing out of the media folder is refused by design
                shutil.copyfile(video_file, target)
        elif not target.exists():
            target.write_bytes(os.urandom(4096))
    password_hash = hash_password('benchmark-pass', rounds=4)
    with db.session(write=True) as session:
        for index in range(viewers):
            session.add(User(username=f'viewer{index}', username_key=f'viewer{index}', password_hash=password_hash))
            if not own_titles:
                continue
            catalog.add_title(
                session,
                title=f'Bench {index}',
                genre='Bench',
                year=2026,
                duration_s=duration_s,
                poster_path='bench/poster.jpg',
                backdrop_path='bench/backdrop.jpg',
                video_sd_path='bench/sd.mp4',
                video_hd_path='bench/hd.mp4',
                sd_height=480,
                hd_height=720,
            )


def seed_fans(count: int) -> None:
    """`count` accounts fan0.. with a cost-12 hash (the sign-in burst), in the database use_database points at."""
    from app import db
    from app.models import User
    from app.security import hash_password

    password_hash = hash_password('benchmark-pass', rounds=12)
    with db.session(write=True) as session:
        for index in range(count):
            session.add(User(username=f'fan{index}', username_key=f'fan{index}', password_hash=password_hash))


async def login_burst(base_url: str, count: int, *, own_addresses: bool = False) -> tuple[int, float, list[float]]:
    """`count` sign-ins of fan0.. at once, while a pinger asks /api/health every 8 ms: (signed in, seconds, ping
    delays). With `own_addresses` each comes from its own loopback address (127.0.0.2, ...), as many viewers do:
    nginx places a visitor without a session by address."""

    def transport(index: int) -> httpx.AsyncHTTPTransport | None:
        return httpx.AsyncHTTPTransport(local_address=f'127.0.0.{index + 2}') if own_addresses else None

    # The clients exist and are connected before the burst: making an httpx client loads the system's CA
    # certificates, a core's worth of the load generator's CPU that would otherwise land in the measurement.
    clients = [httpx.AsyncClient(base_url=base_url, timeout=60, transport=transport(i)) for i in range(count)]
    await asyncio.gather(*(client.get('/api/health') for client in clients))
    step(f'{count} sign-ins at once')
    with Pinger(f'{base_url}/api/health', 8) as ping:
        await asyncio.sleep(1)
        started = time.perf_counter()
        answers = await asyncio.gather(
            *(
                client.post('/api/login', json={'username': f'fan{i}', 'password': 'benchmark-pass'})
                for i, client in enumerate(clients)
            )
        )
        burst = time.perf_counter() - started
    await asyncio.gather(*(client.aclose() for client in clients))
    return sum(1 for answer in answers if answer.status_code == 200), burst, ping.delays


def seed_big_catalog(data_dir: Path, *, titles: int, history: int, viewers: int = 100) -> None:
    """`titles` titles in 8 genres and `history` history rows (a fifth of them the signed-in user's); `viewers`
    accounts, each with a title of its own when there are at least as many titles."""
    step(f'seeding {titles} titles, {history} history rows')
    import random
    from datetime import timedelta

    from sqlalchemy import insert

    from app import db
    from app.models import Plan, Progress, Title, User, WatchHistory, utcnow
    from app.services.text import search_key

    own = titles >= viewers
    seed_viewers(data_dir, viewers=viewers, own_titles=own)
    rng = random.Random(7)
    words = (
        'noche',
        'mar',
        'ciudad',
        'sombra',
        'fuego',
        'viento',
        'luna',
        'camino',
        'río',
        'estrella',
        'último',
        'verano',
        'silencio',
        'corazón',
        'tiempo',
        'ola',
    )
    genres = ('Drama', 'Comedia', 'Suspense', 'Documental', 'Animación', 'Ciencia ficción', 'Romance', 'Aventura')
    now = utcnow()
    with db.session(write=True) as session:
        session.get(User, 1).subscription_type = Plan.PREMIUM
        rows = []
        for index in range(titles - (viewers if own else 0)):
            name = f'{rng.choice(words).capitalize()} {rng.choice(words)} {index}'
            rows.append(
                {
                    'kind': 'movie',
                    'title': name,
                    'search_key': search_key(name),
                    'description': 'Bench.',
                    'year': 1950 + index % 75,
                    'genre': genres[index % len(genres)],
                    'rating': '12',
                    'duration_s': 5400.0,
                    'is_premium': index % 3 == 0,
                    'poster_path': 'bench/poster.jpg',
                    'backdrop_path': 'bench/backdrop.jpg',
                    'video_sd_path': 'bench/sd.mp4',
                    'video_hd_path': 'bench/hd.mp4',
                    'sd_height': 480,
                    'hd_height': 720,
                    'created_at': now - timedelta(minutes=index),
                }
            )
        session.execute(insert(Title), rows)
        session.execute(
            insert(WatchHistory),
            [
                {  # one entry per title and day: each pass over the titles is a day earlier
                    'user_id': 1 if index % 5 == 0 else 2 + index % (viewers - 1),
                    'title_id': 1 + index % titles,
                    'watched_at': now - timedelta(days=index // titles, seconds=index % titles),
                    'day': (now - timedelta(days=index // titles)).date(),
                    'position_s': 60.0,
                    'quality': 'HD',
                }
                for index in range(history)
            ],
        )
        session.execute(
            insert(Progress),
            [
                {
                    'user_id': 1,
                    'title_id': 1 + index * 7 % titles,
                    'position_s': 600.0,
                    'duration_s': 5400.0,
                    'resumable': True,
                    'watched': False,
                    'updated_at': now - timedelta(minutes=index),
                }
                for index in range(min(40, titles))
            ],
        )


# How long a benchmark's client waits for one answer: hundreds of clients at once on 2 cores answer late. The tests
# pass their own limit (tests/waits.py).
ANSWER_TIMEOUT_S = 30.0


async def signed_in_client(
    base_url: str,
    username: str,
    password: str = 'benchmark-pass',
    *,
    timeout: float = ANSWER_TIMEOUT_S,
    **client_args: object,
) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base_url, timeout=timeout, **client_args)
    for _ in range(30):  # a burst beyond a few seconds of bcrypt work is told to come back (503, Retry-After)
        response = await client.post('/api/login', json={'username': username, 'password': password})
        if response.status_code != 503:
            break
        await asyncio.sleep(float(response.headers.get('retry-after', '1')))
    response.raise_for_status()
    return client


async def connect_page(
    client: httpx.AsyncClient, html: str, *, timeout: float = ANSWER_TIMEOUT_S, **handlers: object
) -> socketio.AsyncClient:
    """Connect a page's websocket as its browser would (NiceGUI's implicit handshake), with the session cookie of
    `client`; `handlers` are socket.io event handlers (e.g. update=...) registered before it connects."""
    import socketio

    match = CLIENT_ID_RE.search(html)
    if match is None:
        raise RuntimeError('not a NiceGUI page')
    sio = socketio.AsyncClient(reconnection=False)
    for event, handler in handlers.items():
        sio.on(event, handler)
    query = (
        f'client_id={match.group(1)}&tab_id={os.urandom(8).hex()}&document_id={os.urandom(8).hex()}'
        f'&implicit_handshake=true&next_message_id=0'
    )
    cookie = '; '.join(f'{key}={value}' for key, value in client.cookies.items())
    await sio.connect(
        f'{str(client.base_url).rstrip("/")}?{query}',
        socketio_path='/_nicegui_ws/socket.io',
        transports=['websocket'],
        headers={'Cookie': cookie},
        # The page's connect answer, not socket.io's default of 1 s: hundreds of pages opening at once on a
        # loaded machine (two processes, nginx, PostgreSQL and Redis on 2 cores) answer later than that.
        wait_timeout=timeout,
    )
    return sio


async def open_watch_page(
    client: httpx.AsyncClient, title_id: int, timeout: float = ANSWER_TIMEOUT_S
) -> tuple[str, str]:
    """Open the watch page as a browser does: its GET draws the player's shell, and the playback starts once the
    page's websocket is up (app/pages/watch.py). Returns the video URL and the playback token of that config."""
    # A keep-alive connection the server closed as the request left (or a busy machine dropping one) loses the
    # request; a GET may go again, on a fresh connection.
    for attempt in range(3):
        try:
            response = await client.get(f'/watch/{title_id}')
            break
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, httpx.ConnectError):
            if attempt == 2:
                raise
    response.raise_for_status()
    started: asyncio.Future[dict] = asyncio.get_running_loop().create_future()

    async def update(message: dict) -> None:
        for element in message.values():
            config = element.get('props', {}).get('playback') if isinstance(element, dict) else None
            if config and not started.done():
                started.set_result(config)

    sio = await connect_page(client, response.text, timeout=timeout, update=update)
    try:
        config = await asyncio.wait_for(started, timeout)
    finally:
        await sio.disconnect()
    src = config['sources'][config['quality']]
    match = TOKEN_RE.search(src)
    if match is None:
        raise RuntimeError(f'no video for /watch/{title_id}: {src}')
    return match.group(0), match.group(1)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float('nan')
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method='inclusive')[min(998, max(0, int(q * 1000) - 1))]


@contextlib.contextmanager
def temporary_folder(prefix: str) -> Iterator[Path]:
    import tempfile

    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
