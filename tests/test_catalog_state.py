"""The catalog's state in its URL, its empty state and search field, and the home rows' links into it, through
NiceGUI's simulated user (the browser's own history: tests/test_catalog_browser.py)."""

from __future__ import annotations

import re

import pytest
from nicegui import ui
from nicegui.testing import User

from app.i18n import translate
from app.pages.catalog import read_state, state_url

from .helpers import press, seed_titles, should_see, signed_in

pytestmark = pytest.mark.every_database

GENRES = ['Comedia', 'Drama']


@pytest.mark.parametrize(
    ('params', 'expected'),
    [
        ({}, {'q': '', 'genre': '', 'sort': 'relevance', 'page': 1, 'included': ''}),
        (
            {'q': '  la   ola ', 'genre': 'Drama', 'sort': 'year', 'page': '3', 'included': '1'},
            {'q': 'la ola', 'genre': 'Drama', 'sort': 'year', 'page': 3, 'included': '1'},
        ),
        ({'genre': '999', 'sort': 'foo', 'page': '-3'}, {'genre': '', 'sort': 'relevance', 'page': 1}),
        ({'page': '0'}, {'page': 1}),
        ({'page': '١٢'}, {'page': 1}),  # Arabic-Indic digits are digits to Python, not to a URL
        ({'page': '9' * 40}, {'page': 1}),
        ({'page': 'abc', 'included': 'yes'}, {'page': 1, 'included': ''}),
    ],
)
def test_a_url_is_read_into_a_valid_view(params, expected):
    state = read_state(**{'q': '', 'genre': '', 'sort': '', 'page': '1', 'included': '', **params}, genres=GENRES)
    assert {key: state[key] for key in expected} == expected


def test_a_view_is_written_as_a_short_url_that_reads_back_the_same():
    assert state_url(read_state(q='', genre='', sort='', page='1', included='', genres=GENRES)) == '/catalog'
    view = read_state(q='ciencia ficción', genre='Drama', sort='year', page='2', included='1', genres=GENRES)
    url = state_url(view)
    assert url == '/catalog?q=ciencia+ficci%C3%B3n&genre=Drama&sort=year&page=2&included=1'
    from urllib.parse import parse_qsl, urlsplit

    again = dict(parse_qsl(urlsplit(url).query))
    assert read_state(**{'q': '', 'sort': '', 'page': '1', 'included': '', **again}, genres=GENRES) == view


async def test_the_catalog_opens_the_view_its_url_names_and_ignores_what_is_invalid(user: User):
    seed_titles(30, files=False)
    await signed_in(user)
    await user.open('/catalog?q=titulo&genre=Drama&sort=year&page=2')
    # Dramas are titles 0, 5, ..., 25: six of them, so page 2 of 24 a page is past the end: the last page (1).
    await should_see(user, marker='pager', content=translate('es', 'catalog.page', page=1, pages=1))
    assert user.find(marker='search').elements.pop().value == 'titulo'
    assert user.find(marker='genre').elements.pop().value == 'Drama'
    assert user.find(marker='sort').elements.pop().value == 'year'
    await user.open('/catalog?page=-3&sort=foo&genre=999')
    await should_see(user, marker='pager', content=translate('es', 'catalog.page', page=1, pages=2))
    assert user.find(marker='genre').elements.pop().value == ''
    assert user.find(marker='sort').elements.pop().value == 'relevance'
    await user.open('/catalog?page=2')
    await should_see(user, marker='pager', content=translate('es', 'catalog.page', page=2, pages=2))


async def test_the_empty_state_offers_to_clear_the_filters_and_the_search_field_shows_its_magnifier(user: User):
    seed_titles(6, files=False)
    await signed_in(user)
    await user.open('/catalog?q=zzz&genre=Drama')
    await should_see(user, marker='catalog-empty')
    (icon,) = user.find(marker='search-icon').elements
    assert isinstance(icon, ui.icon) and icon.name == 'search'
    press(user, 'catalog-empty', 'clear')
    await should_see(user, marker='pager', content=translate('es', 'catalog.page', page=1, pages=1))
    await should_see(user, 'Título 3')
    assert user.find(marker='search').elements.pop().value == ''
    assert user.find(marker='genre').elements.pop().value == ''


def row_markup(markup: str, genre: str) -> str:
    """One genre's `<section>` of home's rows."""
    found = re.search(rf'<section class="bt-section" data-row="{genre}">(.*?)</section>', markup)
    assert found is not None, f'no row for {genre}'
    return found.group(1)


async def test_home_rows_link_to_their_genre_in_the_catalog_and_have_named_arrows(user: User):
    ids = seed_titles(6, files=False)
    await signed_in(user)
    await should_see(user, marker='genre-rows', content='data-row="Drama"')
    (rows,) = user.find(marker='genre-rows').elements  # one element: every row, its link and arrows are markup
    drama, animation = (row_markup(rows.content, genre) for genre in ('Drama', 'Animación'))
    label = translate('es', 'home.see_all_label', genre='Drama')
    assert f'<a class="bt-see-all" href="/catalog?genre=Drama" aria-label="{label}">' in drama
    for side in ('left', 'right'):
        label = translate('es', f'home.scroll_{side}', genre='Animación')
        assert f'aria-label="{label}"' in animation
        assert f'aria-label="{label}"' not in drama
    (hero,) = user.find(marker='hero').elements  # one element: its actions are links in its markup
    assert f'href="/watch/{ids[-1]}" data-mark="hero-play"' in hero.content
    assert f'href="/title/{ids[-1]}" data-mark="hero-info"' in hero.content
    await user.open('/catalog?genre=Animación')
    await should_see(user, 'Título 3')
    assert user.find(marker='genre').elements.pop().value == 'Animación'
