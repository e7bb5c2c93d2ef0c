"""The code is formatted and linted as pyproject.toml says (ruff check and ruff format), so CI refuses drift."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from .waits import run_command

ROOT = Path(__file__).resolve().parent.parent


def _ruff() -> list[str]:
    beside = Path(sys.executable).with_name('ruff')
    if beside.exists():
        return [str(beside)]
    found = shutil.which('ruff')
    if found is None:
        pytest.fail('ruff is missing: it is in the test extras (pip install -e ".[test]")')
    return [found]


@pytest.mark.parametrize('command', [['check', '.'], ['format', '--check', '.']], ids=['check', 'format'])
def test_ruff_finds_nothing_to_change(command: list[str]) -> None:
    result = run_command([*_ruff(), *command], what='ruff', cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
