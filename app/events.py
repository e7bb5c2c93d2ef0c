"""Live updates: what happened (a save committed, a title added, a plan changed, a session ended), said once by
whoever did it and heard by every open page that cares, in this process and, with a bus, in the others.

`publish(topic, **data)` may be called from any thread (services call it after their commit). Subscribers are
called on the event loop that subscribed, never on the publisher's thread: NiceGUI's elements are not thread-safe.
Topics are plain strings with the account in them where the news is an account's own:

- `progress:{user_id}`: a progress save of that account was committed (its Continue watching and history changed);
- `account:{user_id}`: its plan or settings changed (pages redraw, players check their rights at once);
- `sessions`: sign-in sessions ended (`tokens`): their open pages go to the login page;
- `catalog`: titles were added, changed or removed (`title_ids`);
- `jobs`: the library's jobs moved on.

Between processes a bus carries the same messages (`set_bus`; the Redis bus is app/events_redis.py): each process
publishes what it did to the bus and delivers what the bus brings to its own subscribers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger('butaca.events')
Handler = Callable[[dict[str, Any]], Any]


class Bus(Protocol):
    """Carries messages to the other processes (and brings theirs here through `deliver`)."""

    def send(self, topic: str, data: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


_lock = threading.Lock()
_subscribers: dict[str, dict[int, tuple[asyncio.AbstractEventLoop, Handler]]] = {}
_next_id = 0
_bus: Bus | None = None


def subscribe(topic: str, handler: Handler) -> Callable[[], None]:
    """Call `handler(data)` on this event loop for every message on `topic`; returns the unsubscribe function."""
    global _next_id
    loop = asyncio.get_running_loop()
    with _lock:
        _next_id += 1
        key = _next_id
        _subscribers.setdefault(topic, {})[key] = (loop, handler)

    def unsubscribe() -> None:
        with _lock:
            handlers = _subscribers.get(topic)
            if handlers is not None:
                handlers.pop(key, None)
                if not handlers:
                    del _subscribers[topic]

    return unsubscribe


def publish(topic: str, **data: Any) -> None:
    """Tell this process's subscribers (and the other processes, with a bus) that `topic` happened."""
    deliver(topic, data)
    bus = _bus
    if bus is not None:
        try:
            bus.send(topic, data)
        except Exception:  # a bus that is down must not fail the save that happened; pages catch up on reload
            log.exception('could not send %s to the other processes', topic)


def deliver(topic: str, data: dict[str, Any]) -> None:
    """Hand a message to this process's subscribers, each on its own event loop (from any thread)."""
    with _lock:
        targets = list(_subscribers.get(topic, {}).values())
    for loop, handler in targets:
        with contextlib.suppress(RuntimeError):  # that loop is closed: its subscriber is gone
            loop.call_soon_threadsafe(_run, handler, data)


def _run(handler: Handler, data: dict[str, Any]) -> None:
    try:
        result = handler(data)
        if asyncio.iscoroutine(result):
            task = asyncio.ensure_future(result)
            task.add_done_callback(_log_failure)
    except Exception:
        log.exception('a live update failed')


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error('a live update failed', exc_info=task.exception())


def set_bus(bus: Bus | None) -> None:
    """Carry messages between processes with `bus` (None: this process only)."""
    global _bus
    old, _bus = _bus, bus
    if old is not None and old is not bus:
        old.close()


def subscriber_count(topic: str) -> int:
    with _lock:
        return len(_subscribers.get(topic, {}))
