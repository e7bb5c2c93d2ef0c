"""A minimal HTTP/1.1 keep-alive client on raw asyncio sockets, for load generation.

The load generator shares the machine's two cores with the server it measures; httpx costs a few hundred
microseconds of Python per request, which at a thousand requests a second is most of a core taken from the server.
This client does only what the benchmarks need (one request at a time per connection, Content-Length bodies).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Reply:
    status: int
    headers: dict[bytes, bytes]
    body: bytes


class RawClient:
    def __init__(self, url: str, *, cookie: str = '', limit: int = 4 * 1024 * 1024) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.netloc = parts.hostname, parts.port, parts.netloc
        self.cookie, self.limit = cookie, limit
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> RawClient:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=self.limit)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self.writer is not None:
            self.writer.close()

    def send(self, method: str, path: str, *, body: bytes = b'', headers: str = '') -> None:
        assert self.writer is not None
        head = f'{method} {path} HTTP/1.1\r\nHost: {self.netloc}\r\n{headers}'
        if self.cookie:
            head += f'Cookie: {self.cookie}\r\n'
        if body or method == 'POST':
            head += f'Content-Length: {len(body)}\r\n'
        self.writer.write(head.encode() + b'\r\n' + body)

    async def head(self) -> tuple[int, dict[bytes, bytes]]:
        """The status and headers of the next response (the body is left to read)."""
        assert self.reader is not None
        raw = await self.reader.readuntil(b'\r\n\r\n')
        lines = raw.split(b'\r\n')
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b':')
            if value:
                headers[name.strip().lower()] = value.strip()
        return int(lines[0].split(b' ', 2)[1]), headers

    async def read_body(self, headers: dict[bytes, bytes]) -> bytes:
        assert self.reader is not None
        return await self.reader.readexactly(int(headers.get(b'content-length', b'0')))

    async def request(self, method: str, path: str, *, body: bytes = b'', headers: str = '') -> Reply:
        self.send(method, path, body=body, headers=headers)
        status, response_headers = await self.head()
        return Reply(status, response_headers, await self.read_body(response_headers))


def cookie_header(cookies: object) -> str:
    """An httpx cookie jar as one Cookie header value."""
    return '; '.join(f'{name}={value}' for name, value in cookies.items())  # type: ignore[attr-defined]
