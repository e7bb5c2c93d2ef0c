"""The registration page (/register): every rule has its own message; success opens the login page."""

from __future__ import annotations

from urllib.parse import quote

from nicegui import ui
from starlette.responses import RedirectResponse

from .. import auth, work
from ..components.forms import auth_card, password_input, show_error
from ..lang import t
from ..services import accounts


async def register_page() -> RedirectResponse | None:
    if await auth.current_user() is not None:
        return RedirectResponse('/', status_code=303)

    async def submit() -> None:
        button.disable()
        try:
            user = await work.run(
                accounts.register,
                username=name.value or '',
                password=password.value or '',
                confirm=confirm.value or '',
            )
        except Exception as error:  # show_error logs anything that is not a domain error
            show_error(error)
            return
        finally:
            button.enable()
        auth.flash('register.success')
        ui.navigate.to(f'/login?username={quote(user.username)}')

    with auth_card():
        ui.label(t('register.title')).classes('bt-auth-title')
        ui.label(t('register.subtitle')).classes('bt-muted')
        name = (
            ui.input(t('register.username'), placeholder=t('register.username_hint'))
            .props('outlined dark maxlength=64 autocomplete=username autofocus')
            .classes('w-full')
            .mark('username')
        )
        password = password_input(t('register.password'), 'password').props('autocomplete=new-password')
        confirm = password_input(t('register.confirm'), 'confirm').props('autocomplete=new-password')
        button = ui.button(t('register.submit'), on_click=submit).classes('bt-wide-btn').mark('submit')
        confirm.on('keydown.enter', submit)
        with ui.row().classes('gap-1 items-center'):
            ui.label(t('register.have_account')).classes('bt-muted')
            ui.link(t('register.go_login'), '/login').mark('go-login')
    auth.show_flashes()
    return None
