"""The benchmark command's quick mode runs from a clean clone and prints its whole table (figures, not targets)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


pytestmark = pytest.mark.slow  # real server processes: seconds each


def test_quick_benchmarks_print_every_measurement():
    env = {k: v for k, v in os.environ.items() if not k.startswith(('BUTACA_', 'PYTEST_', 'NICEGUI_'))}
    done = subprocess.run(
        [sys.executable, '-m', 'benchmarks', '--quick'], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
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
