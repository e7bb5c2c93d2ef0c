"""The Redis bus of live updates (app/events.py): what one process publishes, the others deliver to their pages.

Enabled by BUTACA_REDIS_URL (`install()` at start-up). One Redis channel (`<BUTACA_REDIS_PREFIX>events`) carries
every topic; each message is JSON `{"origin": <this process's id>, "events": [[topic, {data}], ...]}`: what was
queued when the sender got to it, each piece of news once. A process delivers its own news to its own pages
directly (events.publish), so it skips messages whose origin is itself: nothing is delivered twice.

Two daemon threads, so that neither a publisher nor the event loop ever waits for Redis:
- the sender takes messages from a queue and PUBLISHes them (services publish from worker threads after their
  commit; a Redis that is slow or down must not hold a save);
- the listener SUBSCRIBEs and hands what arrives to events.deliver.
Both reconnect on their own after a lost connection (Redis restarted, network drop), waiting up to
`MAX_BACKOFF` seconds between attempts. News sent while Redis is unreachable is dropped after a short queue: live
updates are a courtesy, every page reads the database when it is drawn (and players check their rights on every
report), so a lost message costs a late redraw, never a wrong answer.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import socket
import threading
import uuid
from typing import Any

from . import events
from .config import get_settings

log = logging.getLogger('butaca.events.redis')
MAX_BACKOFF = 5.0
BATCH = 500  # news in one Redis message at most
QUEUE_SIZE = 10_000  # messages kept while Redis is away; past that the oldest news is not worth keeping
_STOP = object()


class RedisBus:
    """events.Bus over Redis pub/sub (redis-py, synchronous, in two threads)."""

    def __init__(self, url: str, *, channel: str) -> None:
        import redis  # only processes that use the bus need the package

        self.url = url
        self.channel = channel
        self.origin = f'{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}'
        self.client_name = f'butaca-bus-{uuid.uuid4().hex[:12]}'  # its connections in Redis's CLIENT LIST
        self._redis = redis
        self._outbox: queue.Queue[object] = queue.Queue(QUEUE_SIZE)
        self._stopping = threading.Event()
        self._subscribed = threading.Event()
        self._pubsub: Any = None
        self._sender = threading.Thread(target=self._send_loop, name='butaca-bus-send', daemon=True)
        self._listener = threading.Thread(target=self._listen_loop, name='butaca-bus-listen', daemon=True)

    def start(self) -> RedisBus:
        self._sender.start()
        self._listener.start()
        return self

    def wait_subscribed(self, timeout: float) -> bool:
        """True once the listener is subscribed (start-up: news from other processes is heard from then on)."""
        return self._subscribed.wait(timeout)

    # events.Bus

    def send(self, topic: str, data: dict[str, Any]) -> None:
        try:
            self._outbox.put_nowait((topic, data))
        except queue.Full:
            log.warning('the event bus is not keeping up (Redis away?): %s dropped', topic)

    def close(self) -> None:
        self._stopping.set()
        with contextlib.suppress(queue.Full):  # a full queue: the sender stops on the flag instead
            self._outbox.put(_STOP, timeout=1)
        pubsub = self._pubsub
        if pubsub is not None:
            try:
                pubsub.close()  # wakes the listener out of its blocking read
            except Exception:  # already closed or never connected: the listener stops on the flag
                log.debug('closing the subscription', exc_info=True)
        for thread in (self._sender, self._listener):
            if thread.is_alive() and thread is not threading.current_thread():
                thread.join(timeout=5)

    # threads

    def _send_loop(self) -> None:
        client = self._redis.Redis.from_url(
            self.url, socket_timeout=5, socket_connect_timeout=5, client_name=self.client_name
        )
        backoff = 0.1
        pending: bytes | None = None
        while True:
            if pending is not None:
                message, stop = pending, False
            else:
                message, stop = self._next_batch()
            if message is None:
                client.close()
                return
            try:
                client.publish(self.channel, message)
                pending = None
                backoff = 0.1
                if stop:
                    client.close()
                    return
            except self._redis.RedisError as error:
                pending = message  # sent again once Redis is back (the client reconnects on the next command)
                log.warning('event bus: cannot publish (%s); trying again in %.1f s', error, backoff)
                if self._stopping.wait(backoff):
                    client.close()
                    return
                backoff = min(backoff * 2, MAX_BACKOFF)

    def _next_batch(self) -> tuple[bytes | None, bool]:
        """What is queued now, as one message (waits for the first): (JSON or None, stop after sending it).

        One PUBLISH for everything queued, and the same news once: at hundreds of progress saves a second each
        process would otherwise publish, and every other process decode, one message per save."""
        first = self._outbox.get()
        if first is _STOP:
            return None, True
        batch: dict[str, tuple[str, Any]] = {}
        stop = False
        item: object = first
        while True:
            topic, data = item  # type: ignore[misc]
            key = json.dumps([topic, data], sort_keys=True, default=str)
            batch.setdefault(key, (topic, data))
            if len(batch) >= BATCH:
                break
            try:
                item = self._outbox.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                stop = True
                break
        payload = {'origin': self.origin, 'events': [[topic, data] for topic, data in batch.values()]}
        return json.dumps(payload, default=str).encode(), stop

    def _listen_loop(self) -> None:
        backoff = 0.1
        while not self._stopping.is_set():
            client = self._redis.Redis.from_url(
                self.url, socket_connect_timeout=5, health_check_interval=30, client_name=self.client_name
            )
            try:
                self._pubsub = pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                self._subscribed.set()
                if backoff > 0.1:
                    log.info('event bus: subscribed again')
                backoff = 0.1
                while not self._stopping.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is not None:
                        self._deliver(message.get('data'))
            except Exception as error:  # redis errors, and a pubsub closed under us by close()
                self._subscribed.clear()
                if self._stopping.is_set():
                    break
                log.warning('event bus: subscription lost (%s); trying again in %.1f s', error, backoff)
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
            finally:
                self._pubsub = None
                try:
                    client.close()
                except Exception:  # best effort: the connection may be gone already
                    log.debug('closing the Redis client', exc_info=True)

    def _deliver(self, raw: object) -> None:
        try:
            message = json.loads(raw)  # type: ignore[arg-type]
            if message['origin'] == self.origin:
                return  # delivered here already, when it was published
            for topic, data in message['events']:
                events.deliver(str(topic), dict(data))
        except (TypeError, ValueError, KeyError):
            log.warning('event bus: ignoring a message that is not Butaca news')


def install(timeout: float = 5.0) -> RedisBus | None:
    """With BUTACA_REDIS_URL set, carry live updates between processes through Redis (None: this process only)."""
    settings = get_settings()
    if settings.redis_url is None:
        return None
    bus = RedisBus(settings.redis_url, channel=f'{settings.redis_prefix}events').start()
    if not bus.wait_subscribed(timeout):
        log.warning('event bus: Redis not reachable yet; pages get news from other processes once it is')
    events.set_bus(bus)
    return bus
