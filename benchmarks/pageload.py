"""Pages under load (issue #16): `pages-load`, `flood`, `burst` and `screens` of `python -m benchmarks`.

- `pages-load`: 32 connections, each signed in with its own session, load home, catalog, a title's page and the
  profile back to back, (a) plain (HTTP only, as a load tool does: the page's client is left behind until pruned)
  and (b) opening the page's websocket and closing it, as a browser does that opens a page and leaves. In the same
  run, measured the same way: a bare NiceGUI page (one label) and a bare Starlette + Jinja2 route with the same rows
  (benchmarks/bare.py). At 18 titles and at 10,000 titles with 100,000 history rows (quick mode: 18 titles only).
- `flood`: page loads that never open their websocket (anonymous /login and one session's home) while real viewers
  (paced, with their websockets) keep loading pages: memory peak, the real viewers' rate and latency, UI ping.
- `burst`: 200 signed-in viewers open home (page and websocket) within one second.
- `screens`: 1,000 websockets with home open and 100 players saving progress every 10 s on one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .harness import ROOT, Server, free_port, percentile, signed_in_client, step, temporary_folder
from .ping import Pinger
from .procstat import rss_kib
from .rawhttp import PageSocket, RawClient, cookie_header, open_page_socket

CLIENT_ID_RE = re.compile(rb"'client_id': '([0-9a-f-]+)'")
CONNECTIONS = 32
Row = tuple[str, str, str]


def ms(seconds: float) -> str:
    return f'{seconds * 1000:.0f} ms'


@dataclass
class Load:
    pages: int = 0
    errors: int = 0
    limited: int = 0  # 429: told to come back later
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.pages / self.elapsed if self.elapsed else 0.0

    def text(self) -> str:
        return (
            f'{self.rate:.0f} pages/s, p50 {ms(percentile(self.latencies, 0.5))}, '
            f'p99 {ms(percentile(self.latencies, 0.99))}, {self.errors} errors'
        )


async def load_page(client: RawClient, url: str, path: str, *, websocket: bool) -> int:
    """One page load on a keep-alive connection (and its websocket opened and closed): its status, 0 when the
    websocket was refused."""
    reply = await client.request('GET', path, headers='Accept: text/html\r\n')
    if reply.status != 200 or not websocket:
        return reply.status
    match = CLIENT_ID_RE.search(reply.body)
    if match is None:
        return 0
    return 200 if await open_page_socket(url, match.group(1).decode(), cookie=client.cookie) else 0


async def hammer(
    url: str,
    paths: list[str],
    cookies: list[str],
    *,
    seconds: float,
    websocket: bool,
    connections: int = CONNECTIONS,
    every: float = 0.0,
    result: Load | None = None,
) -> Load:
    """`connections` keep-alive connections loading `paths` in turn for `seconds` (back to back, or one load per
    connection every `every` seconds), connection i with cookie i mod len(cookies)."""
    step(f'{"page loads with websocket" if websocket else "page loads"} of {url}{paths[0]} for {seconds:g} s')
    result = result or Load()
    stop_at = time.monotonic() + seconds

    async def one(index: int) -> None:
        cookie = cookies[index % len(cookies)] if cookies else ''
        turn = index
        next_at = time.monotonic() + (random.uniform(0, every) if every else 0)
        while time.monotonic() < stop_at:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            try:
                async with RawClient(url, cookie=cookie) as client:
                    while time.monotonic() < stop_at:
                        path = paths[turn % len(paths)]
                        turn += 1
                        started = time.perf_counter()
                        status = await load_page(client, url, path, websocket=websocket)
                        result.statuses[status] = result.statuses.get(status, 0) + 1
                        if status == 200:
                            result.pages += 1
                            result.latencies.append(time.perf_counter() - started)
                        elif status == 429:
                            result.limited += 1
                        else:
                            result.errors += 1
                        if every:
                            next_at += every
                            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            except (OSError, asyncio.IncompleteReadError, TimeoutError):
                continue  # the server closed the keep-alive connection (or refused it): a browser opens another

    started = time.perf_counter()
    await asyncio.gather(*(one(index) for index in range(connections)))
    result.elapsed += time.perf_counter() - started
    return result


class Process:
    """A floor server of benchmarks/bare.py in its own process."""

    def __init__(self, *args: str, log: Path) -> None:
        self.port = free_port()
        self.args, self.log = args, log
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.port}'

    def __enter__(self) -> Process:
        self.process = subprocess.Popen(
            [sys.executable, '-m', 'benchmarks.bare', self.args[0], str(self.port), *self.args[1:]],
            cwd=ROOT,
            stdout=self.log.open('ab'),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f'{self.args[0]} exited; see {self.log}')
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f'{self.url}/api/health', timeout=1).status_code == 200:
                    return self
            time.sleep(0.2)
        raise RuntimeError(f'{self.args[0]} did not start')

    def __exit__(self, *_exc: object) -> None:
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


async def sessions(url: str, count: int, first: int = 0) -> list[str]:
    """Cookies of `count` signed-in viewers (viewer{first}..), each after one page load (NiceGUI's own cookie too)."""
    step(f'signing in {count} viewers')

    async def one(index: int) -> str:
        client = await signed_in_client(url, f'viewer{index}')
        try:
            await client.get('/api/health')
            return cookie_header(client.cookies)
        finally:
            await client.aclose()

    cookies = []
    for start in range(first, first + count, 20):  # a few at a time: sign-ins queue on the password pool
        cookies += await asyncio.gather(*(one(i) for i in range(start, min(first + count, start + 20))))
    return cookies


BUTACA_PAGES = {'home': '/', 'catalog': '/catalog', 'title': '/title/5', 'profile': '/profile'}


async def measure_pages_load(quick: bool, tiny: bool = False) -> list[Row]:
    from .harness import seed_big_catalog

    seconds = 0.5 if tiny else 2.0 if quick else 8.0
    sizes = ((18, 100, '18 titles'), (10_000, 100_000, '10k titles, 100k history'))
    rows: list[Row] = []
    # Quick mode measures the small catalog only: seeding 10,000 titles and 100,000 history rows and starting the
    # servers again is half of its time; the full mode measures both.
    for titles, history, label in sizes[:1] if tiny or quick else sizes:
        with temporary_folder('butaca-bench-pages-load-') as data_dir:
            seed_big_catalog(data_dir, titles=titles, history=history, viewers=CONNECTIONS)
            # Capacity, not the flood backstop: each connection here loads pages far faster than a person does.
            unlimited = {'BUTACA_PAGE_LOADS_PER_SESSION': '100000', 'BUTACA_PAGE_LOADS_PER_ADDRESS': '100000'}
            with (
                Server(data_dir, **unlimited) as server,
                Process('nicegui', log=data_dir / 'bare-nicegui.log') as bare,
                Process('starlette', str(data_dir / 'database.db'), log=data_dir / 'bare-starlette.log') as plain,
            ):
                cookies = await sessions(server.url, CONNECTIONS)
                for websocket, mode in ((False, 'plain'), (True, 'with websocket')):
                    # The floor is measured before and after Butaca's pages and averaged: this machine's speed
                    # drifts (other work on it), and a ratio should compare like with like.
                    floor = await hammer(bare.url, ['/'], [], seconds=seconds, websocket=websocket)
                    jinja = await hammer(plain.url, ['/'], [], seconds=seconds, websocket=False)
                    measured = {
                        name: await hammer(server.url, [path], cookies, seconds=seconds, websocket=websocket)
                        for name, path in BUTACA_PAGES.items()
                    }
                    floor = await hammer(bare.url, ['/'], [], seconds=seconds, websocket=websocket, result=floor)
                    rows.append((f'pages-load {label}, {mode}: bare NiceGUI page', floor.text(), '(the floor)'))
                    rows.append(
                        (f'pages-load {label}, {mode}: bare Starlette + Jinja2 rows', jinja.text(), '(plain web)')
                    )
                    for name, got in measured.items():
                        rows.append(
                            (
                                f'pages-load {label}, {mode}: {name}',
                                f'{got.text()}; {got.rate / max(floor.rate, 0.1):.2f}x NiceGUI, '
                                f'{got.rate / max(jinja.rate, 0.1):.3f}x Starlette',
                                '>= 0.5x NiceGUI',
                            )
                        )
    return rows


@contextlib.asynccontextmanager
async def rss_peak(pid: int, every: float = 0.25):
    """`async with rss_peak(pid) as peak:` ... then `peak[0]` (KiB), sampled while the block runs."""
    peak = [rss_kib(pid)]

    async def sample() -> None:
        while True:
            peak[0] = max(peak[0], rss_kib(pid))
            await asyncio.sleep(every)

    task = asyncio.create_task(sample())
    try:
        yield peak
    finally:
        task.cancel()
        peak[0] = max(peak[0], rss_kib(pid))


REAL_VIEWERS = 8
REAL_EVERY_S = 1.0  # each real viewer opens a page (and its websocket) once a second


async def measure_flood(quick: bool, tiny: bool = False) -> list[Row]:
    from .harness import seed_big_catalog

    calm_s, flood_s = (1.0, 2.0) if tiny else (4.0, 10.0) if quick else (10.0, 60.0)
    real_paths = ['/', '/catalog', '/title/3', '/profile']
    with temporary_folder('butaca-bench-flood-') as data_dir:
        seed_big_catalog(data_dir, titles=18, history=100, viewers=REAL_VIEWERS + 1)
        with Server(data_dir) as server:
            cookies = await sessions(server.url, REAL_VIEWERS + 1)
            attacker, real = cookies[0], cookies[1:]
            calm = await hammer(
                server.url, real_paths, real, seconds=calm_s, websocket=True, connections=REAL_VIEWERS,
                every=REAL_EVERY_S,
            )  # fmt: skip
            before = rss_kib(server.pid)
            step(f'the flood, {flood_s:g} s')
            async with rss_peak(server.pid) as peak:
                with Pinger(f'{server.url}/api/health', flood_s) as ping:
                    flooded, anonymous, signed_in = await asyncio.gather(
                        hammer(
                            server.url,
                            real_paths,
                            real,
                            seconds=flood_s,
                            websocket=True,
                            connections=REAL_VIEWERS,
                            every=REAL_EVERY_S,
                        ),  # fmt: skip
                        hammer(server.url, ['/login'], [], seconds=flood_s, websocket=False, connections=16),
                        hammer(server.url, ['/'], [attacker], seconds=flood_s, websocket=False, connections=16),
                    )
            after = rss_kib(server.pid)
    drop = 1 - flooded.rate / calm.rate if calm.rate else float('nan')
    flood_text = (
        f'{anonymous.rate:.0f}/s /login served, {anonymous.limited} told 429; {signed_in.rate:.0f}/s home served, '
        f'{signed_in.limited} told 429'
    )
    return [
        (f'flood {flood_s:.0f} s: 16 anonymous /login + 16 one-session home, no websocket', flood_text, ''),
        (
            'flood: server memory',
            f'RSS {before / 1024:.0f} MiB before, peak {peak[0] / 1024:.0f} MiB, {after / 1024:.0f} MiB after',
            '< 1024 MiB',
        ),
        (
            f'flood: {REAL_VIEWERS} real viewers, a page + websocket each per second',
            f'{calm.rate:.1f} -> {flooded.rate:.1f} pages/s ({drop * 100:.0f} % drop), p99 '
            f'{ms(percentile(calm.latencies, 0.99))} -> {ms(percentile(flooded.latencies, 0.99))}, '
            f'{flooded.errors} errors',
            'drop <= 20 %',
        ),
        (
            'flood: ping every 10 ms',
            f'p50 {ms(percentile(ping.delays, 0.5))}, p99 {ms(percentile(ping.delays, 0.99))}',
            'p99 < 100 ms',
        ),
    ]


async def measure_burst(quick: bool, tiny: bool = False) -> list[Row]:
    from .harness import seed_big_catalog

    count = 10 if tiny else 200
    with temporary_folder('butaca-bench-burst-') as data_dir:
        seed_big_catalog(data_dir, titles=18, history=100, viewers=count)
        with Server(data_dir) as server:
            cookies = await sessions(server.url, count)
            page_times: list[float] = []
            totals: list[float] = []
            failures: list[str] = []

            async def viewer(cookie: str) -> None:
                await asyncio.sleep(random.uniform(0, 1.0))
                started = time.perf_counter()
                try:
                    async with RawClient(server.url, cookie=cookie) as client:
                        reply = await client.request('GET', '/', headers='Accept: text/html\r\n')
                        page_times.append(time.perf_counter() - started)
                        match = CLIENT_ID_RE.search(reply.body)
                        if reply.status != 200 or match is None:
                            failures.append(f'HTTP {reply.status}')
                            return
                        sock = PageSocket(server.url, match.group(1).decode(), cookie=cookie)
                        try:
                            if not await sock.open():
                                failures.append('websocket refused')
                                return
                        finally:
                            await sock.close()
                        totals.append(time.perf_counter() - started)
                except (OSError, asyncio.IncompleteReadError, TimeoutError) as error:
                    failures.append(type(error).__name__)

            step(f'{count} viewers open home within 1 s')
            await asyncio.gather(*(viewer(cookie) for cookie in cookies))
    return [
        (
            f'burst: {count} signed-in viewers open home within 1 s',
            f'{len(totals)}/{count} served, {len(failures)} errors; page p50 {ms(percentile(page_times, 0.5))}, '
            f'p95 {ms(percentile(page_times, 0.95))}; with websocket p95 {ms(percentile(totals, 0.95))}',
            'all served, p95 <= 1.5 s',
        )
    ]


async def save_every(viewer, url: str, cookie: str, stop_at: float, interval: float) -> None:
    """A player's progress report every `interval` seconds, as the player sends it: on a new connection each time
    (the server closes an idle keep-alive connection after 5 s; benchmarks/stress.py keeps one, saving every second).
    """
    import json

    position = 600.0 + viewer.index
    await asyncio.sleep(random.uniform(0, interval))
    while time.monotonic() < stop_at:
        position += interval
        viewer.sent += 1
        started = time.perf_counter()
        try:
            async with RawClient(url, cookie=cookie) as client:
                reply = await client.request(
                    'POST',
                    f'/play/{viewer.token}/progress',
                    body=json.dumps({'position': position}).encode(),
                    headers='Content-Type: text/plain\r\n',
                )
        except (OSError, asyncio.IncompleteReadError) as error:
            viewer.errors.append(type(error).__name__)
        else:
            viewer.latencies.append(time.perf_counter() - started)
            if reply.status == 204:
                viewer.acked += 1
                viewer.last_acked = position
            else:
                viewer.errors.append(f'HTTP {reply.status}: {reply.body[:80]!r}')
        await asyncio.sleep(interval)


async def measure_screens(quick: bool, tiny: bool = False) -> list[Row]:
    from . import stress
    from .harness import seed_viewers

    screens, players, seconds = (20, 4, 3.0) if tiny else (200, 20, 12.0) if quick else (1000, 100, 60.0)
    with temporary_folder('butaca-bench-screens-') as data_dir:
        seed_viewers(data_dir, viewers=players)
        with Server(data_dir) as server:
            group, player_cookies = await stress.prepare(server, players)
            before = rss_kib(server.pid)
            sockets: list[PageSocket] = []
            refused = 0

            async def open_home(cookie: str) -> None:
                nonlocal refused
                async with RawClient(server.url, cookie=cookie) as client:
                    reply = await client.request('GET', '/', headers='Accept: text/html\r\n')
                match = CLIENT_ID_RE.search(reply.body)
                sock = PageSocket(server.url, match.group(1).decode() if match else '', cookie=cookie)
                if match and await sock.open():
                    sockets.append(sock)
                else:
                    refused += 1

            step(f'opening {screens} screens')
            opening = time.perf_counter()
            for start in range(0, screens, 50):
                await asyncio.gather(
                    *(open_home(player_cookies[i % players]) for i in range(start, min(screens, start + 50)))
                )
            opening = time.perf_counter() - opening
            step(f'{players} players saving every 10 s for {seconds:g} s')
            async with rss_peak(server.pid) as peak:
                with Pinger(f'{server.url}/api/health', seconds) as ping:
                    stop_at = time.monotonic() + seconds
                    await asyncio.gather(
                        *(
                            save_every(viewer, server.url, cookie, stop_at, 10.0)
                            for viewer, cookie in zip(group, player_cookies, strict=True)
                        )
                    )
                    # Counted here: leaving the pinger waits for its process, and meanwhile this loop answers no
                    # engine.io ping (the server drops a socket whose answer is 2 s late).
                    still_open = sum(1 for sock in sockets if sock.is_open)
                    ended = Counter(sock.ended for sock in sockets if not sock.is_open)
            updates = sum(sock.messages for sock in sockets)
            for sock in sockets:
                await sock.close()
            stored = stress.stored_positions(data_dir)
    lost = sum(1 for v in group if v.last_acked is not None and stored.get(v.index + 1) != v.last_acked)
    saves = sum(v.acked for v in group)
    errors = sum(len(v.errors) for v in group)
    return [
        (
            f'screens: {screens} websockets with home open + {players} players saving every 10 s, {seconds:.0f} s',
            f'{len(sockets)} open in {opening:.0f} s ({refused} refused), {still_open} still open at the end '
            f'{dict(ended) if ended else ""}, '
            f'{updates} updates pushed; {saves} saves, {errors} errors, {lost} lost',
            '0 lost',
        ),
        (
            'screens: server memory',
            f'RSS {before / 1024:.0f} MiB with the players, peak {peak[0] / 1024:.0f} MiB',
            '< 1536 MiB',
        ),
        (
            'screens: ping every 10 ms',
            f'p50 {ms(percentile(ping.delays, 0.5))}, p99 {ms(percentile(ping.delays, 0.99))}',
            'p99 < 100 ms',
        ),
    ]
