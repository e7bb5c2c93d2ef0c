"""Rescanning by itself: a watch on the library roots (watchfiles) scans each library folder in which videos or
their sidecars appeared, changed or disappeared, a couple of seconds after the last change.

A file still being copied is probed half-written and refused; the copy's next change makes it scanned again, and a
size that differs from the refused one gets it probed anew. When another process holds the scanner, the folder is
scanned at the next round.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from ..config import library_settings
from ..services import library
from .naming import IMAGE_SUFFIXES, SUBTITLE_SUFFIXES, VIDEO_SUFFIXES
from .scan import ScanBusy, scan_folder

log = logging.getLogger('butaca.scan')
DEBOUNCE_MS = 2000
WATCHED = VIDEO_SUFFIXES | IMAGE_SUFFIXES | SUBTITLE_SUFFIXES | {'.nfo'}


def _relevant(_change: object, path: str) -> bool:
    name = Path(path)
    return not name.name.startswith('.') and (name.suffix.lower() in WATCHED or not name.suffix)


def folders_touched(paths: set[Path]) -> list[int]:
    """The library folders that hold any of ``paths``."""
    touched = []
    for folder in library.folders():
        base = Path(folder.path)
        if any(path == base or path.is_relative_to(base) for path in paths):
            touched.append(folder.id)
    return touched


def watch(stop: threading.Event) -> None:
    """Watch the roots until ``stop`` is set (run it in a thread of its own)."""
    import watchfiles

    roots = [root for root in library_settings().roots if root.is_dir()]
    if not roots:
        return
    pending: set[int] = set()
    log.info('watching the library roots: %s', ', '.join(map(str, roots)))
    for changes in watchfiles.watch(
        *roots, watch_filter=_relevant, debounce=DEBOUNCE_MS, stop_event=stop, yield_on_timeout=True
    ):
        pending |= set(folders_touched({Path(path) for _, path in changes}))
        for folder_id in sorted(pending):
            try:
                scan_folder(folder_id)
            except ScanBusy:
                continue  # another process scans; this folder waits for the next round
            except Exception:
                log.exception('rescanning library folder %s failed', folder_id)
            pending.discard(folder_id)


def start() -> threading.Event:
    """Start watching in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=watch, args=(stop,), name='butaca-library-watch', daemon=True).start()
    return stop
