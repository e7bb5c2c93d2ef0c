"""What every page declares about itself for people and assistive technology: the language of its `<html>`, its
title ("Catálogo · Butaca"), its one h1, the skip link and the main landmark it jumps to."""

from __future__ import annotations

import copy

from nicegui import context, ui
from nicegui.elements.mixins.text_element import TextElement

from ..lang import current_language, t

# NiceGUI's (Quasar's) names for our languages: they set <html lang>, Quasar's own texts and its date pickers.
HTML_LANGUAGE = {'es': 'es', 'en': 'en-US'}
MAIN_ID = 'main'


def declare_page(name: str | None = None) -> None:
    """This page speaks the viewer's language and is titled `name · Butaca` (just "Butaca" without a name).

    `language` belongs to the page object that every client of the route shares, so this client gets its own copy
    first (the copy is what NiceGUI renders; lab notes 5, internal API pinned by tests/test_accessibility.py)."""
    client = context.client
    client.page = copy.copy(client.page)
    client.page.language = HTML_LANGUAGE.get(current_language(), 'es')
    ui.page_title(f'{name} · {t("brand")}' if name else t('brand'))


class Heading(TextElement):
    """A real heading element (h1-h6) with NiceGUI's text handling, so screen readers can jump between them."""

    def __init__(self, text: str, level: int = 1) -> None:
        super().__init__(tag=f'h{level}', text=text)


def heading(text: str, level: int = 1, *, hidden: bool = False) -> Heading:
    """`hidden`: for screen readers only, where the page shows its name another way (the hero, the player)."""
    element = Heading(text, level).classes('bt-heading')
    if hidden:
        element.classes('bt-sr-only')
    return element


def skip_link() -> None:
    """The first stop of the keyboard: straight past the navigation to the page's content."""
    ui.link(t('a11y.skip'), f'#{MAIN_ID}').classes('bt-skip').mark('skip-link')


def main_landmark(element: ui.element) -> ui.element:
    """`element` becomes the page's <main> target of the skip link (focusable from the link, not by Tab)."""
    return element.props(f'id={MAIN_ID} tabindex=-1 role=main')
