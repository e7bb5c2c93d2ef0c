"""Property tests: whatever the input, the account and progress services succeed as documented or raise a
domain error; no other exception escapes."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import playback_http
from app.services import accounts, playback_store
from app.services.errors import DomainError

from .helpers import make_account, seed_titles

pytestmark = pytest.mark.every_database  # once on SQLite, once on PostgreSQL (tests/conftest.py)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
any_text = st.one_of(st.text(max_size=80), st.text(alphabet=st.characters(codec='utf-8'), max_size=300))


@SETTINGS
@given(username=any_text, password=any_text, confirm=any_text)
def test_register_either_creates_a_valid_account_or_raises_a_domain_error(username, password, confirm):
    try:
        user = accounts.register(username=username, password=password, confirm=confirm, rounds=4)
    except DomainError:
        return
    assert 3 <= len(user.username) <= 32
    assert password == confirm and len(password) >= 8 and len(password.encode()) <= 72
    assert accounts.authenticate(username=username, password=password, rounds=4).id == user.id


@SETTINGS
@given(username=any_text, password=any_text)
def test_sign_in_either_succeeds_or_raises_a_domain_error(username, password):
    try:
        user = accounts.sign_in_attempt(username=username, password=password, rounds=4, address='127.0.0.1')
    except DomainError:
        return
    assert user.username  # nobody registered: a success would be a bug, and this would show it
    raise AssertionError(f'signed in as {user.username!r} without an account')


progress_values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.text(max_size=20),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
)


_DEVICE: dict[int, str] = {}


def _finite_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


@SETTINGS
@given(position=progress_values, ended=st.booleans(), leaving=st.booleans(), token=st.text(max_size=80))
def test_any_progress_report_is_applied_by_the_rules_or_refused(position, ended, leaving, token):
    user = accounts.find_by_username(username='prop') or make_account('prop')
    title_id = seed_titles(1, files=False, duration_s=100)[0]
    device = _DEVICE.get(user.id)
    if device is None or accounts.user_for_session(device) is None:  # one browser plays them all, one at a time
        device = _DEVICE[user.id] = accounts.start_session(user_id=user.id)
    start = playback_store.start_playback(user_id=user.id, title_id=title_id, device=device)
    body = json.dumps({'position': position, 'ended': ended, 'leaving': leaving}, allow_nan=True).encode()
    report = playback_http.parse_report(body)
    if report is None:  # refused before the rules: not a number, not finite
        assert not _finite_number(position)
        return
    try:
        result = playback_store.save_now(start.token if token == '' else token, report)
    except DomainError:
        return
    assert 0 <= result.position_s <= 100 and math.isfinite(result.position_s)
    assert not (result.resumable and result.watched and result.position_s == 0)
