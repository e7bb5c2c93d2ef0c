"""The watch page (/watch/{id}): the full-bleed player (no site frame) for a film or an episode, or the upgrade
panel of a locked title.

Opening the page (the GET) only reads: it draws the player's shell. The playback (screen count, token) is started
once the page's websocket is connected, and handed to the player as its config; a refusal (too many screens) is
drawn inside the player, with "Stop the others". While it plays, the page listens to its account: another screen's
"Stop the others" or a plan change stops it at once, from any process.
"""

from __future__ import annotations

from typing import Any

from nicegui import context, ui

from .. import auth, live, playback_http, work
from ..components.cards import IMAGE_WIDTHS, episode_line, still_url, webp_url
from ..components.frame import frame
from ..components.landmarks import declare_page, heading
from ..components.messages import not_found
from ..components.plans import change_plan_button, plan_comparison
from ..components.player import Player, shell_for
from ..components.theme import apply_theme
from ..lang import ago, current_language, t, tn
from ..models import Plan, Quality, TitleDetail, UserPublic, utcnow
from ..services import devices, plans, playback_store, screens
from ..services.errors import AccessDenied, NotFound, ScreensFull
from ..services.playback_store import SUBTITLES_OFF

# How long the page waits for its websocket before giving up (nothing was started, so nothing is left behind).
CONNECT_TIMEOUT = 30.0
# The page's client outlives a network drop this long (wiring.py); past it, a started player carries on over HTTP.
RECONNECT_TIMEOUT = 90.0
MORE_LIKE_THIS = 6
PROGRESS_EVERY_S = 10
STILL_WATCHING_AFTER = 3  # episodes in a row without a touch before "Are you still watching?"


async def watch_page(title_id: str, start: str = '') -> None:
    """`?start=0`: from the beginning, whatever the viewer's resume point."""
    user: UserPublic = context.client.request.state.user
    try:
        screen = await work.run(screens.watch, user_id=user.id, title_id=title_id, more=MORE_LIKE_THIS)
    except NotFound:
        with frame(user, title=t('errors.not_found_title')):
            not_found()
        ui.status_code(404)
        return
    title = screen.title
    name = title.series_title or title.title
    if not plans.may_watch(user.subscription_type, is_premium=title.is_premium):
        with frame(user, title=name):
            upgrade_panel(title)
        return
    apply_theme()
    declare_page(name)
    auth.remember_page()
    episode = episode_line(title)
    heading(f'{name} · {episode}' if episode else name, hidden=True)  # the player shows the name in its own way
    player = Player(
        shell_for(
            title=title.series_title or title.title,
            episode_label=episode,
            poster=webp_url(title.id, 'backdrop', IMAGE_WIDTHS['backdrop'][-1]),  # a size made at import
            back_url=f'/title/{title.series_id or title.id}',
            upgrade_url='/profile',
        )
    ).mark('player')
    watching = Watching(player, screen, from_start=start == '0')
    player.on_stop_others(watching.stop_others_and_start)
    live.listen(f'account:{user.id}', watching.account_changed)
    auth.show_flashes()  # e.g. "your plan is now Premium", after the upgrade panel reloaded the page
    try:
        await context.client.connected(timeout=CONNECT_TIMEOUT)
    except TimeoutError:
        return  # the browser never connected: nothing was started
    await watching.start()


class Watching:
    """One page's playback: starting it, and stopping it when the account says so."""

    def __init__(self, player: Player, screen: screens.WatchScreen, *, from_start: bool = False) -> None:
        self.player = player
        self.screen = screen
        self.from_start = from_start
        self.started: playback_store.PlaybackStart | None = None

    async def start(self) -> None:
        """Start a playback for this page and hand it to the player, or show why not inside it."""
        user = await auth.require_user()
        if user is None:
            return
        title = self.screen.title
        try:
            # The screen check and the token are made in one transaction; the history waits for real watching.
            self.started = await work.run(
                playback_store.start_playback, user_id=user.id, title_id=title.id, device=auth.page_token() or ''
            )
        except ScreensFull as full:
            premium = plans.max_screens(Plan.PREMIUM)
            text = tn('watch.screens_full', full.limit, used=full.used)
            if full.screens:  # which other screens, by what they play and when they were last heard from
                now = utcnow()
                lines = [
                    t('watch.screen_line', title=name, ago=ago(heard, now), browser=browser_name(agent))
                    for name, heard, agent in full.screens
                ]
                text = f'{text} {t("watch.screens_others", screens="; ".join(lines))}'
            if user.subscription_type != Plan.PREMIUM:
                text = f'{text} {t("watch.screens_premium", screens=premium)}'
            self.player.refuse('watch.screens_full', text)
            return
        except AccessDenied:  # the plan changed since the page was drawn
            self.player.refuse('watch.stopped_plan', t('watch.stopped_plan'))
            return
        except NotFound:
            self.player.refuse('watch.session_ended', t('watch.session_ended'))
            return
        self.player.start(playback_config(self.screen, self.started, from_start=self.from_start))

    async def stop_others_and_start(self) -> None:
        user = await auth.require_user()
        if user is None:
            return
        await work.run(playback_store.stop_user_playbacks, user_id=user.id)
        await self.start()

    def account_changed(self, data: dict[str, Any]) -> None:
        """Another screen stopped this account's playbacks, or its plan changed: stop here at once (any process)."""
        if self.started is None or self.player.is_deleted:
            return
        if self.started.token in data.get('stopped', ()):
            self.player.stop('watch.stopped_elsewhere')
        elif 'plan' in data:
            title = self.screen.title
            if plans.denial(Plan(data['plan']), is_premium=title.is_premium, quality=self.started.quality):
                self.player.stop('watch.stopped_plan')


def browser_name(user_agent: str | None) -> str:
    """'Chrome on Windows', or as much of it as the User-Agent says, or 'another browser'."""
    found = devices.parse(user_agent)
    if found.name and found.system:
        return t('device.browser_on', browser=found.name, system=found.system)
    return found.name or found.system or t('device.unknown')


def playback_config(
    screen: screens.WatchScreen, started: playback_store.PlaybackStart, *, from_start: bool = False
) -> dict[str, Any]:
    """The player's config: every URL carries the playback token, their only authority (app/playback_http.py)."""
    title, token = screen.title, started.token
    hd = playback_http.url(token, 'video/hd') if started.quality == Quality.HD else None
    config: dict[str, Any] = {
        'id': token,
        'mediaKey': f'title:{title.id}',
        'sources': {'SD': playback_http.url(token, 'video/sd'), 'HD': hd},
        'quality': str(started.quality),
        'hdLocked': hd is None,
        'qualityLabels': {'SD': f'SD · {title.sd_height}p', 'HD': f'HD · {title.hd_height}p'},
        'resume': 0.0 if from_start else started.resume_from,
        'progress': {'url': playback_http.url(token, 'progress'), 'token': None, 'everySeconds': PROGRESS_EVERY_S},
        'subtitles': [
            {
                'lang': language,
                'label': t(f'lang.{language}'),
                'url': playback_http.url(token, f'subtitles/{language}.vtt'),
            }
            # the interface's language first: C (or the menu's first choice) turns on the one the viewer reads
            for language in sorted(title.subtitle_languages, key=lambda code: code != current_language())
        ],
        'preferencesUrl': playback_http.url(token, 'preferences'),
        'trickplay': _trickplay(title, token),
        'markers': {
            'introStart': title.intro_start_s,
            'introEnd': title.intro_end_s,
            'creditsStart': title.credits_start_s,
        },
        'next': None,
        'stillWatchingAfter': STILL_WATCHING_AFTER,
        'moreLikeThis': [
            {
                'title': card.title,
                'url': f'/title/{card.id}',
                'poster': webp_url(card.id, 'poster', IMAGE_WIDTHS['poster'][0]),
            }
            for card in screen.more_like_this
        ],
        'stopOthersUrl': None,
    }
    if screen.subtitle_language is not None:  # left out: this device's last choice
        chosen = screen.subtitle_language
        config['subtitleLang'] = chosen if chosen != SUBTITLES_OFF and chosen in title.subtitle_languages else None
    if screen.next_episode is not None:
        following = screen.next_episode
        config['next'] = {
            'label': t('series.code', season=following.season, number=following.number),
            'title': following.title,
            'url': f'/watch/{following.id}',
            'still': still_url(following.id),
        }
    return config


def _trickplay(title: TitleDetail, token: str) -> dict[str, Any] | None:
    facts = title.trickplay
    if not facts:
        return None
    return {
        'url': playback_http.url(token, 'trickplay.jpg'),
        'interval': facts.get('interval_s', 10),
        'width': facts.get('tile_width'),
        'height': facts.get('tile_height'),
        'columns': facts.get('columns'),
        'rows': facts.get('rows'),
        'count': facts.get('count'),
    }


def upgrade_panel(title: TitleDetail) -> None:
    with ui.column().classes('bt-section pt-10 items-center w-full'):
        with ui.card().classes('bt-panel gap-4 max-w-[640px] w-full').mark('upgrade-panel'):
            ui.icon('lock', size='48px').classes('text-amber-400')
            heading(t('plan.locked_title', title=title.series_title or title.title)).classes('text-2xl font-extrabold')
            ui.label(t('plan.locked_text', screens=plans.max_screens(Plan.PREMIUM))).classes('bt-muted')
            plan_comparison()
            with ui.row().classes('gap-3'):
                change_plan_button(Plan.PREMIUM)
                ui.button(t('watch.back'), on_click=lambda: ui.navigate.to('/')).props('flat color=white')
