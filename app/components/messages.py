"""Messages a page shows in place of its content."""

from __future__ import annotations

from nicegui import ui

from ..lang import t


def not_found() -> None:
    with ui.column().classes('bt-section pt-16 items-center gap-4 w-full').mark('not-found'):
        ui.icon('movie_filter', size='64px').classes('bt-muted')
        ui.label(t('errors.not_found_title')).classes('text-3xl font-extrabold')
        ui.label(t('title.not_found')).classes('bt-muted text-lg')
        ui.button(t('title.back_home'), on_click=lambda: ui.navigate.to('/')).mark('back-home')
