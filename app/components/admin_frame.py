"""The frame of the administrators' pages: the page frame, a heading, and the sections' tabs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import context, ui
from starlette.responses import RedirectResponse

from .. import cookies
from ..lang import t
from ..models import UserPublic
from .frame import frame
from .landmarks import heading

SECTIONS = (
    ('overview', '/admin'),
    ('titles', '/admin/titles'),
    ('library', '/admin/library'),
    ('users', '/admin/users'),
    ('jobs', '/admin/jobs'),
    ('log', '/admin/log'),
)


def refused() -> RedirectResponse | None:
    """The route guard sends non-administrators away already; each admin page checks again (it is its promise)."""
    user: UserPublic | None = getattr(context.client.request.state, 'user', None)
    if user is None or not user.is_admin:
        return RedirectResponse(cookies.flash_link('/', ('admin.refused', 'warning', {})), status_code=303)
    return None


@contextmanager
def admin_frame(user: UserPublic, *, section: str) -> Iterator[None]:
    with frame(user, title=f'{t(f"admin.section.{section}")} · {t("admin.title")}', active='/admin'):
        with ui.column().classes('bt-section pt-6 gap-5 w-full max-w-[1200px]'):
            heading(t('admin.title')).classes('text-3xl font-extrabold')
            with ui.element('nav').props(f'aria-label="{t("admin.sections")}"').classes('bt-admin-tabs'):
                for name, target in SECTIONS:
                    link = ui.link(t(f'admin.section.{name}'), target).mark(f'admin-tab-{name}')
                    if name == section:
                        link.classes('bt-active').props('aria-current=page')
            yield


def when(moment: object) -> str:
    """A moment as the log and the lists show it (UTC, to the minute)."""
    return moment.strftime('%Y-%m-%d %H:%M') if hasattr(moment, 'strftime') else '—'
