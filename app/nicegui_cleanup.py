"""Deleted NiceGUI elements freed by reference counting instead of by the cyclic garbage collector.

Each element NiceGUI deletes (all of a page's when its client is deleted: our prune of pages whose websocket never
came, NiceGUI's own deletion after a socket went away; and those a page removes, e.g. a `ui.refreshable` rebuilding)
leaves reference cycles that only a full collection frees:

- its classes, style and props (`Classes`, `Style`, `Props`, observable collections) each keep their own bound
  `_update` method in their `_change_handlers`: three self-cycles per element, about twenty objects with what they hold;
- its value-change handlers (`ValueElement._change_handlers`, and the other `*_handlers` lists elements keep) are
  often closures of the page that refer back to the element;
- a `ui.refreshable`'s targets (`RefreshableTarget`) and the refreshable refer to each other, and NiceGUI drops a
  target whose container was deleted only the next time that refreshable is called or refreshed.

A deleted page left from 125 (watch) to 900 (catalog) such objects in the collector's oldest generation (and its
client, its request and all hanging from them, while app/page_limits.py held the client from the request), and full
collections over them stalled every page and socket of the process: under 32 connections loading pages without their
websocket (as wrk does) for two minutes, two full collections of 6.0 and 6.4 s, each finding about two million
objects; with both fixes, one in four minutes, of 0.6 s, finding 624 (tests/test_page_cycles.py has the per-page
counts).

`install` wraps `Client.remove_elements`, the one method through which NiceGUI deletes elements (`Client.delete` via
`remove_all_elements`, `Element.clear`, `Element.remove`, a failed constructor's rollback): after NiceGUI's own
deletion has run, `release` cuts those references of each element it marked deleted. It only ever replaces a deleted
element's handler lists with new empty ones (a loop still running over an old list, e.g. value-change handlers of
which the first deleted the element, goes on over the old one), and prunes deleted targets from refreshables, which
NiceGUI itself does before each call. A live element is never touched, an element deleted twice is released twice
(the second time there is nothing left to cut), and if NiceGUI renames what this reads, nothing breaks: the cycles are
simply left to the collector again (and an error is logged once if reading it raised). What this cannot reach: cycles
among a page's own closures that no element holds (the admin users and jobs pages have one each: 30 to 170 objects a
page).

Private framework API, on purpose, in this one place: elements' `_deleted`, `_classes`, `_style`, `_props` and
`*_handlers` attributes, the observables' `_element` and `_change_handlers`, and `RefreshableTarget` (its
`__init__` is wrapped so that a refreshable's container knows its refreshable). tests/test_page_cycles.py counts what
the collector still finds after the app's pages are deleted, and fails if NiceGUI changes under this.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterable
from typing import Any

from nicegui import Client
from nicegui.element import Element
from nicegui.functions.refreshable import RefreshableContainer, RefreshableTarget, refreshable
from nicegui.observables import ObservableCollection

log = logging.getLogger('butaca')

_REFRESHABLE = '_butaca_refreshable'  # on a refreshable's container: a weak reference to its refreshable
_OWNED_OBSERVABLES = ('_classes', '_style', '_props')
_failed = False


def release(element: Element) -> refreshable | None:
    """Cut the references by which a deleted element and what it holds keep each other alive; the refreshable whose
    targets are to be pruned, if the element was one's container."""
    if getattr(element, '_deleted', False) is not True:
        return None  # only ever a deleted element
    attributes = vars(element)
    for name in _OWNED_OBSERVABLES:
        observable = attributes.get(name)
        # Its own (it refers to this element): a collection the app passed in and shares keeps its handlers.
        owner = getattr(observable, '_element', None)
        if isinstance(observable, ObservableCollection) and callable(owner) and owner() is element:
            observable._change_handlers = []
    for name, value in list(attributes.items()):
        if name.endswith('_handlers') and type(value) is list:
            setattr(element, name, [])  # a new list: a loop over the old one goes on unchanged
    ref = attributes.get(_REFRESHABLE)
    return ref() if ref is not None else None


def release_all(elements: list[Element]) -> None:
    """`release` each element, then prune each refreshable whose container was among them (once): what NiceGUI does
    before each call of a refreshable, drop the targets whose container is deleted."""
    global _failed
    try:
        refreshables = {}
        for element in elements:
            found = release(element)
            if found is not None:
                refreshables[id(found)] = found
        for found in refreshables.values():
            found.prune()
    except Exception:
        if not _failed:  # said once: no page is broken by it, the cycles are only left to the collector
            _failed = True
            log.exception('Could not release deleted NiceGUI elements (app/nicegui_cleanup.py)')


# NiceGUI's own, even if this module is imported again after `install` (then the attributes hold the wrappers).
_original_remove_elements = getattr(Client.remove_elements, 'nicegui_original', Client.remove_elements)
_original_target_init = getattr(RefreshableTarget.__init__, 'nicegui_original', RefreshableTarget.__init__)


def remove_elements(self: Client, elements: Iterable[Element]) -> None:
    """NiceGUI's `Client.remove_elements`, then `release_all` of what it deleted (also when it raised midway)."""
    element_list = list(elements)  # NiceGUI's makes a list of it too; a generator could not be walked twice
    try:
        _original_remove_elements(self, element_list)
    finally:
        release_all(element_list)


def target_init(self: RefreshableTarget, *args: Any, **kwargs: Any) -> None:
    """NiceGUI's `RefreshableTarget.__init__`, then its container remembers (weakly) its refreshable."""
    _original_target_init(self, *args, **kwargs)
    if isinstance(self.container, RefreshableContainer):
        setattr(self.container, _REFRESHABLE, weakref.ref(self.refreshable))


remove_elements.nicegui_original = _original_remove_elements  # type: ignore[attr-defined]
target_init.nicegui_original = _original_target_init  # type: ignore[attr-defined]


def install() -> None:
    """Wrap NiceGUI's element deletion and refreshable targets (once; again is a no-op)."""
    Client.remove_elements = remove_elements  # type: ignore[method-assign]
    RefreshableTarget.__init__ = target_init  # type: ignore[method-assign]
