"""Butaca's own error pages: not found (404) and something went wrong (500), in the viewer's language, branded, with
a way home. app/error_pages.py answers with them; the status codes live there."""

from __future__ import annotations

from nicegui import ui

from ..components.frame import frame
from ..components.landmarks import declare_page, heading, main_landmark, skip_link
from ..components.messages import not_found
from ..components.theme import apply_theme
from ..lang import t
from ..models import UserPublic


def not_found_page(user: UserPublic | None) -> None:
    """Inside the site's frame for a signed-in viewer; on the sign-in backdrop for anyone else."""
    if user is not None:
        with frame(user, title=t('errors.not_found_title')):
            not_found(t('errors.page_not_found'))
        return
    _bare(t('errors.not_found_title'), t('errors.page_not_found'), 'movie_filter')


def server_error_page() -> None:
    """Says only that something failed: never the exception (its text can carry paths, queries, secrets)."""
    _bare(t('errors.server_title'), t('errors.server_text'), 'sentiment_dissatisfied')


def _bare(title: str, text: str, icon: str) -> None:
    apply_theme()
    declare_page(title)
    skip_link()
    with ui.element('div').classes('bt-auth-bg'):
        with main_landmark(ui.column().classes('bt-auth-card items-center gap-4 text-center')).mark('error-page'):
            ui.link(t('brand'), '/').classes('bt-auth-brand no-underline')
            ui.icon(icon, size='56px').classes('bt-muted')
            heading(title).classes('text-3xl font-extrabold')
            ui.label(text).classes('bt-muted text-lg')
            ui.button(t('title.back_home'), icon='home').props('href=/ no-caps unelevated').mark('back-home')
