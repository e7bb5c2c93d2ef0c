"""Floods of page loads: the app's backstop (app/page_limits.py, in the route guard) answers 429 with Retry-After past
a session's or an address's page loads, and pages whose websocket never comes are pruned long before NiceGUI's
60 s (app/wiring.py)."""

from __future__ import annotations

import asyncio

import pytest
from nicegui import Client
from nicegui.testing import User

from app import page_limits, wiring

from .helpers import script_loads, signed_in
from .waits import eventually


def test_a_bucket_lets_a_burst_through_then_says_how_long_to_wait():
    buckets = page_limits.Buckets(5)  # 5 a second, bursts of 20
    assert [buckets.take('a', now=100.0) for _ in range(20)] == [0.0] * 20
    wait = buckets.take('a', now=100.0)
    assert wait == pytest.approx(0.2)
    assert page_limits.retry_after(wait) == '1'
    assert buckets.take('b', now=100.0) == 0.0  # another key has its own bucket
    assert buckets.take('a', now=100.2) == 0.0  # a fifth of a second later, one more


async def test_a_session_whose_pages_never_connect_is_held_back_until_they_are_pruned(
    user: User, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv('BUTACA_PAGE_LOADS_PER_SESSION', '3')  # 3 a second, bursts of 12, 6 pages waiting at most
    await signed_in(user)
    # A script with the session's cookie: it loads pages and never opens their websocket.
    answers = await until_refused(user, '/catalog')
    assert answers == [200] * 6 + [429]
    refused = await user.http_client.get('/catalog')
    assert refused.status_code == 429 and int(refused.headers['retry-after']) >= 1
    assert (await user.http_client.get('/api/health')).status_code == 200  # only page loads count
    kept = dict(user.http_client.cookies.items())
    user.http_client.cookies.clear()
    assert (await user.http_client.get('/login')).status_code == 200  # its address is not held back with it
    user.http_client.cookies.update(kept)
    monkeypatch.setattr(wiring, 'PRUNE_UNCONNECTED_AFTER_S', 0.5)
    await eventually(lambda: all(client.has_socket_connection for client in Client.instances.values()))
    assert (await user.http_client.get('/catalog')).status_code == 200  # its waiting pages are gone: it may again


async def test_anonymous_page_loads_are_counted_per_address(user: User, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv('BUTACA_PAGE_LOADS_PER_ADDRESS', '1')  # one a second, 2 pages waiting at most
    answers = await until_refused(user, '/login')
    assert answers == [200, 200, 429]


async def until_refused(user: User, path: str, most: int = 40) -> list[int]:
    """The statuses of page loads of `path` back to back, up to the first 429 (which must come)."""
    answers = []
    while 429 not in answers:
        assert len(answers) < most, answers
        answers.append((await user.http_client.get(path)).status_code)
    return answers


async def left_behind_by_a_script(user: User, count: int) -> list[Client]:
    """The simulated browser's own page opened (connected, it stays), then `count` page loads of a script that never
    opens their websocket: their clients, oldest first."""
    await user.open('/login')
    return await script_loads(user, '/register', count)


async def test_a_page_whose_websocket_never_comes_is_pruned_soon(user: User, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(wiring, 'PRUNE_UNCONNECTED_AFTER_S', 0.5)
    (left_behind,) = await left_behind_by_a_script(user, 1)
    await eventually(lambda: left_behind.id not in Client.instances)
    assert user.client is not None and user.client.id in Client.instances


async def test_the_prune_deletes_in_slices_oldest_first_and_spares_a_page_waiting_to_reconnect(
    user: User, monkeypatch: pytest.MonkeyPatch
):
    left = await left_behind_by_a_script(user, 3)
    assert len(left) == 3
    # One of them had its socket and lost it: it waits for its page to come back, and NiceGUI deletes it then.
    waiting = left[1]
    waiting._delete_tasks['socket'] = asyncio.get_running_loop().create_future()
    monkeypatch.setattr(wiring, 'PRUNE_UNCONNECTED_AFTER_S', 0.0)
    monkeypatch.setattr(wiring, 'PRUNE_BUDGET_S', 0.0)  # a slice deletes one, then yields
    assert wiring.prune_slice() is True
    assert left[0].is_deleted and not left[2].is_deleted  # oldest first
    assert wiring.prune_slice() is True  # the waiting one is skipped
    assert left[2].is_deleted and not waiting.is_deleted
    assert wiring.prune_slice() is False  # nothing more to delete
    assert not waiting.is_deleted and user.client.id in Client.instances
    waiting._delete_tasks.clear()


async def test_past_a_crowd_of_waiting_pages_the_oldest_beyond_it_go_sooner(
    user: User, monkeypatch: pytest.MonkeyPatch
):
    left = await left_behind_by_a_script(user, 3)
    monkeypatch.setattr(wiring, 'PRUNE_CROWDED_AFTER_S', 0.0)  # not yet old by the usual measure (15 s)
    monkeypatch.setattr(wiring, 'CROWD', 1)
    assert wiring.prune_slice() is False
    assert [client.is_deleted for client in left] == [True, True, False]  # the newest one stays: the crowd
    monkeypatch.setattr(wiring, 'CROWD', 5)
    assert (await user.http_client.get('/register')).status_code == 200
    assert wiring.prune_slice() is False  # two waiting, no crowd, nothing 15 s old: nothing goes
    assert not left[2].is_deleted
