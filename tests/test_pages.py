"""Home, catalog, details and watch pages, and the progress endpoint, through NiceGUI's simulated user."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import func, select

from app import db
from app.i18n import translate
from app.i18n.format import plural
from app.models import Playback, utcnow
from app.services import playback

from .helpers import (
    open_watch,
    player_token,
    press,
    report,
    seed_titles,
    should_not_see,
    should_see,
    signed_in,
    watched,
)
from .waits import eventually

pytestmark = pytest.mark.every_database  # once on SQLite, once on PostgreSQL (tests/conftest.py)


def resume(user_id: int, title_id: int) -> float:
    with db.session() as session:
        return playback.resume_position(session, user_id=user_id, title_id=title_id)


def html_of(user: User, marker: str) -> str:
    return ''.join(element.content for element in user.find(marker=marker).elements if isinstance(element, ui.html))


async def test_home_shows_the_hero_and_one_row_per_genre(user: User):
    seed_titles(10)
    await signed_in(user)
    await should_see(user, marker='hero')
    await should_see(user, 'Título 9')  # the newest title is the featured one
    for genre in ('Drama', 'Comedia', 'Documental', 'Animación', 'Suspense'):
        await should_see(user, marker='genre-rows', content=f'data-row="{genre}"')
    await should_not_see(user, marker='continue-row')


async def test_a_title_played_halfway_appears_in_continue_watching_and_resumes_there(user: User):
    ids = seed_titles(3, duration_s=100)
    await signed_in(user)
    token = await player_token(user, ids[0])
    assert await report(user, token, 42.5) == 204
    await user.open('/')
    await should_see(user, marker='continue-row', content=f'data-continue="{ids[0]}"')
    assert f'href="/watch/{ids[0]}"' in html_of(user, 'continue-row')  # its card resumes at once
    player = await open_watch(user, ids[0])
    assert player.playback['resume'] == 42.5  # the player says so, with "Start from the beginning" (test_player.py)


async def test_the_beacon_sent_when_the_tab_closes_saves_the_position_without_a_websocket(user: User):
    (title_id,) = seed_titles(1, duration_s=100)
    user_id = await signed_in(user)
    token = await player_token(user, title_id)
    assert await report(user, token, 61.0, leaving=True) == 204
    assert resume(user_id, title_id) == 61.0


async def test_home_shows_what_was_just_watched_and_new_titles_without_a_reload(user: User):
    ids = seed_titles(2, duration_s=100)
    user_id = await signed_in(user)
    await should_see(user, marker='hero')
    await should_not_see(user, marker='continue-row')
    watched(user_id, ids[0], position=40.0)  # on another screen: the save is committed, the open page hears it
    await should_see(user, marker='continue-row', content=f'data-continue="{ids[0]}"')
    (new,) = seed_titles(1, names=['Recién llegada'])  # the seeding adds it behind the app's back: say so
    from app import events

    events.publish('catalog', title_ids=[new])
    await should_see(user, 'Recién llegada')


async def test_a_save_redraws_the_hero_and_continue_watching_and_leaves_the_genre_rows_alone(user: User):
    ids = seed_titles(2, duration_s=100)
    user_id = await signed_in(user)
    await should_see(user, marker='hero')
    rows = {element.id for element in user.find(marker='genre-rows').elements}
    assert translate('es', 'home.play') in html_of(user, 'hero')
    watched(user_id, ids[-1], position=40.0)  # the featured title, played on another screen
    await should_see(user, marker='hero', content=translate('es', 'home.resume'))
    await should_see(user, marker='continue-row', content=f'data-continue="{ids[-1]}"')
    assert {element.id for element in user.find(marker='genre-rows').elements} == rows  # not built again
    from app import events

    events.publish('catalog', title_ids=[])  # a catalog change draws the whole page again
    await eventually(lambda: {element.id for element in user.find(marker='genre-rows').elements}.isdisjoint(rows))


async def test_a_save_redraws_an_english_home_in_english(user: User):
    ids = seed_titles(2, duration_s=100)
    user_id = await signed_in(user)
    await user.http_client.get('/lang/en')  # the language menu's link
    await user.open('/')
    await should_see(user, marker='hero', content=translate('en', 'home.play'))
    watched(user_id, ids[-1], position=40.0)  # the featured title, played on another screen
    await should_see(user, marker='hero', content=translate('en', 'home.resume'))
    await should_see(user, marker='continue-row', content=translate('en', 'home.continue'))
    assert translate('es', 'home.continue') not in html_of(user, 'continue-row')


async def test_a_live_handler_that_waits_still_knows_its_page_and_language(user: User):
    import asyncio

    from nicegui import context

    from app import events, live
    from app.lang import current_language

    heard: list[tuple[str, str]] = []
    opened: list[str] = []

    def probe_page() -> None:
        opened.append(context.client.id)

        async def handler(_data: dict) -> None:
            await asyncio.sleep(0)  # past its first await, as every handler that asks a service
            heard.append((context.client.id, current_language()))

        live.listen('test-probe', handler)
        ui.label('probe').mark('probe')

    ui.page('/test-live-probe')(probe_page)
    await signed_in(user)
    await user.http_client.get('/lang/en')
    await user.open('/test-live-probe')
    await should_see(user, marker='probe')
    events.publish('test-probe')
    await eventually(lambda: heard, what='the handler')
    assert heard == [(opened[-1], 'en')]


async def test_removing_a_title_from_continue_watching(user: User):
    ids = seed_titles(2, duration_s=100)
    user_id = await signed_in(user)
    token = await player_token(user, ids[1])
    await report(user, token, 30.0)
    await user.open('/')
    markup = html_of(user, 'continue-row')
    button = re.search(rf'<button[^>]*data-entry="{ids[1]}"[^>]*>', markup).group(0)
    assert 'aria-label=' in button and 'Título 1' in button  # it names the title it removes
    user.find(marker='continue-row').trigger('click', 999999)  # not a card of this row: nothing happens
    user.find(marker='continue-row').trigger('click', 'x')
    user.find(marker='continue-row').trigger('click', ids[1])  # what its click sends (buttons.ACTION_CLICK)
    await should_not_see(user, marker='continue-row')  # its only card gone, the row hides
    with db.session() as session:
        assert playback.continue_watching(session, user_id=user_id) == []


async def test_progress_reports_that_are_malformed_or_of_no_playback_are_refused(user: User):
    (title_id,) = seed_titles(1, duration_s=100)
    await signed_in(user)
    token = await player_token(user, title_id)
    for body in ('not json', '[]', '{"position": "abc"}', '{"position": -5}', '{"position": "NaN"}', '[' * 2000):
        response = await user.http_client.post(
            f'/play/{token}/progress', content=body, headers={'Content-Type': 'text/plain'}
        )
        assert response.status_code in (400, 422), body
    assert await report(user, token, 10_000) == 422
    assert await report(user, 'no-such-playback', 10.0) == 404


async def test_catalog_searches_filters_and_pages_on_the_server(user: User):
    seed_titles(30)
    await signed_in(user)
    await user.open('/catalog')
    await should_see(user, plural('es', 'catalog.results', 30))
    await should_see(user, marker='pager', content=translate('es', 'catalog.page', page=1, pages=2))
    assert html_of(user, 'catalog-grid').count('class="bt-card"') == 24
    assert 'data-action="prev" disabled' in html_of(user, 'pager')  # the first page has no previous one
    press(user, 'pager', 'next')
    await should_see(user, marker='pager', content=translate('es', 'catalog.page', page=2, pages=2))
    assert 'data-action="next" disabled' in html_of(user, 'pager') and 'data-action="prev">' in html_of(user, 'pager')
    assert html_of(user, 'catalog-grid').count('class="bt-card"') == 6
    user.find(marker='search').type('título 1')
    await should_see(user, plural('es', 'catalog.results', 11))  # 1, 10..19
    user.find(marker='search').clear().type('TITULO 25')
    await should_see(user, plural('es', 'catalog.results', 1))
    user.find(marker='search').clear().type('zzz')
    await should_see(user, marker='catalog-empty')


async def test_catalog_query_parameters_select_genre_and_sort(user: User):
    seed_titles(10)
    await signed_in(user)
    await user.open('/catalog?genre=Drama&sort=year')
    await should_see(user, plural('es', 'catalog.results', 2))
    grid = html_of(user, 'catalog-grid')
    assert grid.index('Título 5') < grid.index('Título 0')


async def test_details_page_shows_the_facts_and_play(user: User):
    (title_id,) = seed_titles(1, duration_s=300)
    await signed_in(user)
    await user.open(f'/title/{title_id}')
    await should_see(user, 'Descripción 0')
    await should_see(user, '2000 · Drama')
    await should_see(user, translate('es', 'title.minutes', minutes=5))
    await should_see(user, marker='play')


async def test_unknown_or_malformed_ids_show_a_clear_not_found_page(user: User):
    seed_titles(1)
    await signed_in(user)
    for path in ('/watch/999', '/watch/abc', '/watch/1e3', '/title/%20', '/title/-1', '/watch/99999999999999999999'):
        response = await user.http_client.get(path)  # the user fixture opens only pages that answer 200
        assert response.status_code == 404, path
        assert translate('es', 'title.not_found') in response.text


async def test_unknown_urls_get_butacas_own_404_in_the_viewers_language_with_a_way_home(user: User):
    await signed_in(user)
    for language in ('es', 'en'):
        await user.http_client.get(f'/lang/{language}')
        response = await user.http_client.get('/no/such/page')
        assert response.status_code == 404
        assert f'<html lang="{"en-US" if language == "en" else "es"}"' in response.text
        assert f'<title>{translate(language, "errors.not_found_title")} · Butaca</title>' in response.text
        assert translate(language, 'errors.page_not_found') in response.text
        assert translate(language, 'title.back_home') in response.text and 'HTTPException' not in response.text
        assert response.headers['x-content-type-options'] == 'nosniff'
    api = await user.http_client.get('/api/no-such-thing')
    assert api.status_code == 404 and api.json() == {'detail': 'Not Found'}  # the API keeps its JSON


async def test_the_watch_page_plays_the_chosen_title_in_the_player(user: User):
    ids = seed_titles(2)
    await signed_in(user)
    player = await open_watch(user, ids[1])
    assert player.props['shell']['title'] == 'Título 1'
    assert player.props['shell']['poster'] == f'/media/{ids[1]}/backdrop?w=1280&f=webp'  # a made size
    assert player.props['shell']['messages']['player.play'] == 'Reproducir'  # in the viewer's language
    playback = player.playback
    assert playback['sources']['SD'] == f'/play/{playback["id"]}/video/sd' and playback['sources']['HD'] is None
    assert (playback['quality'], playback['hdLocked']) == ('SD', True)
    assert playback['qualityLabels']['SD'] == 'SD · 480p'
    assert playback['progress'] == {'url': f'/play/{playback["id"]}/progress', 'token': None, 'everySeconds': 10}
    assert [item['title'] for item in playback['moreLikeThis']] == []  # no other title of its genre


async def test_opening_the_watch_page_with_a_get_changes_nothing(user: User):
    (title_id,) = seed_titles(1)
    user_id = await signed_in(user)
    response = await user.http_client.get(f'/watch/{title_id}')  # a GET, and no websocket: a prefetch, a bot
    assert response.status_code == 200
    assert playback.history(user_id=user_id) == []
    with db.session() as session:
        assert session.exec(select(func.count()).select_from(Playback)).one() == 0  # no screen taken
    assert '/play/' not in response.text  # no token handed out either


def history_shown(user: User) -> list[int]:
    """The history entries the profile lists now, in order (its rows are one element of markup)."""
    markup = user.find(marker='history-list').elements.pop().content
    return [int(found) for found in re.findall(r'data-entry="(\d+)"', markup)]


async def test_profile_lists_the_history_newest_first_and_removes_one_or_all(user: User):
    ids = seed_titles(3, premium_every=0)
    user_id = await signed_in(user)
    base = utcnow()
    for minutes, title_id in enumerate(ids):
        watched(user_id, title_id, now=base + timedelta(minutes=minutes))
    await user.open('/profile')
    entries = playback.history(user_id=user_id)
    assert [entry.card.id for entry in entries] == list(reversed(ids))
    assert history_shown(user) == [entry.id for entry in entries]
    html = user.find(marker='history-list').elements.pop().content
    assert html.index('Título 2') < html.index('Título 1') < html.index('Título 0')
    remove_button = re.search(rf'<button[^>]*data-entry="{entries[0].id}"[^>]*>', html).group(0)
    assert 'aria-label="Quitar del historial: Título 2"' in remove_button  # a named button, not a bare icon
    user.find(marker='history-list').trigger('click', entries[0].id)  # what its click sends (buttons.ACTION_CLICK)
    await should_not_see(user, marker='history-list', content=f'id="history-{entries[0].id}"')
    assert history_shown(user) == [entry.id for entry in entries[1:]]
    assert len(playback.history(user_id=user_id)) == 2
    user.find(marker='history-list').trigger('click', 999999)  # not a row of this page: nothing happens
    user.find(marker='history-list').trigger('click', 'x')
    assert len(playback.history(user_id=user_id)) == 2
    press(user, 'history-list', 'clear')  # it asks first: nothing is cleared yet
    await should_see(user, translate('es', 'profile.history_clear_ask'))
    assert len(playback.history(user_id=user_id)) == 2
    user.find(marker='history-clear-confirm').click()
    await should_see(user, translate('es', 'profile.history_cleared'))
    await should_see(user, marker='history-list', content='bt-history-empty')
    assert playback.history(user_id=user_id) == []


async def test_profile_shows_the_history_a_page_at_a_time_without_skipping_after_a_removal(user: User):
    from app.pages.profile import HISTORY_PAGE

    (title_id,) = seed_titles(1, premium_every=0)
    user_id = await signed_in(user)
    base = utcnow() - timedelta(days=HISTORY_PAGE + 5)
    for day in range(HISTORY_PAGE + 5):  # one entry a day: the history keeps one per title and day
        watched(user_id, title_id, now=base + timedelta(days=day))
    entries = playback.history(user_id=user_id, limit=100)
    await user.open('/profile')
    assert history_shown(user) == [entry.id for entry in entries[:HISTORY_PAGE]]
    user.find(marker='history-list').trigger('click', entries[0].id)  # the next page must start one row earlier
    await should_not_see(user, marker='history-list', content=f'id="history-{entries[0].id}"')
    press(user, 'history-list', 'more')
    await should_see(user, marker='history-list', content=f'id="history-{entries[-1].id}"')
    assert history_shown(user) == [entry.id for entry in entries[1:]]
    await should_not_see(user, marker='history-list', content='data-action="more"')


async def test_a_page_that_fails_gets_a_branded_500_without_the_exception_and_with_the_security_headers(
    user: User, caplog: pytest.LogCaptureFixture
):
    from nicegui import ui

    def failing_page() -> None:
        raise RuntimeError('secret detail of the failure')

    ui.page('/test-failing-page')(failing_page)
    await signed_in(user)
    response = await user.http_client.get('/test-failing-page')
    assert response.status_code == 500
    assert (
        translate('es', 'errors.server_title') in response.text and translate('es', 'title.back_home') in response.text
    )
    assert 'secret detail' not in response.text and 'RuntimeError' not in response.text
    assert "frame-ancestors 'none'" in response.headers['content-security-policy']
    failures = [record for record in caplog.get_records('call') if record.levelname == 'ERROR']
    assert len(failures) == 1 and 'secret detail' in str(failures[0].exc_info[1])  # the log has it, the page not
    caplog.clear()  # the failure was the point of this test


async def test_an_open_profile_adds_to_its_history_what_another_screen_just_watched(user: User):
    ids = seed_titles(2, premium_every=0)
    user_id = await signed_in(user)
    watched(user_id, ids[0])
    await user.open('/profile')
    (first,) = playback.history(user_id=user_id)
    assert history_shown(user) == [first.id]
    watched(user_id, ids[1])  # on the television, while this page stays open
    newest = playback.history(user_id=user_id)[0]
    assert newest.card.id == ids[1]
    await should_see(user, marker='history-list', content=f'id="history-{newest.id}"')  # no reload: it heard the save


async def test_a_free_viewer_can_show_only_what_their_plan_includes(user: User):
    seed_titles(6, premium_every=3)
    await signed_in(user)
    await user.open('/catalog')
    await should_see(user, plural('es', 'catalog.results', 6))
    user.find(marker='included-only').elements.pop().set_value(True)
    await should_see(user, plural('es', 'catalog.results', 4))
