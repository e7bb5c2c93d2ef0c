"""`POST /admin/upload?name=FILE[&title=&genre=&year=&premium=1]`: an administrator's video, streamed to disk.

The route guard (app/middleware.py) has answered 403 to anyone else before any byte of the body is read. Here the
body is read in chunks into ``data/uploads/`` under a temporary name (never whole into memory), refused with 413
as soon as it passes BUTACA_UPLOAD_MAX_MB, and then handed to the same import job as a scanned file (its name read
as ``Title (Year).ext``); the job removes the upload once the title is in the library.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

from . import work
from .config import get_settings, library_settings
from .library.naming import VIDEO_SUFFIXES, parse_film
from .middleware import cross_site
from .models import UserPublic
from .services import admin
from .worker.submit import submit

router = APIRouter()
UPLOADS = 'uploads'  # in the data folder


def upload_folder() -> Path:
    return get_settings().data_dir / UPLOADS


@router.post('/admin/upload')
async def upload(request: Request) -> JSONResponse:
    user: UserPublic | None = getattr(request.state, 'user', None)
    if user is None or not user.is_admin or cross_site(request.scope):  # the guard said so already; so does this
        return JSONResponse({'detail': 'administrators only'}, status_code=403)
    name = Path(request.query_params.get('name', '')).name[:200]
    if Path(name).suffix.lower() not in VIDEO_SUFFIXES:
        return JSONResponse({'detail': 'not a video file name', 'key': 'upload.not_video'}, status_code=415)
    limit = library_settings().upload_max_mb * 1024 * 1024
    declared = request.headers.get('content-length', '')
    if declared.isdigit() and int(declared) > limit:
        return JSONResponse({'detail': 'too large', 'key': 'upload.too_large'}, status_code=413)
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(8)
    partial = folder / f'.{token}.partial'
    received = 0
    handle = await work.run(open, partial, 'wb')
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise _TooLarge
            if chunk:
                await work.run(handle.write, chunk)
        await work.run(handle.close)
    except _TooLarge:
        handle.close()
        partial.unlink(missing_ok=True)
        return JSONResponse({'detail': 'too large', 'key': 'upload.too_large'}, status_code=413)
    except BaseException:
        handle.close()
        partial.unlink(missing_ok=True)  # the browser went away mid-upload: nothing half-written stays
        raise
    if received == 0:
        partial.unlink(missing_ok=True)
        return JSONResponse({'detail': 'empty', 'key': 'upload.empty'}, status_code=400)
    final = folder / f'{token}-{name}'
    os.replace(partial, final)
    job_id = await work.run(_queue, final, name, dict(request.query_params), user)
    return JSONResponse({'job_id': job_id, 'bytes': received}, status_code=202)


class _TooLarge(Exception):
    pass


def _queue(path: Path, name: str, query: dict[str, str], user: UserPublic) -> int:
    from datetime import date

    from .db import session as unit

    named = parse_film(name)
    title = (query.get('title') or named.title).strip()[:200] or named.title
    year_raw = query.get('year', '')
    year = int(year_raw) if year_raw.isdigit() else named.year or date.today().year
    params = {
        'kind': 'film',
        'path': str(path),
        'title': title,
        'genre': (query.get('genre') or 'Otros').strip()[:40],
        'year': year,
        'premium': query.get('premium') in {'1', 'true', 'on'},
        'remove_source': str(path),
    }
    job_id = submit(kind='import', label=title, params=params, created_by=user.username)
    with unit(write=True) as session:
        admin.record(session, actor=user, action='upload', target=title, detail=f'{name} · job #{job_id}')
    return job_id
