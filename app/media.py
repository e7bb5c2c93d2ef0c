"""The HTTP routes that send poster, backdrop and video bytes, each only after the access check.

Video bytes need a live playback token of the signed-in user (a screen that counts), a plan that covers the title
and the rendition asked for. Starlette's FileResponse answers Range requests (206, suffix ranges, 416) itself.
With BUTACA_ACCEL_REDIRECT set, a reverse proxy sends the bytes: we only answer with X-Accel-Redirect, which
nginx's grant cache may reuse for BUTACA_ACCEL_GRANT_SECONDS (refusals are never reused).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, JSONResponse, Response

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
    grant = db.run_core(playback.authorize_stream, user_id=user_id, title_id=title_number, token=token,
                        quality=VIDEO_ASSETS[asset])
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
    response = FileResponse(path, headers={'Cache-Control': cache})
    # Starlette reads 64 KiB per worker-thread hop; players ask for megabytes at a time, so read 1 MiB per hop
    # (benchmarks/README.md: about twice the throughput). It bounds the memory of one stream to about that too.
    response.chunk_size = CHUNK_SIZE
    return response


@router.get('/media/{title_id}/{asset}')
def media(title_id: str, asset: str, request: Request, p: str = '') -> Response:
    # A plain def: FastAPI runs it in a worker thread, so the database work never blocks the event loop.
    user: UserPublic = request.state.user
    return media_response(user_id=user.id, title_id=title_id, asset=asset, token=p)
