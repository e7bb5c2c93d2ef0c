"""The password reset page (/reset?token=...): a one-time link an administrator gave, valid for an hour."""

from __future__ import annotations

from nicegui import ui

from .. import auth, work
from ..components.forms import auth_card, one_at_a_time, password_input, show_error
from ..lang import t
from ..services import admin_users


async def reset_page(token: str = '') -> None:
    username = await work.run(admin_users.reset_target, token)
    with auth_card(t('reset.title')):
        if username is None:
            ui.label(t('reset.invalid')).classes('bt-muted').mark('reset-invalid')
            ui.link(t('register.go_login'), '/login')
            return
        ui.label(t('reset.for', username=username)).classes('bt-muted').mark('reset-for')
        password = password_input(t('register.password'), 'password').props('autocomplete=new-password')
        confirm = password_input(t('register.confirm'), 'confirm').props('autocomplete=new-password')

        async def submit() -> None:
            try:
                await work.run(
                    admin_users.reset_password, token=token, password=password.value or '', confirm=confirm.value or ''
                )
            except Exception as error:  # show_error logs anything that is not a domain error
                show_error(error)
                return
            auth.go('/login', flash=('reset.done', 'positive', {}))

        button = ui.button(t('reset.submit')).classes('bt-wide-btn').mark('submit')
        guarded = one_at_a_time(submit, button)
        button.on_click(guarded)
        confirm.on('keydown.enter', guarded)
