"""Test set-up: a fresh SQLite file and data folder per test, a low bcrypt cost, no demo library."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import db


@pytest.fixture(autouse=True)
def butaca_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv('BUTACA_DATA_DIR', str(tmp_path / 'data'))
    monkeypatch.setenv('BUTACA_MEDIA_DIR', str(tmp_path / 'media'))
    monkeypatch.setenv('BUTACA_DATABASE_URL', f'sqlite:///{tmp_path / "data" / "database.db"}')
    monkeypatch.setenv('BUTACA_BCRYPT_ROUNDS', '4')
    monkeypatch.setenv('BUTACA_DEMO_LIBRARY', 'off')
    monkeypatch.setenv('BUTACA_STORAGE_SECRET', 'test-secret-only-for-the-test-suite')
    monkeypatch.delenv('BUTACA_ENV', raising=False)
    monkeypatch.delenv('BUTACA_DEFAULT_LANGUAGE', raising=False)
    os.environ.pop('BUTACA_ACCEL_REDIRECT', None)
    db.init_db()
    yield tmp_path
    db.dispose_engines()
