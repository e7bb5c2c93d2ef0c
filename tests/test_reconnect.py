"""A real Butaca process stopped and started again while a page is open (benchmarks.harness.Server, as in
production): a playing video is not reloaded and loses no position, the notice is Butaca's own and localized, and
a link clicked while the server is down opens once it is back instead of the browser's error page."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from unittest import mock

import pytest
from nicegui.testing import Screen
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from app import db
from app.i18n import translate
from app.services import playback
from benchmarks.harness import Server, seed_viewers, temporary_folder

from .browser_steps import VIDEO, js, key, until, until_moves, until_playing, video_state

HAVE_BROWSER = bool(shutil.which('chromedriver') and (shutil.which('chromium') or shutil.which('google-chrome')))
if not HAVE_BROWSER and os.environ.get('CI') != 'true':
    pytest.skip('browser tests need Chromium: apt-get install chromium chromium-driver', allow_module_level=True)

pytestmark = pytest.mark.browser
DOWN_S = 5
NOTICE = 'document.querySelector(".bt-connection-pill")'


@pytest.fixture
def server(screen: Screen, demo_media: tuple[Path, list[dict]]):
    """A production-mode Butaca on its own port and data folder, with viewer0 and one real 30 s video."""
    media_dir, entries = demo_media
    # While it is down, the browser's attempts to reach it are logged as errors: they are the point of the test.
    screen.allowed_js_errors += ['ERR_CONNECTION_REFUSED', 'WebSocket connection to', '/_nicegui_ws/', '/api/']
    # seed_viewers points this process's settings at the server's database: the environment is put back after.
    with mock.patch.dict(os.environ), temporary_folder('butaca-test-restart-') as data_dir:
        seed_viewers(data_dir, viewers=1, duration_s=30.0, video_file=media_dir / entries[0]['video_sd_path'])
        with Server(data_dir) as running:
            yield running
        db.dispose_engines()


def sign_in(screen: Screen, server: Server) -> None:
    screen.selenium.get(f'{server.url}/login')
    until(screen, 'document.querySelectorAll("input").length >= 2')
    fields = screen.selenium.find_elements(By.TAG_NAME, 'input')
    fields[0].send_keys('viewer0')
    fields[1].send_keys('benchmark-pass', Keys.ENTER)
    until(screen, 'location.pathname === "/"')


def saved_position() -> float:
    with db.session() as session:
        return playback.resume_position(session, user_id=1, title_id=1)


def test_a_server_restart_mid_playback_neither_reloads_the_page_nor_loses_the_position(screen: Screen, server):
    sign_in(screen, server)
    screen.selenium.get(f'{server.url}/watch/1')
    until_playing(screen, past=1)
    js(screen, 'window.notReloaded = true')
    server.stop()
    stopped_at = video_state(screen)['time']
    # Down for DOWN_S seconds: the video goes on from its buffer, and the notice is Butaca's, in Spanish.
    until_moves(screen, f'{VIDEO}.currentTime', f'{VIDEO}.currentTime >= {stopped_at + DOWN_S}', what='the video')
    assert translate('es', 'connection.lost') in js(screen, f'{NOTICE} && {NOTICE}.innerText')
    assert js(screen, 'getComputedStyle(document.getElementById("popup")).display') == 'none'  # not NiceGUI's
    before_restart = video_state(screen)['time']
    server.start()
    # The server no longer knows the page: NiceGUI would reload it; the player carries on over HTTP instead.
    until(screen, '!window.socket.connected && window.socket.io.reconnection() === false')
    until(screen, f'{VIDEO}.currentTime > {before_restart + 1} && !{VIDEO}.paused')
    assert js(screen, 'window.notReloaded') is True
    paused_at = video_state(screen)['time']
    key(screen, 'k')  # the pause reports the position to the restarted server
    # The pause's report lands (a heartbeat sent a moment before it may land first): never older than the blip.
    screen.wait_for(lambda: abs(saved_position() - paused_at) < 1.5)
    assert saved_position() >= before_restart
    assert not js(screen, NOTICE)  # nothing left to say


def test_a_link_clicked_while_the_server_is_down_opens_once_it_is_back(screen: Screen, server):
    sign_in(screen, server)
    card = screen.selenium.find_element(By.CSS_SELECTOR, 'a.bt-card[data-title-id="1"]')
    server.stop()
    until(screen, '!window.socket.connected')
    # Each time the page asks whether the server is back (with backoff, up to 5 s apart) is a step of the wait below.
    js(screen, '(window.knocks = 0, window.realFetch = window.fetch, true)')
    js(screen, '(window.fetch = (...args) => (window.knocks++, window.realFetch(...args)), true)')
    card.click()
    until(screen, f'{NOTICE} && {NOTICE}.innerText.includes({translate("es", "connection.waiting")!r})')
    assert js(screen, 'location.pathname') == '/'  # still the page, not the browser's error page
    server.start()
    until_moves(screen, 'window.knocks', 'location.pathname === "/title/1"', what='the page asking for the server')
    until(screen, 'document.body.innerText.includes("Bench 0")')
