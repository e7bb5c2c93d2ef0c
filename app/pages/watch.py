"""The watch page (/watch/{id}): the player, resume notice, and the plan and screen panels that replace it."""

from __future__ import annotations

import json

from nicegui import context, ui

from .. import auth, playback_http, work
from ..components.cards import backdrop_url, format_clock
from ..components.frame import frame
from ..components.messages import not_found
from ..components.plans import change_plan_button, plan_comparison
from ..lang import t
from ..models import Plan, TitleDetail, UserPublic
from ..services import plans, playback_store, screens
from ..services.errors import AccessDenied, NotFound, ScreensFull

PLAYER_MESSAGES = ('watch.stopped_plan', 'watch.stopped_elsewhere', 'watch.load_error', 'plan.locked_title')


async def watch_page(title_id: str) -> None:
    user: UserPublic = context.client.request.state.user
    try:
        title = (await work.run(screens.title, user_id=user.id, title_id=title_id)).title
    except NotFound:
        with frame(user):
            not_found()
        return
    try:
        # The history row, the screen count and the token are made in one transaction.
        start = await work.run(
            playback_store.start_playback,
            user_id=user.id,
            title_id=title.id,
            device=auth.page_token() or '',
        )
    except ScreensFull as full:
        with frame(user):
            screens_panel(title, used=full.used, limit=full.limit)
        return
    except AccessDenied:
        with frame(user):
            upgrade_panel(title)
        return

    with frame(user):
        with ui.column().classes('bt-watch gap-0'):
            with ui.row().classes('bt-watch-bar items-center gap-3 no-wrap'):
                ui.button(icon='arrow_back', on_click=lambda: ui.navigate.to('/')).props(
                    'flat round color=white'
                ).tooltip(t('watch.back')).mark('back')
                ui.label(title.title).classes('text-xl font-bold').mark('watch-title')
                height = title.hd_height if start.quality == 'HD' else title.sd_height
                ui.label(t('watch.quality', quality=start.quality, height=height)).classes(
                    'bt-plan-badge' + (' premium' if start.quality == 'HD' else '')
                ).mark('quality')
            video = (
                ui.video(playback_http.url(start.token, f'video/{start.quality.lower()}'), autoplay=False)
                .props(f'poster={backdrop_url(title.id)} preload=metadata playsinline')
                .classes('bt-video')
                .mark('video')
            )
            with ui.column().classes('bt-watch-bar gap-2'):
                status = ui.label().classes('text-lg text-amber-400').style('display:none').mark('player-status')
                if start.resume_from > 0:
                    with ui.row().classes('items-center gap-3').mark('resume-notice') as notice:
                        ui.label(t('watch.resumed_at', time=format_clock(start.resume_from)))
                        ui.button(
                            t('watch.start_over'),
                            icon='replay',
                            on_click=lambda: (
                                ui.run_javascript('window.butacaStartOver()'),
                                notice.set_visibility(False),
                            ),
                        ).props('flat dense color=white no-caps').mark('start-over')
                ui.label(t('watch.keys')).classes('bt-muted text-sm bt-hide-mobile')
    config = {
        'resume': start.resume_from,
        'progressUrl': playback_http.url(start.token, 'progress'),
        'statusId': status.html_id,
        'messages': {key: t(key, title=title.title) for key in PLAYER_MESSAGES},
    }
    # Queued until the browser is connected; waits for the deferred player.js if it is still loading.
    ui.run_javascript(
        f'(function go() {{ if (!window.butacaPlayer) return setTimeout(go, 50); '
        f'window.butacaPlayer(getHtmlElement({video.id}), {json.dumps(config)}); }})()'
    )


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


def screens_panel(title: TitleDetail, *, used: int, limit: int) -> None:
    async def stop_others() -> None:
        user = await auth.require_user()
        if user is None:
            return
        await work.run(playback_store.stop_user_playbacks, user_id=user.id)
        ui.navigate.reload()

    with ui.column().classes('bt-section pt-10 items-center w-full'):
        with ui.card().classes('bt-panel gap-4 max-w-[640px] w-full').mark('screens-panel'):
            ui.icon('devices', size='48px').classes('text-amber-400')
            ui.label(title.title).classes('text-2xl font-extrabold')
            ui.label(t('watch.screens_full', used=used, limit=limit)).classes('text-lg')
            with ui.row().classes('gap-3'):
                ui.button(t('watch.stop_others'), icon='stop_screen_share', on_click=stop_others).mark('stop-others')
                ui.button(t('watch.back'), on_click=lambda: ui.navigate.to('/')).props('flat color=white')
