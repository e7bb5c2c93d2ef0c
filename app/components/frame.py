"""The page frame for signed-in pages: brand, navigation, plan badge, language switch, sign-out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import ui

from .. import actions, auth
from ..config import LANGUAGES
from ..lang import current_language, t
from ..models import Plan, UserPublic
from .theme import apply_theme

NAV = (('nav.home', '/'), ('nav.catalog', '/catalog'), ('nav.profile', '/profile'))


@contextmanager
def frame(user: UserPublic, *, active: str = '') -> Iterator[None]:
    apply_theme()
    auth.remember_page()
    with ui.header().classes('bt-header items-center gap-6 no-wrap'):
        ui.link(t('brand'), '/').classes('bt-brand').mark('brand')
        with ui.row().classes('bt-nav gap-5 items-center no-wrap'):
            for key, target in NAV:
                ui.link(t(key), target).classes('bt-active' if target == active else '')
        ui.space()
        premium = user.subscription_type == Plan.PREMIUM
        ui.label(t(f'plan.{user.subscription_type}')).classes(
            'bt-plan-badge bt-hide-mobile' + (' premium' if premium else '')
        ).mark('plan-badge')
        language_switch()
        if user.is_admin:  # an icon, not a fourth link: the header must still fit a phone's width
            ui.button(icon='admin_panel_settings', on_click=lambda: ui.navigate.to('/admin')).props(
                f'flat round dense color={"red" if active == "/admin" else "white"} aria-label="{t("nav.admin")}"'
            ).tooltip(t('nav.admin')).mark('nav-/admin')
        ui.button(icon='logout', on_click=actions.sign_out).props('flat round dense color=white').tooltip(
            t('nav.logout')
        ).mark('logout')
    with ui.column().classes('bt-main'):
        yield
    auth.show_flashes()


def language_switch() -> None:
    current = current_language()
    with ui.button(icon='language').props('flat dense no-caps color=white').mark('language'):
        ui.label(current.upper()).classes('bt-lang-label ml-1')
        with ui.menu():
            for code in LANGUAGES:
                ui.menu_item(t(f'lang.{code}'), on_click=lambda c=code: actions.set_language(c)).mark(f'lang-{code}')
