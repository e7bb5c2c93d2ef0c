"""Small JSON endpoints: progress reports from the player (also sent by navigator.sendBeacon) and a health check."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from nicegui import run
from starlette.responses import JSONResponse

from . import db
from .models import UserPublic
from .services import playback
from .services.errors import AccessDenied, DomainError, NotFound

router = APIRouter()
MAX_BODY = 2048


@router.get('/api/health')
def health() -> dict:
    return {'ok': True}


@router.post('/api/progress')
async def progress(request: Request) -> JSONResponse:
    """Body (JSON, any content type, as sendBeacon sends text/plain): {"token", "position", "ended", "leaving"}."""
    user: UserPublic = request.state.user
    body = await request.body()
    if len(body) > MAX_BODY:
        return JSONResponse({'detail': 'too large'}, status_code=413)
    try:
        data = json.loads(body)
        token, position = str(data['token']), data.get('position')
        ended, leaving = data.get('ended', False) is True, data.get('leaving', False) is True
    except (ValueError, KeyError, TypeError, AttributeError):
        return JSONResponse({'detail': 'errors.bad_progress'}, status_code=400)
    try:
        # The thread pool keeps the event loop free while SQLite commits.
        result = await run.io_bound(db.call, playback.save_progress, user_id=user.id, token=token,
                                    position_s=position, ended=ended, leaving=leaving)
    except DomainError as error:
        status = 404 if isinstance(error, NotFound) else 403 if isinstance(error, AccessDenied) else 422
        return JSONResponse({'detail': error.key, 'stop': status == 403}, status_code=status)
    return JSONResponse({'saved': result.saved, 'position': result.position_s, 'resumable': result.resumable,
                         'watched': result.watched})

