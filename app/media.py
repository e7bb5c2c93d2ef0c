"""Media files: poster and backdrop bytes for signed-in viewers, and the file answers the player's requests use.

Every path comes from the database relative to the media folder and is confined there (`confine`). Starlette's
FileResponse answers Range requests (206, suffix ranges, 416). With BUTACA_ACCEL_REDIRECT set, a reverse proxy
sends the bytes: we only answer with X-Accel-Redirect. Video bytes are the player's (app/playback_http.py).
"""

from __future__ import annotations

import asyncio
import os
import weakref
from pathlib import Path

import anyio
from fastapi import APIRouter, Request
from starlette.datastructures import MutableHeaders
from starlette.responses import FileResponse, Response
from starlette.types import Send

from .config import get_settings
from .responses import error_response
from .services import catalog
from .services.errors import DomainError, NotFound

router = APIRouter()
CHUNK_SIZE = 1024 * 1024
IMAGE_ASSETS = {'poster': 'poster_path', 'backdrop': 'backdrop_path', 'still': 'still_path'}


def confine(relative: str, root: Path) -> Path:
    """The file `relative` names inside `root`, or NotFound, whatever the database or the URL says."""
    root = root.resolve()
    if not relative or '\x00' in relative:
        raise NotFound('title.not_found')
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound('title.not_found')
    return path


def file_response(relative: str, *, cache: str, grantable: bool = False) -> Response:
    """The bytes of a media file (Range requests answered), or its X-Accel-Redirect in production.

    Blocking (file system): callers run it in a worker thread. `grantable`: nginx's grant cache may reuse this yes
    for BUTACA_ACCEL_GRANT_SECONDS (README, "Several machines"), so a refusal reaches the bytes within that time.
    """
    settings = get_settings()
    try:
        path = confine(relative, settings.media_dir)
    except DomainError as error:
        return error_response(error)
    if settings.accel_redirect_prefix:
        internal = settings.accel_redirect_prefix.rstrip('/') + '/' + path.relative_to(settings.media_dir).as_posix()
        headers = {'X-Accel-Redirect': internal, 'Cache-Control': cache}
        if grantable and settings.accel_grant_seconds:
            headers['X-Accel-Expires'] = str(settings.accel_grant_seconds)
        return Response(headers=headers)
    return RangeFileResponse(path, stat_result=path.stat(), headers={'Cache-Control': cache})


def image_response(
    title_id: str, asset: str, *, width: str = '', format: str = '', if_none_match: str = ''
) -> Response:
    """A title's poster, backdrop or still for a signed-in viewer (every plan sees every title's artwork), at the
    size asked for (`width`, in pixels; `format` 'webp' or JPEG): the size made at import that fits (see
    catalog.image_path). A browser that already has these bytes (If-None-Match names their ETag) gets 304."""
    if asset not in IMAGE_ASSETS:
        return error_response(NotFound('title.not_found'))
    try:
        relative = catalog.image_path(
            title_id=catalog.parse_title_id(title_id),
            column=IMAGE_ASSETS[asset],
            asset=asset,
            width=int(width) if width.isascii() and width.isdigit() and len(width) < 6 else 0,
            webp=format == 'webp',
        )
    except DomainError as error:
        return error_response(error)
    response = file_response(relative, cache='private, max-age=3600')
    return not_modified(response, if_none_match) or response


def not_modified(response: Response, if_none_match: str) -> Response | None:
    """304 when If-None-Match names the response's ETag (or is *), as RFC 9110 says for a GET; None otherwise.
    Weak and strong tags compare alike here (weak comparison), and a list of tags is matched entry by entry."""
    etag = response.headers.get('etag')
    if not etag or not if_none_match or response.status_code != 200:
        return None
    wanted = {tag.strip().removeprefix('W/') for tag in if_none_match.split(',')}
    if '*' not in wanted and etag.removeprefix('W/') not in wanted:
        return None
    kept = {key: response.headers[key] for key in ('etag', 'cache-control', 'last-modified') if key in response.headers}
    return Response(status_code=304, headers=kept)


class RangeFileResponse(FileResponse):
    """Starlette's FileResponse (Range parsing, 206/416, multipart), with a cheaper single-range read.

    Private framework API, on purpose: `_handle_single_range` is Starlette's hook for one range, and overriding it
    is the only way to change how the bytes are read without writing Range parsing again. If Starlette renames it,
    answers stay correct (its own reader runs) but slower: tests/test_media.py checks that this one is used.

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
def media(title_id: str, asset: str, request: Request, w: str = '', f: str = '') -> Response:
    # A plain def: FastAPI runs it in a worker thread, so the database and file work never block the event loop.
    # The route guard (app/middleware.py) has already refused anyone not signed in.
    return image_response(title_id, asset, width=w, format=f, if_none_match=request.headers.get('if-none-match', ''))
