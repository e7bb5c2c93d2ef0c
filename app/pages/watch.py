"""The watch page (/watch/{id}): the player, resume notice, and the plan and screen panels that replace it."""

from __future__ import annotations

import json

from nicegui import app, context, ui

from .. import auth, db
from ..components.cards import backdrop_url, format_clock
from ..components.frame import frame
from ..components.plans import change_plan_button, plan_comparison
from ..lang import t
from ..models import Plan, TitleDetail, UserPublic
from ..security import new_token
from ..services import catalog, plans, playback
from ..services.errors import AccessDenied, NotFound
from .title import not_found

PLAYER_MESSAGES = ('watch.stopped_plan', 'watch.stopped_elsewhere', 'watch.load_error', 'plan.locked_title')


def video_url(title_id: int, quality: str, token: str) -> str:
    return f'/media/{title_id}/{quality.lower()}?p={token}'


async def watch_page(title_id: str) -> None:
    user: UserPublic = context.client.request.state.user
    try:
        title = await db.run_io(catalog.get_title, title_id=catalog.parse_title_id(title_id))
    except NotFound:
        with frame(user):
            not_found()
        return
    try:
        # The history row, the screen count and the token are made in one transaction.
        start = await db.run_io(
            playback.start_playback,
            user_id=user.id,
            title_id=title.id,
            token=new_token(),
            device=app.storage.user.get(auth.SESSION_KEY, ''),
        )
    except playback.ScreensFull as full:
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
                ui.video(video_url(title.id, start.quality, start.token), autoplay=False)
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
        'token': start.token,
        'resume': start.resume_from,
        'progressUrl': '/api/progress',
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
        await db.run_io(playback.stop_user_playbacks, user_id=user.id)
        ui.navigate.reload()

    with ui.column().classes('bt-section pt-10 items-center w-full'):
        with ui.card().classes('bt-panel gap-4 max-w-[640px] w-full').mark('screens-panel'):
            ui.icon('devices', size='48px').classes('text-amber-400')
            ui.label(title.title).classes('text-2xl font-extrabold')
            ui.label(t('watch.screens_full', used=used, limit=limit)).classes('text-lg')
            with ui.row().classes('gap-3'):
                ui.button(t('watch.stop_others'), icon='stop_screen_share', on_click=stop_others).mark('stop-others')
                ui.button(t('watch.back'), on_click=lambda: ui.navigate.to('/')).props('flat color=white')
