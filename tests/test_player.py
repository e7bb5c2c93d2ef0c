"""The player component in headless Chromium, on the test harness (tests/player_harness.py): real video, subtitle
and sprite files, and stand-in endpoints that record what the player sends. What the app already has (plans,
screens, resume, stops) is tested against the real app in tests/test_browser.py."""

from __future__ import annotations

import os
import shutil

import pytest
from nicegui.testing import Screen
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement

from app import middleware
from app.i18n import translate

from .browser_steps import VIDEO, js, key, press, show_controls, until, until_moves, until_playing, video_state
from .player_harness import Harness, config, make_media
from .waits import wait_for_progress

HAVE_BROWSER = bool(shutil.which('chromedriver') and (shutil.which('chromium') or shutil.which('google-chrome')))
if not HAVE_BROWSER and os.environ.get('CI') != 'true':
    pytest.skip('browser tests need Chromium: apt-get install chromium chromium-driver', allow_module_level=True)

pytestmark = pytest.mark.browser
OVERLAY_SHOWN = 'document.querySelector(".bp-overlay.shown")'
CUES = '(document.querySelector(".bp-cues") || {innerText: ""}).innerText'


def m(key: str) -> str:
    return translate('es', key)


@pytest.fixture(scope='session')
def harness_files(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return make_media(tmp_path_factory.mktemp('player-harness'))


@pytest.fixture
def harness(screen: Screen, harness_files: dict, monkeypatch: pytest.MonkeyPatch) -> Harness:
    # The harness's page and files are public: the player's behaviour, not signing in, is what is tested here.
    monkeypatch.setattr(middleware, 'PUBLIC_PREFIXES', (*middleware.PUBLIC_PREFIXES, '/harness/'))
    screen.allowed_js_errors.append('/harness/progress - Failed to load resource')  # the refusals tests ask for
    harness = Harness(harness_files)
    harness.install()
    return harness


def button_in(screen: Screen, css: str, text: str) -> WebElement:
    return screen.find_by_css(css).find_element(By.XPATH, f'.//button[contains(., "{text}")]')


def open_player(screen: Screen) -> None:
    screen.open('/harness/player')
    until(screen, 'document.querySelector(".bp-started")')


def test_without_a_gesture_it_plays_muted_at_once_and_offers_the_sound(screen: Screen, harness: Harness):
    open_player(screen)  # a page opened by typing its address: Chromium refuses sound without a gesture
    state = until_playing(screen, past=0.5)
    assert state['muted'] and state['error'] is None
    screen.find_by_css('.bp-unmute').click()
    until(screen, f'!{VIDEO}.muted && !document.querySelector(".bp-unmute")')
    assert not video_state(screen)['paused']


def test_the_overlay_hides_after_3_s_without_the_pointer_and_comes_back_when_it_moves(screen: Screen, harness: Harness):
    open_player(screen)
    until_playing(screen)
    show_controls(screen)
    until(screen, f'!{OVERLAY_SHOWN} && document.querySelector(".bp.bp-idle")', timeout=6)
    assert js(screen, 'getComputedStyle(document.querySelector(".bp")).cursor') == 'none'
    ActionChains(screen.selenium).move_by_offset(40, 20).perform()
    until(screen, OVERLAY_SHOWN, timeout=2)
    # Paused, it stays.
    key(screen, 'k')
    until(screen, f'{VIDEO}.paused')
    assert js(screen, f'!!{OVERLAY_SHOWN}')


def test_every_control_is_a_named_button_reached_by_keyboard_with_a_visible_focus_ring(
    screen: Screen, harness: Harness
):
    open_player(screen)
    until_playing(screen)
    names = js(screen, '[...document.querySelectorAll(".bp-overlay button")].map(b => b.getAttribute("aria-label"))')
    for expected in ('player.back', 'player.pause', 'player.rewind', 'player.forward', 'player.subtitles'):
        assert m(expected) in names
    assert m('player.speed') in names and m('player.quality') in names and m('player.help') in names
    assert all(names), names  # every button has a name
    reached = []
    for _ in range(30):
        key(screen, Keys.TAB)
        label = js(screen, 'document.activeElement.getAttribute("aria-label")')
        reached.append(label)
        if label == m('player.fullscreen'):
            break
    assert m('player.back') in reached and m('player.seek') in reached and m('player.fullscreen') in reached
    ring = js(screen, 'getComputedStyle(document.activeElement).outlineStyle')
    assert ring == 'solid'
    assert js(screen, f'!!{OVERLAY_SHOWN}')  # moving the focus shows the controls
    sizes = js(screen, 'Array.from(document.querySelectorAll(".bp-controls button")).map(b => b.offsetHeight)')
    assert min(sizes) >= 44


def test_subtitles_switch_show_cues_and_the_choice_is_sent_and_applied_to_the_next_title(
    screen: Screen, harness: Harness
):
    open_player(screen)
    until_playing(screen)
    assert js(screen, CUES) == ''
    press(screen, m('player.subtitles'))
    button_in(screen, '.bp-menu', 'Español').click()
    until(screen, f'{CUES}.startsWith("Hola ")')
    press(screen, m('player.subtitles'))
    button_in(screen, '.bp-menu', 'English').click()
    until(screen, f'{CUES}.startsWith("Hello ")')
    key(screen, 'c')  # C: subtitles off, and on again in the last language
    until(screen, f'{CUES} === ""')
    key(screen, 'c')
    until(screen, f'{CUES}.startsWith("Hello ")')
    assert harness.preferences == [{'subtitles': 'es'}, {'subtitles': 'en'}, {'subtitles': None}, {'subtitles': 'en'}]
    # The next title comes with the account's choice in its config: the cues show without a click.
    harness.config = config(id='harness-playback-2', mediaKey='harness:2', subtitleLang='es')
    open_player(screen)
    until(screen, f'{CUES}.startsWith("Hola ")')


def test_trickplay_shows_the_thumbnail_of_the_time_under_the_pointer(screen: Screen, harness: Harness):
    open_player(screen)
    until_playing(screen)
    show_controls(screen)
    seek = screen.find_by_css('.bp-seek')
    width = seek.size['width']
    # 25.5 s of 40: the third thumbnail (one every 10 s), the first of the sheet's second row.
    ActionChains(screen.selenium).move_to_element_with_offset(seek, int(width * (25.5 / 40 - 0.5)), 0).perform()
    until(screen, 'document.querySelector(".bp-preview-image")')
    style = js(screen, 'document.querySelector(".bp-preview-image").style')
    assert 'trickplay.jpg' in js(screen, 'document.querySelector(".bp-preview-image").style.backgroundImage')
    assert js(screen, 'document.querySelector(".bp-preview-image").style.backgroundPosition') == '0px -135px', style
    assert js(screen, 'document.querySelector(".bp-preview-time").innerText') == '0:25'
    # Dragging: the preview follows, the video moves when the pointer is released.
    ActionChains(screen.selenium).click_and_hold().move_by_offset(int(width * 10 / 40), 0).perform()
    until(screen, 'document.querySelector(".bp-preview-time").innerText === "0:35"')
    ActionChains(screen.selenium).release().perform()
    until(screen, f'{VIDEO}.currentTime >= 34.5')


def test_quality_switches_in_place_and_hd_on_free_leads_to_the_upgrade(screen: Screen, harness: Harness):
    open_player(screen)
    before = until_playing(screen, past=2)
    assert before['height'] == 270
    press(screen, m('player.quality'))
    button_in(screen, '.bp-menu', 'HD').click()
    until(screen, f'{VIDEO}.videoHeight === 540 && !{VIDEO}.paused && {VIDEO}.currentTime > {before["time"]}')
    assert '/hd-es.mp4' in video_state(screen)['src']
    # FREE: HD is there with a Premium badge, and choosing it explains and offers the upgrade.
    harness.config = config(id='harness-free', sources={'SD': '/harness/files/sd-es.mp4', 'HD': None}, hdLocked=True)
    harness.shell = {'upgradeUrl': '/harness/more/upgrade'}
    open_player(screen)
    until_playing(screen)
    press(screen, m('player.quality'))
    hd = button_in(screen, '.bp-menu', 'HD')
    assert m('player.premium').upper() in hd.text.upper()
    hd.click()
    until(screen, 'document.querySelector(".bp-message")')
    assert m('player.hd_locked') in screen.find_by_css('.bp-message').text
    screen.find_by_css('.bp-message button[data-action="upgrade"]').click()
    until(screen, 'location.pathname === "/harness/more/upgrade"')


def test_video_bytes_that_stop_coming_are_asked_for_again_until_they_come(screen: Screen, harness: Harness):
    screen.allowed_js_errors.append('/harness/files/hd-es.mp4')  # the 503s this test makes
    open_player(screen)
    before = until_playing(screen, past=2)
    harness.unavailable.add('hd-es.mp4')  # the server (or the network) fails the video for a while
    press(screen, m('player.quality'))
    button_in(screen, '.bp-menu', 'HD').click()
    until(screen, 'document.querySelector(".bp-trouble")')  # said while it lasts (from the second try, 1 s on)
    harness.unavailable.clear()
    # The next try comes 2 s after the second (its backoff), and plays.
    until(screen, f'{VIDEO}.videoHeight === 540 && !{VIDEO}.paused && {VIDEO}.currentTime > {before["time"]}')
    until(screen, '!document.querySelector(".bp-trouble")')
    assert not js(screen, '!!document.querySelector(".bp-message")')


def test_the_audio_language_switches_in_place(screen: Screen, harness: Harness):
    files = '/harness/files'
    harness.config = config(
        audio=[
            {'lang': 'es', 'label': 'Español', 'sources': {'SD': f'{files}/sd-es.mp4', 'HD': None}},
            {'lang': 'en', 'label': 'English', 'sources': {'SD': f'{files}/sd-en.mp4', 'HD': None}},
        ]
    )
    open_player(screen)
    before = until_playing(screen, past=2)
    press(screen, m('player.audio'))
    button_in(screen, '.bp-menu', 'English').click()
    until(screen, f'{VIDEO}.currentSrc.endsWith("/sd-en.mp4") && !{VIDEO}.paused')
    until(screen, f'{VIDEO}.currentTime > {before["time"]}')


def test_heartbeats_go_on_while_paused_and_leaving_sends_a_leaving_beacon(screen: Screen, harness: Harness):
    harness.config = config(progress={'url': '/harness/progress', 'token': 'tok', 'everySeconds': 1})
    open_player(screen)
    until_playing(screen, past=1)
    key(screen, 'k')
    until(screen, f'{VIDEO}.paused')
    paused_at = len(harness.reports)
    screen.wait_for(lambda: len(harness.reports) >= paused_at + 3)  # a paused player keeps its screen
    report = harness.reports[-1]
    assert report['token'] == 'tok' and report['ended'] is False and report['leaving'] is False
    assert abs(report['position'] - video_state(screen)['time']) < 0.5
    screen.open('/harness/more/away')
    screen.wait_for(lambda: any(r['leaving'] for r in harness.reports))


def test_a_playing_tab_closed_sends_the_leaving_report_last(screen: Screen, harness: Harness):
    main = screen.selenium.current_window_handle
    screen.selenium.switch_to.new_window('tab')
    open_player(screen)
    until_playing(screen, past=1)
    screen.selenium.close()  # the browser pauses the video of a closing page: that pause must not report
    screen.selenium.switch_to.window(main)
    screen.wait_for(lambda: any(r['leaving'] for r in harness.reports))
    screen.open('/harness/more/away')  # a round trip later, a report sent after the leaving one would be here
    assert harness.reports[-1]['leaving'], harness.reports[-3:]


def test_failed_reports_are_kept_retried_with_backoff_and_the_newest_wins(screen: Screen, harness: Harness):
    harness.config = config(progress={'url': '/harness/progress', 'token': 'tok', 'everySeconds': 1})
    harness.answer = (503, {'detail': 'unavailable'})
    open_player(screen)
    until_playing(screen, past=1)
    until(screen, 'localStorage.getItem("butaca.progress.outbox")')
    until(screen, 'document.querySelector(".bp-trouble")', timeout=8)  # said inside the player when it lasts
    assert m('player.network_trouble') in screen.find_by_css('.bp-trouble').text
    failed = len(harness.reports)
    harness.answer = None
    # The next try comes at the end of the current backoff (up to 8 s, jittered, by the time trouble was said), then
    # the outbox empties: each attempt the harness receives is a step.
    cleared = '!localStorage.getItem("butaca.progress.outbox") && !document.querySelector(".bp-trouble")'
    wait_for_progress(lambda: (len(harness.reports), js(screen, cleared)), lambda seen: seen[1], what='the retries')
    sent_after = harness.reports[failed:]
    positions = [report['position'] for report in sent_after]
    assert positions == sorted(positions)  # only ever newer positions: a failed older report is never sent after
    # Backoff: while failing, far fewer attempts than heartbeats would have made at 1 s.
    assert failed <= 8, failed


def test_a_report_on_its_way_when_the_next_playback_begins_is_sent_once_and_not_kept(screen: Screen, harness: Harness):
    """The next episode starts on the same page while the last report of the one before is still travelling and a
    newer one waits behind it: the server has stopped that playback (one device plays one thing), so neither is sent
    again, by this player or as an orphan by the next page, and nothing of it stays in the outbox."""
    import threading

    from nicegui import core

    outbox = '(JSON.parse(localStorage.getItem("butaca.progress.outbox")) || {})'
    # No heartbeat of its own during the test: only the reports the test makes.
    harness.config = config(progress={'url': '/harness/progress', 'token': 'first-token', 'everySeconds': 600})
    open_player(screen)
    until_playing(screen, past=1)
    harness.hold = threading.Event()
    before = len(harness.reports)
    key(screen, 'k')  # the pause reports; its answer waits
    screen.wait_for(lambda: len(harness.reports) > before)
    paused_at = harness.reports[-1]['position']
    key(screen, 'l')  # a seek while paused: a newer report, waiting behind the one on its way
    until(screen, f'{outbox}["harness-playback-1"]?.position > {paused_at + 5}')
    second = config(id='harness-playback-2', autoplay=False)
    second['progress'] = {**second['progress'], 'token': 'second-token'}
    core.loop.call_soon_threadsafe(harness.players[-1].start, second)
    until(screen, f'{outbox}["harness-playback-1"] && document.querySelector(".bp-started")')
    harness.hold.set()
    until(screen, f'!{outbox}["harness-playback-1"]')  # answered: forgotten, though its reporter was halted
    screen.open('/harness/more/away')  # a round trip later, a copy or the waiting report would be here
    first = [report for report in harness.reports if report.get('token') == 'first-token']
    assert [report['position'] for report in first[before:]] == [paused_at], first[before:]


def test_a_report_that_never_arrived_is_sent_by_the_next_page_and_resumes_there(screen: Screen, harness: Harness):
    harness.answer = (503, {'detail': 'unavailable'})
    open_player(screen)
    until_playing(screen, past=1)
    key(screen, 'l')  # +10 s, then pause: a report of about 11 s fails and stays in the outbox
    key(screen, 'k')
    until(screen, '(JSON.parse(localStorage.getItem("butaca.progress.outbox")) || {})["harness-playback-1"]')
    kept = js(screen, 'JSON.parse(localStorage.getItem("butaca.progress.outbox"))["harness-playback-1"].position')
    assert kept > 10
    js(screen, 'sessionStorage.clear() || true')  # a new tab: only the outbox remembers
    harness.answer = None
    harness.config = config(id='harness-playback-2')
    open_player(screen)
    until_playing(screen)
    assert abs(video_state(screen)['time'] - kept) < 2  # resumed where the lost report was
    screen.wait_for(lambda: any(r.get('position') == kept for r in harness.reports))  # and the old report went out
    until(screen, '!localStorage.getItem("butaca.progress.outbox")')


def test_a_stop_shows_its_message_inside_the_fullscreen_player_with_its_action(screen: Screen, harness: Harness):
    open_player(screen)
    until_playing(screen)
    press(screen, m('player.fullscreen'))
    until(screen, 'document.fullscreenElement === document.querySelector(".bp")')
    harness.answer = (403, {'detail': 'watch.stopped_elsewhere', 'stop': True})
    key(screen, 'k')  # the pause reports, and the server says this playback was stopped
    until(screen, 'document.fullscreenElement && document.fullscreenElement.querySelector(".bp-message")')
    message = screen.find_by_css('.bp-message')
    assert m('watch.stopped_elsewhere') in message.text
    assert js(screen, 'document.activeElement.dataset.action') == 'browse'  # the focus is on its action
    assert js(screen, 'document.querySelector(".bp-message").getAttribute("role")') == 'alertdialog'
    assert js(screen, f'!{VIDEO}.getAttribute("src")')  # no more bytes are asked for
    key(screen, Keys.TAB)  # the focus stays in the message
    assert js(screen, 'document.querySelector(".bp-message").contains(document.activeElement)')
    js(screen, 'document.exitFullscreen()')
    until(screen, '!document.fullscreenElement')


@pytest.mark.parametrize(
    ('key_', 'actions'),
    [
        ('watch.stopped_plan', ['upgrade', 'browse']),
        ('watch.screens_full', ['stopOthers', 'browse']),
        ('watch.session_ended', ['browse']),
    ],
)
def test_each_stop_message_offers_its_action(screen: Screen, harness: Harness, key_: str, actions: list[str]):
    harness.shell = {'upgradeUrl': '/harness/more/upgrade'}
    harness.config = config(stopOthersUrl='/harness/stop-others')
    open_player(screen)
    until_playing(screen)
    harness.answer = (403, {'detail': key_, 'stop': True})
    key(screen, 'k')
    until(screen, 'document.querySelector(".bp-message")')
    assert m('player.screens_full' if key_ == 'watch.screens_full' else key_) in screen.find_by_css('.bp-message').text
    assert js(screen, '[...document.querySelectorAll(".bp-message button")].map(b => b.dataset.action)') == actions
    if key_ == 'watch.screens_full':  # Stop the others: the server frees the screens, the page plays again
        screen.find_by_css('.bp-message button[data-action="stopOthers"]').click()
        screen.wait_for(lambda: harness.stop_others == 1)
        until_playing(screen)


def test_without_element_fullscreen_the_video_goes_fullscreen_and_the_viewer_is_told_what_is_lost(
    screen: Screen, harness: Harness
):
    # iPhone Safari: no element fullscreen, only the video's own (webkitEnterFullscreen).
    no_element_fullscreen = (
        'for (const name of ["fullscreenEnabled", "webkitFullscreenEnabled"])'
        '  Object.defineProperty(Document.prototype, name, {get: () => false});'
        'HTMLVideoElement.prototype.webkitEnterFullscreen = function () { window.videoFullscreen = true; };'
    )
    added = screen.selenium.execute_cdp_cmd('Page.addScriptToEvaluateOnNewDocument', {'source': no_element_fullscreen})
    try:
        open_player(screen)
    finally:  # the browser is shared by the whole session
        screen.selenium.execute_cdp_cmd('Page.removeScriptToEvaluateOnNewDocument', added)
    until_playing(screen)
    press(screen, m('player.fullscreen'))
    until(screen, 'window.videoFullscreen === true && !document.fullscreenElement')
    assert m('player.fullscreen_limited') in screen.find_by_css('.bp-notices').text


def test_the_python_side_can_stop_the_player_at_once(screen: Screen, harness: Harness):
    open_player(screen)
    until_playing(screen)
    harness.players[-1].stop('watch.stopped_plan')
    until(screen, 'document.querySelector(".bp-message")')
    assert m('watch.stopped_plan') in screen.find_by_css('.bp-message').text
    assert video_state(screen)['paused']


def test_keyboard_shortcuts_and_their_help(screen: Screen, harness: Harness):
    open_player(screen)
    start = until_playing(screen, past=1)['time']
    key(screen, Keys.ARROW_RIGHT)
    until(screen, f'{VIDEO}.currentTime > {start + 9}')
    key(screen, Keys.ARROW_LEFT)
    until(screen, f'{VIDEO}.currentTime < {start + 5}')
    js(screen, f'{VIDEO}.muted = false, {VIDEO}.volume = 0.5')
    key(screen, Keys.ARROW_DOWN)
    until(screen, f'Math.abs({VIDEO}.volume - 0.4) < 0.01')
    key(screen, Keys.ARROW_UP + Keys.ARROW_UP)
    until(screen, f'Math.abs({VIDEO}.volume - 0.6) < 0.01')
    key(screen, 'm')
    until(screen, f'{VIDEO}.muted')
    key(screen, ' ')
    until(screen, f'{VIDEO}.paused')
    key(screen, '?')
    until(screen, 'document.querySelector(".bp-help")')
    help_text = screen.find_by_css('.bp-help').text
    for label in ('player.key_subtitles', 'player.key_next', 'player.key_volume_up', 'player.key_escape'):
        assert m(label) in help_text
    key(screen, Keys.ESCAPE)
    until(screen, '!document.querySelector(".bp-help")')
    key(screen, 'f')
    until(screen, 'document.fullscreenElement === document.querySelector(".bp")')
    key(screen, 'f')
    until(screen, '!document.fullscreenElement')


def touch(screen: Screen, x_fraction: float, *, taps: int = 1) -> None:
    """Touch taps through Chromium's input pipeline (CDP), at 40 % of the player's height and `x_fraction` of its
    width: a few milliseconds apart, as a finger's double tap is (WebDriver's touch actions take ~250 ms per tap)."""
    player = screen.find_by_css('.bp')
    x = int(player.rect['x'] + player.rect['width'] * x_fraction)
    y = int(player.rect['y'] + player.rect['height'] * 0.4)
    for _ in range(taps):
        for kind, points in (('touchStart', [{'x': x, 'y': y}]), ('touchEnd', [])):
            screen.selenium.execute_cdp_cmd('Input.dispatchTouchEvent', {'type': kind, 'touchPoints': points})


def test_on_touch_a_tap_toggles_the_overlay_and_a_double_tap_skips(screen: Screen, harness: Harness):
    open_player(screen)
    start = until_playing(screen, past=1)['time']
    until(screen, f'!{OVERLAY_SHOWN}', timeout=6)
    touch(screen, 0.5)
    until(screen, OVERLAY_SHOWN, timeout=2)
    touch(screen, 0.5)
    until(screen, f'!{OVERLAY_SHOWN}', timeout=2)
    touch(screen, 0.8, taps=2)
    until(screen, f'{VIDEO}.currentTime > {start + 9}')
    assert not js(screen, f'!!{OVERLAY_SHOWN}')  # a double tap skips, it does not toggle
    touch(screen, 0.2, taps=2)
    until(screen, f'{VIDEO}.currentTime < {start + 8}')


def test_resume_notice_offers_to_start_from_the_beginning(screen: Screen, harness: Harness):
    harness.config = config(resume=20)
    open_player(screen)
    state = until_playing(screen, past=20)
    assert state['time'] < 25
    notice = screen.find_by_css('.bp-toast')
    assert translate('es', 'watch.resumed_at', time='0:20') in notice.text
    notice.find_element(By.TAG_NAME, 'button').click()
    until(screen, f'{VIDEO}.currentTime < 5 && !document.querySelector(".bp-toast")')


def test_a_reload_resumes_in_place_and_plays(screen: Screen, harness: Harness):
    open_player(screen)
    until_playing(screen, past=1)
    key(screen, Keys.ARROW_RIGHT)
    until(screen, f'{VIDEO}.currentTime > 11')
    at = video_state(screen)['time']
    screen.selenium.refresh()
    until(screen, 'document.querySelector(".bp-started")')
    state = until_playing(screen)
    assert abs(state['time'] - at) < 2.5


def test_a_film_ends_with_more_like_this_and_back_to_browse(screen: Screen, harness: Harness):
    harness.shell = {'browseUrl': '/harness/more/browse'}
    open_player(screen)
    until_playing(screen)
    js(screen, f'{VIDEO}.currentTime = 38')
    until(screen, 'document.querySelector(".bp-postplay")')
    postplay = screen.find_by_css('.bp-postplay')
    assert m('player.more_like_this') in postplay.text and 'Parecida 0' in postplay.text
    assert harness.reports[-1]['ended'] is True
    links = [a.get_attribute('href') for a in postplay.find_elements(By.CSS_SELECTOR, '.bp-more-card')]
    assert links[0].endswith('/harness/more/0')
    # A modal panel: the player's controls behind it are neither seen through it nor reachable by keyboard.
    assert js(screen, 'getComputedStyle(document.querySelector(".bp-overlay")).visibility') == 'hidden'
    button_in(screen, '.bp-postplay', m('player.back_to_browse')).click()
    until(screen, 'location.pathname === "/harness/more/browse"')


def series(**overrides) -> dict:
    return config(
        markers={'introStart': 2, 'introEnd': 12, 'creditsStart': 30},
        next={'label': 'T1:E3', 'title': 'El faro', 'url': '/harness/more/next', 'still': '/harness/files/poster.jpg'},
        **overrides,
    )


def test_skip_intro_shows_during_the_intro_and_jumps_past_it(screen: Screen, harness: Harness):
    harness.config = series()
    open_player(screen)
    until_playing(screen, past=2)
    until(screen, 'document.querySelector(".bp-skip-intro")')
    screen.find_by_css('.bp-skip-intro').click()
    until(screen, f'{VIDEO}.currentTime >= 12 && !document.querySelector(".bp-skip-intro")')


def test_at_the_credits_the_next_episode_counts_down_and_can_be_cancelled_or_played(screen: Screen, harness: Harness):
    harness.config = series()
    open_player(screen)
    until_playing(screen)
    js(screen, f'{VIDEO}.currentTime = 30')
    until(screen, 'document.querySelector(".bp-next")')
    assert 'T1:E3' in screen.find_by_css('.bp-next').text
    assert translate('es', 'player.next_in', seconds=10) in screen.find_by_css('.bp-next').text
    button_in(screen, '.bp-next', m('player.cancel')).click()
    until(screen, '!document.querySelector(".bp-next")')
    js(screen, f'{VIDEO}.currentTime = 37')  # cancelled: the end brings the post-play screen, with the next episode
    until(screen, 'document.querySelector(".bp-postplay")')
    button_in(screen, '.bp-postplay', m('player.play_now')).click()
    until(screen, 'location.pathname === "/harness/more/next"')
    assert js(screen, 'sessionStorage.getItem("butaca.player.chain")') is None  # a click is input: the chain is 0


def test_the_countdown_plays_the_next_episode_by_itself(screen: Screen, harness: Harness):
    harness.config = series()
    open_player(screen)
    until_playing(screen)
    js(screen, f'{VIDEO}.currentTime = 30')
    until_moves(
        screen,
        'document.querySelector(".bp-next-count")?.innerText',  # a second at a time
        'location.pathname === "/harness/more/next"',
        what='the countdown',
    )
    assert js(screen, 'sessionStorage.getItem("butaca.player.chain")') == '1'


def test_after_three_episodes_without_input_it_asks_if_you_are_still_watching(screen: Screen, harness: Harness):
    harness.config = series()
    open_player(screen)
    until_playing(screen)
    js(screen, 'sessionStorage.setItem("butaca.player.chain", "3")')  # three episodes came by themselves
    js(screen, f'{VIDEO}.currentTime = 30')
    until(screen, 'document.querySelector(".bp-message")')
    assert m('player.still_watching') in screen.find_by_css('.bp-message').text
    assert not js(screen, '!!document.querySelector(".bp-next")') and video_state(screen)['paused']
    screen.find_by_css('.bp-message button[data-action="continue"]').click()
    until(screen, 'location.pathname === "/harness/more/next"')


def test_the_back_button_goes_back_in_history_or_to_the_title_page(screen: Screen, harness: Harness):
    open_player(screen)  # opened directly: no history here, so Back goes to the title's page (backUrl)
    until_playing(screen)
    press(screen, m('player.back'))
    until(screen, 'location.pathname === "/harness/more/back"')
    screen.open('/harness/more/list')
    js(screen, 'location.assign("/harness/player")')
    until(screen, 'document.querySelector(".bp-started")')
    press(screen, m('player.back'))
    until(screen, 'location.pathname === "/harness/more/list"')
