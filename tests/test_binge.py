"""A binge in a real browser: an episode's credits bring the next-episode countdown, the next episode plays by
itself, and home's Continue watching then names the one after it. FREE gets no bytes of a premium episode."""

from __future__ import annotations

import os
import shutil

import pytest
from nicegui.testing import Screen
from sqlmodel import select

from app import db
from app.i18n import translate
from app.library import demo
from app.models import Kind, Title

from .browser_steps import VIDEO, js, until, until_moves, until_playing
from .test_browser import register_and_sign_in

HAVE_BROWSER = bool(shutil.which('chromedriver') and (shutil.which('chromium') or shutil.which('google-chrome')))
if not HAVE_BROWSER and os.environ.get('CI') != 'true':
    pytest.skip('browser tests need Chromium: apt-get install chromium chromium-driver', allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
COUNT = 'document.querySelector(".bp-next-count")?.innerText'  # the countdown, a second at a time


@pytest.fixture
def demo_series(demo_series_media, monkeypatch) -> list[int]:
    """The small demo series in this test's database; returns its episodes' ids in order."""
    media_dir, series = demo_series_media
    monkeypatch.setenv('BUTACA_MEDIA_DIR', str(media_dir))
    series_id = demo.add_series(series)
    with db.session() as session:
        episodes = select(Title.id).where(Title.series_id == series_id, Title.kind == Kind.EPISODE.value)
        return list(session.exec(episodes.order_by(Title.season_number, Title.episode_number)))


def test_a_binge_goes_on_by_itself_and_home_names_the_next_episode(screen: Screen, demo_series):
    first, second, third = demo_series[:3]
    register_and_sign_in(screen)
    screen.open(f'/watch/{first}')
    until_playing(screen)
    js(screen, f'({VIDEO}.currentTime = {VIDEO}.duration - 2.5, true)')  # into the credits
    until(screen, 'document.querySelector(".bp-next")')
    assert translate('es', 'player.next') in screen.find_by_css('.bp-next').get_attribute('aria-label')
    # The countdown goes on by itself, a second at a time, to the next episode's page.
    until_moves(screen, COUNT, f'location.pathname === "/watch/{second}"', what='the countdown')
    until_playing(screen)
    js(screen, f'({VIDEO}.currentTime = {VIDEO}.duration - 0.5, true)')  # to the end of S1:E2
    until(screen, 'document.querySelector(".bp-next")')
    screen.open('/')
    screen.should_contain(translate('es', 'home.continue'))
    card = screen.find_by_css(f'.bt-card[href="/watch/{third}"]')
    assert translate('es', 'series.code', season=1, number=3) in card.text
