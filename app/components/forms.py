"""Small form helpers: the card layout of the sign-in pages, password fields, and the way a domain error becomes a
message: under the field it is about (marked aria-invalid), or in the form's one message line; never a pile of
toasts."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from nicegui import context, ui

from ..lang import t
from ..services.errors import DomainError
from .frame import language_switch
from .landmarks import declare_page, heading, main_landmark, skip_link
from .theme import apply_theme

log = logging.getLogger(__name__)


@contextmanager
def auth_card(title: str) -> Iterator[None]:
    """The full-screen backdrop and centred card of the login and register pages, headed by `title`."""
    apply_theme()
    declare_page(title)
    skip_link()
    with ui.element('div').classes('bt-auth-bg'):
        with ui.column().classes('absolute top-4 right-4'):
            language_switch()
        with main_landmark(ui.card().classes('bt-auth-card gap-3')):
            ui.label(t('brand')).classes('bt-auth-brand')
            heading(title).classes('bt-auth-title')
            yield


def show_error(error: Exception) -> None:
    """Domain errors become their message in the user's language; anything else a generic one (and a log line)."""
    if isinstance(error, DomainError):
        ui.notify(t(error.key, **error.params), type='negative', position='top')
    else:
        log.exception('unexpected error in a form', exc_info=error)
        ui.notify(t('errors.generic'), type='negative', position='top')


# The field an error is about, by the last part of its key ('register.password_short' -> 'password').
FIELD_OF = {
    'username_required': 'username',
    'username_format': 'username',
    'username_taken': 'username',
    'password_required': 'password',
    'password_short': 'password',
    'password_long': 'password',
    'confirm_required': 'confirm',
    'mismatch': 'confirm',
    'failed': 'password',
    'current_required': 'current',
    'current_wrong': 'current',
}


class FormMessages:
    """One form's messages: each error under its field, anything else in one line above the button (role=alert,
    so screen readers say it); a new attempt or typing in the field clears what is no longer true."""

    def __init__(self, fields: dict[str, ui.input]) -> None:
        self.fields = fields
        self.line = ui.label().classes('bt-form-error').props('role=alert aria-live=assertive').mark('form-error')
        self.line.set_visibility(False)
        for field in fields.values():
            field.on_value_change(lambda _e, field=field: self._clear_field(field))

    def clear(self) -> None:
        for field in self.fields.values():
            self._clear_field(field)
        self.line.set_visibility(False)

    def show(self, error: Exception) -> None:
        """Domain errors in the user's language; anything else a generic message (and a log line)."""
        self.clear()
        if not isinstance(error, DomainError):
            log.exception('unexpected error in a form', exc_info=error)
            self._say(t('errors.generic'))
            return
        text = t(error.key, **error.params)
        field = self.fields.get(FIELD_OF.get(error.key.rsplit('.', 1)[-1], ''))
        if field is None:
            self._say(text)
            return
        field.props(f'error error-message="{_attribute(text)}" aria-invalid=true')
        field.run_method('focus')

    def _say(self, text: str) -> None:
        self.line.set_text(text)
        self.line.set_visibility(True)

    @staticmethod
    def _clear_field(field: ui.input) -> None:
        if 'error' in field.props:
            field.props(remove='error error-message aria-invalid')


def _attribute(text: str) -> str:
    return text.replace('"', '\u201d')


def password_input(label: str, mark: str) -> ui.input:
    """A password field with an eye that shows or hides it: a real button (NiceGUI's toggle is an icon that the
    keyboard cannot reach), named for what it does and saying whether it is pressed."""
    # maxlength keeps absurd input out of the browser; the service checks lengths again.
    field = (
        ui.input(label, password=True)
        .props('outlined dark maxlength=256 autocomplete=current-password')
        .classes('w-full')
        .mark(mark)
    )

    def toggle() -> None:
        hidden = field.props.get('type') == 'password'
        field.props(f'type={"text" if hidden else "password"}')
        name_eye(eye, shown=hidden)

    with field.add_slot('append'):
        eye = ui.button(on_click=toggle).props('flat round dense color=white').mark(f'{mark}-eye')
    name_eye(eye, shown=False)
    return field


def name_eye(eye: ui.button, *, shown: bool) -> None:
    name = t('forms.hide_password' if shown else 'forms.show_password')
    eye.props(f'icon={"visibility_off" if shown else "visibility"} aria-label="{name}" title="{name}"')
    eye.props(f'aria-pressed={"true" if shown else "false"}')


def one_at_a_time(action: Callable[[], Awaitable[None]], button: ui.button) -> Callable[[], Awaitable[None]]:
    """`action` guarded so that one runs at a time, however often the button is clicked or Enter is pressed, with
    the button disabled meanwhile; a page closed while it ran is left alone (nobody is there to tell)."""
    running = False
    client = context.client

    async def guarded() -> None:
        nonlocal running
        if running:
            return
        running = True
        button.disable()
        try:
            await action()
        except Exception:
            if not client.is_deleted:
                raise
            # The page went away while its job waited (a flood of presses, a closed tab): whatever the job's end
            # tried to show has nowhere to go, and is no error worth a traceback.
            log.debug('the page of a form left while it was submitted', exc_info=True)
        finally:
            running = False
            if not client.is_deleted:
                button.enable()

    return guarded
