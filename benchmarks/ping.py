"""A second client that pings a tiny endpoint every 10 ms in its own process: how responsive the server stays."""

from __future__ import annotations

import multiprocessing
import time
from multiprocessing.connection import Connection

import httpx


def _ping(url: str, seconds: float, every: float, conn: Connection) -> None:
    delays: list[float] = []
    with httpx.Client(timeout=10) as client:
        stop_at = time.monotonic() + seconds
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                client.get(url)
                delays.append(time.perf_counter() - started)
            except httpx.HTTPError:
                delays.append(float('inf'))
            time.sleep(max(0.0, every - (time.perf_counter() - started)))
    conn.send(delays)


class Pinger:
    """`with Pinger(url, seconds) as ping:` ... then `ping.delays` (seconds per ping)."""

    def __init__(self, url: str, seconds: float, every: float = 0.010) -> None:
        self.url, self.seconds, self.every = url, seconds, every
        self.delays: list[float] = []

    def __enter__(self) -> Pinger:
        self._recv, send = multiprocessing.get_context('spawn').Pipe(duplex=False)
        self._process = multiprocessing.get_context('spawn').Process(
            target=_ping, args=(self.url, self.seconds, self.every, send), daemon=True
        )
        self._process.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._recv.poll(self.seconds + 30):
            self.delays = self._recv.recv()
        self._process.join(timeout=5)
