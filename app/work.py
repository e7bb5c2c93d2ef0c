"""Where blocking work runs, off the event loop that serves every open page: `await work.run(service, **kwargs)`.

Pages, handlers and routes call services only through `run`. Database work goes to a pool of short jobs; functions
marked `@uses_bcrypt` (app/security.py) go to the password pool, which has one thread fewer than the machine has
cores: bcrypt keeps a core busy for a quarter of a second, and a burst of sign-ins must queue there instead of
taking every core from the event loop and stalling everyone else's pages. That queue is bounded: when it holds
about `PASSWORD_WAIT_S` of work (as long as bcrypt calls took here lately), the next caller is told at once that the
server is busy (`Busy`) rather than made to wait, so a flood of sign-ins or registrations cannot hold real ones for
long.

Unlike NiceGUI's `run.io_bound`, a caller that is cancelled (a page NiceGUI stopped waiting for, a client that
left) gets CancelledError, never a None result that it could take for "signed out" or "nothing found"; its job is
dropped if it has not started.
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from .config import get_settings
from .security import bcrypt_seconds
from .services.errors import Busy

_T = TypeVar('_T')
CORES = os.cpu_count() or 2
PASSWORD_THREADS = max(1, CORES - 1)
PASSWORD_WAIT_S = 5.0

_database_pool = ThreadPoolExecutor(max_workers=min(32, 4 * CORES + 4), thread_name_prefix='butaca-db')
_password_pool = ThreadPoolExecutor(max_workers=PASSWORD_THREADS, thread_name_prefix='butaca-bcrypt')
_password_jobs = 0
_password_lock = threading.Lock()


async def run(fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> _T:
    """`fn(*args, **kwargs)` in a worker thread (the password pool for `@uses_bcrypt` functions)."""
    loop = asyncio.get_running_loop()
    job = functools.partial(fn, *args, **kwargs)
    if not getattr(fn, 'uses_bcrypt', False):
        return await loop.run_in_executor(_database_pool, job)
    global _password_jobs
    with _password_lock:
        if _password_jobs >= password_queue_max():
            raise Busy
        _password_jobs += 1
    future = _password_pool.submit(job)
    future.add_done_callback(_password_job_done)  # also when it is cancelled before it started
    return await asyncio.wrap_future(future)


def password_queue_max() -> int:
    """How many password jobs may wait or run: about PASSWORD_WAIT_S of work for the password threads."""
    # A job counts as one bcrypt call (most make one; those refused before hashing leave the queue at once).
    seconds = bcrypt_seconds() or 0.25 * 2 ** (get_settings().bcrypt_rounds - 12)  # before the first: cost 12 ~ 0.25 s
    return max(4, int(PASSWORD_THREADS * PASSWORD_WAIT_S / max(seconds, 0.001)))


def _password_job_done(_future: object) -> None:
    global _password_jobs
    with _password_lock:
        _password_jobs -= 1
