"""What each screen reads, in one unit of work each: the read models the pages draw.

A page asks for its screen here (through `app.work.run`) and gets plain data back, never a live row.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import db
from ..models import CatalogPage, ContinueItem, TitleCard, TitleDetail
from . import catalog, playback


@dataclass(frozen=True)
class HomeScreen:
    hero: TitleDetail | None
    hero_resume: float
    continuing: list[ContinueItem]
    rows: list[tuple[str, list[TitleCard]]]


@dataclass(frozen=True)
class TitleScreen:
    title: TitleDetail
    resume: float


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


def title(*, user_id: int, title_id: str) -> TitleScreen:
    """The details of a title and where this viewer would resume; NotFound for anything that is not a title."""
    with db.session() as session:
        found = catalog.get_title(session, title_id=catalog.parse_title_id(title_id))
        return TitleScreen(found, playback.resume_position(session, user_id=user_id, title_id=found.id))


def genres() -> list[str]:
    with db.session() as session:
        return catalog.genres(session)


def catalog_page(*, query: str, genre: str | None, sort: str, page: int, page_size: int) -> CatalogPage:
    """One page of the catalog; a page number past the end shows the last page."""
    with db.session() as session:
        found = catalog.search(session, query=query, genre=genre, sort=sort, page=page, page_size=page_size)
        if found.page > found.pages:
            found = catalog.search(session, query=query, genre=genre, sort=sort, page=found.pages, page_size=page_size)
        return found


@dataclass(frozen=True)
class WatchScreen:
    title: TitleDetail
    more_like_this: list[TitleCard]


def watch(*, title_id: str, more: int) -> WatchScreen:
    """What the watch page reads before anything starts: the title, and titles like it for the end."""
    with db.session() as session:
        found = catalog.get_title(session, title_id=catalog.parse_title_id(title_id))
        alike = catalog.search(session, genre=found.genre, page_size=more + 1).items
        return WatchScreen(found, [card for card in alike if card.id != found.id][:more])
