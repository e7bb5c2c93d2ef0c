"""The page frame for signed-in pages: skip link, brand, navigation, plan badge, language switch, sign-out, and the
main landmark the page draws into."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import ui

from .. import actions, auth
from ..config import LANGUAGES
from ..lang import current_language, t
from ..models import Plan, UserPublic
from .landmarks import declare_page, main_landmark, skip_link
from .theme import apply_theme

NAV = (('nav.home', '/'), ('nav.catalog', '/catalog'), ('nav.profile', '/profile'))


@contextmanager
def frame(user: UserPublic, *, title: str | None = None, active: str = '') -> Iterator[None]:
    """`title`: the page's name, in its <title> ("Catálogo · Butaca")."""
    apply_theme()
    declare_page(title)
    auth.remember_page()
    with ui.header().classes('bt-header items-center gap-6 no-wrap'):
        skip_link()
        ui.link(t('brand'), '/').classes('bt-brand').mark('brand')
        with ui.row().classes('bt-nav gap-5 items-center no-wrap'):
            for key, target in NAV + ((('nav.admin', '/admin'),) if user.is_admin else ()):
                ui.link(t(key), target).classes('bt-active' if target == active else '').mark(f'nav-{target}')
        ui.space()
        premium = user.subscription_type == Plan.PREMIUM
        ui.label(t(f'plan.{user.subscription_type}')).classes(
            'bt-plan-badge bt-hide-mobile' + (' premium' if premium else '')
        ).mark('plan-badge')
        language_switch()
        logout = ui.button(icon='logout', on_click=actions.sign_out).props('flat round dense color=white')
        logout.props['aria-label'] = logout.props['title'] = t('nav.logout')  # no tooltip element: one fewer a page
        logout.mark('logout')
    with main_landmark(ui.column().classes('bt-main')):
        yield
    auth.show_flashes()


def language_switch() -> None:
    current = current_language()
    # On phones only the globe shows: the button's name says what it is and which language is on.
    name = f'{t("nav.language")}: {t(f"lang.{current}")}'
    with ui.button(icon='language').props(f'flat dense no-caps color=white aria-label="{name}"').mark('language'):
        ui.label(current.upper()).classes('bt-lang-label ml-1')
        with ui.menu():
            for code in LANGUAGES:
                ui.menu_item(t(f'lang.{code}'), on_click=lambda c=code: actions.set_language(c)).mark(f'lang-{code}')
