"""The helpers that move database work off the event loop."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from app import db

pytestmark = pytest.mark.every_database  # once on SQLite, once on PostgreSQL (tests/conftest.py)


async def test_work_in_a_worker_thread_returns_its_result_and_a_cancelled_caller_is_told_so():
    assert await db.in_thread(lambda a, b=0: a + b, 2, b=3) == 5

    task = asyncio.ensure_future(db.in_thread(time.sleep, 0.5))
    await asyncio.sleep(0.05)
    task.cancel()
    # run.io_bound would hand the caller None here, which a page could read as "signed out" or "not found".
    with pytest.raises(asyncio.CancelledError):
        await task


def test_the_writer_lock_and_the_checkpointer_run_on_sqlite_only():
    from app.models import User

    sqlite = db.get_engine().dialect.name == 'sqlite'
    with db.transaction() as connection:
        db.writing(connection)
        assert db._write_lock.locked() is sqlite
    with db.session_scope() as session:
        session.add(User(username='ana', username_key='ana', password_hash='x'))
        session.flush()
        assert db._write_lock.locked() is sqlite
    assert not db._write_lock.locked()

    checkpoints = db.Checkpointer(every=0.05)
    checkpoints.start()
    try:
        running = any(thread.name == 'butaca-checkpoints' for thread in threading.enumerate())
    finally:
        checkpoints.stop()
    assert running is sqlite


async def test_a_query_that_app_code_runs_on_the_event_loop_is_caught(no_queries_on_the_event_loop: list[str]):
    from app import auth

    auth.resolve('no-such-token')  # app code, called on the loop's thread instead of through db.run_io
    assert any('app/auth.py' in offender for offender in no_queries_on_the_event_loop)
    no_queries_on_the_event_loop.clear()  # caught, as it must be: this test is about the catching
