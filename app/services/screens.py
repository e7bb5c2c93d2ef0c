"""What each screen reads, in one unit of work each: the read models the pages draw.

A page asks for its screen here (through `app.work.run`) and gets plain data back, never a live row.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import db
from ..models import CatalogPage, ContinueItem, EpisodeRef, Kind, TitleCard, TitleDetail, User
from . import catalog, playback, series
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


def home(*, user_id: int) -> HomeScreen:
    with db.session() as session:
        hero = catalog.featured(session)
        resume = playback.resume_position(session, user_id=user_id, title_id=hero.id) if hero else 0.0
        return HomeScreen(
            hero=hero,
            hero_resume=resume,
            continuing=playback.continue_watching(session, user_id=user_id),
            rows=catalog.rows_by_genre(session),
        )


MORE_LIKE_THIS = 12


def title(*, user_id: int, title_id: str) -> TitleScreen:
    """The details of a film or a series for this viewer (an episode's id opens its series at its season);
    NotFound for anything that is not a title."""
    with db.session() as session:
        found = catalog.get_title(session, title_id=catalog.parse_title_id(title_id))
        season = found.season_number
        if found.series_id is not None:
            found = catalog.get_title(session, title_id=found.series_id)
        alike = catalog.search(session, genre=found.genre, sort='added', page_size=MORE_LIKE_THIS + 1).items
        more = [card for card in alike if card.id != found.id][:MORE_LIKE_THIS]
        if found.kind == Kind.SERIES:
            shown = series.view(session, series_id=found.id, user_id=user_id)
            first = season or (
                shown.up_next.season if shown.up_next else shown.seasons[0].number if shown.seasons else None
            )
            return TitleScreen(found, 0.0, more, shown, first)
        return TitleScreen(found, playback.resume_position(session, user_id=user_id, title_id=found.id), more)


def genres() -> list[str]:
    with db.session() as session:
        return catalog.genres(session)


def catalog_page(
    *, query: str, genre: str | None, sort: str, page: int, page_size: int, included_only: bool = False
) -> CatalogPage:
    """One page of the catalog (`included_only`: what a FREE plan plays); a page past the end shows the last one."""
    with db.session() as session:
        asked = {'query': query, 'genre': genre, 'sort': sort, 'page_size': page_size, 'included_only': included_only}
        found = catalog.search(session, page=page, **asked)
        if found.page > found.pages:
            found = catalog.search(session, page=found.pages, **asked)
        return found


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
