"""Butaca's own connection notice, on every page (app/static/connection_notice.js, butaca/connection.js).

NiceGUI's "Connection lost" popup is English whatever the page speaks, and NiceGUI reloads a page whose server no
longer knows it; a page that plays a video must not reload, and a link clicked while the server is down must not
end on the browser's error page. butaca.css hides NiceGUI's popup; this element says it in the viewer's language.
"""

from __future__ import annotations

from nicegui import ui

from ..lang import t
from .player import ESM


class ConnectionNotice(ui.element, component='../static/connection_notice.js', esm=ESM):
    def __init__(self) -> None:
        super().__init__()
        self._props['texts'] = {state: t(f'connection.{state}') for state in ('lost', 'back', 'waiting')}
        self._props['health-url'] = '/api/health'
