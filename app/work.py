"""Where blocking work runs, off the event loop that serves every open page: `await work.run(service, **kwargs)`.

Pages, handlers and routes call services only through `run`. Database work goes to a pool of short-lived jobs;
functions marked `@uses_bcrypt` (app/security.py) go to the password pool, which has one thread fewer than the
machine has cores: bcrypt keeps a core busy for a quarter of a second, and a burst of sign-ins must queue there
instead of taking every core from the event loop and stalling everyone else's pages.

Unlike NiceGUI's `run.io_bound`, a caller that is cancelled (a page NiceGUI stopped waiting for, a client that
left) gets CancelledError, never a None result that it could take for "signed out" or "nothing found".
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

_T = TypeVar('_T')
CORES = os.cpu_count() or 2
_database_pool = ThreadPoolExecutor(max_workers=min(32, 4 * CORES + 4), thread_name_prefix='butaca-db')
_password_pool = ThreadPoolExecutor(max_workers=max(1, CORES - 1), thread_name_prefix='butaca-bcrypt')


async def run(fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> _T:
    """`fn(*args, **kwargs)` in a worker thread (the password pool for `@uses_bcrypt` functions)."""
    pool = _password_pool if getattr(fn, 'uses_bcrypt', False) else _database_pool
    return await asyncio.get_running_loop().run_in_executor(pool, functools.partial(fn, *args, **kwargs))
