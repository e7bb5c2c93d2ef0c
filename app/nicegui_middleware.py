"""NiceGUI's three request middlewares, done as plain ASGI: the same work without Starlette's `BaseHTTPMiddleware`.

`ui.run` adds `RedirectWithPrefixMiddleware`, `SetCacheControlMiddleware` and (with a storage secret)
`RequestTrackingMiddleware`, each a `BaseHTTPMiddleware`. That base class runs the rest of the app in a task of its
own, behind a task group and a memory stream, for every request: under 200 page loads in a second, the three of them
were about a sixth of the server's time (py-spy; benchmarks/README.md has the figures). `replace` swaps each for
the class below that does what its `dispatch` does, on the request's own task.

Private framework API, on purpose, in this one place: the request context variable, and the user storage's
`_users`, `_create_user_storage` and `_active_request_sessions`, which NiceGUI's own middleware uses the same way.
tests/test_nicegui_middleware.py runs NiceGUI's classes and these side by side, and fails if NiceGUI changes what its
middlewares are or do.
"""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from nicegui import core
from nicegui.middlewares import RedirectWithPrefixMiddleware, SetCacheControlMiddleware
from nicegui.storage import RequestTrackingMiddleware, request_contextvar
from nicegui.version import __version__
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class PrefixedRedirects:
    """A redirect to a path of ours gets the reverse proxy's `X-Forwarded-Prefix` in front (Butaca under /films)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        prefix = Headers(scope=scope).get('x-forwarded-prefix', '') if scope['type'] == 'http' else ''
        if not prefix:  # no proxy prefix: NiceGUI's version writes the Location back unchanged
            await self.app(scope, receive, send)
            return

        async def send_prefixed(message: Message) -> None:
            if message['type'] == 'http.response.start':
                headers = MutableHeaders(scope=message)
                location = headers.get('location')
                if location is not None and location.startswith('/'):
                    headers['location'] = prefix + location
            await send(message)

        await self.app(scope, receive, send_prefixed)


class FrameworkFilesCached:
    """NiceGUI's own versioned files (not its dynamic resources) carry the app's Cache-Control directives."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.versioned = f'/_nicegui/{__version__}/'
        self.dynamic = f'/_nicegui/{__version__}/dynamic_resources/'

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope['path'] if scope['type'] == 'http' else ''  # what `request.url.path` begins with
        if not path.startswith(self.versioned) or path.startswith(self.dynamic):
            await self.app(scope, receive, send)
            return

        async def send_cached(message: Message) -> None:
            if message['type'] == 'http.response.start':
                MutableHeaders(scope=message)['cache-control'] = core.app.config.cache_control_directives
            await send(message)

        await self.app(scope, receive, send_cached)


class RequestTracking:
    """What NiceGUI's request tracking does: the request in NiceGUI's context variable (event handlers and
    `app.storage` read it), a session id in the session cookie, the user storage of that id created, and the id
    counted as in use while its request runs (so storage pruning leaves it alone)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        request_contextvar.set(request)
        session = request.session
        if 'id' not in session:
            session['id'] = str(uuid.uuid4())
        request.state.responded = False
        session_id = session['id']
        storage = core.app.storage
        storage._active_request_sessions[session_id] += 1
        try:
            if session_id not in storage._users:
                await storage._create_user_storage(session_id)

            async def send_tracked(message: Message) -> None:
                # NiceGUI's version says "responded" once the response has begun: `app.storage.browser` is read-only
                # from then on (the cookie has gone out).
                if message['type'] == 'http.response.start':
                    request.state.responded = True
                await send(message)

            await self.app(scope, receive, send_tracked)
        finally:
            storage._active_request_sessions[session_id] -= 1
            if storage._active_request_sessions[session_id] <= 0:
                del storage._active_request_sessions[session_id]


REPLACEMENTS = {
    RedirectWithPrefixMiddleware: PrefixedRedirects,
    SetCacheControlMiddleware: FrameworkFilesCached,
    RequestTrackingMiddleware: RequestTracking,
}


def replace(asgi_app: FastAPI) -> int:
    """Swap NiceGUI's middlewares in `asgi_app` for the ones above, in place and in the same order (at start-up:
    `ui.run` adds them after `create_app`). Returns how many it swapped.

    Starlette has built the middleware stack by then (the lifespan's first message goes through it), from the list
    as it was: a swap drops that stack, and the next request builds it again from the new list (wiring.put_in_front
    builds it at once). Dropping it is the same private attribute put_in_front replaces."""
    swapped = 0
    for index, entry in enumerate(asgi_app.user_middleware):
        plain = REPLACEMENTS.get(entry.cls)  # type: ignore[arg-type]
        if plain is not None and not entry.args and not entry.kwargs:
            asgi_app.user_middleware[index] = Middleware(plain)
            swapped += 1
    if swapped:
        asgi_app.middleware_stack = None
    return swapped
