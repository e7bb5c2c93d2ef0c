"""The rule of tests/waits.py holds: no wait over WAIT_S, written anywhere in the tests, and the progress watchers
fail on work that stands still (with the limit shortened here, so that this takes a second)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from . import waits

TESTS = Path(__file__).resolve().parent
# A literal bound on a wait: timeout=N, timeout: float = N, .wait(N), asyncio.timeout(N).
LITERAL = re.compile(r'(?:timeout\s*[=:]\s*(?:float\s*=\s*)?|\.wait\(|asyncio\.timeout\()(\d+(?:\.\d+)?)\b')


def test_no_test_writes_a_wait_longer_than_the_limit():
    found = [
        f'{path.name}:{number}: {line.strip()}'
        for path in sorted(TESTS.glob('*.py'))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        for match in LITERAL.finditer(line)
        if float(match.group(1)) > waits.WAIT_S
    ]
    assert found == [], 'waits over WAIT_S (watch the progress instead, tests/waits.py):\n' + '\n'.join(found)


def test_waits_are_imported_from_one_module():
    """tests/waits.py is where a reader looks for how long a test waits: no other module hands its waits on."""
    import ast

    own = {
        name
        for name, value in vars(waits).items()
        if not name.startswith('_') and (getattr(value, '__module__', None) == waits.__name__ or name.isupper())
    }
    found = [
        f'{path.name}:{node.lineno}: {alias.name} from .{node.module}'
        for path in sorted(TESTS.glob('*.py'))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom)
        and (node.level == 1 or (node.module or '').startswith('tests.'))
        and node.module not in {'waits', 'tests.waits', None}
        for alias in node.names
        if alias.name in own
    ]
    assert found == [], 'import these from .waits:\n' + '\n'.join(found)


def test_a_longer_wait_is_refused():
    with pytest.raises(ValueError, match='no single wait is longer'):
        waits.wait_until(lambda: True, what='anything', timeout=waits.WAIT_S + 1)


def test_work_that_moves_is_waited_for_past_the_limit_and_work_that_stops_fails(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(waits, 'WAIT_S', 0.3)
    count = iter(range(100))
    assert waits.wait_for_progress(lambda: next(count), lambda seen: seen >= 60, what='counting', every=0.01) == 60
    stuck = iter([1, 2, 3])
    with pytest.raises(AssertionError, match=r'counting: no progress for 0.3 s, at 3'):
        waits.wait_for_progress(lambda: next(stuck, 3), lambda seen: seen > 3, what='counting', every=0.01)


def test_a_command_that_writes_or_works_runs_to_its_end_and_a_silent_idle_one_is_killed(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(waits, 'WAIT_S', 0.5)
    talking = 'import time\nfor n in range(8):\n    print(n, flush=True)\n    time.sleep(0.2)'
    done = waits.run_command([sys.executable, '-c', talking], what='talking')
    assert done.returncode == 0 and done.stdout.split() == [str(n) for n in range(8)]  # 1.6 s, past the limit
    working = 'import time\nend = time.monotonic() + 1.2\nwhile time.monotonic() < end: pass\nprint("done")'
    assert waits.run_command([sys.executable, '-c', working], what='working').stdout == 'done\n'
    with pytest.raises(AssertionError, match='idle: no output and no work for 0.5 s'):
        waits.run_command([sys.executable, '-c', 'import time; print("hi", flush=True); time.sleep(30)'], what='idle')
