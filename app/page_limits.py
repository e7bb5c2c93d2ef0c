"""The app's own backstop against floods of page loads (the proxy in front rate-limits first; README, nginx).

Every page load builds a NiceGUI client that lives until its websocket comes or it is pruned: a script loading pages
in a loop costs memory and CPU that real viewers wait behind. A signed-in browser may keep up
`page_loads_per_session` page loads a second (bursts of four seconds' worth), strictly; other page loads (the login
and register pages, a session not seen in the last seconds) are counted per address, generously, since a household
or an office shares one (behind a trusted proxy the address is the viewer's, uvicorn's `forwarded_allow_ips`).

Past the limit the answer is a 429 with Retry-After, given in front of the whole middleware stack (`install`): it
costs a dictionary lookup, not NiceGUI's per-request middleware (about 1.5 ms) nor a database query. A session
counts as one only once the route guard has seen it (app/session_cache.py): made-up tokens are an address's page
loads. Token buckets, per process; a bucket that is full again is forgotten.
"""

from __future__ import annotations

import math
import time

from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import cookies, session_cache
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


class PageLoadLimit:
    """ASGI, in front of everything: page loads past their session's or address's limit get a 429."""

    def __init__(self, inner: ASGIApp) -> None:
        self.inner = inner
        self._made_for: tuple[int, int] | None = None
        self._per_session: Buckets | None = None
        self._per_address: Buckets | None = None

    def _buckets(self) -> tuple[Buckets | None, Buckets | None]:
        settings = get_settings()
        wanted = (settings.page_loads_per_session, settings.page_loads_per_address)
        if wanted != self._made_for:  # made again when the settings change
            self._made_for = wanted
            self._per_session = Buckets(wanted[0]) if wanted[0] else None
            self._per_address = Buckets(wanted[1]) if wanted[1] else None
        return self._per_session, self._per_address

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] == 'http' and scope.get('method') == 'GET':
            path = scope.get('path', '')
            if path in PAGES or path.startswith(PAGE_PREFIXES):
                wait = self._wait(scope)
                if wait:
                    response = PlainTextResponse(
                        'too many page loads: try again shortly',
                        status_code=429,
                        headers={'Retry-After': retry_after(wait), 'Cache-Control': 'no-store'},
                    )
                    await response(scope, _no_body, SecurityHeaders.adding_headers(send))
                    return
        await self.inner(scope, receive, send)

    def _wait(self, scope: Scope) -> float:
        per_session, per_address = self._buckets()
        token = cookies.session_token(Request(scope))
        if token and session_cache.get(token) is not None:
            return per_session.take(token) if per_session else 0.0
        address = (scope.get('client') or ('',))[0]
        return per_address.take(address) if per_address else 0.0


async def _no_body() -> Message:
    return {'type': 'http.request', 'body': b'', 'more_body': False}


def install(asgi_app) -> None:
    """Put the limit in front of `asgi_app`'s whole middleware stack (after app/playback_http.py `install`, the
    same private framework API for the same reason: NiceGUI adds its middleware inside `ui.run`)."""
    stack = asgi_app.middleware_stack or asgi_app.build_middleware_stack()
    if not getattr(stack, 'butaca_limited', False):
        front = PageLoadLimit(stack)
        front.butaca_limited = True  # type: ignore[attr-defined]
        asgi_app.middleware_stack = front
