"""Who a sign-in session token belongs to, remembered for a burst of requests instead of asked of the database on
every one (the route guard's lookup was a thread hop and a query per page, image and API call).

Kept only while nothing could have changed it: an entry is dropped when its session ends (`sessions` event: a
sign-out, a sign-out everywhere, a password change, a deleted account) and when its account changes (`account:{id}`
event: a plan change, a disabled account), in this process and, through the event bus, in every other; so each of
these applies from the very next request. `MAX_AGE_S` bounds what a lost message could leave behind (and keeps the
session's idle clock moving: the lookup that refreshes it runs at least that often). Only sessions that were found
are kept: an unknown token is asked again each time.

Everything here runs on the event loop (the middleware, and the event subscribers, which app/events.py calls there).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from . import events
from .models import UserPublic

MAX_AGE_S = 5.0
MAX_ENTRIES = 20_000

_entries: OrderedDict[str, tuple[float, UserPublic]] = OrderedDict()
_tokens_of: dict[int, set[str]] = {}
_unsubscribe: dict[int, Callable[[], None]] = {}


def get(token: str | None) -> UserPublic | None:
    """The user of `token` as last looked up, if that was less than MAX_AGE_S ago and nothing changed since."""
    if not token:
        return None
    found = _entries.get(token)
    if found is None:
        return None
    if found[0] < time.monotonic():
        _drop(token)
        return None
    return found[1]


def put(token: str, user: UserPublic) -> None:
    """Remember `user` for `token` (just looked up in the database)."""
    _entries[token] = (time.monotonic() + MAX_AGE_S, user)
    _entries.move_to_end(token)
    _tokens_of.setdefault(user.id, set()).add(token)
    if user.id not in _unsubscribe:
        _unsubscribe[user.id] = events.subscribe(f'account:{user.id}', lambda _data, uid=user.id: forget_user(uid))
    while len(_entries) > MAX_ENTRIES:
        _drop(next(iter(_entries)))


def forget_tokens(tokens: list[str]) -> None:
    for token in tokens:
        _drop(token)


def forget_user(user_id: int) -> None:
    for token in list(_tokens_of.get(user_id, ())):
        _drop(token)


def _drop(token: str) -> None:
    found = _entries.pop(token, None)
    if found is None:
        return
    user_id = found[1].id
    tokens = _tokens_of.get(user_id)
    if tokens is not None:
        tokens.discard(token)
        if not tokens:
            del _tokens_of[user_id]
            stop = _unsubscribe.pop(user_id, None)
            if stop is not None:
                stop()


def clear() -> None:
    for token in list(_entries):
        _drop(token)


def listen() -> Callable[[], None]:
    """Drop the sessions that end anywhere; returns the function that stops listening (and forgets everything).

    Starts from nothing: what an earlier run of the app in this process (tests) kept listens on its own event loop.
    """
    clear()
    stop = events.subscribe('sessions', lambda data: forget_tokens(list(data.get('tokens', []))))

    def stop_all() -> None:
        stop()
        clear()

    return stop_all
