"""The catalog: adding films, series and episodes, browsing rows, search with filter, sort and server-side paging.

A series and its episodes are titles too (see models.Title); what the catalog lists and counts is films and series
(`CATALOG_KINDS`), an episode being reached through its series.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, or_, select

from .. import db
from ..models import CATALOG_KINDS, CatalogPage, Kind, Season, Title, TitleCard, TitleDetail
from . import fulltext
from .errors import NotFound
from .text import search_key

LISTED = col(Title.kind).in_(CATALOG_KINDS)


def add_title(
    session: Session,
    *,
    title: str,
    genre: str,
    year: int,
    duration_s: float,
    poster_path: str,
    backdrop_path: str,
    video_sd_path: str,
    video_hd_path: str,
    sd_height: int,
    hd_height: int,
    description: str = '',
    rating: str = 'TP',
    kind: str = 'movie',
    is_premium: bool = False,
    **more: Any,
) -> Title:
    """Store a title whose media files already sit in the media folder (paths relative to it).

    `more`: any other column of models.Title (description_en, subtitles, trickplay, images, still_path, markers).
    """
    row = Title(
        kind=kind,
        title=title.strip(),
        search_key=search_key(title),
        description=description,
        year=year,
        genre=genre,
        rating=rating,
        duration_s=duration_s,
        is_premium=is_premium,
        poster_path=poster_path,
        backdrop_path=backdrop_path,
        video_sd_path=video_sd_path,
        video_hd_path=video_hd_path,
        sd_height=sd_height,
        hd_height=hd_height,
        **more,
    )
    session.add(row)
    session.flush()
    return row


def add_series(
    session: Session,
    *,
    title: str,
    genre: str,
    year: int,
    poster_path: str,
    backdrop_path: str,
    description: str = '',
    rating: str = 'TP',
    is_premium: bool = False,
    **more: Any,
) -> Title:
    """Store a series (its episodes come with `add_episode`). It plays nothing itself: no renditions."""
    return add_title(
        session,
        kind=Kind.SERIES.value,
        title=title,
        genre=genre,
        year=year,
        duration_s=0.0,
        poster_path=poster_path,
        backdrop_path=backdrop_path,
        video_sd_path='',
        video_hd_path='',
        sd_height=0,
        hd_height=0,
        description=description,
        rating=rating,
        is_premium=is_premium,
        **more,
    )


def add_season(session: Session, *, series_id: int, number: int, name: str | None = None) -> Season:
    """The season `number` of a series, made if it is not there yet (a name given later replaces an empty one)."""
    found = session.exec(select(Season).where(Season.series_id == series_id, Season.number == number)).first()
    if found is None:
        found = Season(series_id=series_id, number=number, name=name)
        session.add(found)
        session.flush()
    elif name and not found.name:
        found.name = name
    return found


def add_episode(
    session: Session,
    *,
    series: Title,
    season_number: int,
    episode_number: int,
    title: str,
    duration_s: float,
    video_sd_path: str,
    video_hd_path: str,
    sd_height: int,
    hd_height: int,
    description: str = '',
    still_path: str | None = None,
    **more: Any,
) -> Title:
    """Store an episode of `series` (its season is made if needed). Genre, year, rating, plan and artwork are the
    series'; the episode's own picture is its still. Adding an episode makes the series "recently added" again."""
    assert series.id is not None and series.kind == Kind.SERIES
    add_season(session, series_id=series.id, number=season_number)
    episode = add_title(
        session,
        kind=Kind.EPISODE.value,
        title=title,
        genre=series.genre,
        year=series.year,
        duration_s=duration_s,
        poster_path=series.poster_path,
        backdrop_path=still_path or series.backdrop_path,
        video_sd_path=video_sd_path,
        video_hd_path=video_hd_path,
        sd_height=sd_height,
        hd_height=hd_height,
        description=description,
        rating=series.rating,
        is_premium=series.is_premium,
        series_id=series.id,
        season_number=season_number,
        episode_number=episode_number,
        still_path=still_path,
        **more,
    )
    series.duration_s = max(series.duration_s, duration_s)  # what a card says of a series: an episode's length
    series.created_at = episode.created_at
    return episode


def count_titles(session: Session) -> int:
    """Films and series in the catalog (episodes are their series')."""
    return session.exec(select(func.count()).select_from(Title).where(LISTED)).one()


SORTS = ('relevance', 'title', 'year', 'added')
PAGE_SIZE_MAX = 60
ROW_LIMIT = 20
GENRES_MAX = 40


def card(row: Title) -> TitleCard:
    assert row.id is not None
    return TitleCard(
        id=row.id,
        title=row.title,
        year=row.year,
        genre=row.genre,
        kind=row.kind,
        rating=row.rating,
        is_premium=row.is_premium,
        duration_s=row.duration_s,
    )


def detail(row: Title, series: Title | None = None) -> TitleDetail:
    """Everything a page shows of a title; an episode's plan flag is its `series`'."""
    facts = card(row).model_dump()
    if series is not None:
        facts['is_premium'] = series.is_premium
    return TitleDetail(
        **facts,
        description=row.description,
        description_en=row.description_en,
        sd_height=row.sd_height,
        hd_height=row.hd_height,
        series_id=row.series_id,
        series_title=series.title if series is not None else None,
        season_number=row.season_number,
        episode_number=row.episode_number,
        intro_start_s=row.intro_start_s,
        intro_end_s=row.intro_end_s,
        credits_start_s=row.credits_start_s,
        subtitle_languages=sorted(row.subtitles or {}),
        trickplay=row.trickplay,
    )


def get_title_row(session: Session, title_id: int) -> Title:
    row = session.get(Title, title_id)
    if row is None:
        raise NotFound('title.not_found')
    return row


def get_title(session: Session, *, title_id: int) -> TitleDetail:
    row = get_title_row(session, title_id)
    series = get_title_row(session, row.series_id) if row.series_id is not None else None
    return detail(row, series)


def media_file(*, title_id: int, kind: str, key: str) -> str | None:
    """A title's `kind` file named `key`: a subtitle language ('subtitles'), or the trickplay sprite ('trickplay')."""
    with db.session() as session:
        row = get_title_row(session, title_id)
        if kind == 'subtitles':
            return (row.subtitles or {}).get(key)
        if kind == 'trickplay':
            return (row.trickplay or {}).get('path')
    return None


def image_path(*, title_id: int, column: str, asset: str = '', width: int = 0, webp: bool = False) -> str:
    """A title's artwork file, relative to the media folder: with a `width`, the smallest of the sizes made at
    import (`images[asset]`) at least that wide (else the largest), as WebP or JPEG; without one, or for a title
    imported without sizes, the file in `column` (poster_path, backdrop_path, still_path)."""
    with db.session() as session:
        row = get_title_row(session, title_id)
        sizes = [size for size in (row.images or {}).get(asset) or [] if size.get('webp' if webp else 'jpeg')]
        if width > 0 and sizes:
            wide_enough = [size for size in sizes if size['width'] >= width]
            chosen = (
                min(wide_enough, key=lambda size: size['width'])
                if wide_enough
                else max(sizes, key=lambda size: size['width'])
            )
            return chosen['webp' if webp else 'jpeg']
        return getattr(row, column) or ''


def parse_title_id(raw: object) -> int:
    """A title id from a URL: anything that is not a small positive whole number is simply not found."""
    text = str(raw).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise NotFound('title.not_found')
    return int(text)


def genres(session: Session) -> list[str]:
    query = select(Title.genre).where(LISTED).distinct().order_by(Title.genre).limit(GENRES_MAX)
    return list(session.exec(query).all())


def featured(session: Session) -> TitleDetail | None:
    """The hero title: the most recently added one with artwork."""
    query = select(Title).where(LISTED).order_by(col(Title.created_at).desc(), col(Title.id).desc()).limit(1)
    row = session.exec(query).first()
    return detail(row) if row else None


def rows_by_genre(session: Session, *, per_row: int = ROW_LIMIT) -> list[tuple[str, list[TitleCard]]]:
    """One bounded row per genre (each query uses the genre index), genres in alphabetical order."""
    rows = []
    for genre in genres(session):
        query = select(Title).where(Title.genre == genre, LISTED).order_by(Title.search_key).limit(per_row)
        rows.append((genre, [card(row) for row in session.exec(query).all()]))
    return rows


def _escape_like(text: str) -> str:
    return text.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_')


def _name_first(words: list[str]) -> tuple:
    """Relevance begins with the name: the title called exactly what was typed, then those whose name begins
    with it, then the full-text rank (which, over a few titles, weighs little: bm25 scores words found in most of
    them near zero)."""
    key = ' '.join(words)
    return (case((Title.search_key == key, 0), (col(Title.search_key).startswith(key, autoescape=True), 1), else_=2),)


def search(
    session: Session,
    *,
    query: str = '',
    genre: str | None = None,
    sort: str = 'title',
    page: int = 1,
    page_size: int = 24,
    included_only: bool = False,
) -> CatalogPage:
    """One page of the catalog: full-text search (fulltext.py: name, genre in both languages, synopses, a series'
    episodes; accent- and case-insensitive prefixes), genre filter, sort ('relevance' ranks the matches, and is the
    title order without a query), LIMIT/OFFSET in the database. `included_only`: what the FREE plan includes.

    A query of only symbols ('%', '_') has no words to look up: it is looked for as it is, inside titles."""
    page_size = max(1, min(page_size, PAGE_SIZE_MAX))
    page = max(1, min(int(page), 100_000))
    conditions = [LISTED]
    listing = select(Title)
    counting = select(func.count()).select_from(Title)
    hits = None
    words = fulltext.terms(query)
    if words:
        hits = fulltext.matches(session, words)
        listing = listing.join(hits, hits.c.owner == Title.id)
        counting = counting.join(hits, hits.c.owner == Title.id)
    elif key := search_key(query[:100]):
        pattern = f'%{_escape_like(key)}%'
        episode = aliased(Title)
        by_episode = select(episode.series_id).where(
            episode.kind == Kind.EPISODE.value, col(episode.search_key).like(pattern, escape='\\')
        )
        conditions.append(or_(col(Title.search_key).like(pattern, escape='\\'), col(Title.id).in_(by_episode)))
    if genre:
        conditions.append(Title.genre == genre[:40])
    if included_only:
        conditions.append(col(Title.is_premium).is_(False))
    total = session.exec(counting.where(*conditions)).one()
    by_title = (col(Title.search_key), col(Title.id))
    order = {
        'relevance': (*_name_first(words), hits.c.rank.desc(), *by_title) if hits is not None else by_title,
        'title': by_title,
        'year': (col(Title.year).desc(), *by_title),
        'added': (col(Title.created_at).desc(), col(Title.id).desc()),
    }.get(sort, by_title)
    rows = session.exec(listing.where(*conditions).order_by(*order).offset((page - 1) * page_size).limit(page_size))
    return CatalogPage(items=[card(row) for row in rows.all()], total=total, page=page, page_size=page_size)
