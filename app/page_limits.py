"""The app's own backstop against floods of page loads (the proxy in front rate-limits first; README, nginx).

Every page load builds a NiceGUI client that lives until its websocket comes or it is pruned: a script loading pages
in a loop costs memory and CPU that real viewers wait behind. A signed-in browser may keep up
`page_loads_per_session` page loads a second (bursts of four seconds' worth), strictly; page loads without a
session (the login and register pages) are counted per address, generously, since a household or an office shares
one (behind a trusted proxy the address is the viewer's, uvicorn's `forwarded_allow_ips`). Past the limit the answer
is a cheap 429 with Retry-After. Token buckets, per process; a bucket that is full again is forgotten.
"""

from __future__ import annotations

import math
import time

BURST_S = 4.0  # a bucket holds this many seconds' worth of page loads
MAX_KEYS = 100_000


class Buckets:
    """One token bucket per key: `take(key)` is 0 when a token was there, else the seconds until there is one."""

    def __init__(self, per_s: float) -> None:
        self.per_s = per_s
        self.capacity = max(per_s * BURST_S, 10.0)
        self._buckets: dict[str, tuple[float, float]] = {}  # key: (tokens, when)

    def take(self, key: str, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        tokens, when = self._buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - when) * self.per_s)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.per_s
        self._buckets[key] = (tokens - 1.0, now)
        if len(self._buckets) > MAX_KEYS:
            self._forget_full(now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        full_after = self.capacity / self.per_s
        self._buckets = {key: value for key, value in self._buckets.items() if now - value[1] < full_after}
        if len(self._buckets) > MAX_KEYS:  # still too many (a flood of distinct keys): start afresh
            self._buckets.clear()


def retry_after(wait_s: float) -> str:
    return str(max(1, math.ceil(wait_s)))
