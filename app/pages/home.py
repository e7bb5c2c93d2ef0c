"""The home page (/): hero banner, Continue watching, one row per genre; live: it redraws itself when this
account's progress or the catalog changes (a title played on another screen, a title added)."""

from __future__ import annotations

import asyncio
from html import escape

from nicegui import context, ui

from .. import auth, live, status, work
from ..components.cards import backdrop_url, card_html, continue_note, meta_line, poster_row, premium_badge_html
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
        poster_row(genre_name(genre), cards, mark=f'row-{genre}')


def hero_banner(title: TitleDetail, *, resumable: bool, locked: bool = False) -> None:
    with ui.element('div').classes('bt-hero').mark('hero'):
        ui.html(f'<img class="bt-hero-img" src="{backdrop_url(title.id)}" alt="">', sanitize=False)
        ui.element('div').classes('bt-hero-shade')
        with ui.column().classes('bt-hero-body gap-3'):
            if title.is_premium:
                ui.html(premium_badge_html(inline=True), sanitize=False)
            heading(title.title, 2).classes('bt-hero-title')
            ui.label(meta_line(title)).classes('bt-hero-meta')
            ui.label(title.description).classes('bt-hero-desc')
            with ui.row().classes('gap-3'):
                # A title the plan does not include says so, rather than "Play" (its page offers the upgrade).
                ui.button(
                    t('plan.upgrade_to_watch' if locked else 'home.resume' if resumable else 'home.play'),
                    icon='lock' if locked else 'play_arrow',
                    on_click=lambda: ui.navigate.to(f'/watch/{title.id}'),
                ).props('unelevated color=white text-color=black').classes('bt-hero-btn').mark('hero-play')
                ui.button(
                    t('home.more_info'), icon='info_outline', on_click=lambda: ui.navigate.to(f'/title/{title.id}')
                ).props('unelevated color=grey-8').classes('bt-hero-btn').mark('hero-info')


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

        # The button's name says which title it removes (a row has many of them).
        hint = escape(f'{t("home.remove_from_row")}: {item.card.title}')
        ui.button(icon='close', on_click=remove).props(
            f'round dense flat size=sm color=white aria-label="{hint}" title="{hint}"'
        ).classes('bt-card-remove').mark(f'remove-{item.card.id}')
