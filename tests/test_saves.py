"""The progress writer (app/saves.py): reports waiting together share one transaction, every answer comes after
the commit, and a refused or failing report does not take the others of its batch down."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from app import db, saves
from app.models import Plan
from app.services import accounts, playback
from app.services.errors import ValidationError

from .helpers import make_account, seed_titles

pytestmark = pytest.mark.every_database  # once on SQLite, once on PostgreSQL (tests/conftest.py)


def _viewers(count: int) -> list[tuple[int, str]]:
    """`count` accounts, each playing the same 100 s title; returns (user id, playback token) pairs."""
    (title_id,) = seed_titles(1, duration_s=100)
    viewers = []
    for index in range(count):
        user = make_account(f'viewer{index}')
        token = f'play-{index}'
        db.call(playback.start_playback, user_id=user.id, title_id=title_id, token=token, device=f'dev-{index}')
        viewers.append((user.id, token))
    return viewers


def _stored(user_id: int) -> float | None:
    with db.transaction() as connection:
        return connection.execute(
            text('SELECT position_s FROM playback_progress WHERE user_id = :u'), {'u': user_id}
        ).scalar()


def _save(writer: saves.Writer, viewer: tuple[int, str], position: float):
    """A plain progress report of one of `_viewers`, as a coroutine for `_held_back`."""
    user_id, token = viewer
    return writer.save(saves.Report(token=token, position=position, ended=False, leaving=False), user_id=user_id)


def _heartbeat(token: str) -> str:
    with db.transaction() as connection:
        return connection.execute(text('SELECT heartbeat_at FROM playbacks WHERE token = :t'), {'t': token}).scalar()


async def _held_back(writer: saves.Writer, calls) -> list:
    """Run `calls` while the writer's first transaction is held back, so that they queue up behind the first one."""
    with _writes_held():
        tasks = [asyncio.ensure_future(call) for call in calls]
        await asyncio.sleep(0.2)
    return await asyncio.gather(*tasks, return_exceptions=True)


@contextmanager
def _writes_held() -> Iterator[None]:
    """SQLite: this process's writer lock. PostgreSQL has no such lock (db.writing does nothing there): a table
    lock on playbacks, which the first report's heartbeat waits for."""
    if db.get_engine().dialect.name == 'sqlite':
        with db._write_lock:
            yield
        return
    with db.get_engine().begin() as connection:
        connection.exec_driver_sql('LOCK TABLE playbacks IN EXCLUSIVE MODE')
        yield


async def test_reports_waiting_together_share_one_commit_and_are_on_disk_when_answered():
    viewers = _viewers(12)
    writer = saves.Writer()
    calls = [
        writer.save(saves.Report(token=token, position=10.0 + index, ended=False, leaving=False), user_id=user_id)
        for index, (user_id, token) in enumerate(viewers)
    ]
    results = await _held_back(writer, calls)
    assert all(isinstance(result, playback.SaveResult) and result.saved for result in results)
    assert [_stored(user_id) for user_id, _ in viewers] == [10.0 + index for index in range(len(viewers))]
    assert writer.reports == len(viewers)
    assert writer.transactions <= 2  # the first report alone (it met the held lock), then all the others at once
    writer.stop()


async def test_a_refused_report_leaves_nothing_and_the_rest_of_its_batch_is_saved():
    viewers = _viewers(4)
    before = _heartbeat('play-1')
    writer = saves.Writer()
    positions = [20.0, 5000.0, 30.0, 40.0]  # 5000 s in a 100 s title is not a real position
    calls = [
        writer.save(saves.Report(token=token, position=position, ended=False, leaving=False), user_id=user_id)
        for (user_id, token), position in zip(viewers, positions, strict=True)
    ]
    results = await _held_back(writer, calls)
    assert isinstance(results[1], ValidationError)
    assert [result.position_s for index, result in enumerate(results) if index != 1] == [20.0, 30.0, 40.0]
    assert _stored(viewers[1][0]) is None
    assert _heartbeat('play-1') == before  # not even the heartbeat of the refused report
    writer.stop()


async def test_a_constraint_failure_in_a_batch_fails_only_its_own_report():
    viewers = _viewers(3)
    writer = saves.Writer()

    def duplicate(connection, _deferred):  # what one report's data can cause: retried report by report
        connection.execute(
            text(
                'INSERT INTO users (id, username, username_key, password_hash, subscription_type, '
                "created_at) VALUES (1, 'x', 'x', 'x', 'FREE', '2026-01-01')"
            )
        )

    calls = [_save(writer, viewers[0], 11.0), writer.submit(duplicate), _save(writer, viewers[2], 33.0)]
    results = await _held_back(writer, calls)
    assert results[0].saved and results[2].saved
    assert isinstance(results[1], RuntimeError)
    assert (_stored(viewers[0][0]), _stored(viewers[2][0])) == (11.0, 33.0)
    writer.stop()


async def test_a_report_that_breaks_in_python_fails_alone_and_leaves_none_of_its_writes():
    viewers = _viewers(3)
    writer = saves.Writer()

    def broken(connection, deferred):  # queues a write for viewer 1, then fails before it is done
        deferred.add(playback._HISTORY_POSITION, {'b_history_id': 2, 'b_position_s': 99.0}, ('x',))
        raise ValueError('a bug, not a rule')

    huge = saves.Report(token=viewers[1][1], position=10**400, ended=False, leaving=False)  # OverflowError
    calls = [
        _save(writer, viewers[0], 11.0),
        writer.submit(broken),
        writer.save(huge, user_id=viewers[1][0]),
        _save(writer, viewers[2], 33.0),
    ]
    results = await _held_back(writer, calls)
    assert results[0].saved and results[3].saved
    assert isinstance(results[1], RuntimeError) and isinstance(results[2], ValidationError)
    assert writer.transactions <= 2  # no report-by-report retry: the others were committed in their batch
    history = db.call(playback.history, user_id=viewers[1][0])
    assert [entry.position_s for entry in history] == [0.0]  # the broken report's queued write was dropped
    writer.stop()


async def test_a_failure_of_the_database_itself_fails_the_batch_at_once():
    from sqlalchemy.exc import OperationalError

    viewers = _viewers(2)
    writer = saves.Writer()

    def locked(_connection, _deferred):
        raise OperationalError('UPDATE playbacks', {}, Exception('database is locked'))

    calls = [_save(writer, viewers[0], 11.0), writer.submit(locked), _save(writer, viewers[1], 22.0)]
    results = await _held_back(writer, calls)
    assert isinstance(results[1], RuntimeError) and isinstance(results[2], RuntimeError)
    assert writer.transactions <= 2  # not retried report by report (each would wait out the busy timeout)
    assert _stored(viewers[1][0]) is None
    writer.stop()


async def test_two_playbacks_of_one_title_by_one_user_in_one_batch():
    (title_id,) = seed_titles(1, duration_s=100)
    user = make_account('dos', plan=Plan.PREMIUM)  # two screens
    for device in ('tv', 'phone'):
        db.call(playback.start_playback, user_id=user.id, title_id=title_id, token=f'play-{device}', device=device)
    writer = saves.Writer()
    calls = [
        writer.save(
            saves.Report(token=f'play-{device}', position=position, ended=False, leaving=False), user_id=user.id
        )
        for device, position in (('tv', 20.0), ('phone', 40.0))
    ]
    results = await _held_back(writer, calls)
    assert [result.position_s for result in results] == [20.0, 40.0]
    assert _stored(user.id) == 40.0  # the second saw the row the first inserted: no duplicate insert, no retry
    assert writer.transactions <= 2
    writer.stop()


async def test_the_session_is_checked_in_the_same_transaction():
    ((user_id, token),) = _viewers(1)
    session_token = db.call(accounts.start_session, user_id=user_id)
    writer = saves.Writer()
    report = saves.Report(token=token, position=50.0, ended=False, leaving=False)
    assert (await writer.save(report, session_token=session_token)).position_s == 50.0
    db.call(accounts.end_session, token=session_token)
    with pytest.raises(saves.NotSignedIn):
        await writer.save(report, session_token=session_token)
    with pytest.raises(saves.NotSignedIn):
        await writer.save(report, session_token='not-a-session')
    assert _stored(user_id) == 50.0
    writer.stop()


def test_the_checkpointer_copies_the_wal_into_the_database_file(butaca_env):
    from app.config import get_settings
    from app.models import User

    if db.get_engine().dialect.name != 'sqlite':
        pytest.skip("a WAL is SQLite's: test_db checks that the checkpointer does not run on PostgreSQL")
    database = Path(get_settings().database_url.split('///', 1)[1])
    db.get_engine().dispose()  # a fresh start: whatever init_db wrote is in the file
    before = database.stat().st_size
    with db.session_scope() as session:  # well under SQLite's own (raised) limit: stays in the WAL by itself
        session.add_all(User(username=f'u{n}', username_key=f'u{n}', password_hash='x' * 60) for n in range(2000))
    assert database.stat().st_size == before
    checkpoints = db.Checkpointer(every=0.05)
    checkpoints.start()
    try:
        deadline = time.monotonic() + 5
        while database.stat().st_size == before and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        checkpoints.stop()
    assert database.stat().st_size > before


async def test_reports_of_one_playback_in_one_batch_end_as_if_applied_one_by_one():
    ((user_id, token),) = _viewers(1)
    writer = saves.Writer()
    reports = [
        saves.Report(token=token, position=50.0, ended=False, leaving=False),  # first: inserts the row
        saves.Report(token=token, position=60.0, ended=True, leaving=False),  # watched, position reset
        saves.Report(token=token, position=30.0, ended=False, leaving=False),
    ]  # resumable again
    results = await _held_back(writer, [writer.save(report, user_id=user_id) for report in reports])
    assert [(r.position_s, r.resumable, r.watched) for r in results] == [
        (50.0, True, False),
        (0.0, False, True),
        (30.0, True, True),
    ]
    assert _stored(user_id) == 30.0
    assert writer.transactions <= 2  # no batch fell back to one transaction per report
    writer.stop()
