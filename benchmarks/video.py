"""Video bytes: 32 clients read 1 MiB Range chunks from random offsets of one video, as fast as they can.

(a) through Butaca's media route, (b) nginx in front of Butaca with X-Accel-Redirect, (c) nginx alone.
The client speaks HTTP/1.1 on raw keep-alive sockets so that it costs as little CPU as possible.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

CHUNK = 1024 * 1024


@dataclass
class Result:
    bytes: int = 0
    requests: int = 0
    errors: int = 0
    ttfb: list[float] = field(default_factory=list)


async def _reader(url: str, path: str, size: int, cookie: str, stop_at: float, result: Result) -> None:
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port, limit=4 * CHUNK)
    try:
        while time.monotonic() < stop_at:
            start = random.randrange(0, max(1, size - CHUNK))
            end = min(size, start + CHUNK) - 1
            request = (
                f'GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nRange: bytes={start}-{end}\r\n'
                f'Cookie: {cookie}\r\nAccept-Encoding: identity\r\n\r\n'
            )
            sent = time.perf_counter()
            writer.write(request.encode())
            head = await reader.readuntil(b'\r\n\r\n')
            result.ttfb.append(time.perf_counter() - sent)
            status = int(head.split(b' ', 2)[1])
            length = next(
                (
                    int(line.split(b':', 1)[1])
                    for line in head.split(b'\r\n')
                    if line.lower().startswith(b'content-length:')
                ),
                0,
            )
            await reader.readexactly(length)
            if status != 206:
                result.errors += 1
            else:
                result.bytes += length
                result.requests += 1
    finally:
        writer.close()


async def read_ranges(
    url: str, path: str, size: int, *, cookie: str = '', clients: int = 32, seconds: float = 20
) -> tuple[Result, float]:
    result = Result()
    stop_at = time.monotonic() + seconds
    started = time.perf_counter()
    outcomes = await asyncio.gather(
        *(_reader(url, path, size, cookie, stop_at, result) for _ in range(clients)), return_exceptions=True
    )
    result.errors += sum(1 for outcome in outcomes if isinstance(outcome, Exception))
    return result, time.perf_counter() - started
