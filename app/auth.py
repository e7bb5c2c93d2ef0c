"""The NiceGUI side of sessions: sign in and out, the current user, open pages of a session, safe redirects,
flash messages."""

from __future__ import annotations

from urllib.parse import urlsplit

from nicegui import Client, app, context, ui

from . import work
from .lang import LANG_KEY, t
from .models import UserPublic
from .services import accounts

SESSION_KEY = 'session_token'
FLASH_KEY = 'flash'


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


async def current_user() -> UserPublic | None:
    """The signed-in user as the database sees it now (None when signed out, deleted or idle for too long)."""
    return await work.run(accounts.user_for_session, app.storage.user.get(SESSION_KEY))


async def sign_in(user: UserPublic) -> None:
    token = await work.run(accounts.start_session, user_id=user.id)
    storage = app.storage.user
    storage[SESSION_KEY] = token
    if user.language:
        storage[LANG_KEY] = user.language


async def sign_out() -> None:
    """End this browser's session: every open tab of it goes to the login page."""
    storage = app.storage.user
    token = storage.pop(SESSION_KEY, None)
    await work.run(accounts.end_session, token=token)
    if token:
        close_pages([token], except_client=context.client)


def remember_page() -> None:
    """Note which session the page being built belongs to, so that ending the session can close it."""
    context.client.storage[SESSION_KEY] = app.storage.user.get(SESSION_KEY)


def close_pages(tokens: list[str], *, except_client: Client | None = None) -> int:
    """Send every open page of these sessions (in this process) to the login page.

    Their websocket events are refused anyway (handlers call require_user, which asks the database); this makes
    the pages say so at once instead of on the next click.
    """
    ended = set(tokens)
    closed = 0
    for client in list(Client.instances.values()):
        if client is except_client or client.storage.get(SESSION_KEY) not in ended:
            continue
        client.storage.pop(SESSION_KEY, None)
        with client:
            # `ended` makes that page say so itself and leave the flash messages to the tab that signed out.
            ui.navigate.to('/login?ended=1')
        closed += 1
    return closed


async def require_user() -> UserPublic | None:
    """For event handlers of an open page: the user, or None after sending the tab to the login page.

    The route guard only sees HTTP requests; a tab that stays open keeps its websocket after a sign-out elsewhere,
    so anything that acts for the user checks again here.
    """
    user = await current_user()
    if user is None:
        flash('login.session_ended', 'warning')
        ui.navigate.to('/login')
    return user


def flash(key: str, kind: str = 'positive', **params: object) -> None:
    """A message for the next page this browser opens (a plain notify is lost when the page changes)."""
    messages = list(app.storage.user.get(FLASH_KEY, []))
    messages.append([key, kind, params])
    app.storage.user[FLASH_KEY] = messages[-5:]


def show_flashes() -> None:
    for key, kind, params in app.storage.user.pop(FLASH_KEY, []):
        ui.notify(t(key, **params), type=kind, position='top', timeout=4000)
