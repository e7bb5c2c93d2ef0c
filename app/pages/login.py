"""The sign-in page (/login): validation messages, the welcome flash, and the return to the page first asked for."""

from __future__ import annotations

from nicegui import context, ui
from starlette.responses import RedirectResponse

from .. import auth, cookies, work
from ..components.forms import FormMessages, auth_card, one_at_a_time, password_input
from ..lang import t
from ..services import accounts


async def login_page(redirect_to: str = '/', username: str = '', ended: str = '') -> RedirectResponse | None:
    target = auth.safe_redirect(redirect_to)
    if await auth.current_user() is not None:
        return RedirectResponse(target, status_code=303)

    request = context.client.request
    address = request.client.host if request.client else None
    device = cookies.device(request)

    async def submit() -> None:
        messages.clear()
        try:
            user = await work.run(
                accounts.sign_in_attempt,
                username=name.value or '',
                password=password.value or '',
                address=address,
                device=device,
            )
        except Exception as error:  # FormMessages logs anything that is not a domain error
            messages.show(error)
            return
        welcome = ('login.welcome', 'positive', {'username': user.username})
        await auth.complete('sign_in', user_id=user.id, target=target, flash=welcome)

    with auth_card(t('login.title')):
        ui.label(t('login.subtitle')).classes('bt-muted')
        name = (
            ui.input(t('login.username'), value=username[:32])
            .props('outlined dark maxlength=64 autocomplete=username autofocus')
            .classes('w-full')
            .mark('username')
        )
        password = password_input(t('login.password'), 'password')
        messages = FormMessages({'username': name, 'password': password})
        button = ui.button(t('login.submit')).classes('bt-wide-btn').mark('submit')
        guarded = one_at_a_time(submit, button)
        button.on_click(guarded)
        for field in (name, password):
            field.on('keydown.enter', guarded)
        with ui.row().classes('gap-1 items-center'):
            ui.label(t('login.no_account')).classes('bt-muted')
            ui.link(t('login.go_register'), '/register').mark('go-register')
    if ended:  # sent here because this browser signed out in another tab, or the session was ended elsewhere
        ui.notify(t('login.session_ended'), type='warning', position='top')
    else:
        auth.show_flashes()
    return None
