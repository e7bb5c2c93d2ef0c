"""Settings from the environment: defaults, validation, and the storage secret rules."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from app.config import ConfigError, get_settings, storage_secret

from .waits import run_command

ROOT = Path(__file__).resolve().parent.parent


def test_defaults(monkeypatch: pytest.MonkeyPatch):
    for name in ('BUTACA_DATA_DIR', 'BUTACA_DATABASE_URL', 'BUTACA_MEDIA_DIR', 'BUTACA_BCRYPT_ROUNDS'):
        monkeypatch.delenv(name, raising=False)
    settings = get_settings()
    assert settings.database_url == f'sqlite:///{ROOT / "data" / "database.db"}'
    assert settings.media_dir == ROOT / 'assets' / 'media'
    assert (settings.port, settings.bcrypt_rounds, settings.default_language) == (8080, 12, 'es')
    assert (settings.max_screens_free, settings.max_screens_premium, settings.session_idle_days) == (1, 4, 14)
    assert not settings.production
    assert (settings.accel_redirect_prefix, settings.accel_grant_seconds) == (None, 2)


@pytest.mark.parametrize(
    ('name', 'value'),
    [
        ('BUTACA_PORT', 'abc'),
        ('BUTACA_PORT', '70000'),
        ('BUTACA_BCRYPT_ROUNDS', '3'),
        ('BUTACA_ENV', 'staging'),
        ('BUTACA_DEFAULT_LANGUAGE', 'fr'),
        ('BUTACA_DEMO_LIBRARY', 'maybe'),
        ('BUTACA_ACCEL_GRANT_SECONDS', '-1'),
        ('BUTACA_ACCEL_GRANT_SECONDS', '600'),
    ],
)
def test_invalid_values_are_refused_with_a_message_naming_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        get_settings()


def test_development_generates_a_secret_once_and_keeps_it_private(monkeypatch, tmp_path):
    monkeypatch.delenv('BUTACA_STORAGE_SECRET', raising=False)
    monkeypatch.setenv('BUTACA_DATA_DIR', str(tmp_path / 'fresh'))
    first = storage_secret()
    assert len(first) >= 32
    assert storage_secret() == first
    assert (tmp_path / 'fresh' / 'storage_secret').stat().st_mode & 0o777 == 0o600


def test_production_without_a_secret_stops_start_up_with_a_clear_message(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(('BUTACA_', 'PYTEST_', 'NICEGUI_'))}
    env.update(BUTACA_ENV='production', BUTACA_DATA_DIR=str(tmp_path))
    done = run_command([sys.executable, 'main.py'], what='main.py', cwd=ROOT, env=env)
    assert done.returncode != 0
    assert 'BUTACA_STORAGE_SECRET is required when BUTACA_ENV=production' in done.stderr
    assert not (tmp_path / 'storage_secret').exists()


def test_settings_follow_the_environment_while_unchanged_reads_are_cached(monkeypatch):
    first = get_settings()
    assert get_settings() is first  # asked on every media request: not rebuilt while nothing changed
    monkeypatch.setenv('BUTACA_MAX_SCREENS_FREE', '3')
    assert get_settings().max_screens_free == 3
    monkeypatch.delenv('BUTACA_MAX_SCREENS_FREE')
    assert get_settings().max_screens_free == 1
