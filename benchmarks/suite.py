"""The measurements of `python -m benchmarks`, each starting and stopping what it needs (`cluster` is in
benchmarks/cluster.py, `pages-load`, `flood`, `burst` and `screens` in benchmarks/pageload.py)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING

from . import nginx, pageload
from .harness import (
    Server,
    connect_page,
    login_burst,
    open_watch_page,
    percentile,
    seed_big_catalog,
    seed_fans,
    seed_viewers,
    signed_in_client,
    step,
    temporary_folder,
    use_database,
)
from .ping import Pinger
from .procstat import rss_kib
from .video import read_ranges

if TYPE_CHECKING:
    import socketio

Row = tuple[str, str, str]
# The app's flood backstop (app/page_limits.py) out of the way, where one client loads pages faster than a person.
UNLIMITED = {'BUTACA_PAGE_LOADS_PER_SESSION': '100000', 'BUTACA_PAGE_LOADS_PER_ADDRESS': '100000'}


def ms(seconds: float) -> str:
    return f'{seconds * 1000:.1f} ms'


def demo_video(folder: Path) -> Path:
    """One real demo title (H.264/AAC, about a minute, 720p), made with PyAV."""
    from app.library.demo import FILMS, generate_demo_library

    step('making a demo title')
    library = generate_demo_library(folder, films=FILMS[:1], series=(), workers=1, progress=step)
    return folder / library.films[0]['video_hd_path']


async def measure_video(quick: bool) -> list[Row]:
    seconds = 4 if quick else 20
    rows: list[Row] = []
    with temporary_folder('butaca-bench-video-') as data_dir:
        video = demo_video(data_dir / 'demo-source')
        seed_viewers(data_dir, viewers=1, video_file=video)
        size = video.stat().st_size
        with Server(data_dir) as server:
            client = await signed_in_client(server.url, 'viewer0')
            path, _ = await open_watch_page(client, 1)
            cookie = '; '.join(f'{k}={v}' for k, v in client.cookies.items())
            step(f'reading the video for {seconds} s')
            with Pinger(f'{server.url}/api/health', seconds) as ping:
                result, elapsed = await read_ranges(server.url, path, size, cookie=cookie, seconds=seconds)
            await client.aclose()
        embedded = result.bytes / elapsed / 1e6
        rows.append(('video (a) Butaca media route, 32 clients', _video_text(result, elapsed), '>= 200 MB/s'))
        rows.append(
            (
                'video (a) ping while bytes flow',
                f'p50 {ms(percentile(ping.delays, 0.5))}, p99 {ms(percentile(ping.delays, 0.99))}',
                'p99 < 100 ms',
            )
        )
        if nginx.available() is None:
            rows.append(('video (b), (c) nginx', 'skipped: nginx is not installed (apt-get install nginx)', ''))
            return rows
        # Twice: nginx reusing Butaca's grant for its X-Accel-Expires (2 s, the default), then without the grant
        # cache, asking Butaca for every read. The viewer signs in again each time: a new device, so allow more
        # than one screen.
        accel_rates = {}
        for grant in ('2', '0'):
            with (
                Server(
                    data_dir,
                    BUTACA_ACCEL_REDIRECT=nginx.ACCEL_PREFIX,
                    BUTACA_MAX_SCREENS_FREE='4',
                    BUTACA_ACCEL_GRANT_SECONDS=grant,
                ) as server,
                nginx.nginx(
                    data_dir / 'media', server.port, data_dir / f'nginx-{grant}', grants=grant != '0', limits=False
                ) as proxy,
            ):
                client = await signed_in_client(proxy, 'viewer0')
                path, _ = await open_watch_page(client, 1)
                cookie = '; '.join(f'{k}={v}' for k, v in client.cookies.items())
                step(f'reading the video through nginx for {seconds} s')
                accel_rates[grant] = await read_ranges(proxy, path, size, cookie=cookie, seconds=seconds)
                if grant == '2':
                    step(f'reading the file from nginx alone for {seconds} s')
                    direct, direct_elapsed = await read_ranges(proxy, '/direct/bench/hd.mp4', size, seconds=seconds)
                await client.aclose()
        direct_rate = direct.bytes / direct_elapsed / 1e6
        for grant, name in (
            ('2', 'video (b) nginx + X-Accel-Redirect, grants kept 2 s'),
            ('0', 'video (b) nginx + X-Accel-Redirect, every read asks'),
        ):
            accel, accel_elapsed = accel_rates[grant]
            rate = accel.bytes / accel_elapsed / 1e6
            rows.append((name, _video_text(accel, accel_elapsed), f'>= 80 % of (c): {rate / direct_rate * 100:.0f} %'))
        rows.append(
            (
                'video (c) nginx alone (the limit)',
                _video_text(direct, direct_elapsed),
                f'(a) is {embedded / direct_rate * 100:.0f} % of it',
            )
        )
    return rows


def _video_text(result, elapsed: float) -> str:
    return (
        f'{result.bytes / elapsed / 1e6:.0f} MB/s, TTFB p50 {ms(percentile(result.ttfb, 0.5))} '
        f'p99 {ms(percentile(result.ttfb, 0.99))}, {result.errors} errors'
    )


async def measure_logins(quick: bool) -> list[Row]:
    count = 20
    with temporary_folder('butaca-bench-login-') as data_dir:
        seed_viewers(data_dir, viewers=0)
        seed_fans(count)
        with Server(data_dir, BUTACA_BCRYPT_ROUNDS='12') as server:
            ok, burst, delays = await login_burst(server.url, count)
    worst = max(delays) if delays else float('nan')
    return [
        (
            f'login burst: {count} at bcrypt cost 12',
            f'{ok}/{count} signed in in {burst:.1f} s; worst ping {ms(worst)}, p99 {ms(percentile(delays, 0.99))}',
            'worst ping < 50 ms',
        )
    ]


async def measure_pages(quick: bool) -> list[Row]:
    samples = 8 if quick else 40
    rows: list[Row] = []
    with temporary_folder('butaca-bench-pages-') as data_dir:
        seed_big_catalog(data_dir, titles=10_000, history=100_000)
        with Server(data_dir, **UNLIMITED) as server:  # one client loads pages back to back, without websockets
            client = await signed_in_client(server.url, 'viewer0')
            pages = {
                'home /': '/',
                'catalog, first page': '/catalog',
                'catalog, late page with a search': '/catalog?q=noche&page=40',
                'watch': '/watch/5000',
                'profile (history)': '/profile',
            }
            for name, path in pages.items():
                step(f'{samples} loads of {path}')
                times = []
                for _ in range(samples):
                    started = time.perf_counter()
                    response = await client.get(path)
                    times.append(time.perf_counter() - started)
                    assert response.status_code == 200, (path, response.status_code)
                rows.append(
                    (
                        f'page {name} (10k titles, 100k history)',
                        f'p50 {ms(percentile(times, 0.5))}, p95 {ms(percentile(times, 0.95))}',
                        'p95 < 150 ms',
                    )
                )
            await client.aclose()
    return rows


async def measure_saves(quick: bool) -> list[Row]:
    """The most the server takes (clients back to back), then a steady 1050 saves/s offered by 210 viewers."""
    from . import stress

    seconds = 4 if quick else 20
    rows: list[Row] = []
    for name, viewers, interval in (
        ('peak: 50 clients back to back', 50, 0.0),
        ('sustained: 210 viewers x 5/s = 1050/s offered', 210, 0.2),
    ):
        with temporary_folder('butaca-bench-saves-') as data_dir:
            seed_viewers(data_dir, viewers=viewers)
            with Server(data_dir) as server:
                result = await stress.measure(server, data_dir, viewers=viewers, seconds=seconds, interval=interval)
        rows.append(
            (
                f'progress saves, {name}',
                f'{result["saves_per_s"]:.0f} saves/s, p50 {result["p50_ms"]} ms, p99 {result["p99_ms"]} ms, '
                f'{result["errors"]} errors, {result["lost_final_positions"]} lost',
                '>= 1000/s, p99 < 50 ms, 0 lost',
            )
        )
    return rows


async def measure_memory(quick: bool) -> list[Row]:
    count = 20 if quick else 60
    with temporary_folder('butaca-bench-memory-') as data_dir:
        seed_big_catalog(data_dir, titles=2000, history=1000)
        with Server(data_dir, **UNLIMITED) as server:  # one session opens its pages as fast as it can
            client = await signed_in_client(server.url, 'viewer0')

            async def connect() -> socketio.AsyncClient:
                return await connect_page(client, (await client.get('/')).text)

            step(f'opening {count} homes')
            warm = [await connect() for _ in range(3)]
            await asyncio.sleep(2)
            before = rss_kib(server.pid)
            sockets = [await connect() for _ in range(count)]
            await asyncio.sleep(3)
            after = rss_kib(server.pid)
            for sio in warm + sockets:
                await sio.disconnect()
            await client.aclose()
    per_client = (after - before) / count / 1024
    return [
        (
            f'memory: {count} clients with home open',
            f'{per_client:.2f} MiB per client (RSS {before / 1024:.0f} -> {after / 1024:.0f} MiB)',
            '< 1.5 MiB per client',
        )
    ]


def _measure_cluster(quick: bool):
    from .cluster import measure_cluster  # PostgreSQL, Redis and nginx: only loaded when asked for

    return measure_cluster(quick)


MEASUREMENTS = {
    'video': measure_video,
    'logins': measure_logins,
    'pages': measure_pages,
    'saves': measure_saves,
    'memory': measure_memory,
    'cluster': _measure_cluster,
    'pages-load': pageload.measure_pages_load,
    'flood': pageload.measure_flood,
    'burst': pageload.measure_burst,
    'screens': pageload.measure_screens,
}
# Only with --only: minutes of two set-ups, and PostgreSQL, Redis and nginx, which the quick run does not assume.
ON_REQUEST = {'cluster'}


TINY = {'pages-load', 'flood', 'burst', 'screens'}  # these have a tiny mode: the test suite keeps them working


async def run_all(*, quick: bool, only: set[str], tiny: bool = False) -> list[Row]:
    rows: list[Row] = []
    for name, measure in MEASUREMENTS.items():
        if (only and name not in only) or (not only and name in ON_REQUEST):
            continue
        print(f'measuring {name} ...', flush=True)
        rows.extend(await (measure(quick, tiny=tiny) if name in TINY else measure(quick or tiny)))
    return rows


__all__ = ['run_all', 'use_database']
