"""The catalog's state survives reload and Back, and a home row's See all opens its genre, in headless Chromium.
Skips without Chromium on a laptop; in CI (CI=true) it must run."""

from __future__ import annotations

import os
import shutil
from urllib.parse import parse_qs, urlsplit

import pytest
from nicegui.testing import Screen
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from app.i18n import translate

from .browser_steps import js, until
from .helpers import make_account, seed_titles

HAVE_BROWSER = bool(shutil.which('chromedriver') and (shutil.which('chromium') or shutil.which('google-chrome')))
if not HAVE_BROWSER and os.environ.get('CI') != 'true':
    pytest.skip('browser tests need Chromium: apt-get install chromium chromium-driver', allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def t(key: str, **params: object) -> str:
    return translate('es', key, **params)


def sign_in(screen: Screen, username: str = 'ana') -> None:
    make_account(username)
    screen.open('/login')
    inputs = screen.find_all_by_tag('input')
    inputs[0].send_keys(username)
    inputs[1].send_keys('secreto123')
    inputs[1].send_keys(Keys.ENTER)
    until(screen, 'location.pathname === "/" && !!document.querySelector(".bt-hero")')


def query(screen: Screen) -> dict[str, list[str]]:
    return parse_qs(urlsplit(screen.selenium.current_url).query)


def grid_titles(screen: Screen) -> list[str]:
    return js(screen, '[...document.querySelectorAll(".bt-grid .bt-card-title")].map(e => e.innerText)')


def named(screen: Screen, tag: str, name: str):
    return screen.selenium.find_element(By.CSS_SELECTOR, f'{tag}[aria-label="{name}"]')


def choose(screen: Screen, label: str, option: str) -> None:
    """Pick `option` in the select labelled `label`, as a person does: open it, click the option."""
    field = screen.selenium.find_element(By.XPATH, f'//label[.//div[text()="{label}"]]')
    field.click()
    screen.click(option)


def test_search_genre_and_page_survive_reload_and_back(screen: Screen):
    seed_titles(70)  # genres cycle through 5: 14 dramas; "titulo 1" matches 1, 10..19 (11)
    sign_in(screen)
    screen.open('/catalog')
    until(screen, '!!document.querySelector(".bt-grid .bt-card")')
    field = screen.selenium.find_element(By.CSS_SELECTOR, 'input[type=search]')
    field.send_keys('título')
    until(screen, 'new URLSearchParams(location.search).get("q") === "título"')
    choose(screen, t('catalog.genre'), 'Drama')
    until(screen, 'new URLSearchParams(location.search).get("genre") === "Drama"')
    until(screen, 'document.querySelectorAll(".bt-grid .bt-card").length === 14')
    choose(screen, t('catalog.sort'), t('catalog.sort.year'))
    until(screen, 'new URLSearchParams(location.search).get("sort") === "year"')
    view = grid_titles(screen)
    assert view[0] == 'Título 65'  # the newest drama first

    # Reload: the same view, fields included.
    screen.selenium.refresh()
    until(screen, 'document.querySelectorAll(".bt-grid .bt-card").length === 14')
    assert grid_titles(screen) == view
    assert js(screen, 'document.querySelector("input[type=search]").value') == 'título'
    assert query(screen) == {'q': ['título'], 'genre': ['Drama'], 'sort': ['year']}

    # To a title and Back: the same view again.
    screen.selenium.find_element(By.CSS_SELECTOR, '.bt-grid a.bt-card').click()
    until(screen, 'location.pathname.startsWith("/title/")')
    screen.selenium.back()
    until(screen, 'location.pathname === "/catalog" && document.querySelectorAll(".bt-grid .bt-card").length === 14')
    assert grid_titles(screen) == view

    # Back through the catalog's own steps: the sort, then the genre, come off one at a time.
    screen.selenium.back()
    until(screen, 'new URLSearchParams(location.search).get("sort") === null')
    until(screen, 'document.querySelectorAll(".bt-grid .bt-card").length === 14')
    assert grid_titles(screen)[0] == 'Título 0'  # relevance ties: by title
    screen.selenium.back()
    until(screen, 'new URLSearchParams(location.search).get("genre") === null')
    until(screen, 'document.querySelectorAll(".bt-grid .bt-card").length === 24')


def test_pages_are_in_the_url_and_a_shared_link_opens_the_same_page(screen: Screen):
    seed_titles(60)
    sign_in(screen)
    screen.open('/catalog?sort=title')
    until(screen, 'document.querySelectorAll(".bt-grid .bt-card").length === 24')
    screen.click(t('catalog.next'))
    until(screen, 'new URLSearchParams(location.search).get("page") === "2"')
    until(screen, '[...document.querySelectorAll(".bt-grid .bt-card-title")].length === 24')
    second = grid_titles(screen)
    assert second != [] and second[0] != 'Título 0'
    shared = screen.selenium.current_url
    screen.open('/')  # another page, then the link as someone would paste it
    until(screen, '!!document.querySelector(".bt-hero")')
    screen.selenium.get(shared)
    until(screen, 'document.querySelectorAll(".bt-grid .bt-card").length === 24')
    assert grid_titles(screen) == second
    screen.should_contain(t('catalog.page', page=2, pages=3))


def test_a_rows_arrows_scroll_it_and_its_see_all_opens_the_catalog_on_its_genre(screen: Screen):
    seed_titles(60)  # 12 a genre: wider than the window
    sign_in(screen)
    row = '[...document.querySelectorAll(".bt-row")].find(r => r.querySelector("[title=\'Título 1\']"))'
    start = js(screen, f'{row}.scrollLeft')  # a snap point may sit a pixel or two in
    screen.selenium.find_element(
        By.CSS_SELECTOR, f'button[aria-label="{t("home.scroll_right", genre="Comedia")}"]'
    ).click()
    until(screen, f'{row}.scrollLeft > {start} + 300')
    screen.selenium.find_element(
        By.CSS_SELECTOR, f'button[aria-label="{t("home.scroll_left", genre="Comedia")}"]'
    ).click()
    until(screen, f'{row}.scrollLeft <= {start}')
    named(screen, 'a', t('home.see_all_label', genre='Comedia')).click()
    until(screen, 'location.pathname === "/catalog"')
    assert query(screen) == {'genre': ['Comedia']}
    until(screen, 'document.querySelectorAll(".bt-grid .bt-card").length === 12')
