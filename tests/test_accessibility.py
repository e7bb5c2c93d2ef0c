"""axe-core (selenium-axe-python bundles it) on every page of Butaca, in both languages, at desktop and phone sizes,
in real Chromium: 0 critical and 0 serious violations. Also the page titles, `<html lang>`, one h1 per page, the
skip link and keyboard reach of the password eye. Skips without Chromium on a laptop; in CI (CI=true) it must run."""

from __future__ import annotations

import os
import shutil

import pytest
from nicegui.testing import Screen
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium_axe_python import Axe

from app.i18n import translate
from app.models import Plan
from app.services import accounts

from .browser_steps import js, until
from .helpers import make_account, seed_series

HAVE_BROWSER = bool(shutil.which('chromedriver') and (shutil.which('chromium') or shutil.which('google-chrome')))
if not HAVE_BROWSER and os.environ.get('CI') != 'true':
    pytest.skip('browser tests need Chromium: apt-get install chromium chromium-driver', allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = {'desktop': (1440, 900), 'phone': (390, 844)}
BLOCKING = {'critical', 'serious'}
# Rules switched off, each with its reason (none today: a rule goes here only when axe is wrong about Butaca).
DISABLED_RULES: dict[str, str] = {}


def t(key: str, language: str, **params: object) -> str:
    return translate(language, key, **params)


def settle(screen: Screen, path: str) -> None:
    """Open `path` and wait until NiceGUI has drawn it (its socket connected, Vue mounted, fonts in)."""
    screen.open(path)
    until(screen, 'document.readyState === "complete" && window.socket && window.socket.connected')
    until(screen, 'document.fonts.status === "loaded"')
    # Quasar animates fields in; axe must see the final colours, not a frame of a transition.
    until(screen, '!document.querySelector(".q-field--animating")')


def violations(screen: Screen) -> list[dict]:
    axe = Axe(screen.selenium)
    axe.inject()
    rules = {rule: {'enabled': False} for rule in DISABLED_RULES}
    result = axe.run(options={'rules': rules} if rules else None)
    return [v for v in result['violations'] if v['impact'] in BLOCKING]


def describe(found: list[dict]) -> str:
    lines = []
    for violation in found:
        lines.append(f'{violation["impact"]}: {violation["id"]} - {violation["help"]} ({violation["helpUrl"]})')
        for node in violation['nodes'][:5]:
            lines.append(f'    {node["target"]} {node.get("failureSummary", "")[:300]!r}')
    return '\n'.join(lines)


def check_page(screen: Screen, path: str, language: str, expected_title: str, failures: list[str]) -> None:
    for size, (width, height) in SIZES.items():
        screen.selenium.set_window_size(width, height)
        settle(screen, path)
        where = f'{path} [{language}, {size}]'
        if js(screen, 'document.documentElement.lang').split('-')[0] != language:
            failures.append(f'{where}: <html lang> is {js(screen, "document.documentElement.lang")!r}')
        if screen.selenium.title != expected_title:
            failures.append(f'{where}: title {screen.selenium.title!r}, expected {expected_title!r}')
        if js(screen, 'document.querySelectorAll("h1").length') != 1:
            failures.append(f'{where}: {js(screen, "document.querySelectorAll(`h1`).length")} h1 elements')
        found = violations(screen)
        if found:
            failures.append(f'{where}:\n{describe(found)}')


def test_every_page_passes_axe_in_both_languages_on_desktop_and_phone(screen: Screen, demo_catalog):
    film, premium = demo_catalog[0], demo_catalog[2]
    series_id, _episodes = seed_series(title='Serie accesible', seasons=1, episodes=2)
    # The stand-in series artwork is not a real image; the 404 page answers 404 (as it should).
    screen.allowed_js_errors += ['/media/', '/no-such-page']
    make_account('lucia', plan=Plan.FREE)
    failures: list[str] = []
    for language in ('es', 'en'):
        screen.open(f'/lang/{language}?next=/login')
        for path, title_key in (('/login', 'login.title'), ('/register', 'register.title')):
            check_page(screen, path, language, f'{t(title_key, language)} · Butaca', failures)
        _sign_in(screen)
        screen.open(f'/lang/{language}?next=/')  # the account's language now
        pages = (
            ('/', t('nav.home', language)),
            ('/catalog', t('nav.catalog', language)),
            (f'/title/{film["id"]}', film['title']),
            (f'/title/{series_id}', 'Serie accesible'),
            (f'/watch/{film["id"]}', film['title']),
            (f'/watch/{premium["id"]}', premium['title']),  # FREE: the upgrade panel
            ('/profile', t('profile.title', language)),
            ('/no-such-page', t('errors.not_found_title', language)),
        )
        for path, name in pages:
            check_page(screen, path, language, f'{name} · Butaca', failures)
        accounts.end_all_sessions(user_id=1)
        screen.selenium.delete_all_cookies()
    screen.selenium.set_window_size(1280, 900)
    assert not failures, '\n'.join(failures)


def _sign_in(screen: Screen) -> None:
    settle(screen, '/login')
    inputs = screen.find_all_by_tag('input')
    inputs[0].send_keys('lucia')
    inputs[1].send_keys('secreto123', Keys.ENTER)
    until(screen, 'location.pathname === "/" && document.querySelector(".bt-header")')


def test_the_keyboard_reaches_the_password_eye_and_the_skip_link_first(screen: Screen):
    make_account('lucia')
    screen.selenium.set_window_size(1440, 900)
    settle(screen, '/login')
    # Tab on from the password field: the next stop is the eye, a button with a name; Enter shows the password.
    screen.find_all_by_tag('input')[0].send_keys('lucia')
    password = screen.find_all_by_tag('input')[1]
    password.click()
    password.send_keys('secreto123')
    ActionChains(screen.selenium).send_keys(Keys.TAB).perform()
    eye = screen.selenium.switch_to.active_element
    assert eye.get_attribute('aria-label') == t('forms.show_password', 'es'), eye.get_attribute('outerHTML')
    eye.send_keys(Keys.ENTER)
    until(screen, 'document.querySelectorAll("input")[1].type === "text"')
    assert eye.get_attribute('aria-label') == t('forms.hide_password', 'es')
    password.send_keys(Keys.ENTER)
    until(screen, 'location.pathname === "/" && document.querySelector(".bt-header")')
    # On a fresh page the first Tab reaches the skip link, shown while focused; Enter moves on to the content.
    settle(screen, '/catalog')
    ActionChains(screen.selenium).send_keys(Keys.TAB).perform()
    skip = screen.selenium.switch_to.active_element
    assert skip.text == t('a11y.skip', 'es') and skip.is_displayed(), skip.get_attribute('outerHTML')
    skip.send_keys(Keys.ENTER)
    until(screen, 'document.activeElement && document.activeElement.id === "main"')
