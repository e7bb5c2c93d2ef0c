"""The administrators' overview (/admin) and log (/admin/log): what there is, and who did what, when."""

from __future__ import annotations

import re

from nicegui import context, ui
from starlette.responses import RedirectResponse

from .. import work
from ..components.admin_frame import admin_frame, refused, when
from ..lang import t, tn
from ..models import UserPublic
from ..services import admin

LOG_PAGE = 50


async def admin_page() -> RedirectResponse | None:
    if (away := refused()) is not None:
        return away
    user: UserPublic = context.client.request.state.user
    facts = await work.run(admin.overview)
    recent = await work.run(admin.log, limit=8)
    with admin_frame(user, section='overview'):
        with ui.row().classes('gap-4 flex-wrap'):
            for key, value, mark in (
                ('admin.overview.accounts', facts.accounts, 'stat-accounts'),
                ('admin.overview.admins', facts.admins, 'stat-admins'),
                ('admin.overview.titles', facts.titles, 'stat-titles'),
            ):
                with ui.card().classes('bt-panel bt-stat gap-1'):
                    ui.label(t(key)).classes('bt-muted')
                    ui.label(str(value)).classes('text-3xl font-bold').mark(mark)
        ui.label(t('admin.overview.recent')).classes('text-xl font-bold').props('role=heading aria-level=2')
        log_table(recent)
    return None


async def admin_log_page(page: int = 0) -> RedirectResponse | None:
    if (away := refused()) is not None:
        return away
    user: UserPublic = context.client.request.state.user
    page = max(0, min(int(page), 10_000))
    entries = await work.run(admin.log, limit=LOG_PAGE + 1, offset=page * LOG_PAGE)
    with admin_frame(user, section='log'):
        log_table(entries[:LOG_PAGE])
        with ui.row().classes('gap-4'):
            if page > 0:
                ui.link(t('admin.log.newer'), f'/admin/log?page={page - 1}').mark('log-newer')
            if len(entries) > LOG_PAGE:
                ui.link(t('admin.log.older'), f'/admin/log?page={page + 1}').mark('log-older')
    return None


def log_table(entries: list[admin.AdminLogEntry]) -> None:
    if not entries:
        ui.label(t('admin.log.empty')).classes('bt-muted').mark('log-empty')
        return
    with ui.element('div').classes('bt-admin-table').mark('admin-log'):
        with ui.element('table'):
            with ui.element('thead'), ui.element('tr'):
                for key in ('when', 'who', 'what', 'target', 'detail'):
                    with ui.element('th').props('scope=col'):
                        ui.label(t(f'admin.log.{key}'))
            with ui.element('tbody'):
                for entry in entries:
                    with ui.element('tr'):
                        for text in (
                            when(entry.at),
                            entry.actor,
                            t(f'admin.action.{entry.action}'),
                            entry.target,
                            detail_text(entry.action, entry.detail),
                        ):
                            with ui.element('td'):
                                ui.label(text)


_SCAN_DETAIL = re.compile(r'added (\d+), changed (\d+), missing (\d+), refused (\d+)')
_PLAN_DETAIL = re.compile(r'(FREE|PREMIUM) -> (FREE|PREMIUM)')
_UPLOAD_DETAIL = re.compile(r'(.*) · job #(\d+)')


def detail_text(action: str, detail: str) -> str:
    """A log line's detail in the reader's language. The log keeps it as the services wrote it (a fixed form per
    action, in English words: 'added 3, changed 0, missing 1, refused 0', 'FREE -> PREMIUM', 'was Old name'); any
    other detail (a file name, a job number) is shown as it is."""
    if action == 'scan' and (found := _SCAN_DETAIL.fullmatch(detail)):
        added, changed, missing, refused = (int(count) for count in found.groups())
        return t('admin.detail.scan', added=added, changed=changed, missing=missing, refused=refused)
    if action == 'set_plan' and (found := _PLAN_DETAIL.fullmatch(detail)):
        return f'{t(f"plan.{found.group(1)}")} → {t(f"plan.{found.group(2)}")}'
    if action == 'sign_out_everywhere' and detail.isdigit():
        return tn('admin.detail.sessions', int(detail))
    if action == 'edit_title' and detail.startswith('was '):
        return t('admin.detail.was', before=detail.removeprefix('was '))
    if action == 'edit_title' and detail in ('new poster', 'new backdrop'):
        return t(f'admin.detail.new_{detail.removeprefix("new ")}')
    if action == 'upload' and (found := _UPLOAD_DETAIL.fullmatch(detail)):
        return f'{found.group(1)} · {t("admin.detail.job", number=int(found.group(2)))}'
    return detail
