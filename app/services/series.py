"""Series for the viewer: the details of a series (seasons, episodes with their progress, what Play does), marking
episodes, seasons or a whole series watched or not, and each series' next episode for Continue watching."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, func
from sqlmodel import Session, col, select

from .. import db, events
from ..models import ContinueDismissal, EpisodeRef, Kind, Progress, Season, Title, TitleDetail, as_utc, utcnow
from . import next_up
from .catalog import detail, get_title_row
from .errors import NotFound
from .playback_store import upsert_progress


@dataclass(frozen=True)
class EpisodeLine:
    """One line of the episode list."""

    ref: EpisodeRef
    description: str
    description_en: str | None
    duration_s: float
    position_s: float
    watched: bool

    @property
    def fraction(self) -> float:
        return min(1.0, self.position_s / self.duration_s) if self.duration_s > 0 else 0.0


@dataclass(frozen=True)
class SeasonView:
    number: int
    name: str | None
    episodes: list[EpisodeLine]


@dataclass(frozen=True)
class SeriesView:
    series: TitleDetail
    seasons: list[SeasonView]
    up_next: EpisodeRef | None  # what the main button plays (None: every episode watched, it offers the first)
    resume_s: float  # where that episode starts
    started: bool  # the viewer has played something of it
    first: EpisodeRef | None


def episodes_of(session: Session, series_id: int) -> list[Title]:
    query = (
        select(Title)
        .where(Title.series_id == series_id, Title.kind == Kind.EPISODE.value)
        .order_by(col(Title.season_number), col(Title.episode_number), col(Title.id))
    )
    return list(session.exec(query).all())


def _states(session: Session, user_id: int, episode_ids: Iterable[int]) -> dict[int, next_up.State]:
    ids = list(episode_ids)
    if not ids:
        return {}
    rows = session.exec(select(Progress).where(Progress.user_id == user_id, col(Progress.title_id).in_(ids))).all()
    return {row.title_id: next_up.State(row.position_s, row.resumable, row.watched, row.updated_at) for row in rows}


def ref(row: Title) -> EpisodeRef:
    assert row.id is not None
    return EpisodeRef(id=row.id, season=row.season_number or 0, number=row.episode_number or 0, title=row.title)


def _order(row: Title) -> next_up.Episode:
    assert row.id is not None
    return next_up.Episode(row.id, row.season_number or 0, row.episode_number or 0)


def view(session: Session, *, series_id: int, user_id: int) -> SeriesView:
    """The details of a series for one viewer; NotFound when `series_id` is not a series."""
    series = get_title_row(session, series_id)
    if series.kind != Kind.SERIES:
        raise NotFound('title.not_found')
    rows = episodes_of(session, series_id)
    states = _states(session, user_id, (row.id for row in rows))
    names = {season.number: season.name for season in session.exec(select(Season).where(Season.series_id == series_id))}
    seasons: dict[int, list[EpisodeLine]] = {}
    for row in rows:
        state = states.get(row.id, next_up.State())
        line = EpisodeLine(
            ref=ref(row),
            description=row.description,
            description_en=row.description_en,
            duration_s=row.duration_s,
            position_s=state.position_s if state.resumable else 0.0,
            watched=state.watched,
        )
        seasons.setdefault(row.season_number or 0, []).append(line)
    found = next_up.next_up([_order(row) for row in rows], states)
    by_id = {row.id: row for row in rows}
    return SeriesView(
        series=detail(series),
        seasons=[SeasonView(number, names.get(number), lines) for number, lines in sorted(seasons.items())],
        up_next=ref(by_id[found.episode.id]) if found else None,
        resume_s=found.resume_s if found else 0.0,
        started=found.started if found else True,
        first=ref(rows[0]) if rows else None,
    )


def next_episode(session: Session, *, episode_id: int) -> Title | None:
    """The episode after this one, into the next season; None after the last."""
    row = get_title_row(session, episode_id)
    if row.series_id is None:
        return None
    rows = episodes_of(session, row.series_id)
    following = next_up.after([_order(each) for each in rows], episode_id)
    return next((each for each in rows if following is not None and each.id == following.id), None)


def mark(*, user_id: int, title_id: int, watched: bool, season: int | None = None) -> int:
    """Mark an episode, a season of a series (`season`) or a whole series watched or not watched; returns how many
    episodes changed. Watched: finished, out of Continue watching; not watched: as if never played."""
    now = utcnow()
    with db.session(write=True) as session:
        row = get_title_row(session, title_id)
        targets = [row]
        if row.kind == Kind.SERIES:
            targets = [each for each in episodes_of(session, title_id) if season in (None, each.season_number)]
        values = [
            {
                'user_id': user_id,
                'title_id': each.id,
                'position_s': 0.0,
                'duration_s': each.duration_s,
                'resumable': False,
                'watched': watched,
                'updated_at': now,
            }
            for each in targets
        ]
        if values:
            session.execute(upsert_progress(session.connection()), values)
    events.publish(f'progress:{user_id}')
    return len(values)


# ---- Continue watching: each series the viewer is watching, with its next episode ----


@dataclass(frozen=True)
class SeriesNext:
    series: Title
    episode: Title
    resume_s: float
    activity: datetime


CANDIDATES = 24  # series looked at for the row: the most recently played ones (the row shows 12 at most)


@functools.cache
def _recent_series() -> Select:
    """The series a viewer played lately with their last activity; built once (every home page asks)."""
    activity = func.max(Progress.updated_at).label('activity')
    return (
        select(Title.series_id, activity)
        .join(Progress, Progress.title_id == Title.id)
        .where(Progress.user_id == bindparam('user_id'), Title.kind == Kind.EPISODE.value)
        .group_by(Title.series_id)
        .order_by(activity.desc())
        .limit(CANDIDATES)
    )


def watching(session: Session, *, user_id: int) -> list[SeriesNext]:
    """The series this viewer played lately, most recent first, each with the episode it plays next; finished
    series and series taken out of the row (until played again) are left out."""
    found = [(series_id, when) for series_id, when in session.exec(_recent_series(), params={'user_id': user_id})]
    if not found:
        return []
    dismissed = {
        row.series_id: row.dismissed_at
        for row in session.exec(
            select(ContinueDismissal).where(
                ContinueDismissal.user_id == user_id, col(ContinueDismissal.series_id).in_([s for s, _ in found])
            )
        )
    }
    result = []
    for series_id, when in found:
        if series_id in dismissed and _aware(dismissed[series_id]) >= _aware(when):
            continue
        rows = episodes_of(session, series_id)
        states = _states(session, user_id, (row.id for row in rows))
        up = next_up.next_up([_order(row) for row in rows], states)
        if up is None or not up.started:
            continue
        episode = next(row for row in rows if row.id == up.episode.id)
        result.append(SeriesNext(get_title_row(session, series_id), episode, up.resume_s, _aware(when)))
    return result


def dismiss(*, user_id: int, series_id: int) -> None:
    """Take a series out of Continue watching until the viewer plays one of its episodes again."""
    with db.session(write=True) as session:
        found = session.get(ContinueDismissal, (user_id, series_id))
        if found is None:
            session.add(ContinueDismissal(user_id=user_id, series_id=series_id, dismissed_at=utcnow()))
        else:
            found.dismissed_at = utcnow()
    events.publish(f'progress:{user_id}')


def _aware(value: datetime) -> datetime:
    return as_utc(value)
