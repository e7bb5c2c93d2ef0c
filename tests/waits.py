"""How a test waits: every wait, for anything, is at most WAIT_S.

A wait ends as soon as what it waits for is there, so the limit costs nothing when things go well; it only says how
long a test may stand still before it fails. Work that takes longer than WAIT_S by nature (an import job encoding
video, a scan of many files, a command that runs a benchmark, a countdown) is watched through its progress: each
step is a wait of at most WAIT_S for the work to move on (a job's progress or message, a count, a countdown, a line
of output or CPU time used by a command and what it started), and the test fails when it stands still that long,
saying where it stood.

With BUTACA_TEST_WAITS_LOG set to a file, every wait of more than a second appends its length and what it waited
for, so a run beside another one shows how much of the limit the slowest waits used.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from benchmarks.procstat import tree_cpu_seconds

WAIT_S = 10.0
EVERY_S = 0.05

T = TypeVar('T')


def bounded(timeout: float) -> float:
    """`timeout`, refused when it is over the limit (a test that needs longer watches progress instead)."""
    if timeout > WAIT_S:
        raise ValueError(f'a wait of {timeout:g} s: no single wait is longer than {WAIT_S:g} s (tests/waits.py)')
    return timeout


def record(started: float, what: str) -> None:
    """Append this wait's length to BUTACA_TEST_WAITS_LOG when it was over a second."""
    path, took = os.environ.get('BUTACA_TEST_WAITS_LOG'), time.monotonic() - started
    if path and took > 1:
        with open(path, 'a', encoding='utf-8') as log:
            log.write(f'{took:.2f}\t{what}\n')


def wait_until(condition: Callable[[], T], *, what: str, timeout: float = WAIT_S, every: float = EVERY_S) -> T:
    """Poll `condition` until it is truthy and return that value; fail saying `what` was awaited."""
    started = time.monotonic()
    deadline = started + bounded(timeout)
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f'waited {timeout:g} s for {what}')
        time.sleep(every)
    record(started, what)
    return value


async def eventually(
    condition: Callable[[], T], *, what: str = 'the condition', timeout: float = WAIT_S, every: float = EVERY_S
) -> T:
    """`wait_until` for a test that runs on the event loop (the server's work goes on while it sleeps)."""
    started = time.monotonic()
    deadline = started + bounded(timeout)
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f'waited {timeout:g} s for {what}')
        await asyncio.sleep(every)
    record(started, what)
    return value


class Steps:
    """Where watched work stands, and since when: `moved(now)` takes the latest reading and fails when the work has
    stood still for WAIT_S (the one rule of `wait_for_progress`, `watch_progress` and `run_command`)."""

    def __init__(self, what: str, seen: object) -> None:
        self.what, self.seen = what, seen
        self.started = self.step = time.monotonic()

    def moved(self, now: object) -> None:
        if now != self.seen:
            self.seen, self.step = now, time.monotonic()
        elif time.monotonic() - self.step > WAIT_S:
            raise AssertionError(f'{self.what}: no progress for {WAIT_S:g} s, at {self.seen!r}')

    def done(self) -> None:
        record(self.started, f'{self.what} (in steps)')


def wait_for_progress(read: Callable[[], T], done: Callable[[T], object], *, what: str, every: float = 0.1) -> T:
    """Long work watched step by step: `read()` says where it is (it must change as the work moves on); each step is
    a wait of at most WAIT_S. Returns where it ended, once `done` of it is true."""
    steps = Steps(what, read())
    while not done(steps.seen):
        time.sleep(every)
        steps.moved(read())
    steps.done()
    return steps.seen


async def watch_progress(read: Callable[[], T], done: Callable[[T], object], *, what: str, every: float = 0.1) -> T:
    """`wait_for_progress` for a test on the event loop (the server's work goes on while it sleeps)."""
    steps = Steps(what, read())
    while not done(steps.seen):
        await asyncio.sleep(every)
        steps.moved(read())
    steps.done()
    return steps.seen


def run_command(args: list[str], *, what: str, input: str | None = None, **options: Any) -> subprocess.CompletedProcess:
    """`subprocess.run(args, capture_output=True, text=True)`, watched through its progress: a line written (on
    stdout or stderr) or CPU time used by the command or any process it started (a benchmark's servers). It fails,
    and the command is killed, when neither moves for WAIT_S."""
    process = subprocess.Popen(
        args,
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **options,
    )
    outputs: dict[str, list[str]] = {'stdout': [], 'stderr': []}

    def drain(name: str) -> None:
        stream = getattr(process, name)
        for line in iter(stream.readline, ''):
            outputs[name].append(line)
        stream.close()

    readers = [threading.Thread(target=drain, args=(name,), daemon=True) for name in outputs]
    for reader in readers:
        reader.start()
    if input is not None:
        process.stdin.write(input)
        process.stdin.close()
    steps = Steps(what, (0, 0))
    while process.poll() is None:
        time.sleep(EVERY_S * 4)
        try:
            steps.moved((len(outputs['stdout']) + len(outputs['stderr']), tree_cpu_seconds(process.pid)))
        except AssertionError:
            process.kill()
            process.wait()
            said = ''.join(outputs['stdout'][-20:] + outputs['stderr'][-20:])
            raise AssertionError(f'{what}: no output and no work for {WAIT_S:g} s; its last lines:\n{said}') from None
    for reader in readers:
        reader.join(WAIT_S)
    steps.done()
    return subprocess.CompletedProcess(args, process.returncode, ''.join(outputs['stdout']), ''.join(outputs['stderr']))
