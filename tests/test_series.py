"""Series: the details page with seasons and episodes, what Play does, marks, Continue watching with each series'
next episode, the history's lines, search and rows, and premium series locked down to the bytes."""

from __future__ import annotations

import pytest
from nicegui.testing import User

from app import db, work
from app.i18n import translate
from app.models import Plan
from app.services import playback, series

from .helpers import (
    make_account,
    open_watch,
    report,
    seed_series,
    seed_titles,
    should_not_see,
    should_see,
    signed_in,
    watched,
)

pytestmark = pytest.mark.every_database  # once on SQLite, once on PostgreSQL (tests/conftest.py)


def es(key: str, **params: object) -> str:
    return translate('es', key, **params)


def continuing(user_id: int) -> list:
    with db.session() as session:
        return playback.continue_watching(session, user_id=user_id)


async def test_the_details_page_lists_seasons_and_episodes_and_says_what_play_does(user: User):
    series_id, episodes = seed_series()
    user_id = await signed_in(user)
    await user.open(f'/title/{series_id}')
    await should_see(user, es('series.play', code='T1:E1'))
    for episode_id in episodes[0]:
        await should_see(user, marker=f'episode-{episode_id}')
    await should_not_see(user, marker=f'episode-{episodes[1][0]}')  # season two is behind the picker
    user.find(marker='season-picker').elements.pop().set_value(2)
    await should_see(user, marker=f'episode-{episodes[1][0]}')
    watched(user_id, episodes[0][0], position=100.0)  # S1:E1 to the end, on another screen
    await should_see(user, es('series.play', code='T1:E2'))  # the page heard it
    watched(user_id, episodes[0][2], position=40.0)  # S1:E3 halfway
    await should_see(user, es('series.resume', code='T1:E3'))


async def test_marks_set_an_episode_a_season_and_the_series_watched_or_not(user: User):
    series_id, episodes = seed_series()
    user_id = await signed_in(user)
    await user.open(f'/title/{series_id}')
    user.find(marker='mark-season').click()  # season one watched
    await should_see(user, es('series.play', code='T2:E1'))
    user.find(marker=f'mark-{episodes[0][1]}').click()  # S1:E2 not watched after all
    await should_see(user, es('series.play', code='T2:E1'))  # the place stays after the latest finished one
    series.mark(user_id=user_id, title_id=series_id, watched=True)
    await should_see(user, es('series.watch_again', code='T1:E1'))  # all watched: it offers to start again
    assert continuing(user_id) == []  # a finished series leaves Continue watching
    series.mark(user_id=user_id, title_id=series_id, watched=False)
    await should_see(user, es('series.play', code='T1:E1'))


def test_continue_watching_holds_films_in_progress_and_each_series_next_episode():
    user = make_account(plan=Plan.PREMIUM)
    series_id, episodes = seed_series()
    (film,) = seed_titles(1, premium_every=0)
    watched(user.id, film, position=50.0)
    watched(user.id, episodes[0][0], position=100.0)  # S1:E1 finished: S1:E2 is next
    row = continuing(user.id)
    assert [(item.card.id, item.episode.id if item.episode else None) for item in row] == [
        (series_id, episodes[0][1]),
        (film, None),
    ]
    assert row[0].plays == episodes[0][1] and row[0].position_s == 0.0
    playback.remove_from_continue(user_id=user.id, title_id=series_id)  # hidden ...
    assert [item.card.id for item in continuing(user.id)] == [film]
    watched(user.id, episodes[0][1], position=30.0)  # ... until the viewer plays one of its episodes again
    assert continuing(user.id)[0].episode.id == episodes[0][1]


def test_the_history_names_the_series_and_the_episode():
    user = make_account()
    series_id, episodes = seed_series()
    watched(user.id, episodes[1][2], position=60.0)
    (entry,) = playback.history(user_id=user.id)
    assert entry.card.id == series_id and entry.card.title == 'Serie de prueba'
    assert (entry.episode.code, entry.episode.title) == ('S2:E3', 'Episodio 2.3')


async def test_an_episode_plays_with_its_label_markers_and_the_next_one_queued(user: User):
    series_id, episodes = seed_series()
    await signed_in(user)
    player = await open_watch(user, episodes[0][2])  # the last of season one
    assert player.props['shell']['title'] == 'Serie de prueba'
    assert player.props['shell']['episodeLabel'] == 'T1:E3 · Episodio 1.3'
    config = player.playback
    assert config['markers'] == {'introStart': 2.0, 'introEnd': 8.0, 'creditsStart': 90.0}
    assert config['next']['url'] == f'/watch/{episodes[1][0]}' and config['next']['label'] == 'T2:E1'  # next season
    last = await open_watch(user, episodes[1][2])
    assert last.playback['next'] is None  # the last of the series: post-play, More like this


async def test_a_premium_series_locks_every_episode_for_free_down_to_the_bytes(user: User):
    series_id, episodes = seed_series(premium=True)
    await signed_in(user)
    await user.open(f'/watch/{episodes[0][0]}')
    await should_see(user, marker='upgrade-panel')
    from app.services import accounts, playback_store
    from app.services.errors import AccessDenied

    account = accounts.find_by_username(username='ana')
    with pytest.raises(AccessDenied):
        playback_store.start_playback(user_id=account.id, title_id=episodes[1][1], device='any')
    # As the app changes a plan: in a worker thread, whose news reaches this loop before the caller goes on.
    await work.run(accounts.set_plan, user_id=account.id, plan=Plan.PREMIUM)
    player = await open_watch(user, episodes[0][0])
    token = player.playback['id']
    assert await report(user, token, 30.0) == 204
    await work.run(accounts.set_plan, user_id=account.id, plan=Plan.FREE)  # downgraded: no more bytes of any episode
    assert (await user.http_client.get(player.playback['sources']['SD'])).status_code == 403


def test_search_finds_a_series_by_its_episodes_and_rows_show_it_once():
    from app.services import catalog

    series_id, _ = seed_series()
    seed_titles(2)
    with db.session() as session:
        found = catalog.search(session, query='episodio 2.3')
        assert [card.id for card in found.items] == [series_id]
        rows = dict(catalog.rows_by_genre(session))
        assert [card.id for card in rows['Drama']].count(series_id) == 1
        assert all(card.kind != 'episode' for cards in rows.values() for card in cards)


async def test_subtitles_and_trickplay_come_through_the_playback_token_and_the_choice_is_remembered(user: User):
    from app.config import get_settings

    series_id, episodes = seed_series(episodes=2)
    media = get_settings().media_dir
    (media / 'seed/series/subs.es.vtt').write_text('WEBVTT\n\n00:00.000 --> 00:02.000\nHola\n')
    (media / 'seed/series/subs.en.vtt').write_text('WEBVTT\n\n00:00.000 --> 00:02.000\nHello\n')
    (media / 'seed/series/sprite.jpg').write_bytes(b'\xff\xd8sprite')
    with db.session(write=True) as session:
        from app.models import Title

        for episode_id in episodes[0]:
            row = session.get(Title, episode_id)
            row.subtitles = {'en': 'seed/series/subs.en.vtt', 'es': 'seed/series/subs.es.vtt'}
            row.trickplay = {'path': 'seed/series/sprite.jpg', 'interval_s': 10, 'tile_width': 320,
                             'tile_height': 180, 'columns': 10, 'rows': 1, 'count': 10}  # fmt: skip
    await signed_in(user)
    config = (await open_watch(user, episodes[0][0])).playback
    assert [track['lang'] for track in config['subtitles']] == ['es', 'en']  # the interface's language first
    assert 'subtitleLang' not in config  # never chosen: the device's last choice
    vtt = await user.http_client.get(config['subtitles'][0]['url'])
    assert vtt.status_code == 200 and vtt.headers['content-type'].startswith('text/vtt') and 'Hola' in vtt.text
    sprite = await user.http_client.get(config['trickplay']['url'])
    assert sprite.status_code == 200 and sprite.content == b'\xff\xd8sprite'
    assert (config['trickplay']['width'], config['trickplay']['interval']) == (320, 10)
    chosen = await user.http_client.post(
        config['preferencesUrl'], content='{"subtitles": "es"}', headers={'Content-Type': 'text/plain'}
    )
    assert chosen.status_code == 204
    following = (await open_watch(user, episodes[0][1])).playback
    assert following['subtitleLang'] == 'es'  # applied to the next title
    await user.http_client.post(
        following['preferencesUrl'], content='{"subtitles": null}', headers={'Content-Type': 'text/plain'}
    )
    assert (await open_watch(user, episodes[0][0])).playback['subtitleLang'] is None  # off, remembered too
    stranger = await user.http_client.get(config['subtitles'][0]['url'].replace('/play/', '/play/x'))
    assert stranger.status_code == 404
