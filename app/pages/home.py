"""The home page (/): hero banner, Continue watching, one row per genre; live: it redraws itself when this
account's progress or the catalog changes (a title played on another screen, a title added)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from html import escape

from nicegui import context, ui

from .. import auth, live, status, work
from ..components.buttons import focus, icon_html, on_actions
from ..components.cards import card_html, continue_note, genre_rows, meta_line, picture_html, premium_badge_html
from ..components.frame import frame
from ..components.landmarks import heading
from ..lang import t
from ..models import ContinueItem, TitleDetail, UserPublic
from ..services import plans, playback, screens

# News comes in bursts (a player reports every 10 s, a library scan adds titles one after another): one redraw for
# whatever arrived within this long.
REDRAW_AFTER_S = 1.0


async def home_page() -> None:
    user: UserPublic = context.client.request.state.user
    screen = await work.run(screens.home, user_id=user.id)
    shown: dict[str, Hero | ContinueRow] = {}  # what a progress redraw updates in place

    @ui.refreshable
    def content() -> None:
        shown.clear()
        shown.update(draw(user, screen))

    with frame(user, title=t('nav.home'), active='/'):
        heading(t('nav.home'), hidden=True)
        content()

    pending: asyncio.Task | None = None
    whole = False  # whether the news since the last redraw changes more than this account's progress
    client = context.client

    async def redraw() -> None:
        nonlocal screen, whole
        await asyncio.sleep(REDRAW_AFTER_S)
        fresh = await work.run(screens.home, user_id=user.id)
        if client.is_deleted:
            return
        screen = fresh
        # This task is not the page's (news starts it): without the page entered, the markup below would not know
        # the page's language, and an English home would say "Continuar viendo" after each save.
        with client:
            if whole or not shown:
                whole = False
                content.refresh()
            else:
                # A save changes only what this account is watching: the hero's Play/Resume and Continue watching.
                # The genre rows (most of the page's markup) stay as they are: a player saving every 10 s on an
                # account with ten homes open would otherwise send each of them the whole page again.
                shown['hero'].show(fresh.hero_resume > 0)
                shown['continue'].show(fresh.continuing)

    def news(kind: str) -> Callable[[dict], None]:
        def heard(_data: dict) -> None:
            nonlocal pending, whole
            whole = whole or kind == 'catalog'
            if pending is None or pending.done():
                pending = asyncio.ensure_future(redraw())

        return heard

    live.listen(f'progress:{user.id}', news('progress'))
    live.listen('catalog', news('catalog'))


def draw(user: UserPublic, screen: screens.HomeScreen) -> dict[str, Hero | ContinueRow]:
    """Draws the page's content; returns the parts a progress redraw updates (none for an empty catalog)."""
    if screen.hero is None:
        with ui.column().classes('bt-section pt-16'):
            if status.demo_preparing:
                ui.spinner(size='lg')
                ui.label(t('home.preparing')).classes('text-lg bt-muted').mark('preparing')
            else:
                ui.label(t('home.empty_catalog')).classes('text-lg bt-muted')
        return {}
    locked = not plans.may_watch(user.subscription_type, is_premium=screen.hero.is_premium)
    parts = {'hero': Hero(screen.hero, resumable=screen.hero_resume > 0, locked=locked)}
    parts['continue'] = ContinueRow(screen.continuing)
    # All the genre rows in one element (8 at 10,000 titles): the same for every viewer of a language until the
    # catalog changes.
    genre_rows(screen.rows)
    return parts


class Hero:
    """The featured title, with Play (or Resume) and More info: one element of markup (its buttons are links)."""

    def __init__(self, title: TitleDetail, *, resumable: bool, locked: bool) -> None:
        self.title, self.resumable, self.locked = title, resumable, locked
        self.element = ui.html(self.markup(), sanitize=False).classes('bt-hero').mark('hero')

    def markup(self) -> str:
        return hero_html(self.title, resumable=self.resumable, locked=self.locked)

    def show(self, resumable: bool) -> None:
        if resumable != self.resumable:
            self.resumable = resumable
            self.element.set_content(self.markup())


def hero_html(title: TitleDetail, *, resumable: bool, locked: bool = False) -> str:
    badge = premium_badge_html(inline=True) if title.is_premium else ''
    # A title the plan does not include says so, rather than "Play" (its page offers the upgrade).
    play = t('plan.upgrade_to_watch' if locked else 'home.resume' if resumable else 'home.play')
    icon = 'lock' if locked else 'play_arrow'
    return (
        f'{picture_html(title.id, "backdrop", css="bt-hero-img", lazy=False)}'
        '<div class="bt-hero-shade"></div>'
        f'<div class="bt-hero-body">{badge}'
        f'<h2 class="bt-hero-title">{escape(title.title)}</h2>'
        f'<div class="bt-hero-meta">{escape(meta_line(title))}</div>'
        f'<div class="bt-hero-desc">{escape(title.description)}</div>'
        '<div class="bt-hero-actions">'
        f'<a class="bt-hero-btn bt-hero-play" href="/watch/{title.id}" data-mark="hero-play">'
        f'<i class="material-icons" aria-hidden="true">{icon}</i>{escape(play)}</a>'
        f'<a class="bt-hero-btn bt-hero-info" href="/title/{title.id}" data-mark="hero-info">'
        f'<i class="material-icons" aria-hidden="true">info_outline</i>{escape(t("home.more_info"))}</a>'
        '</div></div>'
    )


class ContinueRow:
    """Continue watching: one element of markup, hidden while empty. Each card resumes at once (instead of opening
    the details page) and has a real remove button carrying its title's id as its entry; one click listener on the
    row sends that id here (components/buttons.on_actions). As elements, a card and its button were three NiceGUI
    elements each, built on every page and rebuilt on every save; as markup a save sends one element's content."""

    def __init__(self, items: list[ContinueItem]) -> None:
        self.items: list[ContinueItem] = []
        self.element = ui.html('', sanitize=False).classes('bt-section').mark('continue-row')
        on_actions(self.element, {}, entry=self.remove)
        self.show(items)

    def show(self, items: list[ContinueItem]) -> None:
        self.items = list(items)
        self.element.set_content(continue_html(self.items))
        self.element.set_visibility(bool(self.items))

    async def remove(self, title_id: int) -> None:
        if all(item.card.id != title_id for item in self.items):
            return  # not a card of this row (a stale or made-up click): nothing to do
        user = await auth.require_user()
        if user is None:
            return
        await work.run(playback.remove_from_continue, user_id=user.id, title_id=title_id)
        index = next((i for i, item in enumerate(self.items) if item.card.id == title_id), None)
        if index is None:
            return  # a redraw while it was removed has already taken it out
        removed = self.items[index]
        self.show(self.items[:index] + self.items[index + 1 :])
        ui.notify(t('home.removed', title=removed.card.title), position='top')
        if self.items:  # the keyboard stays in the row: on the card that took the removed one's place
            following = self.items[min(index, len(self.items) - 1)].card.id
            focus(f'[data-entry="{following}"]')


def continue_html(items: list[ContinueItem]) -> str:
    if not items:
        return ''
    cards = []
    for item in items:
        name = escape(f'{t("home.remove_from_row")}: {item.card.title}')
        card = card_html(item.card, fraction=item.fraction, href=f'/watch/{item.plays}', note=continue_note(item))
        cards.append(
            f'<div class="bt-card-wrap" data-continue="{item.card.id}">{card}'
            f'<button type="button" class="bt-card-remove" data-entry="{item.card.id}" title="{name}"'
            f' aria-label="{name}">{icon_html("close")}</button></div>'
        )
    title = escape(t('home.continue'))
    return f'<h2 class="bt-row-title">{title}</h2><div class="bt-row">{"".join(cards)}</div>'
