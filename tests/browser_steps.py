"""Steps shared by the browser tests: wait for a condition in the page (one helper, a sane timeout, no bare
sleeps), read the video's state, and act on the player as a person would."""

from __future__ import annotations

import contextlib
from typing import Any

from nicegui.testing import Screen
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from .waits import WAIT_S, wait_for_progress, wait_until

VIDEO = 'document.querySelector("video")'


def until(screen: Screen | WebDriver, expression: str, timeout: float = WAIT_S) -> None:
    """Wait until the JavaScript `expression` is truthy in the page (checked every 0.1 s); a page being replaced,
    with no document for a moment, is not yet there."""

    def truthy() -> bool:
        with contextlib.suppress(WebDriverException):
            return bool(js(screen, f'!!({expression})'))
        return False

    wait_until(truthy, what=f'{expression} (at {driver(screen).current_url})', timeout=timeout, every=0.1)


def until_moves(screen: Screen | WebDriver, value: str, done: str, *, what: str) -> None:
    """Wait for a page's work that takes longer than one wait by nature (a countdown, a video playing on):
    `value`, a JavaScript expression, must change at least every WAIT_S until `done` is truthy."""

    def read() -> tuple:
        with contextlib.suppress(WebDriverException):
            return tuple(js(screen, f'[!!({done}), String({value})]'))
        return (False, None)

    wait_for_progress(read, lambda seen: seen[0], what=what)


def driver(screen: Screen | WebDriver) -> WebDriver:
    """The Selenium driver of a NiceGUI `Screen` (the in-process tests) or the driver itself (tests/test_cluster)."""
    return screen.selenium if isinstance(screen, Screen) else screen


def js(screen: Screen | WebDriver, expression: str) -> Any:
    return driver(screen).execute_script(f'return {expression}')


def video_state(screen: Screen) -> dict:
    return js(
        screen,
        f'{VIDEO} && {{ready: {VIDEO}.readyState, time: {VIDEO}.currentTime, paused: {VIDEO}.paused,'
        f' muted: {VIDEO}.muted, error: {VIDEO}.error && {VIDEO}.error.code, src: {VIDEO}.currentSrc,'
        f' height: {VIDEO}.videoHeight}}',
    )


def until_playing(screen: Screen, *, past: float = 0.0, timeout: float = WAIT_S) -> dict:
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
