"""The HTTP routes that set Butaca's cookies: `/auth/complete` (sign in, new token, sign out), `/flash` (a message
for the next page) and `/lang/{code}`.

Pages reach them by navigating with a ticket they signed (app/cookies.py): the ticket names the browser that asked,
so a link from another site, or a ticket copied to another browser, does nothing.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from . import auth, cookies, work
from .config import LANGUAGES
from .middleware import cross_site
from .security import new_token
from .services import accounts

router = APIRouter()
log = logging.getLogger('butaca.auth')


@router.get('/auth/complete')
async def complete(request: Request, ticket: str = '') -> Response:
    found = cookies.open_ticket(ticket)
    if cross_site(request.scope) or found is None or found.browser != request.session.get('id'):
        response = RedirectResponse('/login', status_code=303)
        cookies.set_flash(response, 'login.session_ended', 'warning')
        return _no_store(response)
    old = cookies.session_token(request)
    if found.action == 'sign_out':
        await work.run(accounts.end_session, token=old)
        response = RedirectResponse('/login', status_code=303)
        cookies.clear_session(response)
        key, kind, params = found.flash or ('login.logged_out', 'info', {})
        cookies.set_flash(response, key, kind, **params)
        return _no_store(response)
    user = await work.run(accounts.user_for_session, old) if found.action == 'rotate' else None
    if found.action == 'rotate' and (user is None or user.id != found.user_id):
        return _no_store(RedirectResponse('/login', status_code=303))
    if found.user_id is None:
        return _no_store(RedirectResponse('/login', status_code=303))
    agent = request.headers.get('user-agent')
    token = await work.run(accounts.replace_session, user_id=found.user_id, old_token=old, user_agent=agent)
    response = RedirectResponse(auth.safe_redirect(found.next), status_code=303)
    cookies.set_session(response, token)
    if found.flash:
        key, kind, params = found.flash
        cookies.set_flash(response, key, kind, **params)
    if found.action == 'sign_in':
        reported = cookies.time_zone(request)  # set by every page's head (app/components/theme.py)
        if reported:
            try:
                await work.run(accounts.remember_time_zone, user_id=found.user_id, time_zone=reported)
            except Exception:  # a nicety: the sign-in goes on without it
                log.warning('could not keep the time zone of account %s', found.user_id, exc_info=True)
        device = cookies.device(request)
        keep = device is not None and device[0] == found.user_id
        cookies.set_device(response, user_id=found.user_id, device=device[1] if keep else new_token())
    return _no_store(response)


@router.get('/flash')
async def flash(request: Request, m: str = '') -> Response:
    """Set the flash cookie a page signed for the next one, and go there."""
    found = cookies.open_flash_link(m)
    if found is None or cross_site(request.scope):
        return _no_store(RedirectResponse('/', status_code=303))
    target, (key, kind, params) = found
    response = RedirectResponse(auth.safe_redirect(target), status_code=303)
    cookies.set_flash(response, key, kind, **params)
    return _no_store(response)


@router.get('/lang/{code}')
async def language(request: Request, code: str, next: str = '/') -> Response:
    """Choose the interface language: kept in the account when signed in, else in a cookie."""
    response = RedirectResponse(auth.safe_redirect(next), status_code=303)
    if code in LANGUAGES and not cross_site(request.scope):
        cookies.set_language(response, code)
        user = await work.run(accounts.user_for_session, cookies.session_token(request))
        if user is not None:
            await work.run(accounts.set_language, user_id=user.id, language=code)
    return _no_store(response)


def _no_store(response: Response) -> Response:
    response.headers['Cache-Control'] = 'no-store'
    return response
