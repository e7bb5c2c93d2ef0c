"""Crash safety: kill the server (SIGKILL) while viewers save progress, restart it, check the database.

    python -m benchmarks.crash [--viewers 100] [--seconds 20] [--database-url postgresql+psycopg://...]

Passes when `PRAGMA integrity_check` says ok (on PostgreSQL: every table reads to the end) and every acknowledged
save is in the database (the stored position is the last acknowledged one, or a later one that was sent but whose
answer the crash swallowed).
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import time
from pathlib import Path

import httpx

from .harness import Server, database_url, seed_viewers, set_database_url, temporary_folder
from .stress import Viewer, _watch, prepare, stored_positions


async def _run(viewers: int, seconds: float, data_dir: Path) -> dict:
    seed_viewers(data_dir, viewers=viewers)
    server = Server(data_dir).start()
    try:
        group, cookies = await prepare(server, viewers)
        stop_at = time.monotonic() + seconds
        watchers = asyncio.gather(
            *(_watch(v, server.url, c, stop_at, 0.5) for v, c in zip(group, cookies, strict=True))
        )
        await asyncio.sleep(seconds / 2)
        server.kill()  # mid-stream: some saves are in flight
        killed_at = time.monotonic()
        await watchers
    finally:
        server.kill()
    integrity = _integrity(database_url(data_dir))
    restarted = Server(data_dir).start()  # the app comes back on the same files
    try:
        healthy = httpx.get(f'{restarted.url}/api/health', timeout=5).status_code == 200
    finally:
        restarted.stop()
    stored = stored_positions(data_dir)
    lost = [v.index for v in group if v.last_acked is not None and not _kept(v, stored.get(v.index + 1))]
    return {
        'viewers': viewers,
        'killed_after_s': round(seconds / 2, 1),
        'ran_on_s': round(stop_at - killed_at, 1),
        'acknowledged': sum(v.acked for v in group),
        'integrity_check': integrity,
        'lost_acknowledged_saves': len(lost),
        'restart_healthy': healthy,
    }


def _integrity(url: str) -> str:
    """SQLite: PRAGMA integrity_check of the file ('ok'). PostgreSQL keeps its own files safe across a crash of
    its client: 'ok' when every table reads to the end."""
    if url.startswith('sqlite'):
        with sqlite3.connect(url.split('///', 1)[1]) as connection:
            return connection.execute('PRAGMA integrity_check').fetchone()[0]
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            for table in inspect(connection).get_table_names():
                connection.execute(text(f'SELECT count(*) FROM {table}')).scalar()
    finally:
        engine.dispose()
    return 'ok'


def _kept(viewer: Viewer, stored: float | None) -> bool:
    """The stored position is the last acknowledged one or a later one this viewer sent."""
    if stored is None or viewer.last_acked is None:
        return False
    return stored == viewer.last_acked or (stored > viewer.last_acked and stored in viewer.sent_positions)


def run(viewers: int = 100, seconds: float = 20, database_url: str | None = None) -> dict:
    """The figures; on a new SQLite file, or on the empty database at `database_url` (PostgreSQL)."""
    with temporary_folder('butaca-crash-') as data_dir:
        set_database_url(data_dir, database_url)
        return asyncio.run(_run(viewers, seconds, data_dir))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--viewers', type=int, default=100)
    parser.add_argument('--seconds', type=float, default=20)
    parser.add_argument('--database-url', help='an empty database to use instead of a new SQLite file')
    args = parser.parse_args()
    result = run(args.viewers, args.seconds, args.database_url)
    for key, value in result.items():
        print(f'{key:>24}: {value}')
    ok = result['integrity_check'] == 'ok' and result['lost_acknowledged_saves'] == 0 and result['restart_healthy']
    raise SystemExit(0 if ok else 1)


if __name__ == '__main__':
    main()
