"""The NiceGUI side of live updates (app/events.py): a page listens to a topic for as long as it is open."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from nicegui import Client, context

from . import events


def listen(topic: str, handler: Callable[[dict[str, Any]], Any]) -> None:
    """Call `handler(data)` in this page's context for every message on `topic`, until the page is closed. An async
    handler runs in the page's context to its end: it is a task of its own, and outside the page `t()` and the
    elements it builds would not know their page (its language, its client)."""
    client = context.client

    def in_page(data: dict[str, Any]) -> Any:
        if client.is_deleted:
            return None
        with client:
            result = handler(data)
        return _inside(client, result) if asyncio.iscoroutine(result) else result

    client.on_delete(events.subscribe(topic, in_page))


async def _inside(client: Client, work: Coroutine[Any, Any, Any]) -> Any:
    if client.is_deleted:  # closed between the news and this task's turn
        work.close()
        return None
    with client:
        return await work
