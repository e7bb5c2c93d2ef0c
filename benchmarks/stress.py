"""Concurrent writers: N simulated viewers each save progress every second against a running server.

    python -m benchmarks.stress [--viewers 200] [--seconds 60] [--database-url postgresql+psycopg://...]

Counts saves sent, acknowledged and found in the database afterwards (must all be equal), errors (must be 0),
and the save latency p50/p99. Each viewer has its own sign-in, playback and keep-alive connection; the client is
raw sockets (benchmarks/rawhttp.py) so that the load generator leaves the CPU to the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .harness import (
    Server,
    open_watch_page,
    percentile,
    seed_viewers,
    set_database_url,
    signed_in_client,
    step,
    temporary_folder,
    use_database,
)
from .procstat import cpu_seconds
from .rawhttp import RawClient, cookie_header

START_POSITION = 600.0  # well inside a 2-hour title: every save is a resumable position


@dataclass
class Viewer:
    index: int
    token: str = ''
    sent: int = 0
    acked: int = 0
    last_acked: float | None = None
    sent_positions: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


async def _watch(viewer: Viewer, url: str, cookie: str, stop_at: float, interval: float) -> None:
    """Save every `interval` seconds on the viewer's own keep-alive connection (back to back when 0)."""
    position = START_POSITION + viewer.index  # distinct per viewer
    # Real viewers do not all save on the same tick: spread the first save over one interval.
    next_at = time.monotonic() + random.uniform(0, interval)
    await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    async with RawClient(url, cookie=cookie) as client:
        while time.monotonic() < stop_at:
            position += max(interval, 1.0)
            viewer.sent += 1
            viewer.sent_positions.append(position)
            body = json.dumps({'position': position}).encode()
            started = time.perf_counter()
            try:
                reply = await client.request(
                    'POST', f'/play/{viewer.token}/progress', body=body, headers='Content-Type: text/plain\r\n'
                )
            except (OSError, asyncio.IncompleteReadError) as error:
                viewer.errors.append(type(error).__name__)
                return
            viewer.latencies.append(time.perf_counter() - started)
            if reply.status == 204:
                viewer.acked += 1
                viewer.last_acked = position
            else:
                viewer.errors.append(f'HTTP {reply.status}: {reply.body[:80]!r}')
            next_at += interval
            if next_at >= stop_at:
                break  # no report is due before the end: waiting for it would only stretch the measured time
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))


async def prepare(server: Server, count: int) -> tuple[list[Viewer], list[str]]:
    """`count` signed-in viewers, each with a watch page open; returns them with their cookies."""
    step(f'signing in {count} viewers, each with a watch page open')
    viewers = [Viewer(index) for index in range(count)]
    limits = httpx.Limits(max_connections=1)
    clients = await asyncio.gather(*(signed_in_client(server.url, f'viewer{v.index}', limits=limits) for v in viewers))
    # 20 pages opening at a time: preparing is not what is measured, and hundreds at once on a loaded machine
    # (two processes, nginx, PostgreSQL and Redis on two cores) pass the 30 s a page is given to start playing.
    gate = asyncio.Semaphore(20)

    async def open_one(viewer: Viewer, client: httpx.AsyncClient) -> tuple[str, str]:
        async with gate:
            return await open_watch_page(client, viewer.index + 1)

    tokens = await asyncio.gather(*(open_one(v, c) for v, c in zip(viewers, clients, strict=True)))
    for viewer, (_, token) in zip(viewers, tokens, strict=True):
        viewer.token = token
    cookies = [cookie_header(client.cookies) for client in clients]
    await asyncio.gather(*(client.aclose() for client in clients))
    return viewers, cookies


async def measure(
    server: Server, data_dir: Path, *, viewers: int, seconds: float, interval: float, pids: list[int] | None = None
) -> dict:
    """Run the viewers against a started server seeded with `seed_viewers(data_dir, viewers=...)`; the figures.
    With `pids` (the server processes), also the CPU they spent on the saves (`cpu_by_process`, seconds each)."""
    group, cookies = await prepare(server, viewers)
    step(f'{viewers} viewers saving for {seconds:g} s')
    cpu_before = [cpu_seconds(pid) for pid in pids or []]
    stop_at = time.monotonic() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(_watch(v, server.url, c, stop_at, interval) for v, c in zip(group, cookies, strict=True)))
    elapsed = time.perf_counter() - started
    cpu_by_process = [cpu_seconds(pid) - before for pid, before in zip(pids or [], cpu_before, strict=True)]
    stored = stored_positions(data_dir)
    # user ids are index + 1 (seeded in order); the stored position must be the last acknowledged one.
    lost = sum(1 for v in group if v.last_acked is not None and stored.get(v.index + 1) != v.last_acked)
    latencies = [latency for v in group for latency in v.latencies]
    return {
        'viewers': viewers,
        'seconds': round(elapsed, 1),
        'sent': sum(v.sent for v in group),
        'acknowledged': sum(v.acked for v in group),
        'errors': sum(len(v.errors) for v in group),
        'lost_final_positions': lost,
        'saves_per_s': round(sum(v.acked for v in group) / elapsed, 1),
        'p50_ms': round(percentile(latencies, 0.50) * 1000, 1),
        'p99_ms': round(percentile(latencies, 0.99) * 1000, 1),
        'first_errors': [e for v in group for e in v.errors][:5],
        'cpu_by_process': cpu_by_process,
    }


def stored_positions(data_dir: Path) -> dict[int, float]:
    use_database(data_dir)
    from sqlmodel import select

    from app import db
    from app.models import Progress

    with db.session() as session:
        return {row.user_id: row.position_s for row in session.exec(select(Progress)).all()}


async def _run(viewers: int, seconds: float, interval: float, data_dir: Path) -> dict:
    seed_viewers(data_dir, viewers=viewers)
    with Server(data_dir) as server:
        return await measure(server, data_dir, viewers=viewers, seconds=seconds, interval=interval)


def run(viewers: int = 200, seconds: float = 60, interval: float = 1.0, database_url: str | None = None) -> dict:
    """The figures; on a new SQLite file, or on the empty database at `database_url` (PostgreSQL)."""
    with temporary_folder('butaca-stress-') as data_dir:
        set_database_url(data_dir, database_url)
        return asyncio.run(_run(viewers, seconds, interval, data_dir))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--viewers', type=int, default=200)
    parser.add_argument('--seconds', type=float, default=60)
    parser.add_argument('--interval', type=float, default=1.0, help='seconds between two saves of one viewer')
    parser.add_argument('--database-url', help='an empty database to use instead of a new SQLite file')
    args = parser.parse_args()
    result = run(args.viewers, args.seconds, args.interval, args.database_url)
    for key, value in result.items():
        print(f'{key:>22}: {value}')
    ok = result['sent'] == result['acknowledged'] and result['errors'] == 0 and result['lost_final_positions'] == 0
    raise SystemExit(0 if ok else 1)


if __name__ == '__main__':
    main()
