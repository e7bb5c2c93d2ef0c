"""`python -m tests.cluster_add_title NAME`: what an operator's tool does on a cluster (tests/test_cluster.py): adds
a title to the database of BUTACA_DATABASE_URL, then tells every Butaca process through the Redis bus
(BUTACA_REDIS_URL), as `butaca-import` does."""

from __future__ import annotations

import sys

from app import db, events, events_redis
from app.services import catalog


def main(name: str) -> int:
    bus = events_redis.install()
    if bus is None:
        sys.stderr.write('BUTACA_REDIS_URL is not set\n')
        return 1
    with db.session(write=True) as session:
        title = catalog.add_title(
            session,
            title=name,
            genre='Bench',
            year=2026,
            duration_s=30.0,
            poster_path='bench/poster.jpg',
            backdrop_path='bench/backdrop.jpg',
            video_sd_path='bench/sd.mp4',
            video_hd_path='bench/hd.mp4',
            sd_height=480,
            hd_height=720,
        )
        title_id = title.id
    events.publish('catalog', title_ids=[title_id])
    events.set_bus(None)  # sends what is queued, then closes
    return 0


if __name__ == '__main__':
    raise SystemExit(main(sys.argv[1]))
