"""The queue's consumer: inside `python main.py` (a thread, no signal handlers: the server owns them) or apart as
`butaca-worker` (its own process, huey's signal handling). Both first put back what a dead worker left, and watch
the library roots for changes (app/library/watch.py)."""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Callable

from huey.consumer import Consumer

from ..config import library_settings
from ..library import watch
from ..services import jobs
from .queue import queue, send

log = logging.getLogger('butaca.worker')


class ThreadConsumer(Consumer):
    """huey's consumer without signal handlers: signals belong to the server's main thread."""

    def _set_signal_handlers(self) -> None:
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover() -> list[int]:
    """Jobs left running by a dead worker (and jobs queued while no consumer ran) sent to the queue again."""
    found = jobs.recover(host=socket.gethostname(), alive=_alive)
    for job_id in found:
        send(job_id)
    if found:
        log.info('jobs sent to the queue again: %s', ', '.join(map(str, found)))
    return found


def _consumer(kind: type[Consumer]) -> Consumer:
    huey, _ = queue()
    return kind(huey, workers=library_settings().encode_workers, worker_type='thread', periodic=False)


def start_in_thread(*, watching: bool = True) -> Callable[[], None]:
    """Start the consumer's threads in this process (and the watch on the library roots, unless not
    ``watching``); returns the function that stops them."""
    recover()
    consumer = _consumer(ThreadConsumer)
    consumer.start()
    log.info('job worker started (%d encode(s) at a time)', library_settings().encode_workers)
    watcher = watch.start() if watching else None

    def stop() -> None:
        if watcher is not None:
            watcher.set()
        consumer.stop(graceful=False)

    return stop


def main() -> int:
    """`butaca-worker`: run the jobs apart from the web server (set BUTACA_WORKER=off for the servers)."""
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    from ..db import init_db

    init_db()
    recover()
    watching = watch.start()
    try:
        _consumer(Consumer).run()
    finally:
        watching.set()
    return 0


if __name__ == '__main__':
    sys.exit(main())
