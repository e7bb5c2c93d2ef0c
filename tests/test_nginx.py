"""Production mode behind a real nginx (the README's configuration, as benchmarks/nginx.py writes it): Butaca
checks access and answers with X-Accel-Redirect, nginx sends the bytes, and a grant nginx keeps is never used
after BUTACA_ACCEL_GRANT_SECONDS. Skips where nginx is missing, except in CI (CI=true), which installs it."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest

from benchmarks import nginx
from benchmarks.harness import Server, open_watch_page, seed_viewers, signed_in_client, temporary_folder

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
            client = await signed_in_client(proxy, 'viewer0')
            path, _ = await open_watch_page(client, 1)
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
