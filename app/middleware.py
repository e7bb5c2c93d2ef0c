"""The ASGI middleware of the app: security headers on every response, and the guard that sends anonymous
visitors to the login page (pages) or answers 401 (API and media)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import auth

# Pages anyone may open, and prefixes that are public by nature (NiceGUI's own assets and websocket, our CSS/JS).
PUBLIC_PATHS = {'/login', '/register', '/favicon.ico', '/api/health', '/api/login'}
PUBLIC_PREFIXES = ('/_nicegui', '/static/')
# Non-page routes: without a session they answer 401 instead of redirecting to the login page.
API_PREFIXES = ('/api/', '/media/', '/play/')


class SecurityHeaders:
    """Pure ASGI middleware: no MIME sniffing, no referrer to other sites, no framing, on pages and media alike."""

    HEADERS = (
        (b'x-content-type-options', b'nosniff'),
        (b'referrer-policy', b'same-origin'),
        (b'x-frame-options', b'DENY'),
        (b'content-security-policy', b"frame-ancestors 'none'"),
    )

    def __init__(self, asgi_app: ASGIApp) -> None:
        self.app = asgi_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, self.adding_headers(send))

    @classmethod
    def adding_headers(cls, send: Send) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message['type'] == 'http.response.start':
                names = {name for name, _ in message.get('headers', [])}
                extra = [(name, value) for name, value in cls.HEADERS if name not in names]
                message['headers'] = list(message.get('headers', [])) + extra
            await send(message)

        return send_with_headers


class AuthGuard:
    """Pure ASGI middleware: pages need a session (else redirect to login), API and media answer 401.

    Runs inside NiceGUI's RequestTrackingMiddleware, so `app.storage.user` is available. The user it finds is put
    on `request.state.user` for the routes behind it.
    """

    def __init__(self, asgi_app: ASGIApp) -> None:
        self.app = asgi_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get('path', '')
        if scope['type'] != 'http' or path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            await self.app(scope, receive, send)
            return
        user = await auth.current_user()
        if user is None:
            if path.startswith(API_PREFIXES):
                response = JSONResponse({'detail': 'not signed in'}, status_code=401)
            else:
                request = Request(scope)
                target = path + (f'?{request.url.query}' if request.url.query else '')
                response = RedirectResponse(f'/login?redirect_to={quote(target, safe="")}', status_code=303)
            await response(scope, receive, send)
            return
        scope.setdefault('state', {})['user'] = user
        await self.app(scope, receive, send)
