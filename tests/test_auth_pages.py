"""Registration, sign-in, protection and sign-out, as a browser-less user sees them (NiceGUI's user fixture)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from nicegui.testing import User

from app import auth
from app.i18n import translate
from app.services import accounts

from .helpers import make_account, press, should_see, sign_in

pytestmark = pytest.mark.every_database  # once on SQLite, once on PostgreSQL (tests/conftest.py)


async def test_register_lands_home_signed_in_then_logout_then_login(user: User):
    await user.open('/register')
    user.find(marker='username').type('nuevo_user')
    user.find(marker='password').type('secreto123')
    user.find(marker='confirm').type('secreto123')
    user.find(marker='submit').click()
    await should_see(user, translate('es', 'register.welcome', username='nuevo_user'))
    await should_see(user, marker='header', content='data-action="logout"')  # signed in, on home, as Netflix does
    assert user.client.request.url.path == '/'
    press(user, 'header', 'logout')
    await should_see(user, translate('es', 'login.logged_out'))
    await sign_in(user, 'nuevo_user')
    await should_see(user, translate('es', 'login.welcome', username='nuevo_user'))
    await should_see(
        user, marker='header', content='data-action="logout"'
    )  # the welcome can show before home has finished loading
    press(user, 'header', 'logout')
    await should_see(user, translate('es', 'login.logged_out'))
    await should_see(user, marker='go-register')
    await user.open('/')
    await should_see(user, marker='go-register')  # signed out: home sends us to the login page


@pytest.mark.parametrize('language', ['es', 'en'])
@pytest.mark.parametrize(
    ('username', 'password', 'confirm', 'key', 'params'),
    [
        ('', '', '', 'register.all_required', {}),
        ('ab', 'secreto123', 'secreto123', 'register.username_format', {'min': 3, 'max': 32}),
        ('ana', 'corta', 'corta', 'register.password_short', {'min': 8}),
        ('ana', 'a' * 73, 'a' * 73, 'register.password_long', {'max': 72}),
        ('ana', 'secreto123', 'otra_cosa1', 'register.mismatch', {}),
        ('ANA', 'secreto123', 'secreto123', 'register.username_taken', {}),
    ],
)
async def test_every_registration_error_is_shown_in_both_languages(
    user: User, language, username, password, confirm, key, params
):
    make_account('ana')
    user.http_client.headers['Accept-Language'] = language
    await user.open('/register')
    if username:
        user.find(marker='username').type(username)
    if password:
        user.find(marker='password').type(password)
    if confirm:
        user.find(marker='confirm').type(confirm)
    user.find(marker='submit').click()
    await should_see(user, translate(language, key, **params))


@pytest.mark.parametrize('language', ['es', 'en'])
@pytest.mark.parametrize(
    ('username', 'password', 'key'),
    [
        ('', '', 'login.all_required'),
        ('nadie', 'secreto123', 'login.failed'),  # unknown and wrong say the same
        ('ana', 'equivocada', 'login.failed'),
    ],
)
async def test_every_login_error_is_shown_in_both_languages(user: User, language, username, password, key):
    make_account('ana')
    user.http_client.headers['Accept-Language'] = language
    await user.open('/login')
    if username:
        user.find(marker='username').type(username)
    if password:
        user.find(marker='password').type(password)
    user.find(marker='submit').click()
    await should_see(user, translate(language, key))


async def test_an_anonymous_visitor_is_sent_to_login_and_back_to_the_page_asked_for(user: User):
    make_account('ana')
    response = await user.http_client.get('/profile?tab=history', follow_redirects=False)
    assert response.status_code == 303
    assert response.headers['location'] == '/login?redirect_to=%2Fprofile%3Ftab%3Dhistory'
    await sign_in(user, path='/login?redirect_to=/catalog')
    await should_see(user, marker='header', content='data-action="logout"')
    assert user.client.request.url.path == '/catalog'


@pytest.mark.parametrize(
    'target',
    [
        '//evil.example',
        'https://evil.example/x',
        'javascript:alert(1)',
        '/\\evil.example',
        'evil.example',
        '/\r\nSet-Cookie:x',
        '',
    ],
)
async def test_unsafe_redirect_targets_fall_back_to_home(user: User, target):
    make_account('ana')
    await sign_in(user, path=f'/login?redirect_to={quote(target)}')
    await should_see(user, marker='header', content='data-action="logout"')
    assert user.client.request.url.path == '/'


def test_safe_redirect_accepts_local_paths_only():
    assert auth.safe_redirect('/catalog?q=a') == '/catalog?q=a'
    for bad in [
        '//evil.example',
        'https://evil.example',
        'javascript:alert(1)',
        '/\\evil',
        'http:/x',
        '\t/x',
        '/x\r\nLocation: //e',
        None,
        '',
    ]:
        assert auth.safe_redirect(bad) == '/', bad


async def test_a_signed_in_user_who_opens_login_or_register_goes_home(user: User):
    make_account('ana')
    await sign_in(user)
    await should_see(user, marker='header', content='data-action="logout"')
    for path in ('/login', '/register'):
        response = await user.http_client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers['location'] == '/'


async def test_non_page_routes_answer_401_without_a_session(user: User):
    await user.open('/login')
    for path in ('/media/1/video', '/media/1/poster'):
        response = await user.http_client.get(path)
        assert response.status_code == 401, path


async def test_the_language_follows_the_browser_and_the_switch_is_remembered_for_the_user(user: User):
    make_account('ana')
    user.http_client.headers['Accept-Language'] = 'en-GB,en;q=0.9'
    await user.open('/login')
    await should_see(user, translate('en', 'login.title'))
    await sign_in(user)
    await should_see(user, translate('en', 'nav.catalog'))
    press(user, 'header', 'language')  # the choices are built when the button is first pressed
    user.find(marker='lang-es').click()
    await should_see(user, translate('es', 'nav.catalog'))
    assert accounts.find_by_username(username='ana').language == 'es'


@pytest.mark.parametrize(
    ('username', 'password', 'confirm', 'field', 'key', 'params'),
    [
        ('ab', 'secreto123', 'secreto123', 'username', 'register.username_format', {'min': 3, 'max': 32}),
        ('ana', 'corta', 'corta', 'password', 'register.password_short', {'min': 8}),
        ('nueva', 'secreto123', 'otra_cosa1', 'confirm', 'register.mismatch', {}),
        ('', '', '', None, 'register.all_required', {}),  # about no one field: the form's message line
    ],
)
async def test_each_registration_error_shows_under_its_field_once_and_typing_clears_it(
    user: User, username, password, confirm, field, key, params
):
    await user.open('/register')
    fields = {name: user.find(marker=name).elements.pop() for name in ('username', 'password', 'confirm')}
    # The rules show before the first mistake.
    assert fields['username'].props['hint'] == translate('es', 'register.username_hint')
    assert fields['password'].props['hint'] == translate('es', 'register.password_hint')
    for name, text in (('username', username), ('password', password), ('confirm', confirm)):
        if text:
            user.find(marker=name).type(text)
    for _ in range(2):  # the same mistake twice: still one message, not two
        user.find(marker='submit').click()
        await should_see(user, translate('es', key, **params))
    message = translate('es', key, **params)
    line = next(e for e in user.client.elements.values() if 'form-error' in e._markers)  # hidden: find skips it
    for name, element in fields.items():
        mine = name == field
        assert (element.props.get('error-message') == message) is mine, name
        assert (element.props.get('aria-invalid') in {True, 'true'}) is mine, name
    assert line.visible is (field is None) and (field is not None or line.text == message)
    assert user.notify.messages == []  # no toasts
    if field is not None:
        user.find(marker=field).type('x')
        assert 'error-message' not in fields[field].props
