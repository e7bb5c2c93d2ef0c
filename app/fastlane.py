"""The fast lane: player requests (video Range reads, progress reports) answered without NiceGUI's per-request
middleware.

Every HTTP request to a NiceGUI app crosses its session cookie middleware and three `BaseHTTPMiddleware` layers;
for a player that fetches a megabyte at a time and reports progress every 10 s, that machinery costs more than the
work itself (benchmarks/README.md). These two routes need none of it: this layer sits in front of the whole stack,
reads the same signed cookie, and answers with the same functions the regular routes use, after the same checks
(the signed-in session as the database sees it, then the plan, the rendition and the playback token). A browser
this process has not seen yet, or anything else, goes the regular way.
"""

from __future__ import annotations

import json
import time
from base64 import b64decode
from urllib.parse import parse_qs

import itsdangerous
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from . import api, auth, db, media, middleware

COOKIE = 'session'  # Starlette's SessionMiddleware, as NiceGUI sets it up
COOKIE_MAX_AGE = 14 * 24 * 60 * 60


# A player sends the same session cookie with every request: the browser id it carries, once its signature is
# checked, is kept for a minute (the signed-in session behind it is still asked of the database every time).
VERIFIED_FOR = 60.0
VERIFIED_MAX = 10_000  # signed cookies of about 100 bytes: a bounded, small table


class FastLane:
    def __init__(self, inner: ASGIApp, secret: str) -> None:
        self.inner = inner
        self.signer = itsdangerous.TimestampSigner(secret)
        self._verified: dict[bytes, tuple[str | None, float]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get('path', '') if scope['type'] == 'http' else ''
        method = scope.get('method')
        is_media = path.startswith('/media/') and method in ('GET', 'HEAD') and path.count('/') == 3
        is_progress = path == '/api/progress' and method == 'POST'
        token = self._session_token(scope) if is_media or is_progress else None
        if token is None:
            await self.inner(scope, receive, send)
            return
        send = middleware.SecurityHeaders.adding_headers(send)
        if is_media:
            _, _, title_id, asset = path.split('/')
            playback_token = parse_qs(scope.get('query_string', b'').decode('latin-1')).get('p', [''])[0]
            response = await db.in_thread(_media, token, title_id=title_id, asset=asset, playback_token=playback_token)
        else:
            # The session is checked by the progress writer, in the transaction that saves the report.
            response = await api.save_report(await _body(receive, api.MAX_BODY + 1), session_token=token)
        await response(scope, receive, send)

    def _session_token(self, scope: Scope) -> str | None:
        """The sign-in token of the browser that sent this request, if this process knows it."""
        raw = next((value for name, value in scope.get('headers', []) if name == b'cookie'), None)
        signed = _cookie(raw, COOKIE) if raw else None
        if not signed:
            return None
        now = time.monotonic()
        known = self._verified.get(signed)
        if known is not None and known[1] > now:
            return auth.browser_token(known[0])
        browser = self._browser_id(signed)
        if browser is None:
            return None
        if len(self._verified) >= VERIFIED_MAX:
            self._verified.pop(next(iter(self._verified)))  # the oldest: it is simply verified again when it comes
        self._verified[signed] = (browser, now + VERIFIED_FOR)
        return auth.browser_token(browser)

    def _browser_id(self, signed: bytes) -> str | None:
        """The browser id in NiceGUI's session cookie, if we signed it and it is not too old."""
        try:
            browser = json.loads(b64decode(self.signer.unsign(signed, max_age=COOKIE_MAX_AGE))).get('id')
        except (ValueError, itsdangerous.BadData, AttributeError):
            return None
        return browser if isinstance(browser, str) else None


def _cookie(header: bytes, name: str) -> bytes | None:
    """One cookie's value in a Cookie header (Starlette writes the session cookie unquoted)."""
    wanted = name.encode()
    for part in header.split(b';'):
        key, sep, value = part.strip().partition(b'=')
        if sep and key == wanted:
            return value
    return None


# One worker-thread hop per media request: the session check and the answer run together.


def _media(token: str, *, title_id: str, asset: str, playback_token: str) -> Response:
    user = auth.resolve(token)
    if user is None:
        return JSONResponse({'detail': 'not signed in'}, status_code=401)
    return media.media_response(user_id=user.id, title_id=title_id, asset=asset, token=playback_token)


async def _body(receive: Receive, limit: int) -> bytes:
    """The request body, read up to `limit` bytes (the caller refuses anything that long)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        chunk = message.get('body', b'')
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit or not message.get('more_body', False):
            return b''.join(chunks)
