"""Title details (/title/{id}): backdrop, description, year, genre, duration, rating, and Play or Resume."""

from __future__ import annotations

from nicegui import context, ui
from sqlmodel import Session

from .. import db
from ..components.cards import backdrop_url, premium_badge_html
from ..components.frame import frame
from ..lang import t
from ..models import Plan, TitleDetail, UserPublic
from ..services import catalog, plans, playback
from ..services.errors import NotFound
from .home import meta_line


async def title_page(title_id: str) -> None:
    user: UserPublic = context.client.request.state.user
    try:
        title, resume, plan = await db.run_io(_load, title_id=title_id, user_id=user.id)
    except NotFound:
        with frame(user):
            not_found()
        return
    locked = not plans.may_watch(plan, is_premium=title.is_premium)
    with frame(user):
        with ui.column().classes('bt-section pt-6 items-center'):
            with ui.card().classes('bt-details').mark('title-details'):
                ui.html(f'<img class="bt-details-img" src="{backdrop_url(title.id)}" alt="">', sanitize=False)
                with ui.column().classes('p-6 gap-3 w-full'):
                    if title.is_premium:
                        ui.html(premium_badge_html(inline=True), sanitize=False)
                    ui.label(title.title).classes('text-3xl font-extrabold')
                    ui.label(meta_line(title)).classes('bt-muted')
                    ui.label(title.description).classes('text-base')
                    label = t('home.resume') if resume > 0 else t('home.play')
                    with ui.row().classes('gap-3'):
                        ui.button(
                            label,
                            icon='lock' if locked else 'play_arrow',
                            on_click=lambda: ui.navigate.to(f'/watch/{title.id}'),
                        ).props('unelevated size=lg').mark('play')
                        ui.button(t('watch.back'), on_click=lambda: ui.navigate.to('/')).props('flat color=white')


def _load(session: Session, *, title_id: str, user_id: int) -> tuple[TitleDetail, float, Plan]:
    title = catalog.get_title(session, title_id=catalog.parse_title_id(title_id))
    return (
        title,
        playback.resume_position(session, user_id=user_id, title_id=title.id),
        plans.current_plan(session, user_id),
    )


def not_found() -> None:
    with ui.column().classes('bt-section pt-16 items-center gap-4 w-full').mark('not-found'):
        ui.icon('movie_filter', size='64px').classes('bt-muted')
        ui.label(t('errors.not_found_title')).classes('text-3xl font-extrabold')
        ui.label(t('title.not_found')).classes('bt-muted text-lg')
        ui.button(t('title.back_home'), on_click=lambda: ui.navigate.to('/')).mark('back-home')
