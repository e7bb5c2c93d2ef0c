"""The ASGI middleware of the app, each pure ASGI and small:

- `SecurityHeaders`: no sniffing, no framing, no referrer to other sites, and a Content-Security-Policy on every
  answer, errors included (it wraps the whole stack, app/playback_http.py `install`);
- `PageScripts`: a per-answer nonce on every script of an HTML page, named in that page's policy;
- `SameSiteOnly`: the websocket handshake and the state-changing API refuse other sites;
- `BodyLimit`: request bodies are refused past a size while they are read, never buffered whole first;
- `AuthGuard`: pages need a session (else the login page), the API answers 401; `/admin` is administrators' only
  (other viewers are sent home with a message, or get 403 from its HTTP endpoints and from NiceGUI's uploads).
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import cookies, session_cache, work
from .config import get_settings
from .services import accounts

# Pages anyone may open, and prefixes that are public by nature (NiceGUI's own assets and websocket, our CSS/JS).
PUBLIC_PATHS = {
    '/login',
    '/register',
    '/reset',
    '/favicon.ico',
    '/api/health',
    '/api/login',
    '/auth/complete',
    '/flash',
}
PUBLIC_PREFIXES = ('/_nicegui', '/static/', '/lang/')
# Administrators' HTTP endpoints (not pages): 403 for anyone else, as NiceGUI's upload route is.
ADMIN_HTTP_PREFIXES = ('/admin/api/', '/admin/upload')
_NICEGUI_UPLOAD = re.compile(r'^/_nicegui/client/[^/]+/upload/')
# Non-page routes: without a session they answer 401 instead of redirecting to the login page.
API_PREFIXES = ('/api/', '/media/', '/play/')
MAX_BODY = 64 * 1024
NO_STORE = {'Cache-Control': 'no-store'}  # refusals are never kept by a cache in between
# NiceGUI needs 'unsafe-eval' (Vue compiles its components' templates at run time) and inline styles (Tailwind and
# Quasar add <style> elements while the page runs); every <script> of our pages carries the answer's nonce instead
# of 'unsafe-inline' (lab notes, 10).
PAGE_POLICY = (
    "default-src 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; "
    "script-src 'self' 'nonce-{nonce}' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; connect-src 'self'"
)
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get('headers', []):
        if key == name:
            return value.decode('latin-1')
    return None


def own_origins(scope: Scope) -> set[str]:
    """The origins this site answers on: the configured public URL, else the one this request was sent to."""
    public = get_settings().public_url
    if public:
        return {public}
    host = (_header(scope, b'host') or '').lower()
    scheme = {'ws': 'http', 'wss': 'https'}.get(scope.get('scheme', 'http'), scope.get('scheme', 'http'))
    default = ':443' if scheme == 'https' else ':80'
    return {f'{scheme}://{host.removesuffix(default)}'}


def cross_site(scope: Scope) -> bool:
    """Whether a browser sent this request for another site: Sec-Fetch-Site where the browser sends it, else the
    Origin. Clients that send neither (scripts, old browsers) are not browsers acting for another site."""
    site = _header(scope, b'sec-fetch-site')
    if site is not None:
        return site not in ('same-origin', 'none')
    origin = _header(scope, b'origin')
    return origin is not None and origin.lower().rstrip('/') not in own_origins(scope)


class SecurityHeaders:
    """The headers every answer carries (added where missing, so a page's own policy wins)."""

    HEADERS = (
        (b'x-content-type-options', b'nosniff'),
        (b'referrer-policy', b'same-origin'),
        (b'x-frame-options', b'DENY'),
        (b'content-security-policy', OTHER_POLICY.encode()),
    )

    def __init__(self, asgi_app: ASGIApp) -> None:
        self.app = asgi_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        started = False
        with_headers = self.adding_headers(send)

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message['type'] == 'http.response.start'
            await with_headers(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception:
            # An error nothing inside answered (NiceGUI's handler re-raises those of non-page routes): uvicorn would
            # write its own 500 straight to the socket, without these headers. Answer it here; uvicorn logs it.
            if not started:
                await PlainTextResponse('Internal Server Error', 500, NO_STORE)(scope, receive, with_headers)
            raise

    @classmethod
    def adding_headers(cls, send: Send) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message['type'] == 'http.response.start':
                names = {name.lower() for name, _ in message.get('headers', [])}
                extra = [(name, value) for name, value in cls.HEADERS if name not in names]
                message['headers'] = list(message.get('headers', [])) + extra
            await send(message)

        return send_with_headers


_SCRIPT = re.compile(rb'<script(?=[\s>])')


class PageScripts:
    """HTML answers get a fresh nonce on each <script> tag and a policy that allows only those (and our files)."""

    def __init__(self, asgi_app: ASGIApp) -> None:
        self.app = asgi_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []
        flash_shown = f'{cookies.FLASH}='.encode() in (_header(scope, b'cookie') or '').encode('latin-1')

        async def send_page(message: Message) -> None:
            nonlocal start
            if message['type'] == 'http.response.start':
                html = any(k == b'content-type' and v.startswith(b'text/html') for k, v in message.get('headers', []))
                if not html:
                    await send(message)
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get('body', b''))
            if message.get('more_body', False):
                return
            nonce = secrets.token_urlsafe(16)
            body = _SCRIPT.sub(b'<script nonce="' + nonce.encode() + b'"', b''.join(chunks))
            headers = [(k, v) for k, v in start.get('headers', []) if k not in (b'content-length',)]
            headers += [
                (b'content-length', str(len(body)).encode()),
                (b'content-security-policy', PAGE_POLICY.format(nonce=nonce).encode()),
            ]
            if flash_shown:  # this page shows the flash messages the request brought: they are not shown again
                headers.append((b'set-cookie', f'{cookies.FLASH}=; Max-Age=0; Path=/; SameSite=lax'.encode()))
            await send({**start, 'headers': headers})
            await send({'type': 'http.response.body', 'body': body})

        await self.app(scope, receive, send_page)


class SameSiteOnly:
    """The websocket (and its polling fallback) and the sign-in API refuse requests a browser sends for another
    site: a foreign page cannot drive a viewer's session or sign them into someone else's account."""

    GUARDED = ('/_nicegui_ws', '/api/login')

    def __init__(self, asgi_app: ASGIApp) -> None:
        self.app = asgi_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] in ('http', 'websocket') and scope['path'].startswith(self.GUARDED) and cross_site(scope):
            if scope['type'] == 'websocket':
                await send({'type': 'websocket.close', 'code': 1008})  # before accept: the handshake gets a 403
                return
            response = JSONResponse({'detail': 'cross-site request refused'}, status_code=403, headers=NO_STORE)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Bodies over MAX_BODY are refused with 413 while they arrive: a declared length at once, the rest when the
    count passes it (no route here needs more; uploads have their own limits)."""

    def __init__(self, asgi_app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = asgi_app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http' or admin_only(scope['path']) and 'upload' in scope['path']:
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b'content-length')
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await PlainTextResponse('request body too large', status_code=413, headers=NO_STORE)(scope, receive, send)
            return
        received = 0
        started = False

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get('body', b''))
            if received > self.limit:
                raise _TooLarge
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message['type'] == 'http.response.start'
            await send(message)

        try:
            await self.app(scope, counting, tracking)
        except _TooLarge:
            if not started:
                await PlainTextResponse('request body too large', status_code=413, headers=NO_STORE)(
                    scope, receive, send
                )


def admin_only(path: str) -> bool:
    """`/admin` and everything under it, and NiceGUI's upload endpoints (only administrators upload anything)."""
    return path == '/admin' or path.startswith('/admin/') or _NICEGUI_UPLOAD.match(path) is not None


class AuthGuard:
    """Pages need a session (else a redirect to the login page); the API and media answer 401 instead.

    Administrators' pages send anyone else home with a message; their HTTP endpoints (and NiceGUI's uploads, public
    to its own guard) answer 403, before any byte of the request's body is read.
    The user it finds is put on `request.state.user` for the routes and pages behind it. Who a session belongs to
    is remembered for a burst of requests (app/session_cache.py, forgotten at once on a sign-out, a plan or role
    change, a disabled account, in every process).
    """

    def __init__(self, asgi_app: ASGIApp) -> None:
        self.app = asgi_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get('path', '')
        guarded = scope['type'] == 'http' and admin_only(path)
        if not guarded and (scope['type'] != 'http' or path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        token = cookies.session_token(request)
        user = session_cache.get(token)
        if user is None:
            user = await work.run(accounts.user_for_session, token)
            if user is not None and token:
                session_cache.put(token, user)
        if user is not None and guarded and not user.is_admin:
            if scope.get('method') == 'GET' and not path.startswith(ADMIN_HTTP_PREFIXES):
                target = cookies.flash_link('/', ('admin.refused', 'warning', {}))
                response: Response = RedirectResponse(target, status_code=303)
            else:
                response = JSONResponse({'detail': 'administrators only'}, status_code=403)
            await response(scope, receive, send)
            return
        if user is None and guarded and (path.startswith(ADMIN_HTTP_PREFIXES) or not path.startswith('/admin')):
            await JSONResponse({'detail': 'administrators only'}, status_code=403)(scope, receive, send)
            return
        if user is None:
            if path.startswith(API_PREFIXES):
                response = JSONResponse({'detail': 'not signed in'}, status_code=401)
            else:
                target = path + (f'?{request.url.query}' if request.url.query else '')
                response = RedirectResponse(f'/login?redirect_to={quote(target, safe="")}', status_code=303)
            await response(scope, receive, send)
            return
        scope.setdefault('state', {})['user'] = user
        await self.app(scope, receive, send)
