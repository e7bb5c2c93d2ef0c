"""Small JSON endpoints: progress reports from the player (also sent by navigator.sendBeacon), sign-in for
non-browser clients (scripts, benchmarks, other fronts), and a health check."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

from . import auth, saves
from .config import get_settings
from .i18n import parse_accept_language, translate
from .models import UserPublic
from .services import accounts
from .services.errors import DomainError, status_code
from .services.throttle import Throttled
from .workers import password_work

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
        user = await password_work(
            accounts.sign_in_attempt,
            username=username,
            password=password,
            rounds=get_settings().bcrypt_rounds,
            address=address,
        )
    except Throttled as error:
        seconds = str(max(1, int(error.retry_after.total_seconds())))
        return JSONResponse(
            {'detail': error.key, 'message': translate(language, error.key, **error.params)},
            status_code=429,
            headers={'Retry-After': seconds},
        )
    except DomainError as error:
        return JSONResponse(
            {'detail': error.key, 'message': translate(language, error.key, **error.params)},
            status_code=401 if error.key in {'login.unknown_user', 'login.wrong_password'} else 400,
        )
    await auth.sign_in(user)
    return JSONResponse({'id': user.id, 'username': user.username, 'subscription_type': user.subscription_type})


@router.post('/api/progress')
async def progress(request: Request) -> JSONResponse:
    """Body (JSON, any content type, as sendBeacon sends text/plain): {"token", "position", "ended", "leaving"}."""
    user: UserPublic = request.state.user
    return await save_report(await request.body(), user_id=user.id)


def parse_report(body: bytes) -> saves.Report | JSONResponse:
    """The progress report in a request body, or the answer that refuses it."""
    if len(body) > MAX_BODY:
        return JSONResponse({'detail': 'too large'}, status_code=413)
    try:
        data = json.loads(body)
        return saves.Report(
            token=str(data['token']),
            position=data.get('position'),
            ended=data.get('ended', False) is True,
            leaving=data.get('leaving', False) is True,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return JSONResponse({'detail': 'errors.bad_progress'}, status_code=400)


async def save_report(body: bytes, *, user_id: int | None = None, session_token: str | None = None) -> JSONResponse:
    """Apply one progress report of `user_id`, or of the user of `session_token` (the fast lane's case), through
    the progress writer (app/saves.py); answered once it is committed."""
    report = parse_report(body)
    if isinstance(report, JSONResponse):
        return report
    try:
        result = await saves.writer.save(report, user_id=user_id, session_token=session_token)
    except saves.NotSignedIn:
        return JSONResponse({'detail': 'not signed in'}, status_code=401)
    except DomainError as error:
        status = status_code(error, invalid=422)
        return JSONResponse({'detail': error.key, 'stop': status == 403}, status_code=status)
    except RuntimeError:
        return JSONResponse({'detail': 'unavailable'}, status_code=503)  # logged by the writer; the player retries
    return JSONResponse(
        {'saved': result.saved, 'position': result.position_s, 'resumable': result.resumable, 'watched': result.watched}
    )
