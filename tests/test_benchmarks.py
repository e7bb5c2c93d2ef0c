"""The benchmark command runs from a clean clone and prints its whole table (figures, not targets): the quick mode of
the original measurements, and the tiny mode of the page-load ones (pages-load, flood, burst, screens)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .waits import run_command

ROOT = Path(__file__).resolve().parent.parent


pytestmark = pytest.mark.slow  # real server processes: seconds each


def benchmarks(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(('BUTACA_', 'PYTEST_', 'NICEGUI_'))}
    return run_command([sys.executable, '-m', 'benchmarks', *args], what='the benchmark', cwd=ROOT, env=env)


def test_quick_benchmarks_print_every_measurement():
    done = benchmarks('--quick', '--only', 'video', 'logins', 'pages', 'saves', 'memory')
    assert done.returncode == 0, done.stderr[-3000:]
    table = done.stdout
    for row in (
        'video (a) Butaca media route',
        'video (a) ping',
        'login burst',
        'page home',
        'page catalog, late page with a search',
        'page watch',
        'progress saves',
        'memory',
    ):
        assert row in table, row
    assert ' 0 errors' in table
    print(table)


def test_the_page_load_benchmarks_run_in_their_tiny_mode():
    done = benchmarks('--tiny', '--only', 'pages-load', 'flood', 'burst', 'screens')
    assert done.returncode == 0, done.stderr[-3000:]
    table = done.stdout
    for row in (
        'pages-load 18 titles, plain: bare NiceGUI page',
        'pages-load 18 titles, plain: bare Starlette + Jinja2 rows',
        'pages-load 18 titles, with websocket: home',
        'pages-load 18 titles, with websocket: profile',
        'x NiceGUI',
        'flood: server memory',
        'flood: 8 real viewers',
        'flood: ping',
        'burst: 10 signed-in viewers',
        'screens: 20 websockets with home open + 4 players',
        'screens: server memory',
    ):
        assert row in table, row
    assert ' 0 errors' in table
    assert '10/10 served' in table  # every viewer of the burst got home and its websocket
    assert ', 0 lost' in table  # no progress save of the players was lost
    print(table)
