"""Uploads from the browser, against a real server process: a viewer is refused before any byte of the body is
sent (NiceGUI's upload route too), the administrator's file streams to disk, the server enforces the size limit
and nothing half-written stays, and the upload goes through the same import job as a scanned file."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from app import db
from app.models import Title
from app.services import accounts, admin, jobs
from benchmarks.harness import Server, use_database
from tests.clips import make_clip

from .helpers import until_jobs
from .waits import WAIT_S

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / 'srv', BUTACA_UPLOAD_MAX_MB='1').start()
    use_database(running.data_dir)
    accounts.register(username='jefa', password='secreto123', confirm='secreto123', rounds=4, local=True)
    accounts.register(username='bruno', password='secreto123', confirm='secreto123', rounds=4)
    try:
        yield running
    finally:
        running.stop()


def signed_in(server: Server, name: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=WAIT_S)
    response = client.post('/api/login', json={'username': name, 'password': 'secreto123'})
    assert response.status_code == 200, response.text
    return client


def raw_answer(server: Server, path: str, cookie: str) -> str:
    """Send only the head of a 50 MB upload and read what comes back: the refusal must not wait for the body."""
    with socket.create_connection(('127.0.0.1', server.port), timeout=10) as connection:
        head = (
            f'POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nCookie: {cookie}\r\n'
            'Content-Type: application/octet-stream\r\nContent-Length: 50000000\r\n\r\n'
        )
        connection.sendall(head.encode())
        return connection.recv(4096).decode('latin-1').split('\r\n', 1)[0]


def cookie_header(client: httpx.Client) -> str:
    return '; '.join(f'{name}={value}' for name, value in client.cookies.items())


def test_a_viewer_is_refused_before_the_body_is_sent(server: Server) -> None:
    viewer = signed_in(server, 'bruno')
    for path in ('/admin/upload?name=a.mp4', '/_nicegui/client/abc/upload/7'):
        assert raw_answer(server, path, cookie_header(viewer)) == 'HTTP/1.1 403 Forbidden', path
    assert raw_answer(server, '/admin/upload?name=a.mp4', 'x=y') == 'HTTP/1.1 403 Forbidden'


def test_the_administrator_uploads_a_video_that_becomes_a_title(server: Server, tmp_path: Path) -> None:
    clip = make_clip(tmp_path / 'Mi viaje (2021).mp4', seconds=1.5)
    boss = signed_in(server, 'jefa')

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts as it reads
        data = clip.read_bytes()
        for start in range(0, len(data), 16_384):
            yield data[start : start + 16_384]

    response = boss.post('/admin/upload', params={'name': clip.name, 'genre': 'Viajes'}, content=chunks())
    assert response.status_code == 202, response.text
    job_id = response.json()['job_id']
    until_jobs(lambda steps: steps[job_id].state in jobs.FINISHED, what='the import job')
    assert jobs.get(job_id).state == jobs.DONE, jobs.get(job_id).error
    with db.session() as session:
        [title] = session.exec(select(Title)).all()
    assert (title.title, title.year, title.genre) == ('Mi viaje', 2021, 'Viajes')
    assert list((server.data_dir / 'uploads').iterdir()) == []  # the upload went into the library
    assert 'upload' in {entry.action for entry in admin.log()}


def test_the_server_enforces_the_size_limit_and_keeps_nothing(server: Server) -> None:
    boss = signed_in(server, 'jefa')

    def two_megabytes() -> Iterator[bytes]:
        for _ in range(32):
            yield b'\0' * 65_536

    response = boss.post('/admin/upload', params={'name': 'grande.mp4'}, content=two_megabytes())
    assert response.status_code == 413
    declared = boss.post('/admin/upload', params={'name': 'grande.mp4'}, content=b'\0' * (1024 * 1024 + 1))
    assert declared.status_code == 413
    assert boss.post('/admin/upload', params={'name': 'notas.txt'}, content=b'hola').status_code == 415
    uploads = server.data_dir / 'uploads'
    assert not uploads.exists() or list(uploads.iterdir()) == []
