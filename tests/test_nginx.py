"""Production mode behind a real nginx (the README's configuration, as benchmarks/nginx.py writes it): Butaca
checks access and answers with X-Accel-Redirect, nginx sends the bytes, and a grant nginx keeps is never used
after BUTACA_ACCEL_GRANT_SECONDS. Skips where nginx is missing, except in CI (CI=true), which installs it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from benchmarks import nginx
from benchmarks.harness import Server, open_watch_page, seed_viewers, signed_in_client, temporary_folder

from .waits import WAIT_S

pytestmark = pytest.mark.slow  # real server processes: seconds each

if nginx.available() is None and os.environ.get('CI') != 'true':
    pytest.skip('needs nginx: apt-get install nginx', allow_module_level=True)


def _set_plan(data_dir: Path, plan: str) -> None:
    """Change viewer0's plan as the profile page does (same database file as the server)."""
    from app import db
    from app.models import Plan
    from app.services import accounts

    accounts.set_plan(user_id=1, plan=Plan(plan))
    db.dispose_engines()


async def _downgrade_seen_after(grant_seconds: int) -> tuple[bytes, float, int]:
    """Play HD through nginx as PREMIUM, downgrade, then read until refused: (first bytes, seconds from the grant
    until the 403, reads after the downgrade until the 403)."""
    with temporary_folder('butaca-test-nginx-') as data_dir:
        seed_viewers(data_dir, viewers=1)
        _set_plan(data_dir, 'PREMIUM')
        with (
            Server(
                data_dir, BUTACA_ACCEL_REDIRECT=nginx.ACCEL_PREFIX, BUTACA_ACCEL_GRANT_SECONDS=str(grant_seconds)
            ) as server,
            nginx.nginx(data_dir / 'media', server.port, data_dir / 'nginx') as proxy,
        ):
            client = await signed_in_client(proxy, 'viewer0', timeout=WAIT_S)
            path, _ = await open_watch_page(client, 1, WAIT_S)
            assert path.endswith('/video/hd')
            granted = time.monotonic()  # nginx may keep this yes from here on, for the grant time
            first = await client.get(path, headers={'Range': 'bytes=100-1099'})
            assert first.status_code == 206, first.text
            assert 'x-accel-redirect' not in first.headers and 'x-accel-expires' not in first.headers
            _set_plan(data_dir, 'FREE')
            reads = 0
            while True:
                response = await client.get(path, headers={'Range': 'bytes=0-9'})
                reads += 1
                if response.status_code == 403:
                    refused_after = time.monotonic() - granted
                    break
                assert response.status_code == 206
                assert time.monotonic() - granted < grant_seconds + 5, 'still sending bytes after a downgrade'
                await _pause()
            for _ in range(5):  # a refusal is never kept: it stays refused
                assert (await client.get(path, headers={'Range': 'bytes=0-9'})).status_code == 403
            await client.aclose()
            expected = (data_dir / 'media' / 'bench' / 'hd.mp4').read_bytes()[100:1100]
    return first.content if first.content == expected else b'wrong bytes', refused_after, reads


async def _pause() -> None:
    import asyncio

    await asyncio.sleep(0.05)


async def test_nginx_sends_the_bytes_and_a_downgrade_stops_them_within_the_grant_time():
    content, refused_after, _ = await _downgrade_seen_after(grant_seconds=2)
    assert content != b'wrong bytes' and len(content) == 1000
    assert refused_after <= 2 + 1 + 0.5  # nginx counts whole seconds: a grant lives up to N + 1 s


async def test_without_grant_reuse_a_downgrade_stops_the_bytes_on_the_next_read():
    content, _, reads = await _downgrade_seen_after(grant_seconds=0)
    assert len(content) == 1000
    assert reads == 1  # the very next read


def test_unknown_or_foreign_playback_tokens_are_refused_through_nginx():
    with temporary_folder('butaca-test-nginx-') as data_dir:
        seed_viewers(data_dir, viewers=1)
        with (
            Server(data_dir, BUTACA_ACCEL_REDIRECT=nginx.ACCEL_PREFIX) as server,
            nginx.nginx(data_dir / 'media', server.port, data_dir / 'nginx') as proxy,
        ):
            assert httpx.get(f'{proxy}/play/nothing/video/sd').status_code == 404  # no such playback
            assert httpx.get(f'{proxy}/media/1/poster').status_code == 401  # no session
            assert httpx.get(f'{proxy}{nginx.ACCEL_PREFIX}/bench/sd.mp4').status_code == 404  # internal only


# ---- the limits of app/nginx_conf.py (what `python -m app.nginx_conf` prints; issue 14.6, issue 16.2) -------------


@pytest.fixture(scope='module')
def proxy() -> Iterator[str]:
    with temporary_folder('butaca-test-nginx-') as data_dir:
        seed_viewers(data_dir, viewers=1)
        with (
            # As the README sets it up: nginx is the trusted proxy, so the app's own per-address limits see the
            # viewers' addresses, not nginx's.
            Server(data_dir, BUTACA_ACCEL_REDIRECT=nginx.ACCEL_PREFIX, BUTACA_TRUSTED_PROXIES='127.0.0.1') as server,
            nginx.nginx(data_dir / 'media', server.port, data_dir / 'nginx') as url,
        ):
            yield url


def test_a_request_head_sent_a_byte_at_a_time_is_dropped_at_the_header_timeout(proxy: str):
    port = int(proxy.rsplit(':', 1)[1])
    started = time.monotonic()
    with socket.create_connection(('127.0.0.1', port), timeout=WAIT_S) as sock:
        sock.sendall(b'GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n')
        answer = None
        while answer is None and time.monotonic() - started < 30:  # waits of a second, each sending a byte more
            if select.select([sock], [], [], 1.0)[0]:  # nginx answered or closed
                answer = sock.recv(100)
            else:
                with contextlib.suppress(OSError):
                    sock.sendall(b'X')  # one more byte of a header that never ends (slowloris)
    assert answer is not None and not answer.startswith(b'HTTP/1.1 200')
    assert 9 <= time.monotonic() - started < 20  # client_header_timeout 10s, however the bytes trickle in


def test_oversized_headers_are_refused_by_nginx(proxy: str):
    assert httpx.get(f'{proxy}/login', headers={'X-Big': 'a' * 20_000}).status_code in (400, 494)
    many = {f'X-Part-{index}': 'a' * 15_000 for index in range(6)}
    assert httpx.get(f'{proxy}/login', headers=many).status_code in (400, 494)
    assert httpx.get(f'{proxy}/login').status_code == 200


async def test_a_flood_of_page_loads_is_limited_per_address_while_video_assets_and_others_are_not(proxy: str):
    viewer = await signed_in_client(proxy, 'viewer0', timeout=WAIT_S)
    path, _ = await open_watch_page(viewer, 1, WAIT_S)  # the page, its websocket and the player's token, through nginx
    login = (await viewer.get('/login', follow_redirects=True)).text
    asset = re.search(r'src="(/_nicegui/[^"]+\.js)"', login).group(1)
    async with httpx.AsyncClient(base_url=proxy, timeout=WAIT_S) as flood:
        answers: list[httpx.Response] = []

        async def load(count: int) -> None:
            for _ in range(count):
                answers.append(await flood.get('/login'))

        started = time.monotonic()
        await asyncio.gather(*(load(10) for _ in range(8)))
        elapsed = time.monotonic() - started
        statuses = [answer.status_code for answer in answers]
        assert set(statuses) == {200, 429}
        # The burst (30, less the viewer's own page loads through nginx just before) and what the rate (5/s) added
        # meanwhile: never more, however slow the machine.
        assert 15 <= statuses.count(200) <= 30 + 5 * elapsed + 1, (statuses.count(200), elapsed)
        refused = next(answer for answer in answers if answer.status_code == 429)
        assert 'max-age' in refused.headers['strict-transport-security']  # HSTS on every answer, refusals too
    elsewhere = httpx.AsyncClient(base_url=proxy, transport=httpx.AsyncHTTPTransport(local_address='127.0.0.2'))
    assert (await elsewhere.get('/login')).status_code == 200  # another address has a budget of its own
    await elsewhere.aclose()
    reads = await asyncio.gather(*(viewer.get(path, headers={'Range': f'bytes={i}-{i + 99}'}) for i in range(60)))
    assert {read.status_code for read in reads} == {206}  # the same address's video is not page-limited
    assert (await viewer.get(asset)).status_code == 200  # nor are the page's assets
    await viewer.aclose()
