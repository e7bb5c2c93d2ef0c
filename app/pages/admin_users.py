"""Accounts for administrators (/admin/users): plan, role, last activity and screens in use; change the plan or the
role, sign out everywhere, disable, and a one-time password reset link."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import context, ui
from starlette.responses import RedirectResponse

from .. import auth, work
from ..components.admin_frame import admin_frame, refused, when
from ..components.forms import show_error
from ..lang import t, tn
from ..models import Plan, UserPublic
from ..services import admin_users

PAGE_SIZE = 50


async def admin_users_page() -> RedirectResponse | None:
    if (away := refused()) is not None:
        return away
    user: UserPublic = context.client.request.state.user
    state = {'query': ''}
    rows, total = await work.run(admin_users.list_users, limit=PAGE_SIZE)

    async def reload() -> None:
        nonlocal rows, total
        rows, total = await work.run(admin_users.list_users, query=state['query'], limit=PAGE_SIZE)
        table.refresh()

    layout = context.client.layout

    async def act(what: Callable[[UserPublic], Awaitable[str | None]]) -> None:
        # In the page's own slot: the menu that was clicked goes with the table's redraw (and a quick second click
        # may come from a menu already redrawn away).
        with layout:
            actor = await auth.require_admin()
            if actor is None:
                return
            try:
                message = await what(actor)
            except Exception as error:  # show_error logs anything that is not a domain error
                show_error(error)
                return
            if message:
                ui.notify(message, type='positive', position='top')
            await reload()

    @ui.refreshable
    def table() -> None:
        ui.label(tn('admin.users.count', total)).classes('bt-muted').mark('users-count')
        with ui.element('div').classes('bt-admin-table').mark('admin-users'):
            with ui.element('table'):
                with ui.element('thead'), ui.element('tr'):
                    for key in ('name', 'plan', 'role', 'last_active', 'screens', 'actions'):
                        with ui.element('th').props('scope=col'):
                            ui.label(t(f'admin.users.{key}'))
                with ui.element('tbody'):
                    for row in rows:
                        user_row(row, user, act)

    async def search(event: object) -> None:
        state['query'] = str(getattr(event, 'value', '') or '')
        await reload()

    with admin_frame(user, section='users'):
        ui.input(t('admin.users.search'), on_change=search).props('outlined dark clearable debounce=300').classes(
            'w-full max-w-[360px]'
        ).mark('users-search')
        table()
    return None


def user_row(
    row: admin_users.AdminUserRow, me: UserPublic, act: Callable[[Callable[[UserPublic], Awaitable]], Awaitable]
) -> None:
    premium = row.plan == Plan.PREMIUM
    role = t('admin.users.admin') if row.is_admin else t('admin.users.viewer')
    if row.disabled:
        role += f' · {t("admin.users.disabled")}'
    with ui.element('tr').mark(f'user-{row.username}'):
        for text in (
            row.username,
            t(f'plan.{row.plan}'),
            role,
            when(row.last_active) if row.last_active else t('admin.users.never'),
            str(row.screens),
        ):
            with ui.element('td'):
                ui.label(text)
        with ui.element('td'):
            button = ui.button(icon='more_vert').props(
                f'flat round dense color=white aria-label="{t("admin.users.more", username=row.username)}"'
            )
            button.mark(f'user-actions-{row.username}')
            with button, ui.menu():
                plan = Plan.FREE if premium else Plan.PREMIUM

                async def set_plan(actor: UserPublic, plan: Plan = plan) -> str:
                    await work.run(admin_users.set_plan, actor=actor, user_id=row.id, plan=plan)
                    return t('admin.users.done')

                async def set_role(actor: UserPublic) -> str:
                    await work.run(admin_users.set_role, actor=actor, user_id=row.id, is_admin=not row.is_admin)
                    return t('admin.users.done')

                async def sign_out(actor: UserPublic) -> str:
                    count = await work.run(admin_users.sign_out_everywhere, actor=actor, user_id=row.id)
                    return t('admin.users.signed_out', count=count)

                async def disable(actor: UserPublic) -> str:
                    await work.run(admin_users.set_disabled, actor=actor, user_id=row.id, disabled=not row.disabled)
                    return t('admin.users.done')

                async def reset(actor: UserPublic) -> None:
                    path = await work.run(admin_users.make_reset_link, actor=actor, user_id=row.id)
                    show_link(row.username, path)

                items = [
                    ('make_free' if premium else 'make_premium', set_plan),
                    ('make_viewer' if row.is_admin else 'make_admin', set_role),
                    ('sign_out', sign_out),
                    ('reset', reset),
                ]
                if row.id != me.id:
                    items.append(('enable' if row.disabled else 'disable', disable))
                for key, handler in items:
                    ui.menu_item(t(f'admin.users.{key}'), on_click=lambda h=handler: act(h)).mark(
                        f'user-{key}-{row.username}'
                    )


def show_link(username: str, path: str) -> None:
    origin = str(context.client.request.base_url).rstrip('/')
    link = f'{origin}{path}'
    # Outside the table, which is redrawn after the action (a dialog inside it would go with it).
    with context.client.layout, ui.dialog() as dialog, ui.card().classes('bt-panel gap-3 max-w-[560px]'):
        ui.label(t('admin.users.reset_title', username=username)).classes('text-xl font-bold')
        ui.label(t('admin.users.reset_hint')).classes('bt-muted')
        ui.input(value=link).props('outlined dark readonly').classes('w-full').mark('reset-link')
        ui.button(t('admin.close'), on_click=dialog.close).props('no-caps').mark('reset-close')
    dialog.open()
