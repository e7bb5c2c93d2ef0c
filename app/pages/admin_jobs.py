"""The jobs page (/admin/jobs): every import with its state and progress, live; cancel a running or queued job,
retry a failed or cancelled one, and read why one failed."""

from __future__ import annotations

import asyncio

from nicegui import context, ui
from starlette.responses import RedirectResponse

from .. import auth, live, work
from ..components.admin_frame import admin_frame, refused, when
from ..components.forms import show_error
from ..lang import t
from ..models import UserPublic
from ..services import jobs
from ..worker import submit

REDRAW_AFTER_S = 0.5  # progress comes in bursts: one redraw for whatever arrived within this long


async def admin_jobs_page() -> RedirectResponse | None:
    if (away := refused()) is not None:
        return away
    user: UserPublic = context.client.request.state.user
    rows = await work.run(jobs.listing)
    client = context.client
    pending: asyncio.Task | None = None

    async def redraw() -> None:
        nonlocal rows
        await asyncio.sleep(REDRAW_AFTER_S)
        fresh = await work.run(jobs.listing)
        if not client.is_deleted:
            rows = fresh
            table.refresh()

    def news(_data: dict) -> None:
        nonlocal pending
        if pending is None or pending.done():
            pending = asyncio.ensure_future(redraw())

    async def act(action, job_id: int) -> None:
        """Cancel or retry, as the administrator this still is (a demoted one is turned away)."""
        actor = await auth.require_admin()
        if actor is not None:
            try:
                await work.run(action, actor=actor, job_id=job_id)
            except Exception as error:  # show_error logs anything that is not a domain error
                show_error(error)
            news({})

    async def cancel(job_id: int) -> None:
        await act(jobs.cancel, job_id)

    async def retry(job_id: int) -> None:
        await act(submit.retry, job_id)

    @ui.refreshable
    def table() -> None:
        if not rows:
            ui.label(t('jobs.empty')).classes('bt-muted').mark('jobs-empty')
            return
        with ui.column().classes('w-full gap-3').mark('jobs'):
            for row in rows:
                job_card(row, cancel, retry)

    with admin_frame(user, section='jobs'):
        table()
    live.listen('jobs', news)
    # Without a bus, a `butaca-worker` of its own process tells nobody here: look again now and then all the same.
    ui.timer(5.0, lambda: news({}))
    return None


def job_card(row: jobs.JobRow, cancel, retry) -> None:
    with ui.card().classes('bt-panel w-full gap-2').mark(f'job-{row.id}'):
        with ui.row().classes('w-full items-center gap-3 no-wrap'):
            ui.label(row.label).classes('text-lg font-semibold grow').mark(f'job-label-{row.id}')
            ui.label(t(f'jobs.state.{row.state}')).classes(f'bt-job-state bt-job-{row.state}').mark(
                f'job-state-{row.id}'
            )
            if row.state in jobs.ACTIVE and row.state != jobs.CANCELLING:
                ui.button(t('jobs.cancel'), icon='stop', on_click=lambda: cancel(row.id)).props(
                    'flat no-caps color=white'
                ).mark(f'job-cancel-{row.id}')
            if row.state in (jobs.FAILED, jobs.CANCELLED):
                ui.button(t('jobs.retry'), icon='refresh', on_click=lambda: retry(row.id)).props(
                    'flat no-caps color=white'
                ).mark(f'job-retry-{row.id}')
        if row.state in jobs.ACTIVE:
            ui.linear_progress(value=row.progress, show_value=False).props('color=red rounded size=8px').props(
                f'aria-label="{t("jobs.progress", percent=round(row.progress * 100))}"'
            ).mark(f'job-progress-{row.id}')
            if row.message:
                ui.label(row.message).classes('bt-muted text-sm')
        if row.error:
            ui.label(t('jobs.failed_because', error=row.error)).classes('text-sm text-red-300').mark(
                f'job-error-{row.id}'
            )
        meta = t('jobs.meta', who=row.created_by or '—', when=when(row.created_at), attempts=row.attempts)
        ui.label(meta).classes('bt-muted text-xs')
