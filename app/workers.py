"""Where slow work runs, off the event loop.

Password work (bcrypt) gets its own pool with one thread fewer than the machine has cores: bcrypt releases the GIL
and keeps a core busy for a quarter of a second, so a burst of sign-ins run six at a time (NiceGUI's shared
`run.io_bound` pool) would take every core from the event loop and every other user's page would stall. With this
pool a burst queues, one core stays free for everyone else, and the shared pool stays free for short database work.
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from . import db

_password_pool = ThreadPoolExecutor(max_workers=max(1, (os.cpu_count() or 2) - 1), thread_name_prefix='bcrypt')


async def password_work(fn: Callable[..., Any], /, **kwargs: Any) -> Any:
    """`fn(session, **kwargs)` in its own unit of work, on the password pool (like `run.io_bound(db.call, ...)`)."""
    return await asyncio.get_running_loop().run_in_executor(_password_pool, functools.partial(db.call, fn, **kwargs))
