"""A minimal HTTP/1.1 keep-alive client on raw asyncio sockets, for load generation.

The load generator shares the machine's two cores with the server it measures; httpx costs a few hundred
microseconds of Python per request, which at a thousand requests a second is most of a core taken from the server.
This client does only what the benchmarks need (one request at a time per connection, Content-Length bodies).
"""

from __future__ import annotations

import asyncio
import contextlib
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


class PageSocket:
    """A page's websocket as its browser opens it: NiceGUI's implicit socket.io handshake over a plain websocket,
    answering the server's pings while it stays open. A few dozen lines instead of python-socketio, whose client
    costs the load generator milliseconds of CPU per connection."""

    def __init__(self, url: str, client_id: str, *, cookie: str = '') -> None:
        self.url, self.client_id, self.cookie = url, client_id, cookie
        self.messages = 0
        self.ended: str | None = None  # why it ended, when the server ended it
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task | None = None

    async def open(self, timeout: float = 30) -> bool:
        """Connect; True when the server accepted the page's client (it keeps answering pings until `close`)."""
        import base64
        import os

        parts = urlsplit(self.url)
        query = (
            f'client_id={self.client_id}&tab_id={os.urandom(8).hex()}&document_id={os.urandom(8).hex()}'
            '&implicit_handshake=true&next_message_id=0&EIO=4&transport=websocket'
        )
        key = base64.b64encode(os.urandom(16)).decode()
        head = (
            f'GET /_nicegui_ws/socket.io/?{query} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n'
            f'Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n'
            + (f'Cookie: {self.cookie}\r\n' if self.cookie else '')
            + '\r\n'
        )
        async with asyncio.timeout(timeout):
            self.reader, self.writer = await asyncio.open_connection(parts.hostname, parts.port)
            self.writer.write(head.encode())
            status = (await self.reader.readuntil(b'\r\n\r\n')).split(b' ', 2)[1]
            if status != b'101':
                return False
            await self._read()  # engine.io open: '0{"sid": ...}'
            self.writer.write(_masked_text(b'40'))  # socket.io connect to '/': NiceGUI's handshake runs here
            while True:
                message = await self._read()
                if message.startswith(b'40'):
                    break
                if message.startswith(b'44'):
                    return False
        self._task = asyncio.create_task(self._listen())
        return True

    async def _listen(self) -> None:
        assert self.writer is not None
        try:
            while True:
                message = await self._read()
                if message == b'2':  # engine.io ping: a client that does not answer is dropped
                    self.writer.write(_masked_text(b'3'))
                elif message:
                    self.messages += 1
        except (OSError, asyncio.IncompleteReadError) as error:
            self.ended = self.ended or type(error).__name__
            return

    async def _read(self) -> bytes:
        assert self.reader is not None
        first, second = await self.reader.readexactly(2)
        length = second & 0x7F
        if length == 126:
            length = int.from_bytes(await self.reader.readexactly(2), 'big')
        elif length == 127:
            length = int.from_bytes(await self.reader.readexactly(8), 'big')
        payload = await self.reader.readexactly(length)
        if first & 0x0F == 9 and self.writer is not None:  # a websocket ping (uvicorn keep-alive): pong as browsers do
            self.writer.write(bytes([0x8A, 0x80 | len(payload)]) + _mask(payload))
        elif first & 0x0F == 8:  # the server closed it: say why
            self.ended = f'closed {int.from_bytes(payload[:2], "big") if payload else ""} {payload[2:80]!r}'
        elif self.ended is None and payload.startswith(b'41'):  # socket.io disconnect from the server
            self.ended = 'socket.io disconnect'
        return payload if first & 0x0F in (1, 2) else b''

    @property
    def is_open(self) -> bool:
        return self._task is not None and not self._task.done()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self.writer is not None:
            with contextlib.suppress(OSError):
                self.writer.write(b'\x88\x82' + _mask(b'\x03\xe8'))  # close, 1000
            self.writer.close()


async def open_page_socket(url: str, client_id: str, *, cookie: str = '', timeout: float = 30) -> bool:
    """Open a page's websocket, then close it, as a browser does that opens a page and leaves: True when accepted."""
    sock = PageSocket(url, client_id, cookie=cookie)
    try:
        return await sock.open(timeout)
    finally:
        await sock.close()


def _mask(payload: bytes) -> bytes:
    import os

    mask = os.urandom(4)
    return mask + bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))


def _masked_text(payload: bytes) -> bytes:
    assert len(payload) < 126
    return bytes([0x81, 0x80 | len(payload)]) + _mask(payload)
