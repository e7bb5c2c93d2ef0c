"""What every viewer sees alike (the hero, the genre rows, catalog pages without a search, a title's details), read
once per catalog change instead of once per page load.

Entries are dropped on every `catalog` event (`catalog_changed`, subscribed at start-up in app/wiring.py; the event
bus brings the other processes' changes), and at the latest after `MAX_AGE_S`: a writer that tells no bus (a
command-line import into a server running without one) is seen within that. A reader that started before a change
never stores what it read after the change (the version it started with no longer matches), so a page cannot
bring an old catalog back into the cache. Bounded: the least recently used entries go past `MAX_ENTRIES`.

Lookups take a lock for a few dictionary operations and never touch the database: a page may look here on the
event loop and go to a worker thread (`app.work.run`) only on a miss.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

_T = TypeVar('_T')
MAX_ENTRIES = 512
MAX_AGE_S = 60.0
MISS: Any = object()

_lock = threading.Lock()
_version = 0
_entries: OrderedDict[Hashable, tuple[int, float, Any]] = OrderedDict()


def catalog_changed(_data: dict | None = None) -> None:
    """The catalog changed: nothing read before now is served again."""
    global _version
    with _lock:
        _version += 1
        _entries.clear()


def peek(key: Hashable) -> Any:
    """The cached value for `key`, or MISS."""
    now = time.monotonic()
    with _lock:
        found = _entries.get(key)
        if found is None or found[0] != _version or found[1] < now:
            return MISS
        _entries.move_to_end(key)
        return found[2]


def cached(key: Hashable, read: Callable[[], _T]) -> _T:
    """The cached value for `key`, else `read()` (in the caller's thread: a worker's), kept for the next caller."""
    found = peek(key)
    if found is not MISS:
        return found
    with _lock:
        version = _version
    value = read()
    with _lock:
        if version == _version:  # the catalog did not change while this was read
            _entries[key] = (version, time.monotonic() + MAX_AGE_S, value)
            _entries.move_to_end(key)
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
    return value


def size() -> int:
    with _lock:
        return len(_entries)
