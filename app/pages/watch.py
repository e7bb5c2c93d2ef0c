"""The watch page (/watch/{id}): the full-bleed player (no site frame), or the upgrade panel of a locked title.

Opening the page (the GET) only reads: it draws the player's shell. The playback (screen count, token, history) is
started once the page's websocket is connected, and handed to the player as its config; a refusal (too many
screens) is drawn inside the player, with "Stop the others".
"""

from __future__ import annotations

import weakref
from typing import Any

from nicegui import context, ui

from .. import auth, playback_http, work
from ..components.cards import backdrop_url, poster_url
from ..components.frame import frame
from ..components.messages import not_found
from ..components.plans import change_plan_button, plan_comparison
from ..components.player import Player, shell_for
from ..components.theme import apply_theme
from ..lang import t
from ..models import Plan, Quality, TitleCard, TitleDetail, UserPublic
from ..services import plans, playback_store, screens
from ..services.errors import AccessDenied, NotFound, ScreensFull

# How long the page waits for its websocket before giving up (nothing was started, so nothing is left behind).
CONNECT_TIMEOUT = 30.0
# The page's client outlives a network drop this long (wiring.py); past it, a started player carries on over HTTP.
RECONNECT_TIMEOUT = 90.0
MORE_LIKE_THIS = 6
PROGRESS_EVERY_S = 10

# The players open in this process, per user: "Stop the others" stops them at once over their websocket (their next
# progress report would say so within 10 s anyway). Weak: a closed page's player just disappears.
_open_players: dict[int, weakref.WeakSet[Player]] = {}


async def watch_page(title_id: str) -> None:
    user: UserPublic = context.client.request.state.user
    try:
        screen = await work.run(screens.watch, title_id=title_id, more=MORE_LIKE_THIS)
    except NotFound:
        with frame(user):
            not_found()
        return
    title, more = screen.title, screen.more_like_this
    if not plans.may_watch(user.subscription_type, is_premium=title.is_premium):
        with frame(user):
            upgrade_panel(title)
        return
    apply_theme()
    auth.remember_page()
    ui.page_title(t('watch.title', title=title.title))
    player = Player(
        shell_for(
            title=title.title,
            poster=backdrop_url(title.id),
            back_url=f'/title/{title.id}',
            upgrade_url='/profile',
        )
    ).mark('player')
    player.on_stop_others(lambda: stop_others_and_start(player, title, more))
    auth.show_flashes()  # e.g. "your plan is now Premium", after the upgrade panel reloaded the page
    try:
        await context.client.connected(timeout=CONNECT_TIMEOUT)
    except TimeoutError:
        return  # the browser never connected: nothing was started
    await start(player, title, more)


async def start(player: Player, title: TitleDetail, more: list[TitleCard]) -> None:
    """Start a playback for this page and hand it to the player, or show why not inside it."""
    user = await auth.require_user()
    if user is None:
        return
    try:
        # The screen check and the token are made in one transaction; the history waits for real watching.
        started = await work.run(
            playback_store.start_playback, user_id=user.id, title_id=title.id, device=auth.page_token() or ''
        )
    except ScreensFull as full:
        player.refuse('watch.screens_full', t('watch.screens_full', used=full.used, limit=full.limit))
        return
    except AccessDenied:  # the plan changed since the page was drawn
        player.refuse('watch.stopped_plan', t('watch.stopped_plan'))
        return
    except NotFound:
        player.refuse('watch.session_ended', t('watch.session_ended'))
        return
    player.start(playback_config(title, started, more))
    _open_players.setdefault(user.id, weakref.WeakSet()).add(player)


async def stop_others_and_start(player: Player, title: TitleDetail, more: list[TitleCard]) -> None:
    user = await auth.require_user()
    if user is None:
        return
    await work.run(playback_store.stop_user_playbacks, user_id=user.id)
    for other in list(_open_players.get(user.id, ())):
        if other is not player and not other.is_deleted:
            other.stop('watch.stopped_elsewhere')
    await start(player, title, more)


def playback_config(title: TitleDetail, started: playback_store.PlaybackStart, more: list[TitleCard]) -> dict[str, Any]:
    """The player's config: every URL carries the playback token, their only authority (app/playback_http.py)."""
    token = started.token
    hd = playback_http.url(token, 'video/hd') if started.quality == Quality.HD else None
    return {
        'id': token,
        'mediaKey': f'title:{title.id}',
        'sources': {'SD': playback_http.url(token, 'video/sd'), 'HD': hd},
        'quality': str(started.quality),
        'hdLocked': hd is None,
        'qualityLabels': {'SD': f'SD · {title.sd_height}p', 'HD': f'HD · {title.hd_height}p'},
        'resume': started.resume_from,
        'progress': {'url': playback_http.url(token, 'progress'), 'token': None, 'everySeconds': PROGRESS_EVERY_S},
        'subtitles': [],
        'preferencesUrl': None,
        'trickplay': None,
        'markers': None,
        'next': None,
        'moreLikeThis': [
            {'title': card.title, 'url': f'/title/{card.id}', 'poster': poster_url(card.id)} for card in more
        ],
        'stopOthersUrl': None,
    }


def upgrade_panel(title: TitleDetail) -> None:
    with ui.column().classes('bt-section pt-10 items-center w-full'):
        with ui.card().classes('bt-panel gap-4 max-w-[640px] w-full').mark('upgrade-panel'):
            ui.icon('lock', size='48px').classes('text-amber-400')
            ui.label(t('plan.locked_title', title=title.title)).classes('text-2xl font-extrabold')
            ui.label(t('plan.locked_text', screens=plans.max_screens(Plan.PREMIUM))).classes('bt-muted')
            plan_comparison()
            with ui.row().classes('gap-3'):
                change_plan_button(Plan.PREMIUM)
                ui.button(t('watch.back'), on_click=lambda: ui.navigate.to('/')).props('flat color=white')
