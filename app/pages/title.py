"""Title details (/title/{id}): a film or a series, with what Play does, the episode list of a series by season,
marks watched or not, and More like this. Live: it redraws when this viewer's progress changes (another screen
played, a mark was set)."""

from __future__ import annotations

from html import escape

from nicegui import context, ui

from .. import auth, live, work
from ..components.cards import (
    episode_code,
    meta_line,
    picture_html,
    poster_row,
    premium_badge_html,
)
from ..components.frame import frame
from ..components.messages import not_found
from ..lang import current_language, genre_name, rating_name, t, tn
from ..models import UserPublic
from ..services import plans, screens, series
from ..services.errors import NotFound

GO_BACK = 'history.length > 1 ? history.back() : location.assign("/")'


async def title_page(title_id: str) -> None:
    user: UserPublic = context.client.request.state.user
    try:
        screen = await work.run(screens.title, user_id=user.id, title_id=title_id)
    except NotFound:
        with frame(user, title=t('errors.not_found_title')):
            not_found()
        ui.status_code(404)
        return
    chosen = {'season': screen.season}

    @ui.refreshable
    def content() -> None:
        draw(user, screen, chosen)

    with frame(user, title=screen.title.title):
        content()

    client = context.client

    async def refresh(_data: dict) -> None:
        nonlocal screen
        fresh = await work.run(screens.title, user_id=user.id, title_id=str(screen.title.id))
        if not client.is_deleted:
            screen = fresh
            content.refresh()

    live.listen(f'progress:{user.id}', refresh)


def draw(user: UserPublic, screen: screens.TitleScreen, chosen: dict) -> None:
    title = screen.title
    locked = not plans.may_watch(user.subscription_type, is_premium=title.is_premium)
    with ui.column().classes('bt-section pt-6 items-center gap-6'):
        with ui.card().classes('bt-details').mark('title-details'):
            ui.html(
                picture_html(title.id, 'backdrop', css='bt-details-img', shown='details', lazy=False), sanitize=False
            )
            with ui.column().classes('p-6 gap-3 w-full'):
                if title.is_premium:
                    ui.html(premium_badge_html(inline=True), sanitize=False)
                ui.html(f'<h1 class="bt-details-title">{escape(title.title)}</h1>', sanitize=False)
                ui.label(_meta(screen)).classes('bt-muted')
                ui.label(title.synopsis(current_language())).classes('text-base')
                if locked:
                    _link_button(t('plan.upgrade_to_watch'), f'/watch/{title.id}', 'lock', mark='play')
                elif screen.series is not None:
                    _series_actions(screen.series)
                else:
                    _film_actions(title.id, title.duration_s, screen.resume)
                ui.button(t('watch.back'), icon='arrow_back', on_click=lambda: ui.run_javascript(GO_BACK)).props(
                    'flat color=white no-caps'
                ).mark('back')
        if screen.series is not None:
            episodes_section(user, screen.series, chosen, locked=locked)
    if screen.more_like_this:
        poster_row(t('title.more_like_this'), screen.more_like_this, mark='more-like-this')


def _meta(screen: screens.TitleScreen) -> str:
    if screen.series is None:
        return meta_line(screen.title)
    count = len(screen.series.seasons)
    seasons = tn('series.seasons', count)
    title = screen.title
    return f'{title.year} · {genre_name(title.genre)} · {t("title.series")} · {seasons} · {rating_name(title.rating)}'


def _link_button(label: str, href: str, icon: str, *, mark: str, primary: bool = True) -> ui.button:
    """A button that is a link (middle-click opens a tab)."""
    props = f'href="{href}" no-caps ' + ('unelevated size=lg' if primary else 'flat color=white')
    return ui.button(label, icon=icon).props(props).mark(mark)


def _film_actions(title_id: int, duration_s: float, resume: float) -> None:
    with ui.row().classes('gap-3 items-center'):
        if resume > 0:
            _link_button(t('home.resume'), f'/watch/{title_id}', 'play_arrow', mark='play')
            _link_button(
                t('watch.start_over'), f'/watch/{title_id}?start=0', 'replay', mark='start-over', primary=False
            )
        else:
            _link_button(t('home.play'), f'/watch/{title_id}', 'play_arrow', mark='play')
    if resume > 0:
        _time_left(resume, duration_s)


def _time_left(position_s: float, duration_s: float) -> None:
    fraction = min(1.0, position_s / duration_s) if duration_s > 0 else 0.0
    minutes = max(1, round((duration_s - position_s) / 60))
    with ui.row().classes('items-center gap-3 w-full max-w-[420px]').mark('time-left'):
        ui.html(
            f'<div class="bt-progress" style="flex:1"><div style="width:{fraction * 100:.1f}%"></div></div>',
            sanitize=False,
        ).classes('grow')
        ui.label(tn('series.left', minutes)).classes('bt-muted text-sm')


def _series_actions(view: series.SeriesView) -> None:
    with ui.row().classes('gap-3 items-center'):
        episode = view.up_next or view.first
        if episode is None:
            ui.label(t('series.no_episodes')).classes('bt-muted')
            return
        code = episode_code(episode.season, episode.number)
        if view.up_next is None:
            label = t('series.watch_again', code=code)
        elif view.resume_s > 0:
            label = t('series.resume', code=code)
        else:
            label = t('series.play', code=code)
        _link_button(label, f'/watch/{episode.id}', 'play_arrow', mark='play')
        if view.resume_s > 0:
            _link_button(
                t('watch.start_over'), f'/watch/{episode.id}?start=0', 'replay', mark='start-over', primary=False
            )
        watched_all = all(line.watched for season in view.seasons for line in season.episodes)
        _mark_button(
            t('series.mark_series_unwatched' if watched_all else 'series.mark_series_watched'),
            view.series.id,
            watched=not watched_all,
            mark='mark-series',
        )


def _mark_button(label: str, title_id: int, *, watched: bool, season: int | None = None, mark: str) -> ui.button:
    async def apply() -> None:
        user = await auth.require_user()
        if user is None:
            return
        await work.run(series.mark, user_id=user.id, title_id=title_id, watched=watched, season=season)
        ui.notify(t('series.marked', what=label), position='top')  # the page redraws itself on the news

    return (
        ui.button(label, icon='done_all' if watched else 'remove_done', on_click=apply)
        .props('flat color=white no-caps')
        .mark(mark)
    )


def episodes_section(user: UserPublic, view: series.SeriesView, chosen: dict, *, locked: bool) -> None:
    if not view.seasons:
        return
    numbers = [season.number for season in view.seasons]
    if chosen.get('season') not in numbers:
        chosen['season'] = numbers[0]
    with ui.column().classes('bt-episodes gap-3').mark('episodes'):
        with ui.row().classes('items-center gap-4 w-full'):
            ui.html(f'<h2 class="bt-row-title">{escape(t("series.episodes"))}</h2>', sanitize=False)
            ui.space()
            options = {
                season.number: season.name or t('series.season', number=season.number) for season in view.seasons
            }
            picker = ui.select(options, value=chosen['season'], label=t('series.season_picker')).props(
                'outlined dense dark'
            )
            picker.classes('min-w-[180px]').mark('season-picker')

        @ui.refreshable
        def season_list() -> None:
            season = next(season for season in view.seasons if season.number == chosen['season'])
            every_watched = all(line.watched for line in season.episodes)
            key = 'series.mark_season_unwatched' if every_watched else 'series.mark_season_watched'
            _mark_button(t(key), view.series.id, watched=not every_watched, season=season.number, mark='mark-season')
            for line in season.episodes:
                episode_row(line, locked=locked)

        def pick() -> None:
            chosen['season'] = picker.value
            season_list.refresh()

        picker.on_value_change(pick)
        season_list()


def episode_row(line: series.EpisodeLine, *, locked: bool) -> None:
    """One episode: its still, code and title, length, synopsis, progress and watched mark, and its own mark."""
    ref = line.ref
    code = episode_code(ref.season, ref.number)
    synopsis = line.description_en if current_language() == 'en' and line.description_en else line.description
    progress = (
        f'<div class="bt-progress"><div style="width:{line.fraction * 100:.1f}%"></div></div>'
        if line.position_s > 0
        else ''
    )
    watched = (
        f'<span class="bt-watched" title="{escape(t("series.watched"))}">✓ {escape(t("series.watched"))}</span>'
        if line.watched
        else ''
    )
    minutes = t('title.minutes', minutes=max(1, round(line.duration_s / 60)))
    href = f'/watch/{ref.id}'
    with ui.row().classes('bt-episode w-full no-wrap items-start gap-4').mark(f'episode-{ref.id}'):
        ui.html(
            f'<a class="bt-episode-link" href="{href}" aria-label="{escape(code)} · {escape(ref.title)}">'
            f'{picture_html(ref.id, "still", css="bt-episode-still")}{progress}</a>'
            f'<div class="bt-episode-text"><h3><a href="{href}">{escape(code)} · {escape(ref.title)}</a></h3>'
            f'<p class="bt-muted">{escape(minutes)} {watched}</p><p>{escape(synopsis)}</p></div>',
            sanitize=False,
        ).classes('grow')
        if not locked:
            label = t('series.mark_unwatched' if line.watched else 'series.mark_watched')
            button = _mark_button(label, ref.id, watched=not line.watched, mark=f'mark-{ref.id}')
            button.props(f'aria-label="{escape(label)} · {escape(code)}"')
