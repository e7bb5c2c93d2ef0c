"""Screenshots of the real app with the demo catalog, for the README and for looking at what users see.

    python -m scripts.screenshots [--out docs/screenshots]

Starts Butaca on a fresh database (the demo media in assets/media is made if missing, else reused), signs up a
FREE user in headless Chromium, plays a title, and saves login, home, catalog, details, watch (playing), the
upgrade panel of a premium title and the profile, each at 1440×900 and at 390×844.
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from benchmarks.harness import ROOT, Server, temporary_folder

SIZES = {'desktop': (1440, 900), 'mobile': (390, 844)}


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
    ):
        options.add_argument(argument)
    options.add_experimental_option('prefs', {'intl.accept_languages': 'es-ES,es'})
    return webdriver.Chrome(options=options)


def shoot(driver: webdriver.Chrome, out: Path, name: str, url: str | None = None, *, before=None) -> None:
    for size, (width, height) in SIZES.items():
        driver.execute_cdp_cmd(
            'Emulation.setDeviceMetricsOverride',
            {'width': width, 'height': height, 'deviceScaleFactor': 1, 'mobile': size == 'mobile'},
        )
        if url:
            driver.get(url)
        time.sleep(1.5)
        if before:
            before(driver)
        driver.save_screenshot(str(out / f'{name}-{size}.png'))
        print(f'  {name}-{size}.png')


def sign_up(driver: webdriver.Chrome, base: str) -> None:
    driver.get(f'{base}/register')
    time.sleep(1.5)
    fields = driver.find_elements(By.TAG_NAME, 'input')
    for field, text in zip(fields, ('lucia', 'secreto123', 'secreto123'), strict=True):
        field.send_keys(text)
    fields[2].send_keys(Keys.ENTER)
    time.sleep(1.5)
    fields = driver.find_elements(By.TAG_NAME, 'input')
    fields[1].send_keys('secreto123', Keys.ENTER)
    time.sleep(2)


def play(driver: webdriver.Chrome, seconds: float, seek: float | None = None) -> None:
    time.sleep(1.5)
    if seek is not None:
        driver.execute_script(f'document.querySelector("video").currentTime = {seek}')
        time.sleep(0.5)
    driver.find_element(By.TAG_NAME, 'body').send_keys('k')
    time.sleep(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--out', type=Path, default=ROOT / 'docs' / 'screenshots')
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with (
        temporary_folder('butaca-shots-') as data_dir,
        Server(data_dir, BUTACA_DEMO_LIBRARY='on', BUTACA_MEDIA_DIR=str(ROOT / 'assets' / 'media')) as server,
    ):
        with sqlite3.connect(data_dir / 'database.db') as connection:
            for _ in range(600):  # the demo catalog is added once its media is ready
                if connection.execute('SELECT count(*) FROM titles').fetchone()[0]:
                    break
                time.sleep(0.5)
            free = connection.execute('SELECT id FROM titles WHERE NOT is_premium ORDER BY id LIMIT 2').fetchall()
            premium = connection.execute('SELECT id FROM titles WHERE is_premium ORDER BY id LIMIT 1').fetchone()[0]
        driver = browser()
        try:
            base = server.url
            shoot(driver, args.out, 'login', f'{base}/login')
            sign_up(driver, base)
            for title_id, seconds in ((free[0][0], 8), (free[1][0], 6)):  # two titles in Continue watching
                driver.get(f'{base}/watch/{title_id}')
                play(driver, seconds, seek=20)
                driver.find_element(By.TAG_NAME, 'body').send_keys('k')  # pause: the position is saved
                time.sleep(1)
            shoot(driver, args.out, 'home', f'{base}/')
            shoot(driver, args.out, 'catalog', f'{base}/catalog')
            shoot(driver, args.out, 'details', f'{base}/title/{premium}')
            shoot(driver, args.out, 'watch', f'{base}/watch/{free[0][0]}', before=lambda d: play(d, 2))
            shoot(driver, args.out, 'upgrade', f'{base}/watch/{premium}')
            shoot(
                driver,
                args.out,
                'profile',
                f'{base}/profile',  # scrolled to the plans and the history
                before=lambda d: (d.execute_script('window.scrollTo(0, 280)'), time.sleep(0.5)),
            )
        finally:
            driver.quit()
    print(f'screenshots in {args.out}')


if __name__ == '__main__':
    main()
