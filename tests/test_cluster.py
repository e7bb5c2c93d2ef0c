"""Butaca as `python -m app.cluster --processes 2` runs it: two real production processes behind a real nginx
(sticky by the session cookie's hash), on a PostgreSQL database of this run and Redis (live updates between the
processes, NiceGUI's storage) under a key prefix of this run. A real Chromium and plain HTTP clients talk to nginx
and to each process on its own port, to prove what crosses processes: a sign-in, a sign-out, a downgrade, progress,
a catalog change, and a process killed under its viewers.

Skips without nginx, Redis, PostgreSQL or Chromium, except in CI (CI=true), which has them all.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import httpx
import pytest

from app.i18n import translate
from benchmarks import nginx
from benchmarks.harness import (
    ROOT,
    free_port,
    open_watch_page,
    seed_viewers,
    server_env,
    set_database_url,
    signed_in_client,
    temporary_folder,
    wait_healthy,
)

from .browser_steps import js, until, until_moves
from .waits import WAIT_S, run_command, wait_until

REDIS_URL = os.environ.get('BUTACA_TEST_REDIS_URL', 'redis://127.0.0.1:6379/0')
HAVE_BROWSER = bool(shutil.which('chromedriver') and (shutil.which('chromium') or shutil.which('google-chrome')))


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


if os.environ.get('CI') != 'true':
    if nginx.available() is None:
        pytest.skip('needs nginx: apt-get install nginx', allow_module_level=True)
    if not _redis_up():
        pytest.skip(f'needs Redis at {REDIS_URL}', allow_module_level=True)
    if not HAVE_BROWSER:
        pytest.skip('needs Chromium: apt-get install chromium chromium-driver', allow_module_level=True)

pytestmark = [pytest.mark.slow, pytest.mark.browser]
PASSWORD = 'benchmark-pass'


@dataclass
class Cluster:
    """The running `python -m app.cluster`: nginx's URL, each process's port, the database, the bus channel."""

    url: str
    ports: list[int]
    data_dir: Path
    database_url: str
    redis_prefix: str
    process: subprocess.Popen

    def member(self, index: int) -> str:
        return f'http://127.0.0.1:{self.ports[index]}'

    def pid(self, port: int) -> int:
        return int((self.data_dir / 'cluster' / f'butaca-{port}.pid').read_text())

    def other(self, port: int) -> int:
        return next(p for p in self.ports if p != port)

    @contextlib.contextmanager
    def database(self) -> Iterator[None]:
        """This test process's app.db on the cluster's database (and its bus on the cluster's channel)."""
        from app import db

        with mock.patch.dict(
            os.environ,
            BUTACA_DATABASE_URL=self.database_url,
            BUTACA_DATA_DIR=str(self.data_dir),
            BUTACA_MEDIA_DIR=str(self.data_dir / 'media'),
        ):
            db.dispose_engines()
            try:
                yield
            finally:
                db.dispose_engines()


def _two_free_ports() -> int:
    """A port p with p + 1 free too (the processes take consecutive ports)."""
    for _ in range(50):
        port = free_port()
        with contextlib.suppress(OSError):
            import socket

            with socket.socket() as sock:
                sock.bind(('127.0.0.1', port + 1))
            return port
    raise RuntimeError('no two consecutive free ports')


@pytest.fixture(scope='module')
def cluster(postgres, demo_media) -> Iterator[Cluster]:
    media_dir, entries = demo_media
    video = media_dir / entries[0]['video_sd_path']
    database_url = postgres.create()
    prefix = f'butaca-test-{secrets.token_hex(4)}:'
    with mock.patch.dict(os.environ), temporary_folder('butaca-test-cluster-') as data_dir:
        set_database_url(data_dir, database_url)
        seed_viewers(data_dir, viewers=4, duration_s=30.0, video_file=video)  # migrates the database too
        from app import db

        db.dispose_engines()
        nginx_port, first = free_port(), _two_free_ports()
        env = server_env(
            data_dir,
            BUTACA_PORT=str(nginx_port),
            BUTACA_PUBLIC_URL=f'http://127.0.0.1:{nginx_port}',
            BUTACA_REDIS_URL=REDIS_URL,
            BUTACA_REDIS_PREFIX=prefix,
        )
        log = (data_dir / 'cluster.log').open('ab')
        process = subprocess.Popen(
            [sys.executable, '-m', 'app.cluster', '--processes', '2', '--first-port', str(first), '--show-upstream'],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        running = Cluster(f'http://127.0.0.1:{nginx_port}', [first, first + 1], data_dir, database_url, prefix, process)
        try:
            for url in (running.member(0), running.member(1), running.url):
                wait_healthy(url, process, what=f'the cluster at {url}; see {data_dir / "cluster.log"}')
            yield running
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                stopped = process.wait(timeout=WAIT_S)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                stopped = process.wait()
            log.close()
            left = [pid for pid in _cluster_pids(data_dir) if _alive(pid)]
            _forget_redis(prefix)
            postgres.drop(database_url)
        assert stopped == 0, (data_dir / 'cluster.log').read_text()[-3000:]
        assert left == []  # SIGTERM stopped nginx and every process it started


def _cluster_pids(data_dir: Path) -> list[int]:
    folder = data_dir / 'cluster'
    return [int(path.read_text()) for path in folder.glob('*.pid')]  # the processes' and nginx's own pid file


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f'/proc/{pid}/stat').exists() and Path(f'/proc/{pid}/stat').read_text().split()[2] != 'Z'


def _forget_redis(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f'{prefix}*'):
        client.delete(key)
    client.close()


# ---- a real browser ----


@pytest.fixture(scope='module')
def browser() -> Iterator:
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    for argument in (
        'headless=new',
        'no-sandbox',
        'disable-dev-shm-usage',
        'window-size=1280,900',
        'lang=es-ES',
        'mute-audio',
        'disable-background-networking',
        'disable-background-timer-throttling',
        'disable-renderer-backgrounding',
        'disable-backgrounding-occluded-windows',
        'no-first-run',
    ):
        options.add_argument(f'--{argument}')
    options.add_experimental_option('prefs', {'intl.accept_languages': 'es-ES,es'})
    driver = webdriver.Chrome(options=options)
    yield driver
    driver.quit()


@pytest.fixture
def chrome(browser, cluster) -> Iterator:
    """The module's browser with one window and no cookies left from the test before (cookies are per host, so
    clearing them on nginx's address clears them for every port of 127.0.0.1)."""
    for handle in browser.window_handles[1:]:
        browser.switch_to.window(handle)
        browser.close()
    browser.switch_to.window(browser.window_handles[0])
    browser.get(f'{cluster.url}/api/health')
    browser.delete_all_cookies()
    browser.set_script_timeout(WAIT_S)  # the pages' fetches (upstream, the refused bytes)
    yield browser


CONNECTED = 'window.socket && window.socket.connected'
VIDEO = 'document.querySelector("video")'


def sign_in(driver, base: str, username: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.get(f'{base}/login')
    until(driver, 'document.querySelectorAll("input").length >= 2')
    until(driver, CONNECTED)  # the form's events go over the page's websocket: typed once it is there
    fields = driver.find_elements(By.TAG_NAME, 'input')
    fields[0].send_keys(username)
    fields[1].send_keys(PASSWORD, Keys.ENTER)
    until(driver, 'location.pathname === "/"')


def upstream(driver) -> int:
    """The port of the process nginx sends this browser's requests to (X-Butaca-Upstream, asked from the page)."""
    until(driver, 'document.readyState === "complete"')
    answer = driver.execute_async_script(
        'const done = arguments[0];'
        'fetch("/api/health", {cache: "no-store"}).then(r => done(r.headers.get("x-butaca-upstream")))'
        '.catch(e => done(String(e)));'
    )
    return int(answer.rsplit(':', 1)[1])


def click_text(driver, text: str) -> None:
    from selenium.webdriver.common.by import By

    xpath = f'//button[.//*[normalize-space(text())="{text}"] or normalize-space(.)="{text}"]'
    driver.find_element(By.XPATH, xpath).click()


# ---- across processes ----


def test_signed_in_on_one_process_the_other_serves_the_pages(cluster):
    for signed_on, asked in ((0, 1), (1, 0)):
        client = httpx.Client(base_url=cluster.member(signed_on), timeout=WAIT_S)
        answer = client.post('/api/login', json={'username': f'viewer{signed_on}', 'password': PASSWORD})
        assert answer.status_code == 200, answer.text
        page = httpx.get(f'{cluster.member(asked)}/', cookies=client.cookies, timeout=WAIT_S, follow_redirects=True)
        assert page.status_code == 200 and page.url.path == '/'  # not sent to /login
        assert f'Bench {signed_on}' in page.text  # this account's catalog, drawn by the other process
        anonymous = httpx.get(f'{cluster.member(asked)}/', follow_redirects=True)
        assert anonymous.url.path == '/login'  # without the cookie: the login page
        client.close()


def test_signing_out_on_one_process_sends_the_open_tab_of_the_other_to_login(cluster, chrome):
    sign_in(chrome, cluster.url, 'viewer0')
    chrome.get(f'{cluster.member(1)}/catalog')  # the same browser's cookie: cookies are per host, not per port
    until(chrome, CONNECTED)
    tab_on_b = chrome.current_window_handle
    chrome.switch_to.new_window('window')
    chrome.get(f'{cluster.member(0)}/')
    until(chrome, CONNECTED)
    click_text(chrome, 'logout')  # the header's sign-out button (its icon's name)
    until(chrome, 'location.pathname === "/login"')
    chrome.switch_to.window(tab_on_b)
    until(chrome, 'location.pathname === "/login"')
    until(chrome, f'document.body.innerText.includes({translate("es", "login.session_ended")!r})')


def test_a_downgrade_on_one_process_stops_the_player_held_by_the_other_within_2_s(cluster, chrome):
    from app.models import Plan
    from app.services import accounts

    with cluster.database():
        accounts.set_plan(user_id=2, plan=Plan.PREMIUM)  # viewer1
    sign_in(chrome, cluster.url, 'viewer1')
    chrome.get(f'{cluster.url}/watch/2')
    until(chrome, f'{VIDEO} && !{VIDEO}.paused && {VIDEO}.currentTime > 0.5')
    assert js(chrome, f'{VIDEO}.currentSrc').endswith('/video/hd')
    player_port = upstream(chrome)
    hd_url = js(chrome, f'{VIDEO}.currentSrc')
    chrome.execute_script(  # when the player's message shows, by this browser's clock
        'new MutationObserver(() => { if (!window.stoppedAt && document.querySelector(".bp-message"))'
        ' window.stoppedAt = Date.now(); }).observe(document.body, {subtree: true, childList: true});'
    )
    player = chrome.current_window_handle
    chrome.switch_to.new_window('window')
    chrome.get(f'{cluster.member(cluster.ports.index(cluster.other(player_port)))}/profile')  # the other process
    until(chrome, CONNECTED)
    click_text(chrome, translate('es', 'plan.downgrade'))
    until(chrome, f'document.body.innerText.includes({translate("es", "plan.confirm_downgrade")!r})')
    downgraded_at = js(chrome, 'Date.now()')
    click_text(chrome, translate('es', 'common.confirm'))
    chrome.switch_to.window(player)
    until(chrome, 'window.stoppedAt')
    assert js(chrome, 'window.stoppedAt') - downgraded_at <= 2000  # the news crossed processes through Redis
    assert translate('es', 'watch.stopped_plan') in js(chrome, 'document.querySelector(".bp-message").innerText')
    # The bytes: nginx may keep the grant for BUTACA_ACCEL_GRANT_SECONDS (2, counted in whole seconds), then no.
    refused_ms = chrome.execute_async_script(
        'const [url, since, done] = arguments;'
        'const ask = () => fetch(url, {headers: {Range: "bytes=0-9"}, cache: "no-store"}).then(r => {'
        '  if (r.status === 403) done(Date.now() - since); else setTimeout(ask, 100); });'
        'ask();',
        hd_url,
        downgraded_at,
    )
    assert refused_ms <= (2 + 1 + 0.5) * 1000


async def test_progress_saved_through_both_processes_lands(cluster):
    import asyncio

    from app.services import playback

    client = await signed_in_client(cluster.url, 'viewer2', timeout=WAIT_S)
    _, token = await open_watch_page(client, 3, WAIT_S)
    positions = [2.0, 4.0, 6.0, 8.0, 10.0, 12.0]
    for index, position in enumerate(positions):  # each report to the other process than the one before
        member = cluster.member(index % 2)
        answer = await client.post(
            f'{member}/play/{token}/progress',
            content=json.dumps({'position': position, 'played': position}),
            headers={'Content-Type': 'text/plain'},  # as the player's beacon sends it
        )
        assert answer.status_code == 204, answer.text
    await client.aclose()

    def saved() -> float:
        from app import db

        with cluster.database(), db.session() as session:
            return playback.resume_position(session, user_id=3, title_id=3)

    assert await asyncio.to_thread(saved) == pytest.approx(12.0, abs=0.01)


def test_a_new_title_is_seen_by_the_pages_of_both_processes_without_a_restart(cluster, chrome):
    sign_in(chrome, cluster.url, 'viewer3')
    windows = []
    for index in (0, 1):
        if index:
            chrome.switch_to.new_window('window')
        chrome.get(f'{cluster.member(index)}/')
        until(chrome, CONNECTED)
        chrome.execute_script('window.notReloaded = true')
        windows.append(chrome.current_window_handle)
    name = f'Estreno {secrets.token_hex(3)}'
    added = run_command(  # as an operator adds a title: another process, on the same database and Redis
        [sys.executable, '-m', 'tests.cluster_add_title', name],
        what='adding a title',
        cwd=ROOT,
        env={**os.environ, **_cluster_env(cluster)},
    )
    assert added.returncode == 0, added.stderr
    for handle in windows:
        chrome.switch_to.window(handle)
        until(chrome, f'document.body.innerText.includes({name!r})')
        assert js(chrome, 'window.notReloaded') is True


def _cluster_env(cluster: Cluster) -> dict[str, str]:
    return {
        'BUTACA_DATABASE_URL': cluster.database_url,
        'BUTACA_DATA_DIR': str(cluster.data_dir),
        'BUTACA_MEDIA_DIR': str(cluster.data_dir / 'media'),
        'BUTACA_REDIS_URL': REDIS_URL,
        'BUTACA_REDIS_PREFIX': cluster.redis_prefix,
    }


def test_killing_a_process_sends_its_viewers_to_the_other(cluster, chrome):
    from app import db
    from app.services import playback

    sign_in(chrome, cluster.url, 'viewer0')
    # A page without a player: it reloads once, on the other process.
    chrome.get(f'{cluster.url}/')
    until(chrome, CONNECTED)
    home_port = upstream(chrome)
    chrome.execute_script('window.notReloaded = true')
    home = chrome.current_window_handle
    # A playing page (another window of the same browser: the same session, so the same process).
    chrome.switch_to.new_window('window')
    chrome.get(f'{cluster.url}/watch/1')
    until(chrome, f'{VIDEO} && !{VIDEO}.paused && {VIDEO}.currentTime > 1')
    assert upstream(chrome) == home_port
    chrome.execute_script('window.notReloaded = true')
    player = chrome.current_window_handle

    killed = cluster.pid(home_port)
    os.kill(killed, signal.SIGKILL)  # as a crash: no shutdown handler runs
    killed_at = js(chrome, f'{VIDEO}.currentTime')

    # The player needs no websocket once it plays: it goes on over HTTP, through nginx, to the other process.
    until_moves(
        chrome, f'{VIDEO}.currentTime', f'{VIDEO}.currentTime > {killed_at + 3} && !{VIDEO}.paused', what='the video'
    )
    assert js(chrome, 'window.notReloaded') is True
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(chrome).send_keys('k').perform()  # pause: the report goes to the process that is up
    until(chrome, f'{VIDEO}.paused')
    paused_at = js(chrome, f'{VIDEO}.currentTime')

    def saved() -> float:
        with cluster.database(), db.session() as session:
            return playback.resume_position(session, user_id=1, title_id=1)

    wait_until(lambda: abs(saved() - paused_at) < 1.5, what='the pause saved')

    # The home page: its process is gone, NiceGUI's handshake fails on the other one, so it reloads there, once.
    chrome.switch_to.window(home)
    until(chrome, '!window.notReloaded && location.pathname === "/"')
    until(chrome, CONNECTED)
    chrome.execute_script('window.reloadedOnce = true')
    served_by = upstream(chrome)
    # Live again where it is now: a catalog change reaches it, and it did not reload a second time.
    name = f'Tras la caída {secrets.token_hex(3)}'
    added = run_command(
        [sys.executable, '-m', 'tests.cluster_add_title', name],
        what='adding a title',
        cwd=ROOT,
        env={**os.environ, **_cluster_env(cluster)},
    )
    assert added.returncode == 0, added.stderr
    until(chrome, f'document.body.innerText.includes({name!r})')
    assert js(chrome, 'window.reloadedOnce') is True
    assert served_by == cluster.other(home_port)  # nginx skips the dead one (and the one started again, 5 s)

    # Opened again (a new tab, as a viewer who closed it): it starts from the resume point the other process saved.
    chrome.switch_to.window(player)
    chrome.switch_to.new_window('window')
    chrome.get(f'{cluster.url}/watch/1')
    until(chrome, f'{VIDEO} && {VIDEO}.readyState >= 1 && {VIDEO}.currentTime > 0')
    assert js(chrome, f'{VIDEO}.currentTime') >= paused_at - 1.5

    # And the cluster started the killed process again, on its port.
    wait_until(lambda: cluster.pid(home_port) != killed, what='the killed process started again')
    wait_healthy(f'http://127.0.0.1:{home_port}', cluster.process, what='the process started again')


def test_the_cluster_refuses_to_start_without_postgresql_and_redis(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(('BUTACA_', 'PYTEST_', 'NICEGUI_'))}
    env.update(BUTACA_DATA_DIR=str(tmp_path), BUTACA_STORAGE_SECRET=secrets.token_urlsafe(48))
    refused = run_command(
        [sys.executable, '-m', 'app.cluster', '--processes', '2'], what='the cluster', cwd=ROOT, env=env
    )
    assert refused.returncode == 1
    assert 'BUTACA_DATABASE_URL must name a PostgreSQL database' in refused.stderr
    assert 'BUTACA_REDIS_URL must name a Redis server' in refused.stderr
    assert 'BUTACA_STORAGE_SECRET' not in refused.stderr  # it was set
    assert not (tmp_path / 'cluster').exists()  # nothing started
