"""Small JSON endpoints: sign-in for non-browser clients (scripts, benchmarks, other fronts) and a health check.

The player's own requests (video bytes, progress reports) are in app/playback_http.py.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

from . import auth, work
from .config import get_settings
from .i18n import parse_accept_language, translate
from .responses import status_code
from .services import accounts
from .services.errors import DomainError
from .services.throttle import Throttled

router = APIRouter()
MAX_BODY = 2048


@router.get('/api/health')
def health() -> dict:
    return {'ok': True}


@router.post('/api/login')
async def login(request: Request) -> JSONResponse:
    """Body: {"username", "password"} as JSON. Same rules, messages and throttle as the login page."""
    body = await request.body()
    language = parse_accept_language(request.headers.get('accept-language'), get_settings().default_language)
    try:
        data = json.loads(body) if len(body) <= MAX_BODY else None
        username, password = str(data['username']), str(data['password'])
    except (ValueError, KeyError, TypeError):
        return JSONResponse({'detail': 'login.all_required'}, status_code=400)
    address = request.client.host if request.client else None
    try:
        user = await work.run(accounts.sign_in_attempt, username=username, password=password, address=address)
    except Throttled as error:
        seconds = str(max(1, int(error.retry_after.total_seconds())))
        return JSONResponse(
            {'detail': error.key, 'message': translate(language, error.key, **error.params)},
            status_code=429,
            headers={'Retry-After': seconds},
        )
    except DomainError as error:
        wrong = error.key in {'login.unknown_user', 'login.wrong_password'}
        return JSONResponse(
            {'detail': error.key, 'message': translate(language, error.key, **error.params)},
            status_code=401 if wrong else status_code(error),
        )
    await auth.sign_in(user)
    return JSONResponse({'id': user.id, 'username': user.username, 'subscription_type': user.subscription_type})
