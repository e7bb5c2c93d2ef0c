"""Steps shared by the browser tests: wait for a condition in the page (one helper, a sane timeout, no bare
sleeps), read the video's state, and act on the player as a person would."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from nicegui.testing import Screen
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

VIDEO = 'document.querySelector("video")'


def until(screen: Screen, expression: str, timeout: float = 10) -> None:
    """Wait until the JavaScript `expression` is truthy in the page (checked every 0.1 s)."""
    screen.wait_for_js(f'!!({expression})', True, timeout=timeout)


def eventually(condition: Callable[[], object], timeout: float = 10) -> None:
    """Wait until `condition()` (Python side: the database, a recorder) is true, checked every 0.1 s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f'not true after {timeout} s')
        time.sleep(0.1)


def js(screen: Screen, expression: str) -> Any:
    return screen.selenium.execute_script(f'return {expression}')


def video_state(screen: Screen) -> dict:
    return js(
        screen,
        f'{VIDEO} && {{ready: {VIDEO}.readyState, time: {VIDEO}.currentTime, paused: {VIDEO}.paused,'
        f' muted: {VIDEO}.muted, error: {VIDEO}.error && {VIDEO}.error.code, src: {VIDEO}.currentSrc,'
        f' height: {VIDEO}.videoHeight}}',
    )


def until_playing(screen: Screen, *, past: float = 0.0, timeout: float = 15) -> dict:
    """Wait until the video plays on its own (no click) and has passed `past` seconds; its state then."""
    until(screen, f'{VIDEO} && !{VIDEO}.paused && {VIDEO}.readyState >= 3 && {VIDEO}.currentTime > {past}', timeout)
    return video_state(screen)


def show_controls(screen: Screen) -> None:
    """Move the mouse over the player, as a person does to see its controls."""
    player = screen.find_by_css('.bp')
    ActionChains(screen.selenium).move_to_element_with_offset(player, 5, 5).move_to_element(player).perform()
    until(screen, 'document.querySelector(".bp-overlay.shown")')


def control(screen: Screen, name: str) -> WebElement:
    """The player's button with this accessible name (in the viewer's language)."""
    return screen.selenium.find_element(By.CSS_SELECTOR, f'.bp button[aria-label="{name}"]')


def press(screen: Screen, name: str) -> None:
    show_controls(screen)
    control(screen, name).click()


def key(screen: Screen, keys: str) -> None:
    """Type keys as a person would, to whatever has the focus (the player takes the focus when it starts)."""
    ActionChains(screen.selenium).send_keys(keys).perform()
