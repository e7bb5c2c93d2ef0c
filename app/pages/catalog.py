"""The catalog (/catalog): poster grid with search, genre filter, sort and server-side paging.

The URL is the state: `?q=…&genre=…&sort=…&page=…&included=1` (FREE's "included in my plan") are read when the
page is built and written back as they change (typing replaces the history entry, a genre, a sort, a page, the
switch or "Clear filters" pushes one), so reloading, Back and a shared link all show the same view. Anything
invalid in the URL falls back to its default and the address is corrected.
"""

from __future__ import annotations

import json
from html import escape
from urllib.parse import urlencode

from nicegui import context, ui

from .. import auth, work
from ..components.buttons import button_html, on_actions
from ..components.cards import grid_html, poster_grid
from ..components.frame import frame
from ..components.landmarks import heading
from ..lang import genre_name, t, tn
from ..models import CatalogPage, Plan, UserPublic
from ..services import catalog, screens

PAGE_SIZE = 24
DEFAULT_SORT = 'relevance'  # the title order while nothing is searched
# A Back or Forward between two of this page's own history entries: build the page again from the URL. In the
# page's head (not sent over the websocket), so that a Back pressed before the socket is up is not missed. Only
# when the address itself changed: following the skip link (#main) fires popstate too, and must keep its focus.
RELOAD_ON_HISTORY = (
    '<script>(() => { let at = location.pathname + location.search;'
    ' for (const name of ["pushState", "replaceState"]) { const original = history[name].bind(history);'
    ' history[name] = (...args) => { original(...args); at = location.pathname + location.search; }; }'
    ' window.addEventListener("popstate", () => {'
    ' if (location.pathname + location.search !== at) location.reload(); }); })();</script>'
)


def read_state(*, q: str, genre: str, sort: str, page: str, included: str, genres: list[str]) -> dict:
    """The view a URL asks for, each part that is not valid replaced by its default (page=-3, sort=foo, genre=999)."""
    number = page.strip()
    return {
        'q': ' '.join(q.split())[:100],
        'genre': genre if genre in genres else '',
        'sort': sort if sort in catalog.SORTS else DEFAULT_SORT,
        'page': int(number) if number.isascii() and number.isdigit() and 0 < len(number) < 7 and int(number) else 1,
        'included': '1' if included == '1' else '',
    }


def state_url(state: dict) -> str:
    """The address of a view: only what differs from the defaults, so the plain catalog stays /catalog."""
    params = {
        'q': state['q'],
        'genre': state['genre'],
        'sort': state['sort'] if state['sort'] != DEFAULT_SORT else '',
        'page': str(state['page']) if state['page'] > 1 else '',
        'included': state['included'],
    }
    query = urlencode({key: value for key, value in params.items() if value})
    return f'/catalog?{query}' if query else '/catalog'


async def catalog_page(q: str = '', genre: str = '', sort: str = '', page: str = '1', included: str = '') -> None:
    user: UserPublic = context.client.request.state.user
    # Without a search, both come from the shared cache, here on the event loop (no worker thread) once read.
    genres = screens.genres_cached() or await work.run(screens.genres)
    state = read_state(q=q, genre=genre, sort=sort, page=page, included=included, genres=genres)
    first = _fetch_cached(state) or await work.run(_fetch, state=dict(state))
    state['page'] = first.page  # past the last page: the last one
    asked = {'count': 0}
    requested = context.client.request.url
    if state_url(state) != (requested.path + (f'?{requested.query}' if requested.query else '')):
        ui.navigate.history.replace(state_url(state))
    ui.add_head_html(RELOAD_ON_HISTORY)

    with frame(user, title=t('catalog.title'), active='/catalog'):
        with ui.column().classes('bt-section gap-4 pt-6'):
            heading(t('catalog.title')).classes('text-3xl font-extrabold')
            with ui.row().classes('w-full gap-3 items-end'):
                search = (
                    ui.input(t('catalog.search'), value=state['q'])
                    .props('outlined dense dark clearable debounce=300 maxlength=100 type=search')
                    .classes('min-w-[220px] grow')
                    .mark('search')
                )
                with search.add_slot('prepend'):
                    ui.icon('search').mark('search-icon')
                genre_select = (
                    ui.select(
                        {'': t('catalog.all_genres'), **{g: genre_name(g) for g in genres}},
                        value=state['genre'],
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
                included_switch = None
                if user.subscription_type == Plan.FREE:  # FREE viewers may hide what their plan does not play
                    included_switch = (
                        ui.switch(t('catalog.included_only'), value=bool(state['included']))
                        .props('dark color=primary')
                        .mark('included-only')
                    )
            summary = ui.label().classes('bt-muted').mark('catalog-summary')
            grid = poster_grid()  # filled by show(first) below
            # The empty state and the pager are markup with real buttons, one element each instead of three and
            # four (a NiceGUI button costs a fifth of a millisecond to build, on every load of the page).
            empty = ui.html('', sanitize=False).mark('catalog-empty')
            pager = ui.html('', sanitize=False).classes('w-full max-w-[560px]').mark('pager')

    def show(result: CatalogPage) -> None:
        state['page'] = result.page
        # Without a search the page comes from the shared cache, and so does its markup.
        grid.set_content(grid_html(result.items, shared=not state['q'].strip()))
        summary.set_text(tn('catalog.results', result.total))
        filtered = bool(state['q'] or state['genre'] or state['included'])
        empty.set_content(empty_html(clearable=filtered) if result.total == 0 else '')
        empty.set_visibility(result.total == 0)
        pager.set_content(pager_html(result) if result.total > 0 else '')
        pager.set_visibility(result.total > 0)

    async def reload(page_number: int = 1, *, push: bool = True) -> None:
        # The tab of a session that ended (signed out elsewhere, another process) keeps its websocket: it searches
        # no more (tests/test_abuse.py).
        if await auth.require_user() is None:
            return
        state.update(
            q=' '.join((search.value or '').split())[:100],
            genre=genre_select.value or '',
            sort=sort_select.value or DEFAULT_SORT,
            page=page_number,
            included='1' if included_switch is not None and included_switch.value else '',
        )
        asked['count'] += 1
        mine = asked['count']
        result = await work.run(_fetch, state=dict(state))
        if mine != asked['count']:  # typing on while this page was fetched: only the latest one is shown
            return
        show(result)
        address = state_url(state)
        if push:
            ui.navigate.history.push(address)
        else:
            ui.navigate.history.replace(address)

    quiet = {'on': False}

    def changed(push: bool):
        # A field set by "Clear filters" asks for nothing: the clearing asks once, when all are set.
        return lambda: None if quiet['on'] else reload(push=push)

    async def clear() -> None:
        state['included'] = ''
        quiet['on'] = True
        try:
            search.set_value('')
            genre_select.set_value('')
            if included_switch is not None:
                included_switch.set_value(False)
        finally:
            quiet['on'] = False
        await reload()

    search.on_value_change(changed(push=False))
    genre_select.on_value_change(changed(push=True))
    sort_select.on_value_change(changed(push=True))
    if included_switch is not None:
        included_switch.on_value_change(changed(push=True))

    async def turn(step: int) -> None:
        await reload(state['page'] + step)
        # The pager was drawn again: the keyboard goes back to the button pressed, or to the other one at an end.
        pressed, other = ('next', 'prev') if step > 0 else ('prev', 'next')
        wanted, fallback = (
            json.dumps(f'[data-action="{pressed}"]:not([disabled])'),
            json.dumps(f'[data-action="{other}"]'),
        )
        found = f'p?.querySelector({wanted}) || p?.querySelector({fallback})'
        ui.run_javascript(f'const p = document.querySelector(".bt-pager"); ({found})?.focus()')

    async def clear_from_empty() -> None:
        await clear()
        search.run_method('focus')  # the button went with the empty state: the keyboard starts over at the search

    on_actions(pager, {'prev': lambda: turn(-1), 'next': lambda: turn(1)})
    on_actions(empty, {'clear': clear_from_empty})
    show(first)


def empty_html(*, clearable: bool) -> str:
    """Nothing matches: say so, and offer to clear the filters when there are some."""
    clear = button_html(t('search.clear_filters'), action='clear', icon='filter_alt_off', kind='outline')
    return (
        f'<div class="bt-empty"><p class="bt-muted text-lg">{escape(t("catalog.none"))}</p>'
        f'{clear if clearable else ""}</div>'
    )


def pager_html(result: CatalogPage) -> str:
    """Previous at the left, the page in the middle, Next at the right: one line on a phone too."""
    previous = button_html(t('catalog.prev'), action='prev', icon='chevron_left', enabled=result.page > 1)
    following = button_html(
        t('catalog.next'), action='next', icon='chevron_right', icon_after=True, enabled=result.page < result.pages
    )
    label = escape(t('catalog.page', page=result.page, pages=result.pages))
    return (
        f'<nav class="bt-pager" aria-label="{escape(t("catalog.pages"))}">{previous}'
        f'<span class="bt-page-label">{label}</span>{following}</nav>'
    )


def _fetch_cached(state: dict) -> CatalogPage | None:
    return screens.catalog_page_cached(
        query=state['q'],
        genre=state['genre'] or None,
        sort=state['sort'],
        page=state['page'],
        page_size=PAGE_SIZE,
        included_only=bool(state['included']),
    )


def _fetch(*, state: dict) -> CatalogPage:
    return screens.catalog_page(
        query=state['q'],
        genre=state['genre'] or None,
        sort=state['sort'],
        page=state['page'],
        page_size=PAGE_SIZE,
        included_only=bool(state['included']),
    )
