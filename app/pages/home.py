"""The home page (/): hero banner, Continue watching, one row per genre; live: it redraws itself when this
account's progress or the catalog changes (a title played on another screen, a title added)."""

from __future__ import annotations

import asyncio
from html import escape
from urllib.parse import urlencode

from nicegui import context, ui

from .. import auth, live, status, work
from ..components.cards import card_html, continue_note, meta_line, picture_html, poster_row, premium_badge_html
from ..components.frame import frame
from ..components.landmarks import heading
from ..lang import genre_name, t
from ..models import ContinueItem, TitleDetail, UserPublic
from ..services import plans, playback, screens

# News comes in bursts (a player reports every 10 s, a library scan adds titles one after another): one redraw for
# whatever arrived within this long.
REDRAW_AFTER_S = 1.0


async def home_page() -> None:
    user: UserPublic = context.client.request.state.user
    screen = await work.run(screens.home, user_id=user.id)

    @ui.refreshable
    def content() -> None:
        draw(user, screen)

    with frame(user, title=t('nav.home'), active='/'):
        heading(t('nav.home'), hidden=True)
        content()

    pending: asyncio.Task | None = None
    client = context.client

    async def redraw() -> None:
        nonlocal screen
        await asyncio.sleep(REDRAW_AFTER_S)
        fresh = await work.run(screens.home, user_id=user.id)
        if not client.is_deleted:
            screen = fresh
            content.refresh()

    def news(_data: dict) -> None:
        nonlocal pending
        if pending is None or pending.done():
            pending = asyncio.ensure_future(redraw())

    live.listen(f'progress:{user.id}', news)
    live.listen('catalog', news)


def draw(user: UserPublic, screen: screens.HomeScreen) -> None:
    if screen.hero is None:
        with ui.column().classes('bt-section pt-16'):
            if status.demo_preparing:
                ui.spinner(size='lg')
                ui.label(t('home.preparing')).classes('text-lg bt-muted').mark('preparing')
            else:
                ui.label(t('home.empty_catalog')).classes('text-lg bt-muted')
        return
    locked = not plans.may_watch(user.subscription_type, is_premium=screen.hero.is_premium)
    hero_banner(screen.hero, resumable=screen.hero_resume > 0, locked=locked)
    if screen.continuing:
        continue_row(screen.continuing)
    for genre, cards in screen.rows:
        poster_row(genre_name(genre), cards, mark=f'row-{genre}', see_all=f'/catalog?{urlencode({"genre": genre})}')


def hero_banner(title: TitleDetail, *, resumable: bool, locked: bool = False) -> None:
    """The featured title, with Play (or Resume) and More info: one element of markup (its buttons are links)."""
    ui.html(hero_html(title, resumable=resumable, locked=locked), sanitize=False).classes('bt-hero').mark('hero')


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


def continue_row(items: list[ContinueItem]) -> None:
    with ui.column().classes('bt-section gap-0').mark('continue-row'):
        heading(t('home.continue'), 2).classes('bt-row-title')
        with ui.element('div').classes('bt-row'):
            for item in items:
                continue_card(item)


def continue_card(item: ContinueItem) -> None:
    with ui.element('div').classes('bt-card-wrap').mark(f'continue-{item.card.id}') as wrapper:
        # A card in Continue watching resumes at once instead of opening the details page.
        note = continue_note(item)
        ui.html(card_html(item.card, fraction=item.fraction, href=f'/watch/{item.plays}', note=note), sanitize=False)

        async def remove() -> None:
            user = await auth.require_user()
            if user is None:
                return
            await work.run(playback.remove_from_continue, user_id=user.id, title_id=item.card.id)
            wrapper.delete()
            ui.notify(t('home.removed', title=item.card.title), position='top')

        # Its name as attributes (the browser's own tooltip: a tooltip element per card would be another element
        # to build and keep per page), saying which title it removes (a row has many of them).
        button = ui.button(icon='close', on_click=remove).props('round dense flat size=sm color=white')
        button.props['aria-label'] = button.props['title'] = f'{t("home.remove_from_row")}: {item.card.title}'
        button.classes('bt-card-remove').mark(f'remove-{item.card.id}')
