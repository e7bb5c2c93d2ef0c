"""Poster cards, rows and grids, drawn as one HTML block each.

A row of 20 posters as NiceGUI elements would be ~80 elements per row; as one `ui.html` it is one element, which
keeps pages fast to build and cheap per connected client. Every text is escaped.
"""

from __future__ import annotations

from html import escape

from nicegui import ui

from ..lang import genre_name, rating_name, t, tn
from ..models import ContinueItem, TitleCard, TitleDetail
from .landmarks import heading


def poster_url(title_id: int) -> str:
    return f'/media/{title_id}/poster'


def backdrop_url(title_id: int) -> str:
    return f'/media/{title_id}/backdrop'


def still_url(title_id: int) -> str:
    """An episode's still (its picture in the episode list)."""
    return f'/media/{title_id}/still'


def episode_code(season: int, number: int) -> str:
    """'S1:E3' (in Spanish 'T1:E3', temporada)."""
    return t('series.code', season=season, number=number)


def episode_line(title: TitleDetail) -> str | None:
    """'S1:E3 · Episode title' for an episode, None for anything else."""
    if title.season_number is None or title.episode_number is None:
        return None
    return f'{episode_code(title.season_number, title.episode_number)} · {title.title}'


def premium_badge_html(*, inline: bool = False) -> str:
    """The PREMIUM badge: over a poster's corner, or `inline` in a line of text."""
    style = ' style="position:static"' if inline else ''
    return f'<span class="bt-badge-premium"{style}>{escape(t("title.premium"))}</span>'


def card_html(
    card: TitleCard, *, fraction: float | None = None, href: str | None = None, note: str | None = None
) -> str:
    """A poster card linking to the details page (or `href`), with its badge and, for Continue watching, progress
    and a `note` saying what plays ('S1:E3 · 12 min left')."""
    badge = premium_badge_html() if card.is_premium else ''
    progress = (
        f'<div class="bt-progress"><div style="width:{fraction * 100:.1f}%"></div></div>'
        if fraction is not None
        else ''
    )
    href = href or f'/title/{card.id}'
    label = f'{card.title} · {note}' if note else card.title
    below = f'<div class="bt-card-note">{escape(note)}</div>' if note else ''
    return (
        f'<a class="bt-card" href="{href}" data-title-id="{card.id}" title="{escape(label)}">'
        f'<img class="bt-poster" loading="lazy" src="{poster_url(card.id)}" alt="{escape(label)}">'
        f'{badge}{progress}<div class="bt-card-title">{escape(card.title)}</div>{below}</a>'
    )


def continue_note(item: ContinueItem) -> str:
    """What a Continue watching card plays: 'S1:E3 · 12 min left', or '12 min left' for a film."""
    left = tn('series.left', max(1, round(item.left_s / 60)))
    if item.episode is None:
        return left
    return f'{episode_code(item.episode.season, item.episode.number)} · {left}'


def poster_row(title: str, cards: list[TitleCard], *, mark: str | None = None) -> None:
    with ui.column().classes('bt-section gap-0') as section:
        heading(title, 2).classes('bt-row-title')
        ui.html(''.join(card_html(card) for card in cards), sanitize=False).classes('bt-row')
    if mark:
        section.mark(mark)


def poster_grid(cards: list[TitleCard]) -> ui.html:
    return ui.html(grid_html(cards), sanitize=False).classes('w-full').mark('catalog-grid')


def grid_html(cards: list[TitleCard]) -> str:
    return '<div class="bt-grid">' + ''.join(card_html(card) for card in cards) + '</div>'


def format_clock(seconds: float) -> str:
    seconds = int(max(0, seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f'{hours}:{minutes:02d}:{secs:02d}' if hours else f'{minutes}:{secs:02d}'


def meta_line(title: TitleCard) -> str:
    """'2023 · Drama · Film · 62 min · 12+' under a title's name (a series says no length: its episodes do)."""
    rating, genre = rating_name(title.rating), genre_name(title.genre)
    if title.kind == 'series':
        return f'{title.year} · {genre} · {t("title.series")} · {rating}'
    minutes = t('title.minutes', minutes=max(1, round(title.duration_s / 60)))
    return f'{title.year} · {genre} · {t("title.movie")} · {minutes} · {rating}'
