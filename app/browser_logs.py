"""What a browser may write to the server's log: a few lines per page, quoted, marked as the browser's.

NiceGUI writes every `log` message a page's socket sends to the log at the level the page chose. Any anonymous
socket could then plant lines ("user admin signed in") or fill the disk. Replacing the handler uses NiceGUI's
`core.sio` (its socket.io server) on purpose: socket.io has no other way to take an event over.
tests/test_abuse.py fails if NiceGUI stops routing the event here.
"""

from __future__ import annotations

import logging
from collections import Counter

from nicegui import Client, core

PER_PAGE = 5
MAX_CHARS = 300
log = logging.getLogger('butaca.browser')
_counted: Counter[str] = Counter()


def install() -> None:
    core.sio.on('log', _on_log)


def _on_log(_sid: str, message: object) -> None:
    if not isinstance(message, dict):
        return
    client_id = str(message.get('client_id', ''))[:64]
    if client_id not in Client.instances or _counted[client_id] >= PER_PAGE:
        return
    if len(_counted) > 10_000:  # pages come and go: a bounded count is enough to stop a flood
        _counted.clear()
    _counted[client_id] += 1
    log.warning('browser %s says: %r', client_id, str(message.get('message', ''))[:MAX_CHARS])
