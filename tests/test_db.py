"""The helpers that move database work off the event loop."""

from __future__ import annotations

import asyncio
import time

import pytest

from app import db


async def test_work_in_a_worker_thread_returns_its_result_and_a_cancelled_caller_is_told_so():
    assert await db.in_thread(lambda a, b=0: a + b, 2, b=3) == 5

    task = asyncio.ensure_future(db.in_thread(time.sleep, 0.5))
    await asyncio.sleep(0.05)
    task.cancel()
    # run.io_bound would hand the caller None here, which a page could read as "signed out" or "not found".
    with pytest.raises(asyncio.CancelledError):
        await task
