"""Next Up as a table: `next_up.next_up` called directly, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.services.next_up import Episode, State, after, next_up

T0 = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
# Two seasons of three episodes: ids 11, 12, 13 then 21, 22, 23.
SERIES = [Episode(season * 10 + number, season, number) for season in (1, 2) for number in (1, 2, 3)]


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def done(minutes: int) -> State:
    return State(watched=True, updated_at=at(minutes))


def going(position: float, minutes: int, *, watched: bool = False) -> State:
    return State(position_s=position, resumable=True, watched=watched, updated_at=at(minutes))


@pytest.mark.parametrize(
    ('states', 'expected', 'resume', 'started'),
    [
        pytest.param({}, 11, 0.0, False, id='not started: the first episode'),
        pytest.param({12: going(300, 1)}, 12, 300, True, id='an episode in progress is resumed'),
        pytest.param({11: done(1)}, 12, 0.0, True, id='after the finished one'),
        pytest.param({11: done(1), 12: done(2), 13: done(3)}, 21, 0.0, True, id='into the next season'),
        pytest.param({11: done(1), 12: done(5), 13: done(3)}, 21, 0.0, True, id='watched ones are skipped'),
        pytest.param({11: done(1), 13: done(2)}, 21, 0.0, True, id='after the most recently finished, skipping back'),
        pytest.param({13: done(1), 11: done(2)}, 12, 0.0, True, id='an old one finished again: what follows it'),
        pytest.param(
            {11: done(1), 12: done(2), 13: done(3), 11 + 10: going(30, 4)}, 21, 30, True, id='resume in season two'
        ),
        pytest.param(
            {11: done(1), 12: done(2), 13: done(3), 11 + 100: going(30, 9)},
            21,
            0.0,
            True,
            id='progress of another series is not this one',
        ),
        pytest.param(
            {12: done(2), 13: done(3), 11: going(40, 5, watched=True)},
            21,
            0.0,
            True,
            id='starting an old episode again keeps the place',
        ),
        pytest.param({12: going(100, 1), 21: going(50, 2)}, 21, 50, True, id='two in progress: the most recent one'),
    ],
)
def test_next_up(states, expected, resume, started):
    found = next_up(SERIES, states)
    assert found is not None
    assert (found.episode.id, found.resume_s, found.started) == (expected, resume, started)


def test_a_finished_series_leaves_the_row_and_a_new_episode_brings_it_back():
    every = {episode.id: done(index) for index, episode in enumerate(SERIES)}
    assert next_up(SERIES, every) is None
    with_new = [*SERIES, Episode(24, 2, 4)]
    assert next_up(with_new, every).episode.id == 24


def test_an_old_episode_finished_again_brings_the_place_back_where_it_was():
    states = {11: done(1), 12: done(2), 13: done(3), 21: going(40, 4)}
    assert next_up(SERIES, states).episode.id == 21
    states[11] = done(10)  # rewatched the first one to the end
    assert next_up(SERIES, states).episode.id == 21  # 12 and 13 are watched, 21 is in progress after it
    assert next_up(SERIES, states).resume_s == 40


def test_a_series_with_no_episodes_has_nothing_next():
    assert next_up([], {}) is None


@pytest.mark.parametrize(('current', 'expected'), [(11, 12), (13, 21), (23, None), (99, None)])
def test_what_follows_an_episode(current, expected):
    found = after(SERIES, current)
    assert (found.id if found else None) == expected
