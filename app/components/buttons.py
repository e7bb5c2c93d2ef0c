"""Buttons drawn as markup inside one element, with one click listener for all of them (`on_actions`).

A NiceGUI button is four mixins and an event listener, about 0.2 ms to build on every page load; a `<button>` in
markup costs nothing more than its bytes. Each is a real button (keyboard, screen readers), carrying the action it
stands for in `data-action`; the listener sends that name here and the page's handler for it runs.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from html import escape

from nicegui import ui
from nicegui.events import GenericEventArguments

# A click that lands on one of the markup's buttons sends its action (or, for a row's button, its entry's id);
# clicks elsewhere send nothing.
ACTION_CLICK = (
    '(e) => { const b = e.target.closest("button[data-action],button[data-entry]");'
    ' if (b && !b.disabled) emit(b.dataset.entry ? Number(b.dataset.entry) : b.dataset.action); }'
)

Handler = Callable[[], Awaitable[None] | None]


def icon_html(name: str) -> str:
    return f'<i class="q-icon notranslate material-icons" aria-hidden="true">{name}</i>'


def button_html(
    label: str,
    *,
    action: str,
    icon: str | None = None,
    kind: str = 'flat',
    icon_after: bool = False,
    enabled: bool = True,
) -> str:
    """`kind`: 'flat', 'outline' or 'primary' (the accent colour); `icon_after`: the icon after the label (Next)."""
    icon_part = icon_html(icon) if icon else ''
    text = f'<span>{escape(label)}</span>'
    return (
        f'<button type="button" class="bt-btn bt-btn-{kind}" data-action="{action}"{"" if enabled else " disabled"}>'
        f'{text + icon_part if icon_after else icon_part + text}</button>'
    )


def on_actions(
    markup: ui.html, handlers: Mapping[str, Handler], *, entry: Callable[[int], Awaitable[None]] | None = None
) -> None:
    """Run `handlers[action]` when a button of `markup` is clicked (and `entry(id)` for a row's `data-entry`
    button). Anything else the browser sends (a stale or made-up click) does nothing."""

    def act(event: GenericEventArguments) -> Awaitable[None] | None:
        if isinstance(event.args, str) and event.args in handlers:
            return handlers[event.args]()  # a coroutine: NiceGUI awaits it in this page's context
        if entry is not None and isinstance(event.args, int) and not isinstance(event.args, bool):
            return entry(event.args)
        return None

    markup.on('click', act, js_handler=ACTION_CLICK)


def focus(selector: str) -> None:
    """Put the keyboard on the element `selector` names: after a redraw of markup, where the focused button was."""
    ui.run_javascript(f'document.querySelector({json.dumps(selector)})?.focus()')
