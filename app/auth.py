"""The NiceGUI side of sessions: sign in and out, the current user, open pages of a session, safe redirects,
flash messages."""

from __future__ import annotations

from urllib.parse import urlsplit

from nicegui import Client, app, context, ui
from nicegui.storage import request_contextvar

from . import db
from .config import get_settings
from .lang import LANG_KEY, t
from .models import UserPublic
from .services import accounts

SESSION_KEY = 'session_token'
FLASH_KEY = 'flash'


# Which sign-in token each browser (NiceGUI's per-browser storage id) holds, as seen by this process; the fast lane
# reads it. Only a hint: the database decides whether the token is still valid.
_browser_tokens: dict[str, str] = {}
_BROWSER_TOKENS_MAX = 100_000


def browser_token(browser_id: object) -> str | None:
    return _browser_tokens.get(browser_id) if isinstance(browser_id, str) else None


def remember_browser(browser_id: str | None, token: str | None) -> None:
    if not browser_id:
        return
    if token is None:
        _browser_tokens.pop(browser_id, None)
        return
    if len(_browser_tokens) >= _BROWSER_TOKENS_MAX:
        _browser_tokens.pop(next(iter(_browser_tokens)))  # the oldest entry: it simply takes the regular way again
    _browser_tokens[browser_id] = token


def current_browser_id() -> str | None:
    """NiceGUI's id of the browser behind the current request or event (the one `app.storage.user` is keyed by)."""
    request = request_contextvar.get()
    return request.session.get('id') if request is not None and 'session' in request.scope else None


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
    return await db.in_thread(resolve, app.storage.user.get(SESSION_KEY))


def resolve(token: str | None) -> UserPublic | None:
    """The user of a sign-in token; blocking (database), so the route guard runs it in a worker thread."""
    if not token:
        return None
    return db.run_core(accounts.resolve_session, token=token, idle_days=get_settings().session_idle_days)


async def sign_in(user: UserPublic) -> None:
    # Writes go to a worker thread: a write may wait for another writer, and the event loop must not.
    token = await db.run_io(accounts.start_session, user_id=user.id)
    storage = app.storage.user
    storage[SESSION_KEY] = token
    remember_browser(current_browser_id(), token)
    # The brief asks for these in the session; access decisions still read the database.
    storage['user_id'] = user.id
    storage['username'] = user.username
    storage['subscription_type'] = str(user.subscription_type)
    if user.language:
        storage[LANG_KEY] = user.language


async def sign_out() -> None:
    """End this browser's session: every open tab of it goes to the login page."""
    storage = app.storage.user
    token = storage.get(SESSION_KEY)
    await db.run_io(accounts.end_session, token=token)
    for key in (SESSION_KEY, 'user_id', 'username', 'subscription_type'):
        storage.pop(key, None)
    remember_browser(current_browser_id(), None)
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
