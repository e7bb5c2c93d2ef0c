"""The media route through the simulated browser's own HTTP client: access check first, then Range semantics."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from nicegui.testing import User

from app.config import get_settings

from .helpers import open_player, seed_titles, signed_in


async def test_anonymous_gets_401_and_unknown_gets_404(user: User):
    (title_id,) = seed_titles(1)
    await user.open('/login')
    assert (await user.http_client.get(f'/media/{title_id}/poster')).status_code == 401
    await signed_in(user)
    for path in (
        '/media/999/poster',
        '/media/abc/poster',
        f'/media/{title_id}/nothing',
        '/media/-1/sd',
        f'/media/{title_id}/sd?p=not-a-token',
    ):
        assert (await user.http_client.get(path)).status_code == 404, path


async def test_range_requests_get_exact_bytes_suffix_ranges_and_416(user: User):
    (title_id,) = seed_titles(1)
    await signed_in(user)
    src, _ = await open_player(user, title_id)
    assert src.startswith(f'/media/{title_id}/sd?p=')
    expected = (get_settings().media_dir / 'seed/t0/sd.mp4').read_bytes()

    whole = await user.http_client.get(src)
    assert whole.status_code == 200 and whole.content == expected
    assert whole.headers['cache-control'].startswith('private')
    assert whole.headers['accept-ranges'] == 'bytes'

    part = await user.http_client.get(src, headers={'Range': 'bytes=100-199'})
    assert part.status_code == 206
    assert part.content == expected[100:200]
    assert part.headers['content-range'] == f'bytes 100-199/{len(expected)}'

    suffix = await user.http_client.get(src, headers={'Range': 'bytes=-500'})
    assert suffix.status_code == 206 and suffix.content == expected[-500:]

    beyond = await user.http_client.get(src, headers={'Range': f'bytes={len(expected) + 10}-'})
    assert beyond.status_code == 416


async def test_paths_are_confined_to_the_media_folder_whatever_the_database_says(user: User, tmp_path):
    from sqlmodel import update

    from app import db
    from app.models import Title

    (title_id,) = seed_titles(1)
    secret = tmp_path / 'secret.txt'
    secret.write_text('top secret')
    with db.session_scope() as session:
        session.exec(update(Title).values(poster_path='../secret.txt', backdrop_path=str(secret)))
    await signed_in(user)
    for asset in ('poster', 'backdrop'):
        response = await user.http_client.get(f'/media/{title_id}/{asset}')
        assert response.status_code == 404
        assert b'top secret' not in response.content
    traversal = await user.http_client.get(f'/media/{title_id}/..%2F..%2Fsecret.txt')
    assert traversal.status_code == 404


async def test_video_bytes_need_the_callers_own_live_playback_token(user: User):
    ids = seed_titles(2)
    await signed_in(user)
    src, _ = await open_player(user, ids[0])
    token = parse_qs(urlsplit(src).query)['p'][0]
    assert (await user.http_client.get(f'/media/{ids[1]}/sd?p={token}')).status_code == 404  # other title
    assert (await user.http_client.get(f'/media/{ids[0]}/sd')).status_code == 404  # no token


async def test_player_requests_take_the_fast_lane_and_fall_back_when_the_browser_is_unknown(user: User):
    from nicegui import app as nicegui_app

    from app import auth
    from app.fastlane import FastLane

    (title_id,) = seed_titles(1)
    await signed_in(user)
    src, _ = await open_player(user, title_id)
    assert isinstance(nicegui_app.middleware_stack, FastLane)
    assert (await user.http_client.get(src, headers={'Range': 'bytes=0-9'})).status_code == 206
    auth._browser_tokens.clear()  # as in another process that has not seen this browser yet
    assert (await user.http_client.get(src, headers={'Range': 'bytes=0-9'})).status_code == 206
    assert auth._browser_tokens  # the regular route learned it again


async def test_a_signed_out_browser_gets_401_from_the_fast_lane(user: User):
    from app import auth, db
    from app.services import accounts

    (title_id,) = seed_titles(1)
    await signed_in(user)
    src, _ = await open_player(user, title_id)
    for token in list(auth._browser_tokens.values()):
        db.call(accounts.end_session, token=token)  # signed out elsewhere: the map still names the old token
    assert (await user.http_client.get(src)).status_code == 401
    response = await user.http_client.post('/api/progress', content='{"token": "x", "position": 1}')
    assert response.status_code == 401
    assert response.headers['x-frame-options'] == 'DENY'


async def test_production_mode_answers_with_x_accel_redirect_and_only_grants_may_be_kept(user: User, monkeypatch):
    (title_id,) = seed_titles(1)
    await signed_in(user)
    src, _ = await open_player(user, title_id)
    monkeypatch.setenv('BUTACA_ACCEL_REDIRECT', '/_protected_media')
    grant = await user.http_client.get(src, headers={'Range': 'bytes=0-9'})
    assert grant.status_code == 200 and grant.content == b''
    assert grant.headers['x-accel-redirect'] == '/_protected_media/seed/t0/sd.mp4'
    assert grant.headers['x-accel-expires'] == '2'  # the default grant time
    refused = await user.http_client.get(src.replace('/sd?', '/hd?'))  # HD on FREE
    assert refused.status_code == 403
    assert 'x-accel-redirect' not in refused.headers and 'x-accel-expires' not in refused.headers
    assert refused.headers['cache-control'] == 'no-store'
    monkeypatch.setenv('BUTACA_ACCEL_GRANT_SECONDS', '0')
    assert 'x-accel-expires' not in (await user.http_client.get(src)).headers
