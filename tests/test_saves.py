"""The progress writer (`playback_store.writer`): reports waiting together share one transaction, each is answered
after the commit, and a refused or failing report does not take the others of its batch down."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, text

from app import db
from app.models import Plan, utcnow
from app.services import accounts, playback, playback_store
from app.services.errors import AccessDenied, NotFound, ValidationError
from app.services.playback_rules import Report

from .helpers import make_account, seed_titles
from .waits import wait_until

pytestmark = pytest.mark.every_database  # once on SQLite, once on PostgreSQL (tests/conftest.py)


def _viewers(count: int) -> list[tuple[int, str]]:
    """`count` accounts, each playing the same 100 s title; returns (user id, playback token) pairs."""
    (title_id,) = seed_titles(1, duration_s=100)
    viewers = []
    a_minute_ago = utcnow() - timedelta(minutes=1)  # long enough to have played what the reports say
    for index in range(count):
        user = make_account(f'viewer{index}')
        device = accounts.start_session(user_id=user.id)
        play = playback_store.start_playback(user_id=user.id, title_id=title_id, device=device, now=a_minute_ago)
        viewers.append((user.id, play.token))
    return viewers


def _stored(user_id: int) -> float | None:
    with db.transaction() as connection:
        query = text('SELECT position_s FROM playback_progress WHERE user_id = :u')
        return connection.execute(query, {'u': user_id}).scalar()


@contextmanager
def _commits() -> Iterator[list[int]]:
    """Counts the transactions committed meanwhile (SQLAlchemy's own commit event)."""
    counted = [0]

    def count(_connection) -> None:
        counted[0] += 1

    engine = db.get_engine()
    event.listen(engine, 'commit', count)
    try:
        yield counted
    finally:
        event.remove(engine, 'commit', count)


async def _queued_together(writer: playback_store.ProgressWriter, saves: list[tuple[str, Report]]) -> list:
    """Send `saves` while another unit holds the writer lock, so that they wait in the writer's queue together."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with db.transaction(write=True) as connection:
            if not db.is_sqlite():  # PostgreSQL has no writer lock: a table lock the batch's first write waits for
                connection.exec_driver_sql('LOCK TABLE playbacks IN EXCLUSIVE MODE')
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    try:
        tasks = [asyncio.ensure_future(writer.save(token, report)) for token, report in saves]
        await asyncio.sleep(0)  # each task runs up to its wait for the answer: every report is in the queue now
    finally:
        release.set()
        holder.join()
    return await asyncio.gather(*tasks, return_exceptions=True)


@pytest.fixture
def writer() -> Iterator[playback_store.ProgressWriter]:
    writer = playback_store.ProgressWriter()
    yield writer
    writer.stop()


async def test_reports_waiting_together_share_one_commit_and_are_on_disk_when_answered(writer):
    viewers = _viewers(12)
    with _commits() as commits:
        results = await _queued_together(writer, [(token, Report(10.0 + n)) for n, (_, token) in enumerate(viewers)])
    assert all(isinstance(result, playback_store.SaveResult) and result.saved for result in results)
    assert [_stored(user_id) for user_id, _ in viewers] == [10.0 + n for n in range(len(viewers))]
    assert commits[0] <= 3  # the lock holder's, then the first report alone at most, then all the others at once


async def test_a_refused_report_leaves_nothing_and_the_rest_of_its_batch_is_saved(writer):
    viewers = _viewers(4)
    positions = [20.0, 5000.0, 30.0, 40.0]  # 5000 s in a 100 s title is not a real position
    saves = [(token, Report(position)) for (_, token), position in zip(viewers, positions, strict=True)]
    saves.insert(2, ('no-such-playback', Report(10.0)))
    results = await _queued_together(writer, saves)
    assert isinstance(results[1], ValidationError) and isinstance(results[2], NotFound)
    assert [results[n].position_s for n in (0, 3, 4)] == [20.0, 30.0, 40.0]
    assert _stored(viewers[1][0]) is None


@contextmanager
def _no_66_positions() -> Iterator[None]:
    """A rule of the database that one report's data breaks: no progress row may say 66 s (a real trigger)."""
    sqlite = db.is_sqlite()
    with db.transaction(write=True) as connection:
        if sqlite:
            for action in ('INSERT', 'UPDATE'):
                connection.execute(
                    text(
                        f'CREATE TRIGGER no_66_{action} BEFORE {action} ON playback_progress '
                        "WHEN NEW.position_s = 66 BEGIN SELECT RAISE(ABORT, 'no 66'); END"
                    )
                )
        else:
            connection.execute(
                text(
                    'CREATE FUNCTION no_66() RETURNS trigger AS $$ BEGIN IF NEW.position_s = 66 THEN '
                    "RAISE EXCEPTION 'no 66' USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$ "
                    'LANGUAGE plpgsql'
                )
            )
            connection.execute(
                text(
                    'CREATE TRIGGER no_66 BEFORE INSERT OR UPDATE ON playback_progress '
                    'FOR EACH ROW EXECUTE FUNCTION no_66()'
                )
            )
    try:
        yield
    finally:
        with db.transaction(write=True) as connection:
            if sqlite:
                connection.execute(text('DROP TRIGGER no_66_INSERT'))
                connection.execute(text('DROP TRIGGER no_66_UPDATE'))
            else:
                connection.execute(text('DROP TRIGGER no_66 ON playback_progress'))
                connection.execute(text('DROP FUNCTION no_66()'))


async def test_a_constraint_failure_fails_only_its_own_report(writer):
    viewers = _viewers(3)
    saves = [(token, Report(position)) for (_, token), position in zip(viewers, (11.0, 66.0, 33.0), strict=True)]
    with _no_66_positions():
        results = await _queued_together(writer, saves)
    assert results[0].saved and results[2].saved
    assert isinstance(results[1], RuntimeError)
    assert [_stored(user_id) for user_id, _ in viewers] == [11.0, None, 33.0]


async def test_a_failure_of_the_database_itself_fails_the_batch_at_once(writer):
    viewers = _viewers(3)
    with db.transaction(write=True) as connection:  # what a broken database looks like to the writer
        connection.execute(text('ALTER TABLE playback_progress RENAME TO progress_away'))
    attempts = []

    def count(_connection) -> None:
        attempts.append(1)

    event.listen(db.get_engine(), 'begin', count)
    try:
        results = await _queued_together(writer, [(token, Report(20.0)) for _, token in viewers])
    finally:
        event.remove(db.get_engine(), 'begin', count)
        with db.transaction(write=True) as connection:
            connection.execute(text('ALTER TABLE progress_away RENAME TO playback_progress'))
    assert all(isinstance(result, RuntimeError) for result in results)
    assert len(attempts) <= 3  # the lock holder, then one or two batches: never retried report by report


async def test_two_playbacks_of_one_title_by_one_user_in_one_batch(writer):
    (title_id,) = seed_titles(1, duration_s=100)
    user = make_account('dos', plan=Plan.PREMIUM)  # several screens
    tokens = [
        playback_store.start_playback(
            user_id=user.id, title_id=title_id, device=accounts.start_session(user_id=user.id)
        ).token
        for _ in range(2)
    ]
    results = await _queued_together(writer, [(tokens[0], Report(20.0)), (tokens[1], Report(40.0))])
    assert [result.position_s for result in results] == [20.0, 40.0]
    assert _stored(user.id) == 40.0  # the second saw the row the first inserted: no duplicate insert


async def test_reports_of_one_playback_in_one_batch_end_as_if_applied_one_by_one(writer):
    ((user_id, token),) = _viewers(1)
    # inserts; watched and reset; resumable again (each has played long enough for the history)
    reports = [Report(50.0, played_s=10), Report(60.0, ended=True, played_s=20), Report(30.0, played_s=25)]
    results = await _queued_together(writer, [(token, report) for report in reports])
    assert [(r.position_s, r.resumable, r.watched) for r in results] == [
        (50.0, True, False),
        (0.0, False, True),
        (30.0, True, True),
    ]
    assert _stored(user_id) == 30.0
    assert [entry.position_s for entry in playback.history(user_id=user_id)] == [30.0]


async def test_a_second_device_that_revives_in_the_same_batch_finds_the_screen_taken(writer):
    user = make_account()  # FREE: one screen
    (title_id,) = seed_titles(1)
    plays = []
    for minutes in (10, 5):  # each lapsed since: the laptop and the phone slept
        device = accounts.start_session(user_id=user.id)
        since = utcnow() - timedelta(minutes=minutes)
        plays.append(playback_store.start_playback(user_id=user.id, title_id=title_id, device=device, now=since))
    results = await _queued_together(writer, [(play.token, Report(12.0)) for play in plays])
    assert results[0].saved
    assert isinstance(results[1], AccessDenied) and results[1].key == 'watch.screens_full'


def test_the_checkpointer_copies_the_wal_into_the_database_file(butaca_env):
    if not db.is_sqlite():
        pytest.skip('a WAL and its checkpoints are SQLite only')
    from app.config import get_settings
    from app.models import User

    database = Path(get_settings().database_url.split('///', 1)[1])
    db.get_engine().dispose()  # a fresh start: whatever init_db wrote is in the file
    before = database.stat().st_size
    with db.session(write=True) as session:  # well under SQLite's own (raised) limit: stays in the WAL by itself
        session.add_all(User(username=f'u{n}', username_key=f'u{n}', password_hash='x' * 60) for n in range(2000))
    assert database.stat().st_size == before
    checkpoints = db.Checkpointer(every=0.05)
    checkpoints.start()
    try:
        wait_until(lambda: database.stat().st_size > before, what='a checkpoint')
    finally:
        checkpoints.stop()
