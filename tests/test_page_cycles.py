"""A deleted page is freed by reference counting: after the app's pages are deleted (their clients, as our prune and
NiceGUI's own deletion do, or elements removed from a live page), the cyclic garbage collector finds next to nothing
of them (app/nicegui_cleanup.py, and the weak client reference of app/page_limits.py `note_page`).

Before those, a deleted page left up to a thousand objects that only a full collection freed (counted as here, 20
pages each, once the event loop let go of their requests: /login 641, home 456, catalog 873, title 571, profile 587,
watch 125; opened with a socket: home 233, catalog 1,069, title 345, profile 785, watch 68); after them, none. These
tests fail if NiceGUI changes what app/nicegui_cleanup.py reaches into, or if a page of ours makes a new cycle.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable, Iterator

import pytest
from nicegui import Client, ui
from nicegui.testing import User

from app import nicegui_cleanup

from .helpers import open_watch, script_loads, seed_titles, signed_in
from .waits import eventually

# What a collection may find per deleted page. Measured: 0 on every page. The event loop runs while the deleted
# clients' outbox loops end, and anything else it does in that time that makes garbage (an exception's traceback is
# a cycle of a few frames) is counted too: this leaves room for that, and is a tenth or less of what any page left
# before (125 to 1,069).
MOST_PER_PAGE = 10
SCRIPTED = 5  # page loads of a script (no websocket) per page
CONNECTED = 2  # pages opened with a websocket per page


@pytest.fixture(autouse=True)
def no_load_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('BUTACA_PAGE_LOADS_PER_SESSION', '0')  # a script's page loads, back to back
    monkeypatch.setenv('BUTACA_PAGE_LOADS_PER_ADDRESS', '0')


@pytest.fixture
def collector_paused() -> Iterator[None]:
    """No automatic collection while a test counts what one collection finds."""
    gc.collect()
    gc.disable()
    yield
    gc.enable()


async def found_after(delete: Callable[[], object], clients: list[Client], pages: int) -> float:
    """Run `delete`; once the deleted `clients` are gone (by reference counting alone), what a collection finds, per
    page. A client still alive after a few seconds fails (a cycle, or something holding it, like a request that
    refers back to it, which the event loop keeps for the page timeout)."""
    gc.collect()
    refs = [weakref.ref(client) for client in clients]
    clients.clear()
    delete()
    await freed(refs, 'deleted clients')
    return gc.collect() / pages


async def freed(refs: list[weakref.ref], what: str) -> None:
    """Wait until every object of `refs` is gone: a client's outbox loop holds it until it wakes to end (within
    0.1 s); 3 s is ample, and a client alive after that is held by a cycle or by something else."""
    await eventually(lambda: all(ref() is None for ref in refs), what=f'the {what} freed', timeout=3)


def deleting(clients: list[Client]) -> Callable[[], None]:
    clients = list(clients)

    def delete() -> None:
        for client in clients:
            client.delete()
            # The simulated browser's own cycle (nicegui.testing's patched emit refers to the outbox it patched).
            vars(client.outbox).pop('_emit', None)
        clients.clear()

    return delete


async def test_a_deleted_page_leaves_nothing_to_the_garbage_collector(user: User, collector_paused: None):
    assert Client.remove_elements is nicegui_cleanup.remove_elements, 'the app did not install nicegui_cleanup'
    (title_id,) = seed_titles(1)
    left = {'/login': await script_loads(user, '/login', SCRIPTED)}
    await signed_in(user)
    pages = ['/', '/catalog', f'/title/{title_id}', '/profile', f'/watch/{title_id}']
    for path in pages:
        left[path] = await script_loads(user, path, SCRIPTED)
    for path in pages:
        left[f'{path} with its socket'] = opened = []
        for _ in range(CONNECTED):
            if path.startswith('/watch/'):
                await open_watch(user, title_id)  # its player is started once the socket is up
            else:
                await user.open(path)
            assert user.client is not None
            opened.append(user.client)
    await user.open('/login')  # the simulated browser moves on: none of those is its page any more
    found = {}
    for path, clients in left.items():
        count = len(clients)
        assert count in (SCRIPTED, CONNECTED), (path, count)
        found[path] = await found_after(deleting(clients), clients, count)
    assert all(per_page <= MOST_PER_PAGE for per_page in found.values()), found


async def test_elements_removed_from_a_live_page_leave_nothing_either(user: User, collector_paused: None):
    await signed_in(user)
    await user.open('/catalog')
    client = user.client
    assert client is not None
    removed = list(client.content.descendants())
    refs = [weakref.ref(element) for element in removed]
    removed.clear()
    gc.collect()
    client.content.clear()  # what a refreshable does to its container when it is refreshed
    await freed(refs, 'removed elements')
    assert gc.collect() <= MOST_PER_PAGE
    assert not client.is_deleted and client.id in Client.instances


async def test_handlers_of_an_element_that_its_own_handler_deletes_still_all_run(user: User):
    await user.open('/login')
    assert user.client is not None
    ran = []
    with user.client:
        kept = ui.input(on_change=lambda: ran.append('kept'))
        doomed = ui.input()
    doomed.on_value_change(lambda: doomed.delete())
    doomed.on_value_change(lambda: ran.append('after the delete'))
    doomed.value = 'x'
    assert ran == ['after the delete']  # the deletion in the first handler did not cut the loop short
    assert doomed.is_deleted and doomed._change_handlers == []  # released (private: what nicegui_cleanup cuts)
    assert doomed.props._change_handlers == []
    kept.value = 'y'  # a live element is left alone
    assert ran == ['after the delete', 'kept'] and kept.props._change_handlers


async def test_a_client_deleted_twice_raises_what_nicegui_raises_and_nothing_else(user: User):
    await user.open('/login')
    (client,) = await script_loads(user, '/register', 1)
    client.delete()
    with pytest.raises(KeyError):  # NiceGUI's own: it is no longer in Client.instances (its prune catches this)
        client.delete()
    assert not nicegui_cleanup._failed
