"""What a browser may write to the server's log: a few lines per page, quoted, marked as the browser's.

NiceGUI writes every `log` message a page's socket sends to the log at the level the page chose. Any anonymous
socket could then plant lines ("user admin signed in") or fill the disk. Replacing the handler uses NiceGUI's
`core.sio` (its socket.io server) on purpose: socket.io has no other way to take an event over.
tests/test_abuse.py fails if NiceGUI stops routing the event here.

Likewise an `event` message that NiceGUI cannot parse (a lone surrogate in its JSON, a missing id: only a script
sends those) made a 20-line traceback each; NiceGUI's own handler is kept and such messages are dropped quietly.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

from nicegui import Client, core

PER_PAGE = 5
MAX_CHARS = 300
log = logging.getLogger('butaca.browser')
_counted: Counter[str] = Counter()


def install() -> None:
    core.sio.on('log', _on_log)
    # socket.io keeps its handlers per namespace; NiceGUI's registered itself at import.
    nicegui_on_event = core.sio.handlers['/']['event']
    if not getattr(nicegui_on_event, 'butaca_guarded', False):
        core.sio.on('event', _guarded(nicegui_on_event))


def _guarded(on_event: Callable[[str, dict], None]) -> Callable[[str, object], None]:
    def on_malformed_event(sid: str, message: object) -> None:
        if not isinstance(message, dict):
            return
        try:
            on_event(sid, message)
        except (ValueError, KeyError, TypeError):  # its JSON, its ids: what a page's handlers raise never gets here
            log.debug('a malformed event was dropped', exc_info=True)

    on_malformed_event.butaca_guarded = True  # type: ignore[attr-defined]
    return on_malformed_event


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
