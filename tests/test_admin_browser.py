"""In two headless Chromium browsers against a real server: the administrator uploads a short video from the library
page, and a viewer's home page, open all along, shows the new title when its job finishes (no reload)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from app.i18n import translate
from app.services import accounts, jobs
from benchmarks.harness import Server, use_database
from scripts.screenshots import browser
from tests.clips import make_clip

from .helpers import all_finished, until_jobs
from .waits import wait_until

HAVE_BROWSER = bool(shutil.which('chromedriver') and (shutil.which('chromium') or shutil.which('google-chrome')))
if not HAVE_BROWSER and os.environ.get('CI') != 'true':
    pytest.skip('browser tests need Chromium: apt-get install chromium chromium-driver', allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def shown(driver) -> str:
    """The text the page shows now (the page source also holds the first build's data)."""
    return driver.find_element(By.TAG_NAME, 'body').text


def sign_in(driver, base: str, name: str) -> None:
    driver.get(f'{base}/login')
    wait_until(lambda: len(driver.find_elements(By.TAG_NAME, 'input')) >= 2, what='the login form')
    fields = driver.find_elements(By.TAG_NAME, 'input')
    fields[0].send_keys(name)
    fields[1].send_keys('secreto123')
    fields[1].send_keys(Keys.ENTER)
    wait_until(
        lambda: driver.current_url.rstrip('/') == base and 'logout' in driver.page_source, what=f'{name} signed in'
    )


def test_an_uploaded_video_appears_on_a_viewers_open_home_page(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / 'Mi viaje (2021).mp4', seconds=2.0, size=(320, 180))
    with Server(tmp_path / 'srv', BUTACA_UPLOAD_MAX_MB='20') as server:
        use_database(server.data_dir)
        accounts.register(username='jefa', password='secreto123', confirm='secreto123', rounds=4, local=True)
        accounts.register(username='bruno', password='secreto123', confirm='secreto123', rounds=4)
        viewer, boss = browser(), browser()
        try:
            sign_in(viewer, server.url, 'bruno')
            empty = translate('es', 'home.empty_catalog')
            wait_until(lambda: empty in shown(viewer), what='the empty home page')
            sign_in(boss, server.url, 'jefa')
            boss.get(f'{server.url}/admin/library')
            wait_until(lambda: boss.find_elements(By.CSS_SELECTOR, 'input[type=file]'), what='the upload field')
            boss.find_element(By.CSS_SELECTOR, 'input[type=file]').send_keys(str(clip))
            send = translate('es', 'upload.send')
            boss.find_element(By.XPATH, f'//button[.//span[contains(., "{send}")]]').click()
            queued = translate('es', 'upload.queued', job=1)
            wait_until(lambda: queued in shown(boss), what='the upload to be queued')
            until_jobs(all_finished, what='the import job')
            assert jobs.get(1).state == jobs.DONE, jobs.get(1).error
            wait_until(lambda: 'Mi viaje' in shown(viewer), what="the new title on the viewer's open home page")
            assert empty not in shown(viewer)
            boss.get(f'{server.url}/admin/jobs')
            wait_until(lambda: translate('es', 'jobs.state.done') in shown(boss), what='the job shown as done')
        finally:
            viewer.quit()
            boss.quit()
