"""The stress and crash scripts in their short form, against a real server process and a real SQLite file."""

from __future__ import annotations

import pytest

from benchmarks import crash, stress

# Real server processes (seconds each), once on SQLite and once on PostgreSQL (tests/conftest.py).
pytestmark = [pytest.mark.slow, pytest.mark.every_database]


def test_fifty_viewers_saving_every_second_lose_nothing_and_see_no_error(database_url: str):
    result = stress.run(viewers=50, seconds=10, database_url=database_url)
    assert result['sent'] > 400
    assert result['acknowledged'] == result['sent']
    assert result['errors'] == 0, result['first_errors']
    assert result['lost_final_positions'] == 0


def test_a_killed_server_leaves_an_intact_database_with_every_acknowledged_save(database_url: str):
    result = crash.run(viewers=20, seconds=6, database_url=database_url)
    assert result['acknowledged'] > 0
    assert result['integrity_check'] == 'ok'
    assert result['lost_acknowledged_saves'] == 0
    assert result['restart_healthy']
