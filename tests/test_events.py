"""The Redis bus of live updates (app/events_redis.py) against the real Redis at 127.0.0.1:6379: news published by
one process is delivered in another once, its own news is not delivered twice, and it carries on after Redis drops
its connections. Each test uses its own channel, so runs at once never hear each other. Skips without Redis,
except in CI (CI=true), which has it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid

import pytest

from app import events

from .waits import eventually

REDIS_URL = os.environ.get('BUTACA_TEST_REDIS_URL', 'redis://127.0.0.1:6379/0')

redis = pytest.importorskip('redis') if os.environ.get('CI') != 'true' else __import__('redis')


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


if not _redis_up() and os.environ.get('CI') != 'true':
    pytest.skip('needs a Redis server at 127.0.0.1:6379', allow_module_level=True)


@pytest.fixture
def channel() -> str:
    return f'butaca-test:{uuid.uuid4().hex}'


@pytest.fixture
def two_buses(channel):
    """Two buses on one channel, as two processes have; this process's subscribers hear what `other` brings."""
    from app.events_redis import RedisBus

    here, other = RedisBus(REDIS_URL, channel=channel).start(), RedisBus(REDIS_URL, channel=channel).start()
    assert here.wait_subscribed(5) and other.wait_subscribed(5)
    events.set_bus(here)
    yield here, other
    events.set_bus(None)
    other.close()


async def _collect(topic: str) -> tuple[list[dict], callable]:
    heard: list[dict] = []
    return heard, events.subscribe(topic, heard.append)


async def test_news_of_another_process_is_delivered_here_once(two_buses):
    _, other = two_buses
    heard, stop = await _collect('account:7')
    other.send('account:7', {'plan': 'FREE'})
    await eventually(lambda: heard, what='the news delivered')
    await asyncio.sleep(0.3)  # anything more would be a duplicate
    assert heard == [{'plan': 'FREE'}]
    stop()


async def test_own_news_reaches_own_pages_once_and_the_other_process_once(two_buses, channel):
    _, other = two_buses
    other.close()  # its listener would deliver here too (one test process plays both): a raw subscriber instead
    heard, stop = await _collect('catalog')
    watcher = redis.Redis.from_url(REDIS_URL).pubsub(ignore_subscribe_messages=True)
    watcher.subscribe(channel)
    events.publish('catalog', title_ids=[3])
    await eventually(lambda: heard, what='the news delivered')
    raw = None
    for _ in range(50):
        raw = watcher.get_message(timeout=0.1)
        if raw is not None:
            break
    watcher.close()
    await asyncio.sleep(0.3)  # its own message came back through Redis too: it must not be delivered again
    assert heard == [{'title_ids': [3]}]
    assert raw is not None and b'"title_ids": [3]' in raw['data'] and two_buses[0].origin.encode() in raw['data']
    stop()


async def test_the_bus_carries_on_after_redis_drops_its_connections(two_buses):
    here, other = two_buses
    heard, stop = await _collect('sessions')
    other.send('sessions', {'tokens': ['before']})
    await eventually(lambda: heard, what='the news delivered')
    heard.clear()
    admin = redis.Redis.from_url(REDIS_URL)
    names = {here.client_name, other.client_name}
    killed = [c['id'] for c in admin.client_list() if c.get('name') in names]  # as a Redis restart does, to these
    assert len(killed) == 3  # the listeners of both, and the sender of `other` (senders connect on first use)
    for client_id in killed:
        admin.client_kill_filter(_id=client_id)
    for _ in range(100):  # until both ends noticed and reconnected: news sent meanwhile may be lost, by design
        other.send('sessions', {'tokens': ['abc']})
        with contextlib.suppress(AssertionError):
            await eventually(lambda: heard, timeout=0.2, what='the news delivered')
        if heard:
            break
    assert heard, 'the bus did not carry news again after its connections were dropped'
    assert {c['id'] for c in admin.client_list() if c.get('name') in names}.isdisjoint(killed)  # new connections
    assert heard[0] == {'tokens': ['abc']}
    stop()


async def test_a_bus_without_redis_never_fails_the_publisher(channel):
    from app.events_redis import RedisBus

    bus = RedisBus('redis://127.0.0.1:1/0', channel=channel).start()  # nothing listens on port 1
    events.set_bus(bus)
    heard, stop = await _collect('progress:1')
    events.publish('progress:1')  # the save that happened is told here, whatever Redis does
    await eventually(lambda: heard, what='the news delivered')
    assert heard == [{}]
    stop()
    events.set_bus(None)


def test_what_is_queued_goes_as_one_message_with_each_piece_of_news_once(channel):
    import json

    from app.events_redis import RedisBus

    bus = RedisBus(REDIS_URL, channel=channel)  # not started: its queue is read by hand here
    for topic, data in [('progress:1', {}), ('progress:2', {}), ('progress:1', {}), ('catalog', {'title_ids': [4]})]:
        bus.send(topic, data)
    message, stop = bus._next_batch()
    assert not stop
    assert json.loads(message) == {
        'origin': bus.origin,
        'events': [['progress:1', {}], ['progress:2', {}], ['catalog', {'title_ids': [4]}]],
    }
