"""The player's requests, in one place: `/play/{token}/video/{sd|hd}` (bytes), `/play/{token}/subtitles/{lang}.vtt`,
`/play/{token}/trickplay.jpg`, `/play/{token}/progress` (reports) and `/play/{token}/preferences` (subtitles).

The playback token in the path is their only authority (`app/services/playback_rules.py` says when a token is live,
and the README why that is enough): no cookie is read. So they need none of NiceGUI's per-request machinery (its
session cookie, three BaseHTTPMiddleware layers, per-browser storage), which costs more than the work itself when a
player reads a megabyte at a time and reports every 10 s. This ASGI app therefore sits in front of NiceGUI's whole
stack (`install`) and hands every other request on to it.
"""

from __future__ import annotations

import math
import re

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from . import media, work
from .middleware import SecurityHeaders
from .models import Quality
from .responses import error_response, parse_json
from .services import playback_rules, playback_store
from .services.errors import DomainError

PREFIX = '/play/'
MAX_BODY = 2048
_PATH = re.compile(
    r'/play/(?P<token>[A-Za-z0-9_-]{1,64})/'
    r'(?P<what>video/sd|video/hd|progress|preferences|trickplay\.jpg|subtitles/(?P<language>[a-z]{2})\.vtt)'
)
_VIDEO = {'video/sd': Quality.SD, 'video/hd': Quality.HD}
_POSTS = ('progress', 'preferences')
_NO_STORE = {'Cache-Control': 'no-store'}


def url(token: str, what: str) -> str:
    """The URL of one of a playback's resources: 'video/sd', 'video/hd', 'progress', 'preferences', 'trickplay.jpg',
    'subtitles/es.vtt'."""
    return f'{PREFIX}{token}/{what}'


class PlaybackLane:
    """ASGI: answers `/play/...` itself and passes everything else to `inner` (NiceGUI's middleware stack)."""

    def __init__(self, inner: ASGIApp) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http' or not scope['path'].startswith(PREFIX):
            await self.inner(scope, receive, send)
            return
        response = await self._answer(scope, receive)
        await response(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive) -> Response:
        match = _PATH.fullmatch(scope['path'])
        if match is None:
            return JSONResponse({'detail': 'not found'}, status_code=404, headers=_NO_STORE)
        token, what = match['token'], match['what']
        method = scope['method']
        if what not in _POSTS:
            if method not in ('GET', 'HEAD'):
                return _not_allowed('GET, HEAD')
            if what in _VIDEO:
                return await work.run(_video, token, _VIDEO[what])
            return await work.run(_extra, token, match['language'])
        if method != 'POST':
            return _not_allowed('POST')
        if _content_type(scope) != 'text/plain':
            # navigator.sendBeacon sends text/plain; declaring it, and nothing else, keeps forms of other sites out.
            return JSONResponse({'detail': 'text/plain expected'}, status_code=415, headers=_NO_STORE)
        body = await _body(receive, MAX_BODY)
        if body is None:
            return JSONResponse({'detail': 'too large'}, status_code=413, headers=_NO_STORE)
        if what == 'preferences':
            return await _preferences(token, body)
        return await _progress(token, body)


def _video(token: str, quality: Quality) -> Response:
    """Blocking (database, file system): runs in a worker thread."""
    try:
        grant = playback_store.stream_grant(token, quality)
    except DomainError as error:
        return error_response(error)
    return media.file_response(grant.path, cache='private, max-age=0', grantable=True)


def _extra(token: str, language: str | None) -> Response:
    """A playback's subtitles (`language`) or its trickplay sprite; blocking, runs in a worker thread."""
    try:
        path = playback_store.extra_grant(token, 'subtitles' if language else 'trickplay', language or '')
    except DomainError as error:
        return error_response(error)
    return media.file_response(path, cache='private, max-age=3600')


async def _preferences(token: str, body: bytes) -> Response:
    """`{"subtitles": "es" | "en" | null}`: the viewer's choice, kept in their account for their next titles."""
    try:
        data = parse_json(body)
        language = data['subtitles']
    except (ValueError, KeyError, TypeError):
        return JSONResponse({'detail': 'errors.bad_progress'}, status_code=400, headers=_NO_STORE)
    try:
        await work.run(playback_store.remember_subtitles, token, language if isinstance(language, str) else None)
    except DomainError as error:
        return error_response(error)
    return Response(status_code=204, headers=_NO_STORE)


async def _progress(token: str, body: bytes) -> Response:
    report = parse_report(body)
    if report is None:
        return JSONResponse({'detail': 'errors.bad_progress'}, status_code=400, headers=_NO_STORE)
    try:
        await playback_store.writer.save(token, report)
    except DomainError as error:
        return error_response(error, invalid=422, stop=True)
    except RuntimeError:
        # logged by the writer; the player keeps the report and sends it again
        return JSONResponse({'detail': 'unavailable'}, status_code=503, headers=_NO_STORE)
    return Response(status_code=204, headers=_NO_STORE)


def parse_report(body: bytes) -> playback_rules.Report | None:
    """The report in a request body, or None: `{"position": seconds | null, "played": seconds | null,
    "ended": bool, "leaving": bool}` (`played`: seconds really played since this playback started)."""
    try:
        data = parse_json(body)
        position, played = _seconds(data.get('position')), _seconds(data.get('played'))
    except (ValueError, AttributeError, OverflowError):  # OverflowError: a JSON integer of 400 digits
        return None
    return playback_rules.Report(
        position_s=position, ended=data.get('ended') is True, leaving=data.get('leaving') is True, played_s=played
    )


def _seconds(value: object) -> float | None:
    """A JSON number of seconds (None stays None); ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(float(value)):
        raise ValueError('not a number of seconds')
    return float(value)


def _content_type(scope: Scope) -> str:
    for name, value in scope.get('headers', []):
        if name == b'content-type':
            return value.decode('latin-1').split(';', 1)[0].strip().lower()
    return ''


async def _body(receive: Receive, limit: int) -> bytes | None:
    """The request body, or None as soon as it passes `limit` bytes (nothing more is read or kept)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        chunk = message.get('body', b'')
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get('more_body', False):
            return b''.join(chunks)


def _not_allowed(allow: str) -> Response:
    return JSONResponse({'detail': 'method not allowed'}, status_code=405, headers={'Allow': allow, **_NO_STORE})


def in_front(stack: ASGIApp) -> ASGIApp:
    """The lane, and the security headers of every answer, in front of the app's whole middleware stack (app/wiring.py
    `put_in_front`): outside Starlette's error middleware too, so that its 500s carry the headers."""
    return SecurityHeaders(PlaybackLane(stack))
