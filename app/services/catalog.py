"""The catalog: adding titles, browsing rows, search with filter, sort and server-side paging."""

from __future__ import annotations

from sqlmodel import Session, func, select

from ..models import Title
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
        kind=kind, title=title.strip(), search_key=search_key(title), description=description, year=year,
        genre=genre, rating=rating, duration_s=duration_s, is_premium=is_premium, poster_path=poster_path,
        backdrop_path=backdrop_path, video_sd_path=video_sd_path, video_hd_path=video_hd_path,
        sd_height=sd_height, hd_height=hd_height,
    )
    session.add(row)
    session.flush()
    return row


def count_titles(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Title)).one()
