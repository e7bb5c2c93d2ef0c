"""Account rules, as plain service calls on a fresh SQLite file."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app import db
from app.models import Plan, User
from app.services import accounts
from app.services.errors import ValidationError

pytestmark = pytest.mark.every_database  # once on SQLite, once on PostgreSQL (tests/conftest.py)


def register(username: str = 'ana', password: str = 'secreto123', confirm: str | None = None):
    return accounts.register(
        username=username,
        password=password,
        confirm=password if confirm is None else confirm,
        rounds=4,
    )


def error_key(fn, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as info:
        fn(*args, **kwargs)
    return info.value.key


@pytest.mark.parametrize(
    ('username', 'password', 'confirm', 'key'),
    [
        ('', '', '', 'register.all_required'),
        ('', 'secreto123', 'secreto123', 'register.username_required'),
        ('   ', 'secreto123', 'secreto123', 'register.username_required'),
        ('ana', '', 'secreto123', 'register.password_required'),
        ('ana', 'secreto123', '', 'register.confirm_required'),
        ('an', 'secreto123', 'secreto123', 'register.username_format'),
        ('a' * 33, 'secreto123', 'secreto123', 'register.username_format'),
        ('ana maria', 'secreto123', 'secreto123', 'register.username_format'),
        ('ana<script>', 'secreto123', 'secreto123', 'register.username_format'),
        ("ana'--", 'secreto123', 'secreto123', 'register.username_format'),
        ('ana', 'corta', 'corta', 'register.password_short'),
        ('ana', 'a' * 73, 'a' * 73, 'register.password_long'),
        ('ana', 'ñ' * 37, 'ñ' * 37, 'register.password_long'),  # 37 characters, 74 bytes in UTF-8
        ('ana', 'secreto123', 'secreto124', 'register.mismatch'),
    ],
)
def test_each_registration_rule_has_its_own_message(username, password, confirm, key):
    assert error_key(register, username, password, confirm) == key


def test_a_72_byte_password_is_accepted_and_a_73_byte_one_refused_without_bcrypt_raising():
    assert register('ana', 'a' * 72).username == 'ana'
    assert error_key(register, 'bea', 'a' * 73) == 'register.password_long'


def test_usernames_are_unique_regardless_of_case():
    register('Ana')
    assert error_key(register, 'ANA') == 'register.username_taken'
    assert error_key(register, 'ana') == 'register.username_taken'


def test_usernames_with_accents_and_dots_are_allowed_and_kept_as_typed():
    user = register('Begoña.G-1')
    assert user.username == 'Begoña.G-1'
    assert accounts.authenticate(username='begoña.g-1', password='secreto123', rounds=4).id == user.id


def test_new_users_are_free_and_only_a_bcrypt_hash_is_stored():
    user = register('ana', 'secreto123')
    assert user.subscription_type == Plan.FREE
    with db.session(write=True) as session:
        row = session.exec(select(User)).one()
    assert 'secreto123' not in row.password_hash
    assert row.password_hash.startswith('$2b$04$')


@pytest.mark.parametrize(
    ('username', 'password', 'key'),
    [
        ('', '', 'login.all_required'),
        ('', 'secreto123', 'login.username_required'),
        ('ana', '', 'login.password_required'),
        ('nadie', 'secreto123', 'login.failed'),  # unknown and wrong say the same
        ('ana', 'incorrecta', 'login.failed'),
    ],
)
def test_each_login_mistake_has_its_message_and_a_failure_does_not_say_which_part(username, password, key):
    register('ana', 'secreto123')
    assert error_key(accounts.authenticate, username=username, password=password, rounds=4) == key


def test_login_ignores_the_case_of_the_username():
    user = register('Ana', 'secreto123')
    assert accounts.authenticate(username=' ana ', password='secreto123', rounds=4).id == user.id


def test_a_session_token_resolves_to_its_user_until_it_is_ended():
    user = register()
    token = accounts.start_session(user_id=user.id)
    assert accounts.user_for_session(token, idle_days=14).id == user.id
    accounts.end_session(token=token)
    assert accounts.user_for_session(token, idle_days=14) is None


def test_an_idle_session_is_gone():
    user = register()
    token = accounts.start_session(user_id=user.id)
    assert accounts.user_for_session(token, idle_days=0) is None
    assert accounts.user_for_session(token, idle_days=14) is None


async def test_the_account_keeps_the_time_zone_its_browser_reported_and_ignores_unknown_names():
    from app import events

    from .waits import eventually

    user = register()
    news: list[dict] = []
    stop = events.subscribe(f'account:{user.id}', news.append)
    try:
        assert accounts.remember_time_zone(user_id=user.id, time_zone='Europe/Madrid') is True
        assert accounts.remember_time_zone(user_id=user.id, time_zone='Europe/Madrid') is False  # already so
        for unknown in ('Not/AZone', '../etc/passwd', '/etc/localtime', 'Europe/', 'x' * 300, ' '):
            assert accounts.remember_time_zone(user_id=user.id, time_zone=unknown) is False, unknown
        await eventually(lambda: news, what='the account news')
    finally:
        stop()
    with db.session() as session:
        assert session.get(User, user.id).time_zone == 'Europe/Madrid'
    assert [item.get('time_zone') for item in news] == ['Europe/Madrid']  # cached accounts dropped, once
