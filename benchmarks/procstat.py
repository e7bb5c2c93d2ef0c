"""What Linux's /proc says about a process: its CPU time, with or without what it started, and its resident memory.
Every benchmark and test that reads /proc goes through here (0 where a process is gone or there is no /proc)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

TICK = os.sysconf('SC_CLK_TCK') if hasattr(os, 'sysconf') else 100


def _stat(path: Path) -> list[str] | None:
    """The fields of a /proc/<pid>/stat after the command name (which may hold spaces and parentheses)."""
    try:
        return path.read_text().rsplit(')', 1)[1].split()
    except (OSError, IndexError):
        return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far."""
    fields = _stat(Path(f'/proc/{pid}/stat'))
    return (int(fields[11]) + int(fields[12])) / TICK if fields else 0.0


def tree_cpu_seconds(pid: int) -> float:
    """CPU time used so far by `pid` and every process under it (a cluster's members and nginx, a benchmark's
    servers): what moves while a process tree works."""
    parents: dict[int, int] = {}
    used: dict[int, int] = {}
    for path in Path('/proc').glob('[0-9]*/stat'):
        fields = _stat(path)
        if fields:
            child = int(path.parent.name)
            parents[child], used[child] = int(fields[1]), int(fields[11]) + int(fields[12])
    total = 0
    for child, ticks in used.items():
        ancestor = child
        while ancestor > 1 and ancestor != pid:
            ancestor = parents.get(ancestor, 0)
        total += ticks if ancestor == pid else 0
    return total / TICK


def rss_kib(pid: int) -> int:
    """Resident memory of a process, in KiB."""
    with contextlib.suppress(OSError):
        for line in Path(f'/proc/{pid}/status').read_text().splitlines():
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0
