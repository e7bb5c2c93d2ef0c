"""What each screen reads, in one unit of work each: the read models the pages draw.

A page asks for its screen here (through `app.work.run`) and gets plain data back, never a live row. What is the
same for every viewer (the hero and genre rows, catalog pages without a search, a title's details and titles like
it) comes from the shared cache (services/shared_cache.py), read once per catalog change; a page may look there on
the event loop first (`*_cached`: None on a miss) and skip the worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import db
from ..models import CatalogPage, ContinueItem, EpisodeRef, Kind, TitleCard, TitleDetail, User
from . import catalog, playback, series, shared_cache
from .errors import NotFound


@dataclass(frozen=True)
class HomeScreen:
    hero: TitleDetail | None
    hero_resume: float
    continuing: list[ContinueItem]
    rows: list[tuple[str, list[TitleCard]]]


@dataclass(frozen=True)
class TitleScreen:
    """The details of a film (`series` None) or of a series (`series`: its seasons, episodes and next episode)."""

    title: TitleDetail
    resume: float  # a film in progress: where it resumes
    more_like_this: list[TitleCard]
    series: series.SeriesView | None = None
    season: int | None = None  # the season to show first: the next episode's, or the one asked for


@dataclass(frozen=True)
class SharedHome:
    hero: TitleDetail | None
    rows: list[tuple[str, list[TitleCard]]]


def _read_shared_home() -> SharedHome:
    with db.session() as session:
        return SharedHome(hero=catalog.featured(session), rows=catalog.rows_by_genre(session))


def home(*, user_id: int) -> HomeScreen:
    shared = shared_cache.cached(('home',), _read_shared_home)
    hero = shared.hero
    with db.session() as session:
        resume = playback.resume_position(session, user_id=user_id, title_id=hero.id) if hero else 0.0
        return HomeScreen(
            hero=hero,
            hero_resume=resume,
            continuing=playback.continue_watching(session, user_id=user_id),
            rows=shared.rows,
        )


MORE_LIKE_THIS = 12


@dataclass(frozen=True)
class SharedTitle:
    title: TitleDetail  # the film or the series (an episode's id opens its series)
    season: int | None  # the episode's season, when an episode's id was asked for
    more_like_this: list[TitleCard]


def _read_shared_title(title_id: int) -> SharedTitle:
    with db.session() as session:
        found = catalog.get_title(session, title_id=title_id)
        season = found.season_number
        if found.series_id is not None:
            found = catalog.get_title(session, title_id=found.series_id)
        alike = catalog.search(session, genre=found.genre, sort='added', page_size=MORE_LIKE_THIS + 1).items
        more = [card for card in alike if card.id != found.id][:MORE_LIKE_THIS]
        return SharedTitle(found, season, more)


def title(*, user_id: int, title_id: str) -> TitleScreen:
    """The details of a film or a series for this viewer (an episode's id opens its series at its season);
    NotFound for anything that is not a title."""
    key = catalog.parse_title_id(title_id)
    shared = shared_cache.cached(('title', key), lambda: _read_shared_title(key))
    found, season, more = shared.title, shared.season, shared.more_like_this
    with db.session() as session:
        if found.kind == Kind.SERIES:
            shown = series.view(session, series_id=found.id, user_id=user_id)
            first = season or (
                shown.up_next.season if shown.up_next else shown.seasons[0].number if shown.seasons else None
            )
            return TitleScreen(found, 0.0, more, shown, first)
        return TitleScreen(found, playback.resume_position(session, user_id=user_id, title_id=found.id), more)


def _read_genres() -> list[str]:
    with db.session() as session:
        return catalog.genres(session)


def genres() -> list[str]:
    return shared_cache.cached(('genres',), _read_genres)


def genres_cached() -> list[str] | None:
    found = shared_cache.peek(('genres',))
    return None if found is shared_cache.MISS else found


def _read_catalog_page(
    query: str, genre: str | None, sort: str, page: int, page_size: int, included_only: bool
) -> CatalogPage:
    with db.session() as session:
        asked = {'query': query, 'genre': genre, 'sort': sort, 'page_size': page_size, 'included_only': included_only}
        found = catalog.search(session, page=page, **asked)
        if found.page > found.pages:
            found = catalog.search(session, page=found.pages, **asked)
        return found


def catalog_page(
    *, query: str, genre: str | None, sort: str, page: int, page_size: int, included_only: bool = False
) -> CatalogPage:
    """One page of the catalog (`included_only`: what a FREE plan plays); a page number past the end shows the last
    page. Pages without a search are the same for everyone: kept in the shared cache (a search is not: there are as
    many as viewers type)."""
    if query.strip():
        return _read_catalog_page(query, genre, sort, page, page_size, included_only)
    key = ('catalog', genre, sort, page, page_size, included_only)
    return shared_cache.cached(key, lambda: _read_catalog_page('', genre, sort, page, page_size, included_only))


def catalog_page_cached(
    *, query: str, genre: str | None, sort: str, page: int, page_size: int, included_only: bool = False
) -> CatalogPage | None:
    """The page from the shared cache, or None (a search, or not read since the last catalog change)."""
    if query.strip():
        return None
    found = shared_cache.peek(('catalog', genre, sort, page, page_size, included_only))
    return None if found is shared_cache.MISS else found


@dataclass(frozen=True)
class WatchScreen:
    title: TitleDetail  # a film or an episode
    next_episode: EpisodeRef | None  # for an episode: the one after it, into the next season
    more_like_this: list[TitleCard]
    subtitle_language: str | None  # the viewer's last choice: a language, 'off', or None (never chose)


def watch(*, user_id: int, title_id: str, more: int) -> WatchScreen:
    """What the watch page reads before anything starts (a GET changes nothing): the film or episode, the episode
    after it, titles like it for the end, and the viewer's subtitles. NotFound for a series or anything else."""
    with db.session() as session:
        found = catalog.get_title(session, title_id=catalog.parse_title_id(title_id))
        if found.kind == Kind.SERIES:
            raise NotFound('title.not_found')
        following = series.next_episode(session, episode_id=found.id) if found.series_id else None
        alike = catalog.search(session, genre=found.genre, page_size=more + 2).items
        exclude = {found.id, found.series_id}
        viewer = session.get(User, user_id)
        chosen = viewer.subtitle_language if viewer is not None else None
        return WatchScreen(
            title=found,
            next_episode=series.ref(following) if following is not None else None,
            more_like_this=[card for card in alike if card.id not in exclude][:more],
            subtitle_language=chosen,
        )
