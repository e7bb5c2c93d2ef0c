"""A NiceGUI page driven the way a script (or an attacker) drives it: the page's HTML fetched over HTTP, its
elements read from that HTML, its websocket opened with the same cookies, and events sent straight over that socket
(values typed, Enter pressed, buttons clicked) with no browser in between. What the server sends back is kept:
`opened` (navigations), `notes` (toasts), `updates` (element changes)."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import socketio

from benchmarks.harness import connect_page

from .waits import WAIT_S, bounded, record

_ELEMENTS = re.compile(r'parseElements\(String\.raw`(.*?)`\)', re.S)
_CLIENT_ID = re.compile(r"'client_id': '([0-9a-f-]+)'")


@dataclass
class SocketPage:
    client: httpx.AsyncClient
    html: str
    elements: dict[str, dict]
    client_id: str
    sio: socketio.AsyncClient | None = None
    opened: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    _news: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    async def open(cls, client: httpx.AsyncClient, path: str) -> SocketPage:
        response = await client.get(path)
        response.raise_for_status()
        found, client_id = _ELEMENTS.search(response.text), _CLIENT_ID.search(response.text)
        if found is None or client_id is None:
            raise AssertionError(f'{path} is not a NiceGUI page: {response.text[:200]}')
        page = cls(client, response.text, json.loads(found.group(1)), client_id.group(1))
        page.sio = await connect_page(
            client,
            response.text,
            timeout=WAIT_S,
            open=lambda data: page._got(page.opened, data['path']),
            notify=lambda data: page._got(page.notes, str(data.get('message'))),
            update=page._update,
        )
        return page

    def _update(self, data: dict) -> None:
        """The server's changes to the page's elements (new ones, changed ones, deleted ones as None), applied."""
        changed = data.get('elements') if isinstance(data.get('elements'), dict) else data
        for key, element in changed.items():
            if element is None:
                self.elements.pop(key, None)
            elif isinstance(element, dict):
                self.elements[key] = element
        self._got(self.updates, data)

    def has(self, **props: str) -> bool:
        """Whether an element with these props is on the page now."""
        return any(
            all(element.get('props', {}).get(name) == value for name, value in props.items())
            for element in self.elements.values()
        )

    def _got(self, into: list, item: object) -> None:
        into.append(item)
        self._news.set()

    async def until(self, condition: Callable[[], object], timeout: float = WAIT_S) -> None:
        """Wait until `condition()` holds, checked each time the server sends this page something."""
        started = time.monotonic()
        try:
            async with asyncio.timeout(bounded(timeout)):
                while not condition():
                    self._news.clear()
                    await self._news.wait()
        except TimeoutError:
            raise AssertionError(f'waited {timeout:g} s for the page; it opened {self.opened}') from None
        record(started, 'a socket page')

    def find(self, *, text: str | None = None, tag: str | None = None, first: bool = False, **props: str) -> str:
        """The id of the one element with this text, tag and props (`label='Usuario'`); with
        `first`, the first of several in the page's order."""
        ids = [
            key
            for key, element in self.elements.items()
            if (text is None or element.get('text') == text)
            and (tag is None or element.get('tag') == tag)
            and all(element.get('props', {}).get(name) == value for name, value in props.items())
        ]
        if len(ids) > 1 and first:
            return min(ids, key=int)
        if len(ids) != 1:
            raise AssertionError(f'{len(ids)} elements with text={text!r} tag={tag!r} {props}')
        return ids[0]

    def listener(self, element_id: str, event: str, key: str | None = None) -> str:
        for listener in self.elements[element_id].get('events', []):
            if listener['type'] == event and (key is None or key in listener['keys']):
                return listener['listener_id']
        raise AssertionError(f'element {element_id} has no {event} listener')

    async def send(self, element_id: str, event: str, *args: object, key: str | None = None) -> None:
        assert self.sio is not None
        message = {
            'id': int(element_id),
            'client_id': self.client_id,
            'listener_id': self.listener(element_id, event, key),
            'args': [json.dumps(arg) for arg in args],
        }
        await self.sio.emit('event', message)

    async def type(self, label: str, value: str, *, first: bool = False) -> None:
        await self.send(self.find(label=label, first=first), 'update:value', value)

    async def click(self, label: str) -> None:
        await self.send(self.find(label=label), 'click')

    async def press(self, action: str, *, near: str | None = None) -> None:
        """Click the markup button `data-action="{action}"` (app/components/buttons.py): what its element's click
        listener sends. `near`: text of the same element, when several hold that action."""
        ids = [
            key
            for key, element in self.elements.items()
            if f'data-action="{action}"' in str(element.get('props', {}).get('innerHTML', ''))
            and (near is None or near in str(element.get('props', {}).get('innerHTML', '')))
        ]
        if len(ids) != 1:
            raise AssertionError(f'{len(ids)} elements with a {action} button near {near!r}')
        await self.send(ids[0], 'click', action)

    async def press_enter(self, label: str) -> None:
        await self.send(self.find(label=label), 'keydown', {'key': 'Enter'}, key='enter')

    async def emit(self, event: str, data: object) -> None:
        assert self.sio is not None
        await self.sio.emit(event, data)

    async def next_navigation(self, timeout: float = WAIT_S, *, after: int | None = None) -> str:
        """The path the server sends this page to next (waits for it); `after`: the next after that many."""
        seen = len(self.opened) if after is None else after
        await self.until(lambda: len(self.opened) > seen, timeout)
        return self.opened[seen]

    @property
    def messages(self) -> list[str]:
        """What the page has said, in order: its toasts, then what its forms showed (the form's message line, an
        error under a field)."""
        shown = []
        for update in self.updates:
            for element in (update.get('elements') or update).values() if isinstance(update, dict) else ():
                if not isinstance(element, dict):
                    continue
                props = element.get('props') or {}
                if props.get('role') == 'alert' and element.get('text'):
                    shown.append(element['text'])
                if props.get('error-message'):
                    shown.append(props['error-message'])
        return self.notes + shown

    async def wait_for_note(self, message: str, timeout: float = WAIT_S) -> None:
        """Until the page says `message`: as a toast, or in its form's message line or under a field."""
        await self.until(lambda: message in self.messages, timeout)

    async def wait_for_text(self, text: str, timeout: float = WAIT_S) -> None:
        """Until an element update sent to this page shows `text`."""
        await self.until(lambda: text in json.dumps(self.updates, ensure_ascii=False), timeout)

    async def close(self) -> None:
        if self.sio is not None:
            await self.sio.disconnect()
            self.sio = None
