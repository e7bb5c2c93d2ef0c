"""Small JSON endpoints: sign-in for non-browser clients (scripts, benchmarks, other fronts) and a health check.

The player's own requests (video bytes, progress reports) are in app/playback_http.py.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

from . import cookies, work
from .config import get_settings
from .i18n import parse_accept_language, translate
from .responses import parse_json, status_code
from .security import new_token
from .services import accounts
from .services.errors import Busy, DomainError
from .services.throttle import Throttled

router = APIRouter()
NO_STORE = {'Cache-Control': 'no-store'}


@router.get('/api/health')
def health() -> dict:
    return {'ok': True}


@router.post('/api/login')
async def login(request: Request) -> JSONResponse:
    """Body: {"username", "password"}, as application/json only (a form of another site cannot send that without
    asking first). Same rules, messages and throttle as the login page; answers with the session cookie."""
    language = parse_accept_language(request.headers.get('accept-language'), get_settings().default_language)
    if request.headers.get('content-type', '').split(';')[0].strip().lower() != 'application/json':
        return JSONResponse({'detail': 'application/json expected'}, status_code=415, headers=NO_STORE)
    try:
        data = parse_json(await request.body())
        username, password = data['username'], data['password']
        if not isinstance(username, str) or not isinstance(password, str):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return _refusal(language, 'login.all_required', 400)
    address = request.client.host if request.client else None
    device = cookies.device(request)
    try:
        user = await work.run(
            accounts.sign_in_attempt, username=username, password=password, address=address, device=device
        )
    except Throttled as error:
        seconds = str(max(1, int(error.retry_after.total_seconds())))
        return _refusal(language, error.key, 429, {'Retry-After': seconds}, **error.params)
    except Busy as error:
        return _refusal(language, error.key, 503, {'Retry-After': '2'})
    except DomainError as error:
        return _refusal(language, error.key, 401 if error.key == 'login.failed' else status_code(error), **error.params)
    token = await work.run(
        accounts.replace_session,
        user_id=user.id,
        old_token=cookies.session_token(request),
        user_agent=request.headers.get('user-agent'),
    )
    response = JSONResponse(
        {'id': user.id, 'username': user.username, 'subscription_type': user.subscription_type}, headers=NO_STORE
    )
    cookies.set_session(response, token)
    kept = device is not None and device[0] == user.id
    cookies.set_device(response, user_id=user.id, device=device[1] if kept else new_token())
    return response


def _refusal(language: str, key: str, status: int, headers: dict | None = None, **params: object) -> JSONResponse:
    body = {'detail': key, 'message': translate(language, key, **params)}
    return JSONResponse(body, status_code=status, headers={**NO_STORE, **(headers or {})})
