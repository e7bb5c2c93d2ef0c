"""The home page (/): hero banner, Continue watching, one row per genre."""

from __future__ import annotations

from nicegui import context, ui

from ..components.frame import frame
from ..lang import t


def home_page() -> None:
    user = context.client.request.state.user
    with frame(user, active='/'), ui.column().classes('bt-section'):
        ui.label(t('home.continue')).classes('bt-row-title')
