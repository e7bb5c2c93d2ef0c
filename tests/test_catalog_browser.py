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


def back_to_a_new_view(screen: Screen) -> None:
    """Back, and wait until the page built for the address it goes back to is there (not the one before it)."""
    screen.selenium.execute_script('window.butacaOldView = true')
    screen.selenium.back()
    until(screen, 'window.butacaOldView === undefined && !!document.querySelector(".bt-grid")')
    until(screen, 'document.readyState === "complete"')


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
    back_to_a_new_view(screen)
    assert 'sort' not in query(screen)
    until(screen, 'document.querySelectorAll(".bt-grid .bt-card").length === 14')
    assert grid_titles(screen)[0] == 'Título 0'  # relevance ties: by title
    back_to_a_new_view(screen)
    assert query(screen) == {'q': ['título']}
    until(screen, 'document.querySelectorAll(".bt-grid .bt-card").length === 24')


def test_pages_are_in_the_url_and_a_shared_link_opens_the_same_page(screen: Screen):
    seed_titles(60)
    sign_in(screen)
    screen.open('/catalog?sort=title')
    until(screen, 'document.querySelectorAll(".bt-grid .bt-card").length === 24')
    screen.find_by_css('.bt-pager [data-action="next"]').send_keys(Keys.ENTER)  # from the keyboard
    until(screen, 'new URLSearchParams(location.search).get("page") === "2"')
    # The pager is drawn again; the keyboard stays on Next, for the page after.
    until(screen, 'document.activeElement && document.activeElement.dataset.action === "next"')
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


def _many_rows(genres: int = 12, per_genre: int = 12) -> None:
    """`genres` rows of `per_genre` titles, each with a small poster and backdrop file."""
    from app import db
    from app.config import get_settings
    from app.services import catalog

    media = get_settings().media_dir
    (media / 'art').mkdir(parents=True, exist_ok=True)
    for name in ('poster.jpg', 'backdrop.jpg'):
        (media / 'art' / name).write_bytes(b'\xff\xd8\xff' + bytes(64))
    with db.session(write=True) as session:
        for n in range(genres * per_genre):
            catalog.add_title(
                session,
                title=f'Título {n:03d}',
                genre=f'Género {n % genres:02d}',
                year=2000,
                duration_s=60.0,
                poster_path='art/poster.jpg',
                backdrop_path='art/backdrop.jpg',
                video_sd_path='art/sd.mp4',
                video_hd_path='art/hd.mp4',
                sd_height=480,
                hd_height=720,
            )


REQUESTED_POSTERS = (
    'new Set(performance.getEntriesByType("resource").map(e => e.name)'
    '.filter(n => n.includes("/poster")).map(n => new URL(n).pathname.split("/")[2])).size'
)


def test_posters_of_rows_far_below_are_not_fetched_until_they_come_near(screen: Screen, capsys):
    _many_rows()
    sign_in(screen)
    until(screen, f'{REQUESTED_POSTERS} > 0 && document.readyState === "complete"')
    # Every poster on the first screen has loaded.
    near = (
        '[...document.querySelectorAll(".bt-row img.bt-poster")].filter(i => i.getBoundingClientRect().top < '
        'innerHeight && i.getBoundingClientRect().left < innerWidth)'
    )
    until(screen, f'{near}.every(i => i.complete)')
    on_screen = js(screen, 'document.querySelectorAll(".bt-row img.bt-poster").length')
    first = js(screen, REQUESTED_POSTERS)
    assert on_screen == 144
    assert first < 144 / 2  # the rows far below the first screen wait
    # Down to the last row, as a viewer scrolling: the rows fetch their posters as they come near.
    for _ in range(30):
        screen.selenium.execute_script('window.scrollBy(0, 600)')
        if js(screen, 'window.innerHeight + window.scrollY >= document.body.scrollHeight - 2'):
            break
    until(screen, f'{REQUESTED_POSTERS} > {first}')
    asked = js(screen, 'performance.getEntriesByType("resource").map(e => e.name).filter(n => n.includes("/poster"))')
    assert asked and all(url.endswith(('?w=200&f=webp', '?w=400&f=webp')) for url in asked), asked[:3]  # WebP sizes
    with capsys.disabled():
        print(f'\nlazy posters: {first} of 144 fetched on the first screen, {js(screen, REQUESTED_POSTERS)} at the end')
