"""Screenshots of the real app with the demo catalog, for the README and for looking at what users see.

    python -m scripts.screenshots [--out docs/screenshots]

Starts Butaca on a fresh database (the demo media in assets/media is made if missing, else reused), signs up a
FREE user in headless Chromium, plays a film and a series' episode, and saves login, home, catalog, a film's and a
series' details, the player (controls shown, subtitles on, trickplay on hover, a stop message in fullscreen, the
next-episode countdown, post-play), the upgrade panel of a premium title, the profile, the registration form and the
404 page, then the administrator's pages (that first account, made from this machine, is the administrator), each at
1440×900 and at 390×844.
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from app.i18n import translate
from benchmarks.harness import ROOT, Server, temporary_folder

SIZES = {'desktop': (1440, 900), 'mobile': (390, 844)}
Before = Callable[[webdriver.Chrome, str], object]


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    for argument in (
        'headless=new',
        'no-sandbox',
        'disable-dev-shm-usage',
        'disable-gpu',
        'mute-audio',
        'disable-background-networking',
        'disable-component-update',
        'no-first-run',
        'hide-scrollbars',
        # As after a click on Play: sound on. (Opened by its address, Chromium would start it muted, with the
        # player's "Turn on sound"; the tests cover that case.)
        'autoplay-policy=no-user-gesture-required',
    ):
        options.add_argument(argument)
    options.add_experimental_option('prefs', {'intl.accept_languages': 'es-ES,es'})
    return webdriver.Chrome(options=options)


def shoot(
    driver: webdriver.Chrome,
    out: Path,
    name: str,
    url: str | None = None,
    *,
    before: Before | None = None,
    after: Before | None = None,
) -> None:
    for size, (width, height) in SIZES.items():
        mobile = size == 'mobile'
        driver.execute_cdp_cmd(
            'Emulation.setDeviceMetricsOverride',
            {'width': width, 'height': height, 'deviceScaleFactor': 1, 'mobile': mobile},
        )
        driver.execute_cdp_cmd('Emulation.setTouchEmulationEnabled', {'enabled': mobile, 'maxTouchPoints': 5})
        if url:
            driver.get(url)
        time.sleep(1.5)
        if before:
            before(driver, size)
        driver.save_screenshot(str(out / f'{name}-{size}.png'))
        if after:
            after(driver, size)
        print(f'  {name}-{size}.png')


def wait_js(driver: webdriver.Chrome, expression: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not driver.execute_script(f'return !!({expression})'):
        if time.monotonic() > deadline:
            raise RuntimeError(f'still false after {timeout} s: {expression}')
        time.sleep(0.1)


def playing(driver: webdriver.Chrome, past: float = 0.0) -> None:
    wait_js(driver, f'(v => v && !v.paused && v.currentTime > {past})(document.querySelector("video"))')


def show_controls(driver: webdriver.Chrome, size: str) -> None:
    """As a person would: a tap on a phone, the mouse moved over the picture on a desktop."""
    if size == 'mobile':  # a tap toggles them: tap once they have faded (3 s after the page started)
        wait_js(driver, '!document.querySelector(".bp-overlay.shown")')
        tap(driver, 0.5, 0.3)
    else:
        player = driver.find_element(By.CSS_SELECTOR, '.bp')
        ActionChains(driver).move_to_element_with_offset(player, 30, 30).move_to_element(player).perform()
    wait_js(driver, 'document.querySelector(".bp-overlay.shown")')
    time.sleep(0.4)  # the fade-in


def tap(driver: webdriver.Chrome, x_fraction: float, y_fraction: float) -> None:
    width, height = driver.execute_script('return [innerWidth, innerHeight]')
    point = {'x': int(width * x_fraction), 'y': int(height * y_fraction)}
    for kind, points in (('touchStart', [point]), ('touchEnd', [])):
        driver.execute_cdp_cmd('Input.dispatchTouchEvent', {'type': kind, 'touchPoints': points})


def seek(driver: webdriver.Chrome, seconds: float) -> None:
    driver.execute_script(f'document.querySelector("video").currentTime = {seconds}')


def sign_up(driver: webdriver.Chrome, base: str) -> None:
    """Register: a new account is signed in and lands on home."""
    driver.get(f'{base}/register')
    time.sleep(1.5)
    fields = driver.find_elements(By.TAG_NAME, 'input')
    for field, text in zip(fields, ('lucia', 'secreto123', 'secreto123'), strict=True):
        field.send_keys(text)
    fields[2].send_keys(Keys.ENTER)
    wait_js(driver, 'document.querySelector(".bt-hero")')


def watch_for_a_while(driver: webdriver.Chrome, base: str, title_id: int, seconds: float, start: float = 20) -> None:
    """Play a title from `start` on for `seconds`, then pause (the position is saved): Continue watching has it."""
    driver.get(f'{base}/watch/{title_id}')
    playing(driver)
    seek(driver, start)
    playing(driver, start + seconds)
    driver.find_element(By.TAG_NAME, 'body').send_keys('k')
    time.sleep(1)


def player_with_controls(driver: webdriver.Chrome, size: str) -> None:
    playing(driver, 3)
    show_controls(driver, size)


def stop_message_in_fullscreen(database: Path) -> Before:
    """The player in fullscreen, stopped from another screen: the message is inside the fullscreen wrapper."""

    def before(driver: webdriver.Chrome, size: str) -> None:
        playing(driver, 1)
        show_controls(driver, size)
        fullscreen = translate('es', 'player.fullscreen')
        driver.find_element(By.CSS_SELECTOR, f'.bp button[aria-label="{fullscreen}"]').click()
        wait_js(driver, 'document.fullscreenElement')
        with sqlite3.connect(database) as connection:  # "Stop the others", pressed on another screen
            connection.execute('UPDATE playbacks SET stopped = 1')
        driver.find_element(By.TAG_NAME, 'body').send_keys('k')  # the pause's report hears it
        wait_js(driver, 'document.fullscreenElement && document.fullscreenElement.querySelector(".bp-message")')
        time.sleep(0.3)

    return before


def subtitles_on(driver: webdriver.Chrome, size: str) -> None:
    playing(driver, 2)
    seek(driver, 1.5)  # into the first cue (1 s to 5.7 s)
    time.sleep(1)
    if not driver.execute_script('return !!document.querySelector(".bp-cue")'):
        # subtitles on, as a viewer does with C (the account remembers it: at the next size they are on already)
        driver.find_element(By.TAG_NAME, 'body').send_keys('c')
        seek(driver, 1.5)
    wait_js(driver, 'document.querySelector(".bp-cue")')
    wait_js(driver, '!document.querySelector(".bp-overlay.shown")')  # a clean picture once the controls fade


def trickplay_on_hover(driver: webdriver.Chrome, size: str) -> None:
    playing(driver, 2)
    show_controls(driver, size)
    bar = driver.find_element(By.CSS_SELECTOR, '.bp-seek')
    box = bar.rect
    x, y = int(box['x'] + box['width'] * 0.62), int(box['y'] + box['height'] / 2)
    if size == 'mobile':  # a finger held on the seek bar, before it lets go
        driver.execute_cdp_cmd('Input.dispatchTouchEvent', {'type': 'touchStart', 'touchPoints': [{'x': x, 'y': y}]})
    else:
        ActionChains(driver).move_to_element_with_offset(bar, int(box['width'] * 0.12), 0).perform()
    wait_js(driver, 'document.querySelector(".bp-preview-image")')
    time.sleep(0.5)  # the sprite sheet's picture


def lift_finger(driver: webdriver.Chrome, size: str) -> None:
    if size == 'mobile':
        driver.execute_cdp_cmd('Input.dispatchTouchEvent', {'type': 'touchEnd', 'touchPoints': []})


def next_episode(driver: webdriver.Chrome, size: str) -> None:
    playing(driver, 1)
    duration = driver.execute_script('return document.querySelector("video").duration')
    seek(driver, duration - 3)  # into the credits
    wait_js(driver, 'document.querySelector(".bp-next")')
    time.sleep(0.5)


def post_play(driver: webdriver.Chrome, size: str) -> None:
    playing(driver, 1)
    duration = driver.execute_script('return document.querySelector("video").duration')
    seek(driver, duration - 1)
    wait_js(driver, 'document.querySelector(".bp-postplay")')
    time.sleep(0.8)  # the posters


def admin_pages(driver: webdriver.Chrome, out: Path, base: str, roots: Path) -> None:
    """The administrator's pages: the account signed up from this machine (loopback) is the first administrator.
    A library folder with one film is added and scanned, so that the library and jobs pages have something."""
    film = roots / 'Películas' / 'Viaje (2024)'
    film.mkdir(parents=True, exist_ok=True)
    source = next((ROOT / 'assets' / 'media' / 'demo').rglob('sd.mp4'))
    (film / 'Viaje (2024).mp4').write_bytes(source.read_bytes())
    driver.get(f'{base}/admin/library?path={roots / "Películas"}')
    wait_js(driver, 'document.querySelector("[data-testid]") || document.body.innerText.length > 0')
    time.sleep(1.5)
    for button in driver.find_elements(By.TAG_NAME, 'button'):
        if translate('es', 'library.add_here') in button.text:
            button.click()
            break
    time.sleep(2)
    for button in driver.find_elements(By.TAG_NAME, 'button'):
        if translate('es', 'library.scan') in button.text:
            button.click()
            break
    time.sleep(3)
    for name, path in (
        ('admin', '/admin'),
        ('admin-titles', '/admin/titles'),
        ('admin-library', '/admin/library'),
        ('admin-jobs', '/admin/jobs'),
        ('admin-users', '/admin/users'),
        ('admin-log', '/admin/log'),
    ):
        shoot(driver, out, name, f'{base}{path}')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--out', type=Path, default=ROOT / 'docs' / 'screenshots')
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    media = ROOT / 'assets' / 'media'
    with (
        temporary_folder('butaca-shots-') as data_dir,
        temporary_folder('butaca-roots-') as roots,
        Server(
            data_dir, BUTACA_DEMO_LIBRARY='on', BUTACA_MEDIA_DIR=str(media), BUTACA_LIBRARY_ROOTS=str(roots)
        ) as server,
    ):
        database = data_dir / 'database.db'
        with sqlite3.connect(database) as connection:
            for _ in range(600):  # the demo catalog is added once its media is ready
                if connection.execute('SELECT count(*) FROM titles').fetchone()[0]:
                    break
                time.sleep(0.5)
            for _ in range(600):  # the series come once every film is in
                if connection.execute("SELECT count(*) FROM titles WHERE kind = 'episode'").fetchone()[0]:
                    break
                time.sleep(0.5)
            free = connection.execute(
                "SELECT id FROM titles WHERE kind = 'movie' AND NOT is_premium ORDER BY id LIMIT 2"
            ).fetchall()
            premium = connection.execute(
                "SELECT id FROM titles WHERE kind = 'movie' AND is_premium ORDER BY id LIMIT 1"
            ).fetchone()[0]
            series, first_episode, last_episode = connection.execute(
                'SELECT s.id, min(e.id), max(e.id) FROM titles s JOIN titles e ON e.series_id = s.id '
                "WHERE s.kind = 'series' AND NOT s.is_premium GROUP BY s.id ORDER BY count(e.id) DESC LIMIT 1"
            ).fetchone()
        driver = browser()
        try:
            base = server.url
            shoot(driver, args.out, 'login', f'{base}/login')
            shoot(driver, args.out, 'register', f'{base}/register')  # the rules shown before the first mistake
            sign_up(driver, base)
            for (title_id,), seconds in zip(free, (8, 6), strict=True):  # two titles in Continue watching
                watch_for_a_while(driver, base, title_id, seconds)
            shoot(driver, args.out, 'home', f'{base}/')
            shoot(driver, args.out, 'catalog', f'{base}/catalog')
            shoot(driver, args.out, 'details', f'{base}/title/{premium}')
            watch_for_a_while(driver, base, first_episode, 3, start=5)  # the series too (episodes: 20-24 s)
            shoot(driver, args.out, 'series', f'{base}/title/{series}')
            shoot(driver, args.out, 'watch', f'{base}/watch/{free[0][0]}', before=player_with_controls)
            stopped = stop_message_in_fullscreen(database)
            shoot(driver, args.out, 'watch-message', f'{base}/watch/{free[1][0]}', before=stopped)
            shoot(driver, args.out, 'upgrade', f'{base}/watch/{premium}')
            shoot(
                driver,
                args.out,
                'profile',
                f'{base}/profile',  # scrolled to the plans and the history
                before=lambda d, _size: (d.execute_script('window.scrollTo(0, 280)'), time.sleep(0.5)),
            )
            film = f'{base}/watch/{free[0][0]}'
            shoot(driver, args.out, 'player-subtitles', f'{base}/watch/{first_episode}', before=subtitles_on)
            shoot(driver, args.out, 'player-trickplay', film, before=trickplay_on_hover, after=lift_finger)
            shoot(driver, args.out, 'player-next-episode', f'{base}/watch/{first_episode}', before=next_episode)
            shoot(driver, args.out, 'player-post-play', f'{base}/watch/{last_episode}', before=post_play)
            shoot(driver, args.out, 'not-found', f'{base}/no-such-page')  # Butaca's own 404
            admin_pages(driver, args.out, base, roots)
        finally:
            driver.quit()
    print(f'screenshots in {args.out}')


if __name__ == '__main__':
    main()
