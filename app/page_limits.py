"""The app's own backstop against floods of page loads (the proxy in front rate-limits first; README, nginx).

Every page load builds a NiceGUI client that lives until its websocket comes or it is pruned: a script loading pages
in a loop costs memory and CPU that real viewers wait behind. Page loads are counted per session token (a browser:
`page_loads_per_session` a second, bursts of four seconds' worth, strictly), and without a token per address,
generously, since a household or an office shares one (behind a trusted proxy the address is the viewer's,
uvicorn's `forwarded_allow_ips`); and a key's pages still waiting for their websocket are limited too
(`PageLoadLimit`).

Past a limit the answer is a 429 with Retry-After, given in front of the whole middleware stack (app/wiring.py
`put_in_front`): it costs a dictionary lookup, not NiceGUI's per-request middleware (about 1.5 ms) nor a database
query, and it is held back a second before it is sent, so that a client loading pages back to back gets one
refusal a second per connection. Per process; a bucket that is full again is forgotten.
"""

from __future__ import annotations

import asyncio
import math
import time
import weakref
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import cookies
from .config import get_settings
from .middleware import SecurityHeaders

BURST_S = 4.0  # a bucket holds this many seconds' worth of page loads
MAX_KEYS = 100_000


class Buckets:
    """One token bucket per key: `take(key)` is 0 when a token was there, else the seconds until there is one."""

    def __init__(self, per_s: float) -> None:
        self.per_s = per_s
        self.capacity = max(per_s * BURST_S, 10.0)
        self._buckets: dict[str, tuple[float, float]] = {}  # key: (tokens, when)

    def take(self, key: str, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        tokens, when = self._buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - when) * self.per_s)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.per_s
        self._buckets[key] = (tokens - 1.0, now)
        if len(self._buckets) > MAX_KEYS:
            self._forget_full(now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        full_after = self.capacity / self.per_s
        self._buckets = {key: value for key, value in self._buckets.items() if now - value[1] < full_after}
        if len(self._buckets) > MAX_KEYS:  # still too many (a flood of distinct keys): start afresh
            self._buckets.clear()


def retry_after(wait_s: float) -> str:
    return str(max(1, math.ceil(wait_s)))


# The pages (GET): the ones anyone may open, and the signed-in ones.
PAGES = frozenset({'/login', '/register', '/', '/catalog', '/profile'})
PAGE_PREFIXES = ('/title/', '/watch/')


UNCONNECTED_PER_RATE = 2  # a key may have this many seconds' worth of its rate in pages not yet connected
CLIENT_KEY = 'butaca_page_client'  # where the page being built leaves its client (weakly), in the request's state


class PageLoadLimit:
    """ASGI, in front of everything: page loads past their session's or address's limits get a 429.

    Two limits per key (the session token a request carries, else its address): a rate (token bucket), and how many
    of the key's pages may wait for their websocket at once (twice the rate). A browser connects each page within a
    second or two, so it never meets the second limit; a script that loads pages and never connects meets it at
    once, and then gets one page per page pruned (app/wiring.py): its pages cost memory and CPU only while they wait.
    A made-up token is a key of its own, but its page loads go no further than the route guard's redirect to the
    login page, which is its address's.
    """

    def __init__(self, inner: ASGIApp) -> None:
        self.inner = inner
        self._made_for: tuple[int, int] | None = None
        self._per_session: Buckets | None = None
        self._per_address: Buckets | None = None
        self._waiting: dict[str, list[weakref.ref]] = {}  # key: its pages not connected yet

    def _buckets(self) -> tuple[Buckets | None, Buckets | None]:
        settings = get_settings()
        wanted = (settings.page_loads_per_session, settings.page_loads_per_address)
        if wanted != self._made_for:  # made again when the settings change
            self._made_for = wanted
            self._per_session = Buckets(wanted[0]) if wanted[0] else None
            self._per_address = Buckets(wanted[1]) if wanted[1] else None
        return self._per_session, self._per_address

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http' or scope.get('method') != 'GET':
            await self.inner(scope, receive, send)
            return
        path = scope.get('path', '')
        if path not in PAGES and not path.startswith(PAGE_PREFIXES):
            await self.inner(scope, receive, send)
            return
        key, buckets = self._key(scope)
        wait = self._wait(key, buckets)
        if wait:
            # Held back before it is sent: a client loading pages back to back then gets one refusal a second per
            # connection instead of as many as the server can make, and a refusal waiting costs the loop nothing.
            await asyncio.sleep(min(wait, REFUSAL_DELAY_S))
            response = PlainTextResponse(
                'too many page loads: try again shortly',
                status_code=429,
                headers={'Retry-After': retry_after(wait), 'Cache-Control': 'no-store'},
            )
            await response(scope, _no_body, SecurityHeaders.adding_headers(send))
            return
        await self.inner(scope, receive, send)
        noted = scope.get('state', {}).get(CLIENT_KEY)
        client = noted() if noted is not None else None
        if client is not None and not client.has_socket_connection:
            self._waiting.setdefault(key, []).append(weakref.ref(client))

    def _key(self, scope: Scope) -> tuple[str, Buckets | None]:
        per_session, per_address = self._buckets()
        token = cookies.session_token(Request(scope))
        if token:
            return 't:' + token, per_session
        return 'a:' + (scope.get('client') or ('',))[0], per_address

    def _wait(self, key: str, buckets: Buckets | None) -> float:
        if buckets is None:
            return 0.0
        waiting = self._waiting.get(key)
        if waiting:
            waiting[:] = [ref for ref in waiting if _still_waiting(ref())]
            if not waiting:
                del self._waiting[key]
            elif len(waiting) >= max(1.0, buckets.per_s * UNCONNECTED_PER_RATE):
                return UNCONNECTED_RETRY_S
        if len(self._waiting) > MAX_KEYS:  # a flood of distinct keys: forget who waits rather than grow
            self._waiting.clear()
        return buckets.take(key)


UNCONNECTED_RETRY_S = 5.0
# How long a refusal waits before it is sent (never longer than its Retry-After). A refusal still costs uvicorn's
# parsing and this check; at full speed, a client sending back to back would take the event loop from everyone.
REFUSAL_DELAY_S = 1.0


def _still_waiting(client: Any) -> bool:
    return client is not None and not client.is_deleted and not client.has_socket_connection


def note_page(client: Any) -> None:
    """Called by every page as it is built: its client, for the limit of pages not yet connected. Weakly: the client
    holds its request, and a strong reference back would make each page a cycle that only the garbage collector frees
    (app/nicegui_cleanup.py says what that cost)."""
    client.request.scope.setdefault('state', {})[CLIENT_KEY] = weakref.ref(client)


async def _no_body() -> Message:
    return {'type': 'http.request', 'body': b'', 'more_body': False}
