"""What the pages remember between requests (app/session_cache.py, app/services/shared_cache.py) never outlives the
change that makes it wrong: a sign-out, a password change, a deleted account, a plan or language change apply from
the very next request, and a title added shows on the next page load after the `catalog` event.

Each change is made as the app makes it (a service in a worker thread, `app.work.run`), right after a request that
filled the cache; the next request must see it.
"""

from __future__ import annotations

import pytest
from nicegui.testing import User

from app import events, session_cache, work
from app.models import Plan
from app.services import accounts, shared_cache

from .helpers import seed_titles, should_see, signed_in

pytestmark = pytest.mark.every_database


def session_token(user: User) -> str:
    (token,) = [value for name, value in user.http_client.cookies.items() if 'butaca_session' in name]
    return token


async def remembered(user: User) -> str:
    """A page load that leaves this browser's session in the cache; its token."""
    assert (await user.http_client.get('/')).status_code == 200
    token = session_token(user)
    assert session_cache.get(token) is not None
    return token


async def test_a_sign_out_applies_to_the_next_request(user: User):
    await signed_in(user)
    token = await remembered(user)
    await work.run(accounts.end_session, token=token)
    answer = await user.http_client.get('/')
    assert answer.status_code == 303 and answer.headers['location'].startswith('/login')


async def test_signing_out_everywhere_applies_to_the_next_request(user: User):
    user_id = await signed_in(user)
    await remembered(user)
    await work.run(accounts.end_all_sessions, user_id=user_id)
    assert (await user.http_client.get('/catalog')).status_code == 303


async def test_a_password_changed_on_another_device_ends_this_session_at_the_next_request(user: User):
    user_id = await signed_in(user)
    await remembered(user)
    await work.run(
        accounts.change_password,
        user_id=user_id,
        current='secreto123',
        new='otra-clave-456',
        confirm='otra-clave-456',
        keep_token='the-other-device',
        rounds=4,
    )
    assert (await user.http_client.get('/')).status_code == 303


async def test_a_deleted_account_is_refused_at_the_next_request(user: User):
    user_id = await signed_in(user)
    await remembered(user)
    await work.run(accounts.delete_account, user_id=user_id, password='secreto123')
    assert (await user.http_client.get('/profile')).status_code == 303
    assert (await user.http_client.get('/api/health')).status_code == 200  # public routes still answer


async def test_a_plan_change_shows_on_the_next_page(user: User):
    user_id = await signed_in(user)
    await remembered(user)
    await work.run(accounts.set_plan, user_id=user_id, plan=Plan.PREMIUM)
    await user.open('/profile')
    assert '<dd>Premium</dd>' in user.find(marker='profile-facts').elements.pop().content
    await work.run(accounts.set_plan, user_id=user_id, plan=Plan.FREE)
    await user.open('/profile')
    assert '<dd>Gratis</dd>' in user.find(marker='profile-facts').elements.pop().content


async def test_a_language_change_shows_on_the_next_page(user: User):
    user_id = await signed_in(user)
    await user.open('/catalog')
    await should_see(user, 'Catálogo')
    await work.run(accounts.set_language, user_id=user_id, language='en')
    await user.open('/catalog')
    await should_see(user, 'Catalog')


async def test_a_new_title_shows_on_the_next_page_load_after_the_catalog_event(user: User):
    seed_titles(3, names=['Alpha', 'Bravo', 'Charlie'])
    await signed_in(user)
    page = await user.http_client.get('/catalog')
    assert 'Charlie' in page.text and 'Newcomer' not in page.text
    assert 'Newcomer' not in (await user.http_client.get('/')).text
    assert shared_cache.size() > 0  # what every viewer sees was kept
    (new,) = seed_titles(1, names=['Newcomer'])
    await work.run(events.publish, 'catalog', title_ids=[new])  # as the library's import says it, from its thread
    assert 'Newcomer' in (await user.http_client.get('/catalog')).text
    assert 'Newcomer' in (await user.http_client.get('/')).text  # the newest title is home's hero


async def test_a_read_that_started_before_a_catalog_change_is_not_kept():
    shared_cache.catalog_changed()  # nothing left from another test

    def read() -> str:
        shared_cache.catalog_changed()  # the catalog changes while this reader reads
        return 'old'

    assert shared_cache.cached(('probe',), read) == 'old'  # this caller gets what it read
    assert shared_cache.peek(('probe',)) is shared_cache.MISS
    assert shared_cache.cached(('probe',), lambda: 'new') == 'new'
    assert shared_cache.peek(('probe',)) == 'new'


def test_shared_markup_is_built_once_per_object_and_language_and_again_for_a_new_object():
    from app.components.cards import SharedMarkup

    memo, built = SharedMarkup(size=2), []

    def build(text: str):
        return lambda: built.append(text) or text

    rows = [1, 2]
    assert memo.get(rows, build('a')) == 'a'
    assert memo.get(rows, build('b')) == 'a'  # the same object: the markup made for it
    assert memo.get(rows, build('c'), part='grid') == 'c'  # another markup of it
    assert memo.get([1, 2], build('d')) == 'd'  # an equal but new object (the catalog changed): made again
    assert built == ['a', 'c', 'd']
    assert memo.get(rows, build('e')) == 'e'  # bounded at 2: the oldest went first


async def test_the_genre_rows_speak_each_viewers_language_and_show_a_new_title(user: User):
    from app.i18n import translate

    seed_titles(4)
    user_id = await signed_in(user)
    await should_see(user, marker='genre-rows', content=translate('es', 'home.see_all'))
    await work.run(accounts.set_language, user_id=user_id, language='en')
    await user.open('/')  # the same rows object, another language: its own markup
    await should_see(user, marker='genre-rows', content=translate('en', 'home.see_all'))
    await work.run(accounts.set_language, user_id=user_id, language='es')
    (new,) = seed_titles(1, names=['Recién llegada'])
    await work.run(events.publish, 'catalog', title_ids=[new])
    await user.open('/')  # new rows after the catalog change: their markup is made again, with the new title
    await should_see(user, marker='genre-rows', content='Recién llegada')  # a new title in its genre's row
