"""Titles for administrators: edit a film's or a series' facts (a series' episodes follow its genre, year, rating
and plan), and delete one with its files. Open pages hear of it on `catalog`."""

from __future__ import annotations

import shutil
from datetime import date

from sqlmodel import select

from .. import db, events
from ..config import get_settings
from ..models import CatalogPage, Kind, Title, TitleDetail, UserPublic
from . import admin, catalog
from .errors import ValidationError
from .text import search_key

RATINGS = ('TP', '7', '12', '16', '18')


def edit_title(
    *,
    actor: UserPublic,
    title_id: int,
    title: str,
    description: str,
    genre: str,
    year: int,
    rating: str,
    is_premium: bool,
) -> None:
    title, genre, description = title.strip(), genre.strip(), description.strip()
    if not 1 <= len(title) <= 200:
        raise ValidationError('titles.bad_title')
    if not 1 <= len(genre) <= 40:
        raise ValidationError('titles.bad_genre')
    if not 1888 <= int(year) <= date.today().year + 5:
        raise ValidationError('titles.bad_year')
    if rating not in RATINGS or len(description) > 2000:
        raise ValidationError('titles.bad_rating')
    with db.session(write=True) as session:
        row = catalog.get_title_row(session, title_id)
        before = row.title
        row.title, row.search_key, row.description = title, search_key(title), description
        row.genre, row.year, row.rating, row.is_premium = genre, int(year), rating, is_premium
        session.add(row)
        changed = [title_id]
        if row.kind == Kind.SERIES:
            for episode in session.exec(select(Title).where(Title.series_id == title_id)).all():
                episode.genre, episode.year, episode.rating, episode.is_premium = genre, int(year), rating, is_premium
                session.add(episode)
                changed.append(episode.id)
        admin.record(session, actor=actor, action='edit_title', target=title[:200], detail=f'was {before}'[:500])
    events.publish('catalog', title_ids=changed)


def delete_title(*, actor: UserPublic, title_id: int) -> None:
    """The title (a series with its episodes and seasons) and, afterwards, its files in the library folder."""
    media = get_settings().media_dir
    with db.session(write=True) as session:
        row = catalog.get_title_row(session, title_id)
        rows = [row, *session.exec(select(Title).where(Title.series_id == title_id)).all()]
        folders = {
            (media / path).parent
            for item in rows
            for path in (item.video_hd_path, item.poster_path)
            if path and path.startswith('library/')
        }
        name = row.title
        for item in rows[1:]:
            session.delete(item)
        session.flush()
        session.delete(row)
        admin.record(session, actor=actor, action='delete_title', target=name[:200])
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        if folder.is_relative_to(media / 'library') and folder != media / 'library':
            shutil.rmtree(folder, ignore_errors=True)
    events.publish('catalog', title_ids=[title_id], removed=True)


def titles_page(*, query: str = '', page: int = 1) -> CatalogPage:
    """Films and series by title, newest first when nothing is searched (what was just added is on top)."""
    with db.session() as session:
        return catalog.search(session, query=query, sort='title' if query else 'added', page=page, page_size=30)


def title_facts(title_id: int) -> TitleDetail:
    with db.session() as session:
        return catalog.get_title(session, title_id=title_id)


def artwork_replaced(*, actor: UserPublic, title_id: int, kind: str) -> None:
    """The log line and the news of a new poster or backdrop (app/library/artwork.py made it)."""
    with db.session(write=True) as session:
        row = catalog.get_title_row(session, title_id)
        admin.record(session, actor=actor, action='edit_title', target=row.title[:200], detail=f'new {kind}')
    events.publish('catalog', title_ids=[title_id])
