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
from .buttons import icon_html, on_actions
from .landmarks import MAIN_ID, declare_page, main_landmark
from .theme import apply_theme

NAV = (('nav.home', '/'), ('nav.catalog', '/catalog'), ('nav.profile', '/profile'))
# The language menu's anchor: Quasar finds the button by this id (`target`), one per page.
LANGUAGE_BUTTON_ID = 'bt-lang'


@contextmanager
def frame(user: UserPublic, *, title: str | None = None, active: str = '') -> Iterator[None]:
    """`title`: the page's name, in its <title> ("Catálogo · Butaca")."""
    apply_theme()
    declare_page(title)
    auth.remember_page()
    with ui.header().classes('bt-header items-center no-wrap') as header:
        # The whole bar is one element of markup (skip link, brand and navigation, plan badge, language and
        # sign-out buttons, the administrator's link), with one click listener for its two buttons: as elements
        # it was seven, half a millisecond of every page.
        bar = ui.html(header_html(user, active), sanitize=False).classes('bt-header-bar').mark('header')
        on_buttons(bar, header)
    with main_landmark(ui.column().classes('bt-main')):
        yield
    auth.show_flashes()


def header_html(user: UserPublic, active: str) -> str:
    premium = ' premium' if user.subscription_type == Plan.PREMIUM else ''
    admin = ''
    if user.is_admin:  # an icon (a link), not a fourth nav link: the header must still fit a phone's width
        name = escape(t('nav.admin'))
        here = ' bt-current' if active == '/admin' else ''
        admin = (
            f'<a class="bt-icon-btn{here}" href="/admin" aria-label="{name}" title="{name}">'
            f'{icon_html("admin_panel_settings")}</a>'
        )
    logout = escape(t('nav.logout'))
    return (
        f'<a class="bt-skip" href="#{MAIN_ID}">{escape(t("a11y.skip"))}</a>'
        f'<nav class="bt-header-nav">{nav_html(active)}</nav>'
        f'<span class="bt-plan-badge bt-hide-mobile{premium}">{escape(t(f"plan.{user.subscription_type}"))}</span>'
        f'{language_button_html()}{admin}'
        f'<button type="button" class="bt-icon-btn" data-action="logout" aria-label="{logout}" title="{logout}">'
        f'{icon_html("logout")}</button>'
    )


def language_button_html() -> str:
    # On phones only the globe shows (the code is hidden by CSS): the button's name says what it is and which
    # language is on.
    current = current_language()
    name = escape(f'{t("nav.language")}: {t(f"lang.{current}")}')
    return (
        f'<button type="button" id="{LANGUAGE_BUTTON_ID}" class="bt-icon-btn bt-lang" data-action="language"'
        f' aria-label="{name}" aria-haspopup="menu">{icon_html("language")}'
        f'<span class="bt-lang-code">{current.upper()}</span></button>'
    )


def language_switch() -> None:
    """The language button alone (the login and register pages' corner)."""
    with ui.element('div') as corner:
        button = ui.html(language_button_html(), sanitize=False).mark('language')
        on_buttons(button, corner)


def on_buttons(markup: ui.html, menu_parent: ui.element) -> None:
    """The click listener of markup that holds the language button and, signed in, the sign-out button."""
    # The menu is built at once, as a button's handler would (a test presses the choice right after).
    on_actions(markup, {'logout': actions.sign_out, 'language': lambda: language_menu(menu_parent)})


def nav_html(active: str) -> str:
    current = ' class="bt-active" aria-current="page"'
    links = ''.join(
        f'<a href="{target}"{current if target == active else ""}>{escape(t(key))}</a>' for key, target in NAV
    )
    return f'<a class="bt-brand" href="/">{escape(t("brand"))}</a><div class="bt-nav">{links}</div>'


def language_menu(parent: ui.element) -> None:
    """The language choices under the language button, built the first time it is pressed (three elements that most
    pages never show). Quasar then opens and closes it from the button by itself (`target`)."""
    if any(isinstance(child, ui.menu) for child in parent.default_slot.children):
        return
    with parent, ui.menu().props(f'target=#{LANGUAGE_BUTTON_ID}').classes('bt-lang-menu') as menu:
        # Flat buttons, not menu items: a menu item is two elements and a close handler.
        for code in LANGUAGES:
            ui.button(t(f'lang.{code}'), on_click=lambda c=code: actions.set_language(c)).props(
                'flat no-caps align=left color=white v-close-popup'
            ).classes('w-full').mark(f'lang-{code}')
    menu.open()
