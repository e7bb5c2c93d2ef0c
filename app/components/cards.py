"""Poster cards, rows and grids, drawn as one HTML block each.

A row of 20 posters as NiceGUI elements would be ~80 elements per row; as one `ui.html` it is one element, which
keeps pages fast to build and cheap per connected client. Every text is escaped.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from html import escape
from urllib.parse import urlencode

from nicegui import ui

from ..lang import current_language, genre_name, rating_name, t, tn
from ..models import ContinueItem, TitleCard, TitleDetail
from .buttons import icon_html


def poster_url(title_id: int) -> str:
    return f'/media/{title_id}/poster'


def backdrop_url(title_id: int) -> str:
    return f'/media/{title_id}/backdrop'


def still_url(title_id: int) -> str:
    """An episode's still (its picture in the episode list)."""
    return f'/media/{title_id}/still'


# The widths app/library/images.py makes at import (POSTER_WIDTHS, BACKDROP_WIDTHS, STILL_WIDTHS; a test keeps them
# equal). Posters and stills are shown at a fixed CSS width no wider than their first (200 px; 120 px on phones), so
# their two widths are for 1x and 2x screens; fluid pictures say how wide they are shown, and the browser picks.
IMAGE_WIDTHS = {'poster': (200, 400), 'backdrop': (640, 1280), 'still': (320, 640)}
FIXED_WIDTH = {'poster', 'still'}
SHOWN = {
    'backdrop': '100vw',
    'details': '(max-width: 900px) 96vw, 860px',
}


def webp_url(title_id: int, asset: str, width: int) -> str:
    """The WebP of a title's picture in one of the widths made at import (IMAGE_WIDTHS), unescaped."""
    return f'/media/{title_id}/{asset}?w={width}&f=webp'


def picture_html(
    title_id: int, asset: str, *, css: str, alt: str = '', shown: str | None = None, lazy: bool = True
) -> str:
    """A title's picture at the size it is shown: WebP in a `<picture>` source in every width made at import, and a
    JPEG `<img>` for browsers without WebP. `lazy`: fetched only as it nears the screen.

    Posters and stills are shown at a fixed CSS width, so their source names its two widths by screen density (1x,
    2x) and needs no `sizes`; a fluid picture (a backdrop) lists its widths for `sizes` to choose from. The markup is
    per poster and a home page has about 160 of them: every byte of it is also escaped once more by NiceGUI as the
    page is sent (60 ns a byte), which is why the JPEG fallback is one plain `src`."""
    base = f'/media/{title_id}/{asset}'
    widths = IMAGE_WIDTHS[asset]
    loading = ' loading="lazy" decoding="async"' if lazy else ''
    if shown is None and asset in FIXED_WIDTH:
        small, large = widths
        source = f'srcset="{escape(webp_url(title_id, asset, small))}, {escape(webp_url(title_id, asset, large))} 2x"'
        fallback = small
    else:
        source = 'srcset="{}" sizes="{}"'.format(
            ', '.join(f'{escape(webp_url(title_id, asset, width))} {width}w' for width in widths), SHOWN[shown or asset]
        )
        fallback = widths[-1]
    return (
        f'<picture class="bt-picture"><source type="image/webp" {source}>'
        f'<img class="{css}"{loading} src="{base}?w={fallback}" alt="{escape(alt)}"></picture>'
    )


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
        f'{picture_html(card.id, "poster", css="bt-poster", alt=label)}'
        f'{badge}{progress}<div class="bt-card-title">{escape(card.title)}</div>{below}</a>'
    )


def continue_note(item: ContinueItem) -> str:
    """What a Continue watching card plays: 'S1:E3 · 12 min left', or '12 min left' for a film."""
    left = tn('series.left', max(1, round(item.left_s / 60)))
    if item.episode is None:
        return left
    return f'{episode_code(item.episode.season, item.episode.number)} · {left}'


class SharedMarkup:
    """Markup of what every viewer is shown alike, built once per language instead of once per page.

    The shared cache (services/shared_cache.py) hands every page the same object (a genre's cards, a catalog page)
    until the catalog changes; markup made from such an object is kept with it, under the object itself (held here,
    so its id cannot be reused by another) and the page's language. At 10,000 titles the genre rows of a home page
    were about 2.5 ms of markup on every load. Only for objects from the shared cache: a search's results are new
    on every request and would only push the shared ones out. Bounded: the oldest goes first."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._kept: OrderedDict[tuple[int, str], tuple[object, str]] = OrderedDict()

    def get(self, source: object, build: Callable[[], str], *, part: str = '') -> str:
        """`build()` made once per `source`, language and `part` (which markup of the source)."""
        key = (id(source), f'{current_language()}:{part}')
        kept = self._kept.get(key)
        if kept is not None and kept[0] is source:
            self._kept.move_to_end(key)
            return kept[1]
        markup = build()
        self._kept[key] = (source, markup)
        if len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return markup


shared_markup = SharedMarkup()


def poster_row(title: str, cards: list[TitleCard], *, mark: str) -> None:
    """A titled row of posters that scrolls sideways: one element (heading, arrow buttons and cards are markup), as
    cheap to build and to keep per connected page as a row can be. The arrows scroll by most of the row's width in
    the browser (app/static/rows.js), without a round trip. `cards` come from the shared cache, and so does the
    markup (SharedMarkup)."""
    markup = shared_markup.get(cards, lambda: row_html(title, cards), part=f'row:{title}')
    ui.html(markup, sanitize=False).classes('bt-section').mark(mark)


def genre_rows(rows: list[tuple[str, list[TitleCard]]]) -> ui.html:
    """Home's rows, one per genre, all in one element of markup (a `<section>` each, `data-row` naming its genre),
    each linking to its genre in the catalog. `rows` come from the shared cache, and so does the markup."""

    def build() -> str:
        return ''.join(
            f'<section class="bt-section" data-row="{escape(genre)}">'
            f'{row_html(genre_name(genre), cards, see_all="/catalog?" + urlencode({"genre": genre}))}</section>'
            for genre, cards in rows
        )

    return (
        ui.html(shared_markup.get(rows, build, part='genre-rows'), sanitize=False).classes('w-full').mark('genre-rows')
    )


def row_html(title: str, cards: list[TitleCard], *, see_all: str | None = None) -> str:
    link = (
        f'<a class="bt-see-all" href="{escape(see_all)}" aria-label="{escape(t("home.see_all_label", genre=title))}">'
        f'{escape(t("home.see_all"))}</a>'
        if see_all
        else ''
    )
    arrows = ''.join(
        f'<button type="button" class="bt-row-arrow" data-scroll="{sign}" '
        f'aria-label="{escape(t(f"home.scroll_{side}", genre=title))}">'
        f'{icon_html(f"chevron_{side}")}</button>'
        for side, sign in (('left', -1), ('right', 1))
    )
    return (
        f'<div class="bt-row-head"><h2 class="bt-row-title">{escape(title)}</h2>{link}'
        f'<span class="bt-row-space"></span>{arrows}</div>'
        f'<div class="bt-row">{"".join(card_html(card) for card in cards)}</div>'
    )


def poster_grid() -> ui.html:
    """The catalog's grid, empty: its page fills it with `grid_html`."""
    return ui.html('', sanitize=False).classes('w-full').mark('catalog-grid')


def grid_html(cards: list[TitleCard], *, shared: bool = False) -> str:
    """`shared`: `cards` come from the shared cache, and so does the markup (SharedMarkup)."""

    def build() -> str:
        return '<div class="bt-grid">' + ''.join(card_html(card) for card in cards) + '</div>'

    return shared_markup.get(cards, build, part='grid') if shared else build()


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
