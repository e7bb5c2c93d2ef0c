"""Title details (/title/{id}): backdrop, description, year, genre, duration, rating, and Play or Resume."""

from __future__ import annotations

from nicegui import context, ui

from .. import work
from ..components.cards import backdrop_url, meta_line, premium_badge_html
from ..components.frame import frame
from ..components.messages import not_found
from ..lang import t
from ..models import UserPublic
from ..services import plans, screens
from ..services.errors import NotFound


async def title_page(title_id: str) -> None:
    user: UserPublic = context.client.request.state.user
    try:
        screen = await work.run(screens.title, user_id=user.id, title_id=title_id)
    except NotFound:
        with frame(user):
            not_found()
        return
    title = screen.title
    locked = not plans.may_watch(user.subscription_type, is_premium=title.is_premium)
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
                    label = t('home.resume') if screen.resume > 0 else t('home.play')
                    with ui.row().classes('gap-3'):
                        ui.button(
                            label,
                            icon='lock' if locked else 'play_arrow',
                            on_click=lambda: ui.navigate.to(f'/watch/{title.id}'),
                        ).props('unelevated size=lg').mark('play')
                        ui.button(t('watch.back'), on_click=lambda: ui.navigate.to('/')).props('flat color=white')
