"""The NiceGUI side of live updates (app/events.py): a page listens to a topic for as long as it is open."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import context

from . import events


def listen(topic: str, handler: Callable[[dict[str, Any]], Any]) -> None:
    """Call `handler(data)` in this page's context for every message on `topic`, until the page is closed."""
    client = context.client

    def in_page(data: dict[str, Any]) -> Any:
        if client.is_deleted:
            return None
        with client:
            return handler(data)

    client.on_delete(events.subscribe(topic, in_page))
