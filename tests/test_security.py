"""Brute force, stale sessions, hostile input and headers: each attack tried, each failing cleanly."""

from __future__ import annotations

from datetime import timedelta

import bcrypt
import pytest
from nicegui.testing import User

from app import db, security
from app.i18n import translate
from app.models import utcnow
from app.services import accounts, playback, throttle
from app.services.errors import ValidationError

from .helpers import (
    make_account,
    open_player,
    player_token,
    press,
    seed_titles,
    should_see,
    sign_in,
    signed_in,
    watched,
)

pytestmark = pytest.mark.every_database  # once on SQLite, once on PostgreSQL (tests/conftest.py)


@pytest.fixture
def bcrypt_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts real bcrypt checks (the real function still runs)."""
    calls: list[int] = []
    real = bcrypt.checkpw

    def counting(password: bytes, hashed: bytes) -> bool:
        calls.append(1)
        return real(password, hashed)

    monkeypatch.setattr(security.bcrypt, 'checkpw', counting)
    return calls


def attempt(username: str, password: str, address: str | None = '10.0.0.1'):
    return accounts.sign_in_attempt(username=username, password=password, rounds=4, address=address)


def test_the_sixth_wrong_password_is_refused_without_hashing_and_says_when_to_retry(bcrypt_checks):
    make_account('ana')
    for _ in range(5):
        with pytest.raises(ValidationError):
            attempt('ana', 'wrong-one')
    assert len(bcrypt_checks) == 5
    with pytest.raises(throttle.Throttled) as info:
        attempt('ana', 'secreto123')  # even the right password waits
    assert len(bcrypt_checks) == 5
    assert info.value.params == {'minutes': 15}
    assert translate('en', info.value.key, **info.value.params) == 'Too many failed attempts. Try again in 15 min.'


def test_one_address_trying_many_usernames_is_throttled_too():
    make_account('ana')
    for name in ('u1', 'u2', 'u3', 'u4', 'u5'):
        with pytest.raises(ValidationError):
            attempt(name, 'whatever1', address='10.9.9.9')
    with pytest.raises(throttle.Throttled):
        attempt('ana', 'secreto123', address='10.9.9.9')
    assert attempt('ana', 'secreto123', address='10.1.1.1').username == 'ana'


def test_a_success_resets_the_username_counter_and_the_window_passes():
    make_account('ana')
    for _ in range(4):
        with pytest.raises(ValidationError):
            attempt('ana', 'wrong-one', address=None)
    attempt('ana', 'secreto123', address=None)
    for _ in range(4):
        with pytest.raises(ValidationError):
            attempt('ana', 'wrong-one', address=None)
    assert attempt('ana', 'secreto123', address=None).username == 'ana'
    later = utcnow() + throttle.WINDOW + timedelta(seconds=1)
    with db.session() as session:
        throttle.check(session, username_key='ana', address=None, now=later)


def test_unknown_usernames_cost_one_bcrypt_check_like_known_ones(bcrypt_checks):
    make_account('ana')
    security.dummy_hash(4)
    bcrypt_checks.clear()
    with pytest.raises(ValidationError):
        attempt('nadie', 'secreto123')
    with pytest.raises(ValidationError):
        attempt('ana', 'wrong-one')
    assert len(bcrypt_checks) == 2


async def test_the_login_page_shows_the_throttle_message(user: User):
    make_account('ana')
    for _ in range(5):
        with pytest.raises(ValidationError):
            attempt('ana', 'wrong-one', address=None)
    await sign_in(user, 'ana', 'secreto123')
    await should_see(user, translate('es', 'login.throttled', minutes=15))


async def test_the_login_api_answers_429_with_retry_after(user: User):
    make_account('ana')
    await user.open('/login')
    for _ in range(5):
        response = await user.http_client.post('/api/login', json={'username': 'ana', 'password': 'nope-nope'})
        assert response.status_code == 401
    response = await user.http_client.post('/api/login', json={'username': 'ana', 'password': 'secreto123'})
    assert response.status_code == 429
    assert 800 < int(response.headers['retry-after']) <= 900


async def test_a_tab_the_sign_out_cannot_reach_is_refused_by_the_database(create_user, monkeypatch):
    """Sending the other tabs to the login page reaches only pages held by this process (the real-browser test
    checks it); a tab held by another process keeps its websocket, and each of its events must still be refused."""
    from app import auth

    ids = seed_titles(1, duration_s=100)
    account = make_account('ana')
    tab1, tab2 = create_user(), create_user()
    await sign_in(tab1)
    await should_see(tab1, marker='header', content='data-action="logout"')
    tab2.http_client.cookies = tab1.http_client.cookies  # same browser: same cookie
    watched(account.id, ids[0])  # one history entry
    await tab2.open('/profile')
    await should_see(tab2, marker='history-list', content='data-action="clear"')
    await tab1.open('/')
    monkeypatch.setattr(auth, 'close_pages', lambda *_args, **_kwargs: 0)  # as if tab2 lived in another process
    press(tab1, 'header', 'logout')
    await should_see(tab1, marker='submit')  # on the login page: signed out (its flash: test_auth_pages)
    # The other tab's websocket events are refused: clearing the history does nothing now ...
    press(tab2, 'history-list', 'clear')
    tab2.find(marker='history-clear-confirm').click()
    await should_see(tab2, translate('es', 'login.session_ended'))  # its handler found no session and said so
    assert len(playback.history(user_id=account.id)) == 1
    # ... and so are its HTTP requests.
    assert (await tab2.http_client.get('/profile', follow_redirects=False)).status_code == 303


@pytest.mark.parametrize(
    ('username', 'key'),
    [
        ('ana\x00', 'register.username_format'),
        ('ana\u202ebad', 'register.username_format'),  # right-to-left override
        ('ana\u200b', 'register.username_format'),  # zero-width space
        ('a' * 10_000, 'register.username_format'),
        ("' OR 1=1 --", 'register.username_format'),
        ('<script>alert(1)</script>', 'register.username_format'),
        ('ana\nmaria', 'register.username_format'),
    ],
)
def test_hostile_usernames_get_a_clear_message(username, key):
    with pytest.raises(ValidationError) as info:
        accounts.register(username=username, password='secreto123', confirm='secreto123', rounds=4)
    assert info.value.key == key


def test_a_huge_password_is_refused_before_bcrypt():
    with pytest.raises(ValidationError) as info:
        accounts.register(username='ana', password='x' * 1_000_000, confirm='x' * 1_000_000, rounds=4)
    assert info.value.key == 'register.password_long'
    with pytest.raises(ValidationError):
        accounts.authenticate(username='ana', password='x' * 1_000_000, rounds=4)


async def test_html_in_titles_is_shown_as_text_everywhere(user: User):
    seed_titles(1, names=['<script>alert("x")</script><img src=x onerror=alert(1)>'])
    await signed_in(user)
    for path in ('/', '/catalog', '/title/1'):
        page = await user.http_client.get(path)
        assert page.status_code == 200
        assert '<script>alert(' not in page.text and '<img src=x' not in page.text, path


async def test_sql_looking_search_finds_nothing_and_breaks_nothing(user: User):
    seed_titles(3)
    await signed_in(user)
    await user.open("/catalog?q=' OR 1=1 --&genre=x' OR '1'='1&sort=;DROP TABLE titles&page=-5")
    await should_see(user, translate('es', 'catalog.none'))
    assert playback.history(user_id=1) == []  # the database is still there


@pytest.mark.parametrize(
    'range_header',
    [
        'bytes=abc',
        'bytes=5-2',
        'items=0-1',
        'bytes=-',
        'bytes=0-1,',
        'bytes',
        'bytes=99999999999999999999999-',
        'bytes=0-1,2-3,4-5',
    ],
)
async def test_malformed_range_headers_get_a_4xx_or_the_file_never_a_500(user: User, range_header):
    (title_id,) = seed_titles(1)
    await signed_in(user)
    src, _ = await open_player(user, title_id)
    response = await user.http_client.get(src, headers={'Range': range_header})
    assert response.status_code in {200, 206, 400, 416}, (range_header, response.status_code)


@pytest.mark.parametrize(
    'body',
    [
        '',
        'x' * 5000,
        '{"position": [1]}',
        '{"position": {"a": 1}}',
        '{"position": "12"}',
        'null',
        '"text"',
        '[' * 2000,
    ],
)
async def test_malformed_progress_bodies_get_a_4xx(user: User, body):
    (title_id,) = seed_titles(1)
    await signed_in(user)
    token = await player_token(user, title_id)
    response = await user.http_client.post(
        f'/play/{token}/progress', content=body, headers={'Content-Type': 'text/plain'}
    )
    assert 400 <= response.status_code < 500


async def test_pages_media_and_api_carry_the_security_headers(user: User):
    (title_id,) = seed_titles(1)
    await signed_in(user)
    for path in ('/login', '/', f'/media/{title_id}/poster', '/api/health'):
        headers = (await user.http_client.get(path)).headers
        assert headers['x-content-type-options'] == 'nosniff', path
        assert headers['x-frame-options'] == 'DENY', path
        assert "frame-ancestors 'none'" in headers['content-security-policy'], path
        assert headers['referrer-policy'] == 'same-origin', path


async def test_a_playback_token_of_another_user_cannot_be_made_to_play_something_else(create_user):
    # The token is the authority of the player's requests: it names one playback of one title at the quality of
    # its owner's plan, nothing else; another user holding it gets exactly that and no more.
    ids = seed_titles(2, duration_s=100, premium_every=0)
    make_account('ana')
    ana = create_user()
    await sign_in(ana, 'ana')
    await should_see(ana, marker='header', content='data-action="logout"')
    token = await player_token(ana, ids[0])
    anonymous = create_user()
    assert (await anonymous.http_client.get(f'/play/{token}/video/hd')).status_code == 403  # ana is FREE
    assert (await anonymous.http_client.get(f'/play/{token}x/video/sd')).status_code == 404
