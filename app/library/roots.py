"""The library roots the operator configured (BUTACA_LIBRARY_ROOTS): nothing outside them is listed or scanned.

Every path that comes from a page is resolved (symbolic links and '..' followed) before it is checked, so a link
inside a root that points elsewhere is outside too.
"""

from __future__ import annotations

from pathlib import Path

from ..config import library_settings

LIST_MAX = 500  # subfolders shown when browsing one folder


class OutsideRoots(ValueError):
    """The path is not inside a configured library root."""


def roots() -> tuple[Path, ...]:
    return library_settings().roots


def confine(path: str | Path) -> Path:
    """``path`` resolved, when it is a root or inside one; raises OutsideRoots otherwise."""
    resolved = Path(path).expanduser().resolve()
    for root in roots():
        if resolved == root or resolved.is_relative_to(root):
            return resolved
    raise OutsideRoots(str(path))


def subfolders(path: str | Path) -> list[Path]:
    """The folders directly inside ``path`` (confined; hidden ones left out), by name."""
    folder = confine(path)
    found = []
    for child in sorted(folder.iterdir(), key=lambda p: p.name.lower()) if folder.is_dir() else []:
        if child.name.startswith('.') or not child.is_dir():
            continue
        try:
            found.append(confine(child))
        except OutsideRoots:  # a link out of the roots
            continue
        if len(found) >= LIST_MAX:
            break
    return found
