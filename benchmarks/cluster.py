"""`python -m benchmarks --only cluster`: one process on SQLite against two processes on PostgreSQL behind nginx (with
Redis carrying live updates), in the same run: progress saves per second and home pages per second on each, then
the sign-in burst and the sustained saves again on the two-process set-up.

Everything shares the machine (2 cores where the figures in benchmarks/README.md were taken): the load generator,
nginx, PostgreSQL and Redis take CPU the Butaca processes would otherwise have, so the ratio says what a second
process buys on one small machine, not what a second machine would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from . import nginx, stress
from .harness import (
    Server,
    login_burst,
    percentile,
    seed_fans,
    seed_viewers,
    set_database_url,
    signed_in_client,
    temporary_folder,
)
from .procstat import cpu_seconds
from .rawhttp import RawClient, cookie_header

POSTGRES_URL = os.environ.get('BUTACA_TEST_POSTGRES_URL') or 'postgresql+psycopg://postgres@127.0.0.1:5432/test'
REDIS_URL = os.environ.get('BUTACA_TEST_REDIS_URL', 'redis://127.0.0.1:6379/0')
Row = tuple[str, str, str]


@dataclass
class Front:
    """What the load generator talks to (stress.measure wants `.url`)."""

    url: str
    pids: list[int]


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """An empty PostgreSQL database for this run alone, dropped after."""
    from sqlalchemy import create_engine, make_url
    from sqlalchemy.pool import NullPool

    url = make_url(POSTGRES_URL)
    admin = create_engine(url, isolation_level='AUTOCOMMIT', poolclass=NullPool)
    name = f'butaca_bench_{os.getpid()}_{secrets.token_hex(3)}'
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE {name}')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        from app import db

        db.dispose_engines()  # the seeding and checking connections of this process
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')
        admin.dispose()


@contextlib.contextmanager
def one_process(data_dir: Path, **env: str) -> Iterator[Front]:
    with Server(data_dir, **env) as server:
        yield Front(server.url, [server.pid])


@contextlib.contextmanager
def two_processes(data_dir: Path, *, bus: bool = True, nicegui_redis: bool = True, **env: str) -> Iterator[Front]:
    """Two production processes on the database named in `data_dir` and Redis, behind nginx with the cluster's
    configuration (app/nginx_conf.py: session-cookie hash, grant cache). `bus`/`nicegui_redis` False leave out
    Butaca's live updates or NiceGUI's storage in Redis (to see what each costs)."""
    import redis

    prefix = f'butaca-bench-{secrets.token_hex(4)}:'
    shared = {
        'BUTACA_ACCEL_REDIRECT': nginx.ACCEL_PREFIX,
        'BUTACA_STORAGE_SECRET': secrets.token_urlsafe(48),  # one for both: they read each other's cookies
    }
    if bus:
        shared.update(BUTACA_REDIS_URL=REDIS_URL, BUTACA_REDIS_PREFIX=prefix)
    if nicegui_redis:  # as app.cluster runs them
        shared.update(NICEGUI_REDIS_URL=REDIS_URL, NICEGUI_REDIS_KEY_PREFIX=f'{prefix}nicegui:')
    servers = [Server(data_dir, **shared, **env) for _ in range(2)]
    for server in servers:  # one after the other: the first migrates
        server.start()
    try:
        # Capacity, measured from one address: without the per-address page limit that a flood from it would meet.
        with nginx.nginx(data_dir / 'media', [s.port for s in servers], data_dir / 'nginx', limits=False) as url:
            yield Front(url, [s.pid for s in servers])
    finally:
        for server in servers:
            server.stop()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f'{prefix}*'):
            client.delete(key)
        client.close()


async def home_pages(front: Front, accounts: range, seconds: float) -> tuple[float, float, int, list[float]]:
    """Signed-in viewers each asking for their home page back to back: (pages/s, p99 seconds, errors). Each page
    that never connects its websocket stays a while in its process, listening to its account's news: the readers
    are not the writers of the saves, or every save would redraw them."""
    clients = await asyncio.gather(*(signed_in_client(front.url, f'viewer{i}') for i in accounts))
    cookies = [cookie_header(client.cookies) for client in clients]
    await asyncio.gather(*(client.aclose() for client in clients))
    latencies: list[float] = []
    errors = 0

    async def browse(cookie: str, stop_at: float) -> None:
        nonlocal errors
        async with RawClient(front.url, cookie=cookie) as client:
            while time.monotonic() < stop_at:
                started = time.perf_counter()
                reply = await client.request('GET', '/')
                latencies.append(time.perf_counter() - started)
                errors += reply.status != 200

    cpu_before = [cpu_seconds(pid) for pid in front.pids]
    stop_at = time.monotonic() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(browse(cookie, stop_at) for cookie in cookies))
    elapsed = time.perf_counter() - started
    cpu = [cpu_seconds(pid) - before for pid, before in zip(front.pids, cpu_before, strict=True)]
    return len(latencies) / elapsed, percentile(latencies, 0.99), errors, cpu


def _saves_text(result: dict) -> str:
    return (
        f'{result["saves_per_s"]:.0f} saves/s, p50 {result["p50_ms"]} ms, p99 {result["p99_ms"]} ms, '
        f'{result["errors"]} errors, {result["lost_final_positions"]} lost; '
        + _cpu_text(result['cpu_by_process'], result['acknowledged'], 'save')
    )


def _cpu_text(cpu: list[float], done: int, what: str) -> str:
    """Butaca's CPU per request (all its processes) and each process's share: figures the machine's other load
    changes less than the rates."""
    total = sum(cpu)
    per = total / done * 1e6 if done else float('nan')
    shares = '/'.join(f'{100 * c / total:.0f}' for c in cpu) if total and len(cpu) > 1 else ''
    return f'Butaca CPU {per:.0f} µs per {what}' + (f' (split {shares} %)' if shares else '') + f', load {_load()}'


def _load() -> str:
    return f'{os.getloadavg()[0]:.1f}'


def missing() -> str | None:
    """What this machine lacks for the two-process set-up, or None."""
    if nginx.available() is None:
        return 'nginx is not installed (apt-get install nginx)'
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:
        return f'no Redis at {REDIS_URL} (BUTACA_TEST_REDIS_URL)'
    try:
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        with create_engine(POSTGRES_URL, poolclass=NullPool, connect_args={'connect_timeout': 2}).connect():
            pass
    except Exception:
        return 'no PostgreSQL at BUTACA_TEST_POSTGRES_URL (default 127.0.0.1:5432, database test)'
    return None


async def measure_cluster(quick: bool) -> list[Row]:
    lacking = missing()
    if lacking is not None:
        return [('cluster: 1 process on SQLite against 2 on PostgreSQL behind nginx', f'skipped: {lacking}', '')]
    seconds = 4 if quick else 15
    readers, writers, fans = 20, 50, 20
    rows: list[Row] = []
    figures: dict[str, dict[str, float]] = {}
    for label, start, on_postgres in (
        ('1 process, SQLite', one_process, False),
        ('2 processes, PostgreSQL, nginx', two_processes, True),
    ):
        with contextlib.ExitStack() as stack:
            data_dir = stack.enter_context(temporary_folder('butaca-bench-cluster-'))
            if on_postgres:
                set_database_url(data_dir, stack.enter_context(postgres_database()))
            seed_viewers(data_dir, viewers=writers + readers)
            seed_fans(fans)
            front = stack.enter_context(start(data_dir, BUTACA_BCRYPT_ROUNDS='12'))
            # stress.measure uses viewer0.. (writers); the pages come after, from the next accounts.
            saves = await stress.measure(
                front, data_dir, viewers=writers, seconds=seconds, interval=0.0, pids=front.pids
            )
            pages_per_s, pages_p99, page_errors, page_cpu = await home_pages(
                front, range(writers, writers + readers), seconds
            )
            figures[label] = {'pages': pages_per_s, 'saves': saves['saves_per_s']}
            rows.append(
                (
                    f'cluster: home pages, {readers} viewers back to back, {label}',
                    f'{pages_per_s:.0f} pages/s, p99 {pages_p99 * 1000:.0f} ms, {page_errors} errors; '
                    + _cpu_text(page_cpu, round(pages_per_s * seconds), 'page'),
                    'more with 2',
                )
            )
            name = f'cluster: progress saves, {writers} clients back to back, {label}'
            rows.append((name, _saves_text(saves), '0 lost'))
            if on_postgres:
                ok, burst, delays = await login_burst(front.url, fans, own_addresses=True)
                worst = max(delays) if delays else float('nan')
                rows.append(
                    (
                        f'cluster: login burst, {fans} at bcrypt cost 12, {label}',
                        f'{ok}/{fans} signed in in {burst:.1f} s; worst ping {worst * 1000:.1f} ms, '
                        f'p99 {percentile(delays, 0.99) * 1000:.1f} ms',
                        'worst ping < 50 ms',
                    )
                )
        if on_postgres:  # sustained saves: 210 viewers offering 5 a second each, on a fresh database
            with contextlib.ExitStack() as stack:
                data_dir = stack.enter_context(temporary_folder('butaca-bench-cluster-'))
                set_database_url(data_dir, stack.enter_context(postgres_database()))
                seed_viewers(data_dir, viewers=210)
                front = stack.enter_context(two_processes(data_dir))
                sustained = await stress.measure(
                    front, data_dir, viewers=210, seconds=seconds, interval=0.2, pids=front.pids
                )
                rows.append(
                    (
                        f'cluster: progress saves, sustained 210 viewers x 5/s = 1050/s offered, {label}',
                        _saves_text(sustained),
                        '>= 1000/s, p99 < 50 ms, 0 lost',
                    )
                )
    one, two = figures['1 process, SQLite'], figures['2 processes, PostgreSQL, nginx']
    rows.append(
        (
            'cluster: 2 processes on PostgreSQL / 1 on SQLite',
            f'home pages x{two["pages"] / one["pages"]:.2f}, progress saves x{two["saves"] / one["saves"]:.2f}',
            'same run',
        )
    )
    return rows
