"""Messages a page shows in place of its content."""

from __future__ import annotations

from nicegui import ui

from ..lang import t
from .landmarks import heading


def not_found(text: str | None = None) -> None:
    """Nothing here: the title (or `text`: the page) does not exist, and the way home."""
    with ui.column().classes('bt-section pt-16 items-center gap-4 w-full').mark('not-found'):
        ui.icon('movie_filter', size='64px').classes('bt-muted')
        heading(t('errors.not_found_title')).classes('text-3xl font-extrabold')
        ui.label(text or t('title.not_found')).classes('bt-muted text-lg')
        ui.button(t('title.back_home'), icon='home').props('href=/ no-caps unelevated').mark('back-home')
