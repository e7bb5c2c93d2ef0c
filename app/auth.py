"""The NiceGUI side of sessions: who is signed in on this page, signing in and out through `/auth/complete`, the open
pages of a session, safe redirects, flash messages.

The session cookie (app/cookies.py) is set only by HTTP answers. A page that signs someone in, out or changes a
password signs a ticket and navigates to `/auth/complete` (app/auth_routes.py), which sets the cookie and sends the
browser on: every sign-in gets a new token, so nothing planted or copied before it keeps any access after it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from urllib.parse import quote, urlsplit

from nicegui import Client, context, ui

from . import cookies, events, work
from .lang import t
from .models import UserPublic
from .services import accounts

PAGE_TOKEN = 'butaca_session_token'  # in each page's client storage: the session it was built for


def safe_redirect(target: str | None) -> str:
    """`target` when it is a path on this site, else '/'. Refuses '//host', 'https://x', 'javascript:', backslashes."""
    if not target or len(target) > 2000 or not target.startswith('/') or target.startswith('//'):
        return '/'
    if '\\' in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return '/'
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return '/'
    return target


FORWARDING_HEADERS = ('x-forwarded-for', 'x-real-ip', 'forwarded')


def local_request(request: object) -> bool:
    """A request from the server's own machine: a loopback peer, and no proxy header (behind a proxy on the same
    machine every request comes from loopback; the header says it came from elsewhere)."""
    client = getattr(request, 'client', None)
    headers = getattr(request, 'headers', {})
    if client is None or any(name in headers for name in FORWARDING_HEADERS):
        return False
    try:
        return ipaddress.ip_address(client.host).is_loopback
    except ValueError:
        return False


def page_token() -> str | None:
    """The sign-in token of the page being built or handled (the cookie its browser sent when it opened)."""
    return cookies.session_token(context.client.request)


async def current_user() -> UserPublic | None:
    """The signed-in user as the database sees it now (None when signed out, deleted or idle for too long)."""
    return await work.run(accounts.user_for_session, page_token())


async def require_admin() -> UserPublic | None:
    """For administrators' event handlers: the administrator, or None after sending the tab home with a message
    (a page opened as administrator keeps its websocket after the role is taken away)."""
    user = await current_user()
    if user is None:
        go('/login', flash=('login.session_ended', 'warning', {}))
    elif not user.is_admin:
        go('/', flash=('admin.refused', 'warning', {}))
        return None
    return user


async def require_user() -> UserPublic | None:
    """For event handlers of an open page: the user, or None after sending the tab to the login page.

    The route guard only sees HTTP requests; a tab that stays open keeps its websocket after a sign-out elsewhere,
    so anything that acts for the user checks again here.
    """
    user = await current_user()
    if user is None:
        go('/login', flash=('login.session_ended', 'warning', {}))
    return user


def go(target: str, *, flash: cookies.Flash | None = None) -> None:
    """Navigate this page to `target`, where `flash` (key, kind, params) is shown once (a toast shown here would
    be lost with this page)."""
    ui.navigate.to(cookies.flash_link(safe_redirect(target), flash) if flash else safe_redirect(target))


async def complete(
    action: str, *, user_id: int | None = None, target: str = '/', flash: cookies.Flash | None = None
) -> None:
    """Send this page to `/auth/complete` with a ticket for `action` ('sign_in', 'rotate', 'sign_out').

    A sign-out ends the session here and now, and sends the browser's other open tabs to the login page; after a
    new token (sign-in, rotation) they find theirs refused at their next action and come back in through the login
    page, which sees the new cookie.
    """
    if action == 'sign_out':
        leave_quietly()
        await work.run(accounts.end_session, token=page_token())  # its other open pages go to the login page
    browser = context.client.request.session.get('id', '')
    ticket = cookies.make_ticket(cookies.Ticket(action, browser, user_id, safe_redirect(target), flash))
    ui.navigate.to(f'/auth/complete?ticket={quote(ticket)}')


def remember_page() -> None:
    """Note which session the page being built belongs to, so that ending the session can close it."""
    context.client.storage[PAGE_TOKEN] = page_token()


def leave_quietly() -> None:
    """This page is about to end its own session: the news of it must not send it to the login page too."""
    context.client.storage.pop(PAGE_TOKEN, None)


def listen_for_ended_sessions() -> Callable[[], None]:
    """Send the open pages of sessions ended anywhere (this process or another, through the event bus) to the login
    page; returns the function that stops listening."""
    return events.subscribe('sessions', lambda data: close_pages(list(data.get('tokens', []))))


def close_pages(tokens: list[str], *, except_client: Client | None = None, target: str = '/login?ended=1') -> int:
    """Send every open page of these sessions (in this process) to `target`.

    Their websocket events are refused anyway (handlers call require_user, which asks the database); this makes
    the pages say so at once instead of on the next click.
    """
    ended = {token for token in tokens if token}
    closed = 0
    for client in list(Client.instances.values()):
        if client is except_client or client.storage.get(PAGE_TOKEN) not in ended:
            continue
        client.storage.pop(PAGE_TOKEN, None)
        with client:
            ui.navigate.to(target)
        closed += 1
    return closed


def show_flashes() -> None:
    """Show the messages the browser brought in its flash cookie, once."""
    messages = cookies.decode_flash(context.client.request.cookies.get(cookies.FLASH))
    if not messages:
        return
    for key, kind, params in messages:
        kind = kind if kind in {'positive', 'negative', 'warning', 'info'} else 'info'
        ui.notify(t(key, **params), type=kind, position='top', timeout=4000)
    # The page's answer clears the cookie (middleware.PageScripts): shown once, also if this page never connects.
