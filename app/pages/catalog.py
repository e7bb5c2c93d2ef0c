"""The catalog (/catalog): poster grid with search, genre filter, sort and server-side paging."""

from __future__ import annotations

from nicegui import context, ui

from .. import work
from ..components.cards import grid_html, poster_grid
from ..components.frame import frame
from ..components.landmarks import heading
from ..lang import genre_name, t, tn
from ..models import CatalogPage, Plan, UserPublic
from ..services import catalog, screens

PAGE_SIZE = 24


async def catalog_page(q: str = '', genre: str = '', sort: str = 'title', page: int = 1) -> None:
    user: UserPublic = context.client.request.state.user
    state = {
        'q': q[:100],
        'genre': genre[:40],
        'sort': sort if sort in catalog.SORTS else 'title',
        'page': page,
        'asked': 0,
        'included': False,
    }
    genres = await work.run(screens.genres)
    first = await work.run(_fetch, state=dict(state))

    with frame(user, title=t('catalog.title'), active='/catalog'):
        with ui.column().classes('bt-section gap-4 pt-6'):
            heading(t('catalog.title')).classes('text-3xl font-extrabold')
            with ui.row().classes('w-full gap-3 items-end'):
                search = (
                    ui.input(t('catalog.search'), value=state['q'])
                    .props('outlined dense dark clearable debounce=300 maxlength=100')
                    .classes('min-w-[220px] grow')
                    .mark('search')
                )
                search.props('prepend-icon=search')
                genre_select = (
                    ui.select(
                        {'': t('catalog.all_genres'), **{g: genre_name(g) for g in genres}},
                        value=state['genre'] if state['genre'] in genres else '',
                        label=t('catalog.genre'),
                    )
                    .props('outlined dense dark')
                    .classes('min-w-[180px]')
                    .mark('genre')
                )
                sort_select = (
                    ui.select(
                        {s: t(f'catalog.sort.{s}') for s in catalog.SORTS}, value=state['sort'], label=t('catalog.sort')
                    )
                    .props('outlined dense dark')
                    .classes('min-w-[200px]')
                    .mark('sort')
                )
                included = None
                if user.subscription_type == Plan.FREE:  # FREE viewers may hide what their plan does not play
                    included = ui.switch(t('catalog.included_only')).props('dark color=primary').mark('included-only')
            summary = ui.label().classes('bt-muted').mark('catalog-summary')
            grid = poster_grid(first.items)
            empty = ui.label(t('catalog.none')).classes('bt-muted text-lg').mark('catalog-empty')
            with ui.row().classes('items-center gap-4'):
                prev_button = ui.button(t('catalog.prev'), icon='chevron_left').props('flat color=white').mark('prev')
                page_label = ui.label().mark('page-label')
                next_button = (
                    ui.button(t('catalog.next')).props('flat color=white icon-right=chevron_right').mark('next')
                )

    def show(result: CatalogPage) -> None:
        state['page'] = result.page
        grid.set_content(grid_html(result.items))
        summary.set_text(tn('catalog.results', result.total))
        page_label.set_text(t('catalog.page', page=result.page, pages=result.pages))
        empty.set_visibility(result.total == 0)
        prev_button.set_enabled(result.page > 1)
        next_button.set_enabled(result.page < result.pages)

    async def reload(page_number: int = 1) -> None:
        state.update(
            q=search.value or '',
            genre=genre_select.value or '',
            sort=sort_select.value or 'title',
            page=page_number,
            asked=state['asked'] + 1,
            included=bool(included and included.value),
        )
        asked = state['asked']
        result = await work.run(_fetch, state=dict(state))
        if asked == state['asked']:  # typing on while this page was fetched: only the latest one is shown
            show(result)

    search.on_value_change(lambda: reload())
    genre_select.on_value_change(lambda: reload())
    sort_select.on_value_change(lambda: reload())
    if included is not None:
        included.on_value_change(lambda: reload())
    prev_button.on_click(lambda: reload(state['page'] - 1))
    next_button.on_click(lambda: reload(state['page'] + 1))
    show(first)


def _fetch(*, state: dict) -> CatalogPage:
    return screens.catalog_page(
        query=state['q'],
        genre=state['genre'] or None,
        sort=state['sort'],
        page=state['page'],
        page_size=PAGE_SIZE,
        included_only=state['included'],
    )
