"""Butaca's own cookies, and the signed tickets that let a page ask an HTTP route to set them.

- the **session** cookie (HttpOnly): the sign-in session's token, the one authority of pages and the API. Only HTTP
  answers set it, always with a new token (sign-in, password change) or remove it (sign-out): nothing made before a
  sign-in is worth anything after it (no session fixation). `__Host-` prefixed and Secure over HTTPS.
- the **device** cookie (HttpOnly, signed, kept for a year, kept at sign-out): this browser signed in as that account
  before, so its failed attempts count on a budget of its own (OWASP's device cookies): someone guessing that
  username elsewhere cannot lock its owner out.
- the **flash** cookie: a message for the next page (a toast is lost when the page changes), set by an HTTP answer
  (`/auth/complete`, or `/flash`, which a page navigates through), shown once and cleared.
- the **language** cookie: an anonymous visitor's choice (signed-in viewers keep theirs in their account), so no
  per-visitor storage is written before sign-in.

A page's event handler has no HTTP answer to set a cookie on: it signs a **ticket** (what to do, for which account,
from which browser, valid 60 s) and navigates to `/auth/complete`, which checks it and answers with the cookie.
"""

from __future__ import annotations

import base64
import functools
import json
from dataclasses import dataclass
from urllib.parse import unquote

import itsdangerous
from starlette.requests import HTTPConnection
from starlette.responses import Response

from .config import Settings, get_settings, storage_secret

SESSION, SECURE_SESSION = 'butaca_session', '__Host-butaca_session'
DEVICE, FLASH, LANGUAGE = 'butaca_device', 'butaca_flash', 'butaca_lang'
TICKET_SECONDS = 60
DEVICE_SECONDS = 365 * 24 * 3600
# The browser's IANA time zone, written by the page itself (app/components/theme.py): dates are shown in it.
TIME_ZONE = 'butaca_tz'
TIME_ZONE_MAX = 200  # encoded: the longest IANA name has 32 characters
FLASH_MAX = 2000


def session_cookie(settings: Settings | None = None) -> str:
    return SECURE_SESSION if (settings or get_settings()).secure_cookies else SESSION


def session_token(connection: HTTPConnection) -> str | None:
    """The sign-in token this request carries (a page's request, or an API request)."""
    return connection.cookies.get(session_cookie()) or None


def time_zone(connection: HTTPConnection) -> str | None:
    """The time zone the browser reported, as its IANA name ('Europe/Madrid'), or None. The page writes it with
    encodeURIComponent (a cookie value may not hold every character), and Starlette does not decode it."""
    raw = connection.cookies.get(TIME_ZONE) or ''
    return unquote(raw[:TIME_ZONE_MAX]).strip() or None


def set_session(response: Response, token: str) -> None:
    settings = get_settings()
    response.set_cookie(
        session_cookie(settings),
        token,
        max_age=int(settings.session_idle_days * 24 * 3600),
        httponly=True,
        secure=settings.secure_cookies,
        samesite='lax',  # strict would sign out anyone who follows a link from another site (lab notes, 9)
    )


def clear_session(response: Response) -> None:
    settings = get_settings()
    response.delete_cookie(session_cookie(settings), httponly=True, secure=settings.secure_cookies, samesite='lax')


# ---- signed values: tickets and the device cookie ----


def _signer(salt: str) -> itsdangerous.URLSafeTimedSerializer:
    return _signer_for(storage_secret(), salt)


@functools.cache
def _signer_for(secret: str, salt: str) -> itsdangerous.URLSafeTimedSerializer:
    return itsdangerous.URLSafeTimedSerializer(secret, salt=salt)


Flash = tuple[str, str, dict]  # message key, kind (positive, negative, warning, info), its parameters


@dataclass(frozen=True)
class Ticket:
    action: str  # 'sign_in', 'rotate' (a new token for the same account) or 'sign_out'
    browser: str  # NiceGUI's id of the browser that asked: nobody else can use the ticket
    user_id: int | None = None
    next: str = '/'
    flash: Flash | None = None  # what the next page says


def make_ticket(ticket: Ticket) -> str:
    values = [ticket.action, ticket.browser, ticket.user_id, ticket.next, list(ticket.flash or ())]
    return _signer('butaca.ticket').dumps(values)


def open_ticket(raw: str) -> Ticket | None:
    """The ticket, if we signed it less than TICKET_SECONDS ago; None otherwise."""
    try:
        action, browser, user_id, target, flash = _signer('butaca.ticket').loads(raw[:4000], max_age=TICKET_SECONDS)
    except (itsdangerous.BadData, ValueError, TypeError):
        return None
    if action not in {'sign_in', 'rotate', 'sign_out'} or not isinstance(browser, str) or not isinstance(target, str):
        return None
    return Ticket(action, browser, user_id if isinstance(user_id, int) else None, target, _flash(flash))


def flash_link(target: str, flash: Flash) -> str:
    """A link that shows `flash` on the page `target` (through `/flash`, which sets the cookie and goes on)."""
    return '/flash?m=' + _signer('butaca.flash').dumps([target, list(flash)])


def open_flash_link(raw: str) -> tuple[str, Flash] | None:
    try:
        target, flash = _signer('butaca.flash').loads(raw[:4000], max_age=TICKET_SECONDS)
    except (itsdangerous.BadData, ValueError, TypeError):
        return None
    found = _flash(flash)
    return (target, found) if isinstance(target, str) and found else None


def _flash(values: object) -> Flash | None:
    if isinstance(values, list) and len(values) == 3:
        key, kind, params = values
        if isinstance(key, str) and isinstance(kind, str) and isinstance(params, dict):
            return key, kind, params
    return None


def set_device(response: Response, *, user_id: int, device: str) -> None:
    settings = get_settings()
    value = _signer('butaca.device').dumps([user_id, device])
    response.set_cookie(
        DEVICE, value, max_age=DEVICE_SECONDS, httponly=True, secure=settings.secure_cookies, samesite='lax'
    )


def device(connection: HTTPConnection) -> tuple[int, str] | None:
    """(account, device id) of the device cookie, if we signed it."""
    raw = connection.cookies.get(DEVICE)
    if not raw:
        return None
    try:
        user_id, device_id = _signer('butaca.device').loads(raw[:500], max_age=DEVICE_SECONDS)
    except (itsdangerous.BadData, ValueError, TypeError):
        return None
    return (user_id, device_id) if isinstance(user_id, int) and isinstance(device_id, str) else None


# ---- flash messages ----


def encode_flash(messages: list[list]) -> str:
    return base64.urlsafe_b64encode(json.dumps(messages[-3:], ensure_ascii=False).encode()).decode()


def decode_flash(raw: str | None) -> list[tuple[str, str, dict]]:
    """The messages in a flash cookie: (key, kind, params) with plain values only; anything else is dropped."""
    if not raw or len(raw) > FLASH_MAX:
        return []
    try:
        messages = json.loads(base64.urlsafe_b64decode(raw.encode()))
    except (ValueError, TypeError):
        return []
    found = []
    for message in messages if isinstance(messages, list) else []:
        if isinstance(message, list) and len(message) == 3:
            key, kind, params = message
            if isinstance(key, str) and isinstance(kind, str) and isinstance(params, dict):
                plain = {str(k): v for k, v in params.items() if isinstance(v, str | int | float)}
                found.append((key, kind, plain))
    return found


def set_flash(response: Response, key: str, kind: str = 'positive', **params: object) -> None:
    response.set_cookie(FLASH, encode_flash([[key, kind, params]]), max_age=60, samesite='lax', path='/')


def clear_flash(response: Response) -> None:
    response.delete_cookie(FLASH, samesite='lax', path='/')


def set_language(response: Response, code: str) -> None:
    response.set_cookie(LANGUAGE, code, max_age=DEVICE_SECONDS, samesite='lax', secure=get_settings().secure_cookies)
