"""Catalog search, filter, sort and paging, as plain service calls."""

from __future__ import annotations

import pytest

from app import db
from app.models import CatalogPage
from app.services import catalog

from .helpers import seed_titles

pytestmark = pytest.mark.every_database  # once on SQLite, once on PostgreSQL (tests/conftest.py)


def screens_search(**kwargs) -> CatalogPage:
    with db.session() as session:
        return catalog.search(session, **kwargs)


def titles(**kwargs) -> list[str]:
    return [item.title for item in screens_search(**kwargs).items]


def test_search_ignores_case_and_accents_both_ways():
    seed_titles(4, files=False, names=['Él Camión', 'La última ola', 'Neón en Madrid', 'Ultimátum'])
    assert titles(query='ULTIMA OLA') == ['La última ola']
    assert titles(query='ultima') == ['La última ola', 'Ultimátum']
    assert titles(query='camion') == ['Él Camión']
    assert titles(query='Ultimátum') == ['Ultimátum']
    assert titles(query='NEÓN') == ['Neón en Madrid']
    assert titles(query='   ') == ['Él Camión', 'La última ola', 'Neón en Madrid', 'Ultimátum']


def test_search_treats_like_wildcards_as_plain_text():
    seed_titles(3, files=False, names=['100% real', 'Cien', 'a_b'])
    assert titles(query='%') == ['100% real']
    assert titles(query='_') == ['a_b']


def test_genre_filter_and_sorts():
    seed_titles(6, files=False)  # genres cycle through helpers.GENRES, years 2000..2005
    assert titles(genre='Drama') == ['Título 0', 'Título 5']
    assert titles(sort='year')[:2] == ['Título 5', 'Título 4']
    assert titles(sort='added')[0] == 'Título 5'
    assert titles(sort='title')[0] == 'Título 0'


def test_paging_is_bounded_and_counts_everything():
    seed_titles(30, files=False)
    page = screens_search(page=2, page_size=12)
    assert (page.total, page.pages, len(page.items)) == (30, 3, 12)
    last = screens_search(page=3, page_size=12)
    assert len(last.items) == 6
    huge = screens_search(page_size=10_000)
    assert huge.page_size == catalog.PAGE_SIZE_MAX


def test_rows_by_genre_are_bounded():
    seed_titles(60, files=False)
    with db.session() as session:
        rows = catalog.rows_by_genre(session, per_row=5)
    assert len(rows) == 5
    assert all(len(cards) == 5 for _, cards in rows)


def test_included_only_leaves_out_what_the_free_plan_does_not_play():
    seed_titles(6, premium_every=3)  # two of the six are PREMIUM
    with db.session() as session:
        everything = catalog.search(session, page_size=50)
        included = catalog.search(session, page_size=50, included_only=True)
    assert everything.total == 6 and included.total == 4
    assert not any(card.is_premium for card in included.items)
    assert {card.id for card in included.items} == {card.id for card in everything.items if not card.is_premium}
