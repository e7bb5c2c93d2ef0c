"""The HTTP routes that send poster, backdrop and video bytes, each only after the access check.

Video bytes need a live playback token of the signed-in user (a screen that counts), a plan that covers the title
and the rendition asked for. Starlette's FileResponse answers Range requests (206, suffix ranges, 416) itself.
With BUTACA_ACCEL_REDIRECT set, a reverse proxy sends the bytes: we only answer with X-Accel-Redirect, which
nginx's grant cache may reuse for BUTACA_ACCEL_GRANT_SECONDS (refusals are never reused).
"""

from __future__ import annotations

import asyncio
import os
import weakref
from pathlib import Path

import anyio
from fastapi import APIRouter, Request
from starlette.datastructures import MutableHeaders
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.types import Send

from . import db
from .config import get_settings
from .models import Quality, UserPublic
from .services import catalog, playback
from .services.errors import DomainError, NotFound, status_code

router = APIRouter()
CHUNK_SIZE = 1024 * 1024
IMAGE_ASSETS = {'poster': 'poster_path', 'backdrop': 'backdrop_path'}
VIDEO_ASSETS = {'sd': Quality.SD, 'hd': Quality.HD}


def confine(relative: str, root: Path) -> Path:
    """The file `relative` names inside `root`, or NotFound, whatever the database or the URL says."""
    root = root.resolve()
    if not relative or '\x00' in relative:
        raise NotFound('title.not_found')
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound('title.not_found')
    return path


def _error(error: DomainError) -> JSONResponse:
    return JSONResponse({'detail': error.key}, status_code=status_code(error), headers={'Cache-Control': 'no-store'})


def _resolve(*, user_id: int, title_id: str, asset: str, token: str) -> str:
    """The file (relative to the media folder) this user may fetch now, else a domain error."""
    title_number = catalog.parse_title_id(title_id)
    if asset in IMAGE_ASSETS:
        with db.session_scope() as session:
            return getattr(catalog.get_title_row(session, title_number), IMAGE_ASSETS[asset])
    if asset not in VIDEO_ASSETS:
        raise NotFound('title.not_found')
    grant = db.run_core(
        playback.authorize_stream, user_id=user_id, title_id=title_number, token=token, quality=VIDEO_ASSETS[asset]
    )
    return grant.path


def media_response(*, user_id: int, title_id: str, asset: str, token: str) -> Response:
    """The bytes (or the X-Accel-Redirect) for one media request of a signed-in user, after the access check.

    Blocking (database, file system): callers run it in a worker thread.
    """
    settings = get_settings()
    try:
        path = confine(_resolve(user_id=user_id, title_id=title_id, asset=asset, token=token), settings.media_dir)
    except DomainError as error:
        return _error(error)
    cache = 'private, max-age=3600' if asset in IMAGE_ASSETS else 'private, max-age=0'
    if settings.accel_redirect_prefix:
        internal = settings.accel_redirect_prefix.rstrip('/') + '/' + path.relative_to(settings.media_dir).as_posix()
        headers = {'X-Accel-Redirect': internal, 'Cache-Control': cache}
        if settings.accel_grant_seconds:
            # How long nginx's grant cache may answer this browser's reads of this URL without asking again
            # (README, "Several machines"): a refusal (plan change, stop, sign-out) reaches the bytes within it.
            headers['X-Accel-Expires'] = str(settings.accel_grant_seconds)
        return Response(headers=headers)
    return RangeFileResponse(path, stat_result=path.stat(), headers={'Cache-Control': cache})


class RangeFileResponse(FileResponse):
    """Starlette's FileResponse (Range parsing, 206/416, multipart), with a cheaper single-range read.

    Starlette reads 64 KiB per worker-thread hop, and a Range read costs a hop each for stat, open, seek, every read
    and close. Players ask for megabytes at a time, so a chunk here is 1 MiB, the file's stat comes from the access
    check's own hop, and each chunk is opened, read at its offset and closed in one hop (benchmarks/README.md). The
    event loop serving everyone's pages does far less per megabyte, and a stream holds about one chunk of memory.
    """

    chunk_size = CHUNK_SIZE

    async def _handle_single_range(
        self, send: Send, start: int, end: int, file_size: int, send_header_only: bool
    ) -> None:
        headers = MutableHeaders(raw=list(self.raw_headers))
        headers['content-range'] = f'bytes {start}-{end - 1}/{file_size}'
        headers['content-length'] = str(end - start)
        await send({'type': 'http.response.start', 'status': 206, 'headers': headers.raw})
        more_body = not send_header_only
        if not more_body:
            await send({'type': 'http.response.body', 'body': b'', 'more_body': False})
        # One open file for the whole response (a rendition replaced meanwhile cannot mix into it); a read of one
        # chunk, the common case, opens, reads and closes in a single hop.
        descriptor: int | None = None
        try:
            while more_body:
                size = min(self.chunk_size, end - start)
                if descriptor is None and size < end - start:
                    descriptor = await anyio.to_thread.run_sync(os.open, self.path, os.O_RDONLY)
                if descriptor is None:
                    chunk = await anyio.to_thread.run_sync(_read_at, self.path, start, size, limiter=_readers())
                else:
                    chunk = await anyio.to_thread.run_sync(os.pread, descriptor, size, start, limiter=_readers())
                start += len(chunk)
                more_body = bool(chunk) and start < end  # a file cut short ends the body early, as Starlette does
                await send({'type': 'http.response.body', 'body': chunk, 'more_body': more_body})
        finally:
            if descriptor is not None:
                os.close(descriptor)


# As many file reads at once as there are cores: reads from the page cache are copies that hold the GIL, and 32
# streams reading at once in 32 threads starved the event loop (ping p99 115-140 ms -> 29-35 ms with 2 readers on
# two cores, at about the same MB/s; benchmarks/README.md). One limiter per event loop (anyio's are tied to one).
READERS = max(2, os.cpu_count() or 2)
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = weakref.WeakKeyDictionary()


def _readers() -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = anyio.CapacityLimiter(READERS)
    return limiter


def _read_at(path: str | os.PathLike, offset: int, size: int) -> bytes:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        return os.pread(descriptor, size, offset)
    finally:
        os.close(descriptor)


@router.get('/media/{title_id}/{asset}')
def media(title_id: str, asset: str, request: Request, p: str = '') -> Response:
    # A plain def: FastAPI runs it in a worker thread, so the database work never blocks the event loop.
    user: UserPublic = request.state.user
    return media_response(user_id=user.id, title_id=title_id, asset=asset, token=p)
