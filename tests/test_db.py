"""Units of work (app/db.py) and the helper that runs work off the event loop (app/work.py)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from sqlalchemy import text

from app import db, work
from app.models import User

pytestmark = pytest.mark.every_database  # once on SQLite, once on PostgreSQL (tests/conftest.py)


async def test_work_runs_in_a_worker_thread_and_a_cancelled_caller_is_told_so():
    assert await work.run(lambda a, b=0: a + b, 2, b=3) == 5
    assert await work.run(threading.current_thread) is not threading.current_thread()
    task = asyncio.ensure_future(work.run(time.sleep, 0.5))
    await asyncio.sleep(0.05)
    task.cancel()
    # run.io_bound would hand the caller None here, which a page could read as "signed out" or "not found".
    with pytest.raises(asyncio.CancelledError):
        await task


def test_a_unit_opened_for_reading_refuses_to_write():
    with pytest.raises(db.ReadOnlyUnit), db.session() as session:
        session.add(User(username='ana', username_key='ana', password_hash='x'))
    with pytest.raises(db.ReadOnlyUnit), db.transaction() as connection:
        connection.execute(text("DELETE FROM users WHERE username = 'nobody'"))
    with db.session(write=True) as session:
        session.add(User(username='ana', username_key='ana', password_hash='x'))
    with db.transaction() as connection:
        assert connection.execute(text('SELECT count(*) FROM users')).scalar() == 1


def test_a_writing_unit_inside_another_on_one_thread_is_refused_not_a_deadlock():
    sqlite = db.is_sqlite()
    with db.transaction(write=True):
        if sqlite:
            with pytest.raises(RuntimeError, match='inside another'), db.transaction(write=True):
                pass
    with db.transaction(write=True):  # the lock was given back
        pass


def test_on_sqlite_one_writing_unit_at_a_time_and_readers_go_on():
    if not db.is_sqlite():
        pytest.skip('PostgreSQL has row locks: no writer lock there')
    inside, release, second_in = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with db.transaction(write=True):
            inside.set()
            release.wait(10)

    def second() -> None:
        with db.transaction(write=True):
            second_in.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    inside.wait(10)
    threads[1].start()
    with db.transaction() as connection:  # a reader is not held up
        assert connection.execute(text('SELECT 1')).scalar() == 1
    assert not second_in.wait(0.2)  # the second writer waits for the first
    release.set()
    for thread in threads:
        thread.join(10)
    assert second_in.is_set()


def test_the_checkpointer_runs_on_sqlite_only():
    checkpoints = db.Checkpointer(every=0.05)
    checkpoints.start()
    try:
        running = any(thread.name == 'butaca-checkpoints' for thread in threading.enumerate())
    finally:
        checkpoints.stop()
    assert running is db.is_sqlite()


async def test_a_query_that_app_code_runs_on_the_event_loop_is_caught(no_queries_on_the_event_loop: list[str]):
    from app import media

    media.image_response('1', 'poster')  # app code, called on the loop's thread instead of through work.run
    assert any('app/media.py' in offender for offender in no_queries_on_the_event_loop)
    no_queries_on_the_event_loop.clear()  # caught, as it must be: this test is about the catching
