"""The catalog: adding titles, browsing rows, search with filter, sort and server-side paging."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from .. import db
from ..models import CatalogPage, Title, TitleCard, TitleDetail
from .errors import NotFound
from .text import search_key


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
) -> Title:
    """Store a title whose media files already sit in the media folder (paths relative to it)."""
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
    )
    session.add(row)
    session.flush()
    return row


def count_titles(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Title)).one()


SORTS = ('title', 'year', 'added')
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


def detail(row: Title) -> TitleDetail:
    return TitleDetail(
        **card(row).model_dump(), description=row.description, sd_height=row.sd_height, hd_height=row.hd_height
    )


def get_title_row(session: Session, title_id: int) -> Title:
    row = session.get(Title, title_id)
    if row is None:
        raise NotFound('title.not_found')
    return row


def get_title(session: Session, *, title_id: int) -> TitleDetail:
    return detail(get_title_row(session, title_id))


def image_path(*, title_id: int, column: str) -> str:
    """A title's artwork file (`poster_path` or `backdrop_path`), relative to the media folder."""
    with db.session() as session:
        return getattr(get_title_row(session, title_id), column)


def parse_title_id(raw: object) -> int:
    """A title id from a URL: anything that is not a small positive whole number is simply not found."""
    text = str(raw).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise NotFound('title.not_found')
    return int(text)


def genres(session: Session) -> list[str]:
    query = select(Title.genre).distinct().order_by(Title.genre).limit(GENRES_MAX)
    return list(session.exec(query).all())


def featured(session: Session) -> TitleDetail | None:
    """The hero title: the most recently added one with artwork."""
    row = session.exec(select(Title).order_by(col(Title.created_at).desc(), col(Title.id).desc()).limit(1)).first()
    return detail(row) if row else None


def rows_by_genre(session: Session, *, per_row: int = ROW_LIMIT) -> list[tuple[str, list[TitleCard]]]:
    """One bounded row per genre (each query uses the genre index), genres in alphabetical order."""
    rows = []
    for genre in genres(session):
        query = select(Title).where(Title.genre == genre).order_by(Title.search_key).limit(per_row)
        rows.append((genre, [card(row) for row in session.exec(query).all()]))
    return rows


def _escape_like(text: str) -> str:
    return text.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_')


def search(
    session: Session,
    *,
    query: str = '',
    genre: str | None = None,
    sort: str = 'title',
    page: int = 1,
    page_size: int = 24,
) -> CatalogPage:
    """One page of the catalog: case- and accent-insensitive title search, genre filter, sort, LIMIT/OFFSET."""
    page_size = max(1, min(page_size, PAGE_SIZE_MAX))
    page = max(1, min(int(page), 100_000))
    conditions = []
    key = search_key(query[:100])
    if key:
        conditions.append(col(Title.search_key).like(f'%{_escape_like(key)}%', escape='\\'))
    if genre:
        conditions.append(Title.genre == genre[:40])
    total = session.exec(select(func.count()).select_from(Title).where(*conditions)).one()
    order = {
        'title': (col(Title.search_key), col(Title.id)),
        'year': (col(Title.year).desc(), col(Title.search_key)),
        'added': (col(Title.created_at).desc(), col(Title.id).desc()),
    }.get(sort, (col(Title.search_key), col(Title.id)))
    rows = session.exec(
        select(Title).where(*conditions).order_by(*order).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return CatalogPage(items=[card(row) for row in rows], total=total, page=page, page_size=page_size)
