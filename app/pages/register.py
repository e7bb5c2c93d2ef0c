"""The registration page (/register): every rule has its own message; a new account is signed in and lands home."""

from __future__ import annotations

from nicegui import context, ui
from starlette.responses import RedirectResponse

from .. import auth, work
from ..components.forms import FormMessages, auth_card, one_at_a_time, password_input
from ..lang import t
from ..services import accounts
from ..services.errors import ValidationError

ACCOUNTS_PER_PAGE = 3  # one page (one connection) that keeps registering is a script, whatever its addresses


async def register_page() -> RedirectResponse | None:
    if await auth.current_user() is not None:
        return RedirectResponse('/', status_code=303)
    request = context.client.request
    address = request.client.host if request.client else None
    local = auth.local_request(request)
    setup_token = request.query_params.get('setup') or None
    made = 0

    async def submit() -> None:
        nonlocal made
        messages.clear()
        if made >= ACCOUNTS_PER_PAGE:
            messages.show(ValidationError('register.too_many_here'))
            return
        try:
            user = await work.run(
                accounts.register,
                username=name.value or '',
                password=password.value or '',
                confirm=confirm.value or '',
                address=address,
                local=local,
                setup_token=setup_token,
            )
        except Exception as error:  # FormMessages logs anything that is not a domain error
            messages.show(error)
            return
        made += 1
        welcome = ('register.welcome', 'positive', {'username': user.username})
        await auth.complete('sign_in', user_id=user.id, target='/', flash=welcome)

    with auth_card(t('register.title')):
        ui.label(t('register.subtitle')).classes('bt-muted')
        if setup_token:
            ui.label(t('admin.setup_notice')).classes('bt-muted').mark('setup-notice')
        # The rules show before the first mistake, as each field's hint.
        name = (
            ui.input(t('register.username'))
            .props(f'outlined dark maxlength=64 autocomplete=username autofocus hint="{t("register.username_hint")}"')
            .classes('w-full')
            .mark('username')
        )
        password = password_input(t('register.password'), 'password')
        password.props(f'autocomplete=new-password hint="{t("register.password_hint")}"')
        confirm = password_input(t('register.confirm'), 'confirm').props('autocomplete=new-password')
        messages = FormMessages({'username': name, 'password': password, 'confirm': confirm})
        button = ui.button(t('register.submit')).classes('bt-wide-btn').mark('submit')
        guarded = one_at_a_time(submit, button)
        button.on_click(guarded)
        for field in (name, password, confirm):
            field.on('keydown.enter', guarded)
        with ui.row().classes('gap-1 items-center'):
            ui.label(t('register.have_account')).classes('bt-muted')
            ui.link(t('register.go_login'), '/login').mark('go-login')
    auth.show_flashes()
    return None
