"""The shared look: the brand colours (once, for the whole app), the stylesheets applied at the top of every page, and
Butaca's connection notice (which every page has). Dark mode is the app's (`ui.run(dark=True)` in main.py)."""

from __future__ import annotations

from nicegui import app, context, ui

from .. import page_limits
from .connection import ConnectionNotice

ACCENT = '#e11d48'


def set_colors() -> None:
    """Quasar's brand colours for every page (in its config, rather than a colours element built on each page)."""
    app.colors(primary=ACCENT, secondary='#f5b301', dark='#0b0b10', dark_page='#0b0b10')


def apply_theme() -> None:
    page_limits.note_page(context.client)  # every page starts here: the flood backstop counts it until it connects
    ui.add_head_html('<link rel="stylesheet" href="/static/butaca.css">')
    ui.add_head_html('<link rel="stylesheet" href="/static/rows.css">')
    ui.add_head_html('<script src="/static/rows.js" defer></script>')
    # The browser's time zone, for the dates of the next pages (the first page of a new browser shows UTC).
    ui.add_head_html(
        '<script>document.cookie = "butaca_tz=" + encodeURIComponent(Intl.DateTimeFormat().resolvedOptions().timeZone'
        ' || "") + "; path=/; max-age=31536000; samesite=lax"</script>'
    )
    ConnectionNotice()
