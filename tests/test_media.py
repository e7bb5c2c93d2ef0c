"""Media through the simulated browser's own HTTP client: artwork behind the session, video bytes behind the
playback token alone (`/play/{token}/video/...`), with Range semantics and paths confined to the media folder."""

from __future__ import annotations

import pytest
import starlette.responses
from nicegui.testing import User

from app import media
from app.config import get_settings

from .helpers import open_player, seed_titles, signed_in

pytestmark = pytest.mark.every_database  # once on SQLite, once on PostgreSQL (tests/conftest.py)


async def test_anonymous_gets_401_and_unknown_gets_404(user: User):
    (title_id,) = seed_titles(1)
    await user.open('/login')
    assert (await user.http_client.get(f'/media/{title_id}/poster')).status_code == 401
    await signed_in(user)
    for path in ('/media/999/poster', '/media/abc/poster', f'/media/{title_id}/nothing', f'/media/{title_id}/sd'):
        assert (await user.http_client.get(path)).status_code == 404, path


async def test_range_requests_get_exact_bytes_suffix_ranges_and_416(user: User):
    (title_id,) = seed_titles(1)
    await signed_in(user)
    src, _ = await open_player(user, title_id)
    assert src.startswith('/play/') and src.endswith('/video/sd')
    expected = (get_settings().media_dir / 'seed/t0/sd.mp4').read_bytes()

    whole = await user.http_client.get(src)
    assert whole.status_code == 200 and whole.content == expected
    assert whole.headers['cache-control'].startswith('private')
    assert whole.headers['accept-ranges'] == 'bytes'
    assert whole.headers['x-frame-options'] == 'DENY'  # the lane adds the security headers too

    part = await user.http_client.get(src, headers={'Range': 'bytes=100-199'})
    assert part.status_code == 206
    assert part.content == expected[100:200]
    assert part.headers['content-range'] == f'bytes 100-199/{len(expected)}'

    suffix = await user.http_client.get(src, headers={'Range': 'bytes=-500'})
    assert suffix.status_code == 206 and suffix.content == expected[-500:]

    beyond = await user.http_client.get(src, headers={'Range': f'bytes={len(expected) + 10}-'})
    assert beyond.status_code == 416

    head = await user.http_client.head(src)
    assert head.status_code == 200 and head.content == b'' and head.headers['content-length'] == str(len(expected))


async def test_a_single_range_is_read_by_our_reader_not_starlettes(user: User, monkeypatch):
    # RangeFileResponse overrides Starlette's private `_handle_single_range`: if Starlette stops calling it, this
    # test fails (answers would stay correct, as the Range test shows, but slow again).
    assert hasattr(starlette.responses.FileResponse, '_handle_single_range')
    reads = []
    original = media._read_at
    monkeypatch.setattr(media, '_read_at', lambda *args: reads.append(args) or original(*args))
    (title_id,) = seed_titles(1)
    await signed_in(user)
    src, _ = await open_player(user, title_id)
    assert (await user.http_client.get(src, headers={'Range': 'bytes=0-9'})).status_code == 206
    assert len(reads) == 1


async def test_paths_are_confined_to_the_media_folder_whatever_the_database_says(user: User, tmp_path):
    from sqlmodel import update

    from app import db
    from app.models import Title

    (title_id,) = seed_titles(1)
    secret = tmp_path / 'secret.txt'
    secret.write_text('top secret')
    with db.session(write=True) as session:
        session.exec(update(Title).values(poster_path='../secret.txt', backdrop_path=str(secret)))
    await signed_in(user)
    for asset in ('poster', 'backdrop'):
        response = await user.http_client.get(f'/media/{title_id}/{asset}')
        assert response.status_code == 404
        assert b'top secret' not in response.content
    traversal = await user.http_client.get(f'/media/{title_id}/..%2F..%2Fsecret.txt')
    assert traversal.status_code == 404


async def test_the_players_requests_need_nothing_but_a_live_token(user: User):
    (title_id,) = seed_titles(1)
    await signed_in(user)
    src, _ = await open_player(user, title_id)
    token = src.split('/')[2]
    user.http_client.cookies.clear()  # no cookie at all: the token is the authority
    assert (await user.http_client.get(src, headers={'Range': 'bytes=0-9'})).status_code == 206
    saved = await user.http_client.post(
        f'/play/{token}/progress', content='{"position": 50}', headers={'Content-Type': 'text/plain'}
    )
    assert saved.status_code == 204
    for path in (
        '/play/not-a-token/video/sd',
        '/play/x/video/4k',
        '/play/a%2F..%2Fb/video/sd',
        f'/play/{token}/nothing',
    ):
        assert (await user.http_client.get(path)).status_code == 404, path


async def test_the_players_requests_declare_their_methods_and_content_type(user: User):
    (title_id,) = seed_titles(1)
    await signed_in(user)
    src, _ = await open_player(user, title_id)
    progress = src.replace('/video/sd', '/progress')
    assert (await user.http_client.post(src)).status_code == 405
    assert (await user.http_client.get(progress)).status_code == 405
    form = await user.http_client.post(progress, data={'position': '5'})  # what a form of another site sends
    assert form.status_code == 415
    huge = await user.http_client.post(progress, content=b'{' * 5000, headers={'Content-Type': 'text/plain'})
    assert huge.status_code == 413


async def test_production_mode_answers_with_x_accel_redirect_and_only_grants_may_be_kept(user: User, monkeypatch):
    (title_id,) = seed_titles(1)
    await signed_in(user)
    src, _ = await open_player(user, title_id)
    monkeypatch.setenv('BUTACA_ACCEL_REDIRECT', '/_protected_media')
    grant = await user.http_client.get(src, headers={'Range': 'bytes=0-9'})
    assert grant.status_code == 200 and grant.content == b''
    assert grant.headers['x-accel-redirect'] == '/_protected_media/seed/t0/sd.mp4'
    assert grant.headers['x-accel-expires'] == '2'  # the default grant time
    refused = await user.http_client.get(src.replace('/sd', '/hd'))  # HD on FREE
    assert refused.status_code == 403
    assert 'x-accel-redirect' not in refused.headers and 'x-accel-expires' not in refused.headers
    assert refused.headers['cache-control'] == 'no-store'
    poster = await user.http_client.get(f'/media/{title_id}/poster')
    assert poster.headers['x-accel-redirect'] == '/_protected_media/seed/t0/poster.jpg'
    assert 'x-accel-expires' not in poster.headers  # artwork follows the session, not a grant
    monkeypatch.setenv('BUTACA_ACCEL_GRANT_SECONDS', '0')
    assert 'x-accel-expires' not in (await user.http_client.get(src)).headers
