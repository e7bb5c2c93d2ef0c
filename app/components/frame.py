"""The page frame for signed-in pages: skip link, brand, navigation, plan badge, language switch, sign-out, and the
main landmark the page draws into."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from html import escape

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
        # The brand and the navigation are plain links: one element instead of six, on every page.
        ui.html(nav_html(active), sanitize=False, tag='nav').classes('bt-header-nav').mark('brand')
        ui.space()
        premium = user.subscription_type == Plan.PREMIUM
        ui.label(t(f'plan.{user.subscription_type}')).classes(
            'bt-plan-badge bt-hide-mobile' + (' premium' if premium else '')
        ).mark('plan-badge')
        language_switch()
        if user.is_admin:  # an icon (a link), not a fourth nav link: the header must still fit a phone's width
            admin = ui.button(icon='admin_panel_settings').props(
                f'href=/admin flat round dense color={"red" if active == "/admin" else "white"}'
            )
            admin.props['aria-label'] = admin.props['title'] = t('nav.admin')
            admin.mark('nav-/admin')
        logout = ui.button(icon='logout', on_click=actions.sign_out).props('flat round dense color=white')
        logout.props['aria-label'] = logout.props['title'] = t('nav.logout')  # no tooltip element: one fewer a page
        logout.mark('logout')
    with main_landmark(ui.column().classes('bt-main')):
        yield
    auth.show_flashes()


def nav_html(active: str) -> str:
    current = ' class="bt-active" aria-current="page"'
    links = ''.join(
        f'<a href="{target}"{current if target == active else ""}>{escape(t(key))}</a>' for key, target in NAV
    )
    return f'<a class="bt-brand" href="/">{escape(t("brand"))}</a><div class="bt-nav">{links}</div>'


def language_switch() -> None:
    current = current_language()
    # On phones only the globe shows (the code is hidden by CSS): the button's name says what it is and which
    # language is on.
    name = f'{t("nav.language")}: {t(f"lang.{current}")}'
    button = (
        ui.button(current.upper(), icon='language')
        .props(f'flat dense no-caps color=white aria-label="{name}" aria-haspopup=menu')
        .classes('bt-lang')
        .mark('language')
    )

    def choices() -> None:
        # Built the first time the button is pressed, then Quasar opens and closes it by itself: a menu and its
        # choices are three elements more on every page, and most pages are never asked for another language.
        if button.default_slot.children:
            return
        with button, ui.menu().classes('bt-lang-menu') as menu:
            # Flat buttons, not menu items: a menu item is two elements and a close handler.
            for code in LANGUAGES:
                ui.button(t(f'lang.{code}'), on_click=lambda c=code: actions.set_language(c)).props(
                    'flat no-caps align=left color=white v-close-popup'
                ).classes('w-full').mark(f'lang-{code}')
        menu.open()

    button.on_click(choices)
