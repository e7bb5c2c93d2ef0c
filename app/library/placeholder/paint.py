"""Placeholder artwork painted with Pillow: a scene per motif, and posters, backdrops and cards with readable type.

Posters carry only what reads the same in every language (the title, a name, and the year): the words around them
(film or series, genre, age rating) are the pages' own badges, which follow the interface language."""

from __future__ import annotations

import math
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

Color = tuple[int, int, int]
Size = tuple[int, int]
Font = ImageFont.FreeTypeFont
Row = tuple[str, Font, tuple[int, int, int, int], float]  # text, font, fill, letter spacing
POSTER_SIZE = (400, 600)
FONT_DIRS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu', '/usr/share/fonts/TTF', '/Library/Fonts']
FONT_FILES = {True: ('DejaVuSans-Bold.ttf', 'Arial Bold.ttf'), False: ('DejaVuSans.ttf', 'Arial.ttf')}


@dataclass(frozen=True)
class Look:
    """A title's colours (sky, ground, accent: #rrggbb), its motif (a key of MOTIFS) and a seed that places things."""

    palette: tuple[str, str, str]
    motif: str
    seed: int = 0

    @property
    def colors(self) -> tuple[Color, Color, Color]:
        return tuple(tuple(bytes.fromhex(value.lstrip('#'))) for value in self.palette)  # type: ignore[return-value]

    def varied(self, by: int) -> Look:
        """The same colours and motif, arranged differently (an episode of a series)."""
        return replace(self, seed=self.seed * 31 + by)


def mix(a: Color, b: Color, t: float) -> Color:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def lighten(color: Color, t: float) -> Color:
    return mix(color, (255, 255, 255), t)


def darken(color: Color, t: float) -> Color:
    return mix(color, (0, 0, 0), t)


# ---------------------------------------------------------------- type


@lru_cache(maxsize=2)
def font_file(bold: bool = True) -> str | None:
    """A scalable font with Spanish accents (DejaVu, Arial), or None: then Pillow's own, which has no accents."""
    for folder in FONT_DIRS:
        for name in FONT_FILES[bold]:
            if (Path(folder) / name).is_file():
                return str(Path(folder) / name)
    return None


@lru_cache(maxsize=64)
def font(size: int, bold: bool = True) -> Font:
    path = font_file(bold)
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)  # type: ignore[return-value]


def printable(text: str, bold: bool = True) -> str:
    """``text`` as it can be drawn: Pillow's built-in font has no accents, so without a system font they are dropped."""
    return text if font_file(bold) else unicodedata.normalize('NFKD', text).encode('ascii', 'ignore').decode()


def heading(
    size: Size, *, title: str, facts: Sequence[str], accent: Color, title_px: int, lines: int = 2, kicker: str = ''
) -> list[Row]:
    """A kicker if given (small, spaced, in the accent colour), the title in big bold type and lines of facts."""
    face, wrapped = _wrap(printable(title), width=round(size[0] * 0.84), max_lines=lines, size=title_px)
    small, regular = font(max(10, round(title_px * 0.22))), font(max(10, round(title_px * 0.3)), bold=False)
    readable = accent
    while 0.2126 * readable[0] + 0.7152 * readable[1] + 0.0722 * readable[2] < 200:
        readable = lighten(readable, 0.1)  # an accent dark enough to vanish on a dark picture is lightened
    return [
        *([(printable(kicker.upper()), small, (*readable, 255), small.size * 0.28)] if kicker else []),
        *((line, face, (255, 255, 255, 255), 0.0) for line in wrapped),
        *((printable(line, bold=False), regular, (232, 232, 240, 235), 0.0) for line in facts),
    ]


def _wrap(text: str, *, width: int, max_lines: int, size: int) -> tuple[Font, list[str]]:
    """The biggest font (from ``size`` down) at which ``text`` fits in ``max_lines`` lines of ``width`` pixels."""
    while True:
        face = font(size)
        lines: list[str] = []
        for word in text.split():
            if lines and face.getlength(f'{lines[-1]} {word}') <= width:
                lines[-1] += f' {word}'
            else:
                lines.append(word)
        if (len(lines) <= max_lines and all(face.getlength(line) <= width for line in lines)) or size <= 12:
            return face, lines
        size = int(size * 0.92)


def _text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], row: Row) -> None:
    text, face, fill, spacing = row
    x, y = xy
    for part in text if spacing else [text]:  # letter by letter when spaced: Pillow has no letter spacing
        draw.text((x, y), part, font=face, fill=fill)
        x += face.getlength(part) + spacing


def _block(size: Size, rows: Sequence[Row], *, middle: int = 0, bottom: int = 0, pool: int = 0) -> Image.Image:
    """``rows`` centred one under the other on a transparent layer, by their ``middle`` or their ``bottom``, over a
    soft shadow and, with ``pool``, a wide dark pool that keeps them readable on a busy picture."""
    layer = Image.new('RGBA', size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    heights = [round(sum(face.getmetrics()) * 1.12) for _, face, _, _ in rows]
    top = bottom - sum(heights) if bottom else middle - sum(heights) // 2
    for row, height in zip(rows, heights, strict=True):
        width = row[1].getlength(row[0]) + row[3] * max(0, len(row[0]) - 1)
        _text(draw, ((size[0] - width) / 2, top), row)
        top += height
    alpha = layer.getchannel('A')
    dark = alpha.filter(ImageFilter.GaussianBlur(max(2.0, size[1] / 110))).point(lambda value: value * 4 // 5)
    box = alpha.getbbox()
    if pool and box:
        small = Image.new('L', (size[0] // 4, size[1] // 4), 0)
        pad_x, pad_y = (box[2] - box[0]) * 0.12, (box[3] - box[1]) * 0.35
        oval = ((box[0] - pad_x) / 4, (box[1] - pad_y) / 4, (box[2] + pad_x) / 4, (box[3] + pad_y) / 4)
        ImageDraw.Draw(small).ellipse(oval, fill=pool)
        wide = small.filter(ImageFilter.GaussianBlur(max(size) / 280)).resize(size, Image.Resampling.BICUBIC)
        dark = ImageChops.lighter(dark, wide)
    shade = Image.new('RGBA', size, (6, 6, 12, 0))
    shade.putalpha(dark)
    return Image.alpha_composite(shade, layer)


# ---------------------------------------------------------------- pictures


def poster(look: Look, *, title: str, year: int, size: Size = POSTER_SIZE) -> Image.Image:
    """A 2:3 poster, painted at twice the size and scaled down so that thin lines and small type come out smooth."""
    big = (size[0] * 2, size[1] * 2)
    art = title_over(scene(big, look), title=title, year=year, accent=look.colors[2])
    return art.resize(size, Image.Resampling.LANCZOS)


def title_over(image: Image.Image, *, title: str, year: int, accent: Color = (229, 9, 20)) -> Image.Image:
    """A portrait picture made into a poster: a dark foot with the title and the year on it (no words of any
    language: the page's badges say film or series, genre and rating in the viewer's own)."""
    size, px = image.size, image.height // 10
    rows = heading(size, title=title.upper(), facts=[str(year)], accent=accent, title_px=px, lines=3)
    layer = _block(image.size, rows, bottom=round(image.height * 0.935), pool=90)
    return Image.alpha_composite(_shade(image, bottom=0.88, start=0.35).convert('RGBA'), layer).convert('RGB')


def backdrop(image: Image.Image) -> Image.Image:
    """A 16:9 picture darkened on the left and at the foot, where the hero banner and details page put their text."""
    return _shade(image, bottom=0.6, left=0.82, start=0.55)


def card(picture: Image.Image, rows: Sequence[Row], *, accent: Color, tag: str = '', dim: float = 0.0) -> Image.Image:
    """A frame of footage: ``rows`` in the middle of ``picture`` (darkened by ``dim``), the Butaca mark at the top
    left and, if given, a ``tag`` at the top right (INTRO, CREDITS) that says at a glance what part this is."""
    width, height = picture.size
    layer = _block(picture.size, rows, middle=round(height * 0.47), pool=120)
    draw = ImageDraw.Draw(layer)
    face = font(max(10, round(height * 0.032)))
    x, y, dot = round(width * 0.035), round(height * 0.05), face.size * 0.84
    draw.ellipse((x, y + face.size * 0.32, x + dot, y + face.size * 0.32 + dot), fill=(*accent, 255))
    _text(draw, (x + dot + face.size * 0.45, y), ('BUTACA', face, (255, 255, 255, 215), face.size * 0.25))
    if tag:
        pad, right = face.size * 0.6, width - x
        left = right - face.getlength(printable(tag)) - 2 * pad
        draw.rounded_rectangle((left, y, right, y + face.size + 2 * pad), radius=face.size, fill=(*accent, 235))
        draw.text((left + pad, y + pad * 0.8), printable(tag), font=face, fill=(255, 255, 255, 255))
    base = Image.blend(picture, Image.new('RGB', picture.size), dim) if dim else picture
    return Image.alpha_composite(base.convert('RGBA'), layer).convert('RGB')


def _shade(image: Image.Image, *, bottom: float = 0.0, left: float = 0.0, start: float = 0.4) -> Image.Image:
    """Darken towards the foot and/or the left edge (the mask is worked out small and enlarged: it is smooth)."""
    y = np.linspace(0, 1, 64, dtype=np.float32)[:, None]
    x = np.linspace(0, 1, 64, dtype=np.float32)[None, :]
    alpha = np.maximum(
        bottom * np.clip((y - start) / (1 - start), 0, 1) ** 1.3, left * np.clip(1 - x / 0.62, 0, 1) ** 1.4
    )
    mask = Image.fromarray((alpha * 255).astype(np.uint8), 'L').resize(image.size, Image.Resampling.BILINEAR)
    return Image.composite(Image.new('RGB', image.size, (8, 8, 14)), image.convert('RGB'), mask)


# ---------------------------------------------------------------- scenes


def scene(size: Size, look: Look) -> Image.Image:
    """A textless painting in the look's colours: a sky gradient, two glows, the motif, and darker corners."""
    width, height = size
    sky, ground, accent = look.colors
    rng = random.Random(look.seed)
    sky_to_ground = Image.linear_gradient('L').resize(size)
    image = Image.composite(Image.new('RGB', size, ground), Image.new('RGB', size, sky), sky_to_ground)
    small = Image.new('RGB', (width // 8, height // 8))  # two glows, painted small and blurred: soft for little work
    glows = ((0.55, 0.85, 0.15, 0.4, 0.55, darken(accent, 0.4)), (0.05, 0.3, 0.6, 0.95, 0.45, darken(sky, 0.5)))
    for x0, x1, y0, y1, r, color in glows:
        x, y, r = rng.uniform(x0, x1) * width / 8, rng.uniform(y0, y1) * height / 8, r * height / 8
        ImageDraw.Draw(small).ellipse((x - r, y - r, x + r, y + r), fill=color)
    small = small.filter(ImageFilter.GaussianBlur(height / 30))
    image = ImageChops.screen(image, small.resize(size, Image.Resampling.BICUBIC))
    layer = Image.new('RGBA', size, (0, 0, 0, 0))
    MOTIFS[look.motif](_Brush(ImageDraw.Draw(layer), width, height, *look.colors, rng))
    if look.motif in SOFT_MOTIFS:
        layer = layer.filter(ImageFilter.GaussianBlur(height / 90))
    image = Image.alpha_composite(image.convert('RGBA'), layer).convert('RGB')
    return ImageChops.multiply(image, _vignette(size))


@lru_cache(maxsize=4)
def _vignette(size: Size) -> Image.Image:
    """What ``scene`` multiplies its picture by: 1 in the middle, down to about a half in the corners."""
    return Image.radial_gradient('L').resize(size).point(lambda value: 255 - value // 2).convert('RGB')


class _Brush(NamedTuple):
    """What a motif is painted with: the layer's pen and size, the look's colours, and the random placement."""

    draw: ImageDraw.ImageDraw
    w: int
    h: int
    sky: Color
    ground: Color
    accent: Color
    rng: random.Random


def _sea(b: _Brush) -> None:
    horizon, sun_x, sun_r = b.h * 0.62, b.w * b.rng.uniform(0.55, 0.75), b.h * 0.16
    b.draw.ellipse(
        (sun_x - sun_r, horizon - sun_r * 1.4, sun_x + sun_r, horizon + sun_r * 0.6), lighten(b.accent, 0.55)
    )
    b.draw.rectangle((0, horizon, b.w, b.h), fill=darken(b.ground, 0.35))
    for t in np.arange(24) / 24:
        y, swell, length, phase = (
            horizon + (b.h - horizon) * t**1.6,
            2 + 10 * t,
            b.w / b.rng.uniform(5, 9),
            b.rng.random(),
        )
        wave = [(x, y + swell * math.sin((x / length + phase) * math.tau)) for x in range(0, b.w + 16, 16)]
        color = (*mix(lighten(b.accent, 0.4), b.ground, t * 0.8), round(200 - 120 * t))
        b.draw.line(wave, fill=color, width=round(1 + 3 * t))
    for index in range(12):  # the sun's reflection
        y, half = horizon + 6 + index * (b.h - horizon) / 14, sun_r * (0.9 - index * 0.05) * b.rng.uniform(0.6, 1)
        b.draw.line((sun_x - half, y, sun_x + half, y), fill=(*lighten(b.accent, 0.6), 150 - index * 10), width=3)


def _city(b: _Brush) -> None:
    neon = (b.accent, lighten(b.accent, 0.3), (255, 64, 160), (64, 220, 255))
    for near, (shade, tall) in enumerate(((0.45, 0.55), (0.75, 0.42))):
        x, body = -b.rng.uniform(0, 40), darken(mix(b.sky, b.ground, 0.5), shade)
        while x < b.w:
            wide, top = b.rng.uniform(0.05, 0.11) * b.h * (1 + 0.2 * near), b.h * (1 - tall * b.rng.uniform(0.55, 1.2))
            b.draw.rectangle((x, top, x + wide, b.h), fill=body)
            for wy in range(int(top) + 10, b.h - 8, 14) if near else ():  # lit windows on the nearer row
                for wx in range(int(x) + 6, int(x + wide) - 8, 12):
                    if b.rng.random() < 0.33:
                        b.draw.rectangle((wx, wy, wx + 5, wy + 7), fill=(*lighten(b.accent, 0.65), 210))
            if near and b.rng.random() < 0.5:
                b.draw.line((x + 2, top, x + wide - 2, top), fill=b.rng.choice(neon), width=4)
            x += wide + b.rng.uniform(2, 10)


def _space(b: _Brush) -> None:
    for _ in range(b.w * b.h // 2500):
        x, y, r = b.rng.uniform(0, b.w), b.rng.uniform(0, b.h), b.rng.choice((0.6, 1.0, 1.4, 2.0))
        b.draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, b.rng.randint(90, 255)))
    px, py, pr = b.w * 0.72, b.h * 0.62, b.h * 0.3
    for t in np.arange(20) / 19:  # a shaded sphere: smaller, lighter discs towards the light, all inside the first
        r, shift = pr * (1 - 0.6 * t), pr * 0.35 * t
        disc = (px - shift - r, py - shift - r, px - shift + r, py - shift + r)
        b.draw.ellipse(disc, fill=mix(darken(b.accent, 0.45), lighten(b.accent, 0.45), t))
    ring = (px - pr * 1.9, py - pr * 0.38, px + pr * 1.9, py + pr * 0.38)
    b.draw.ellipse(ring, outline=(*lighten(b.accent, 0.6), 200), width=max(3, round(pr / 18)))


def _ridge(b: _Brush, base: float, span: float, fill: Color) -> None:
    """A mountain skyline by midpoint displacement, filled down to the bottom edge."""
    points, spread = [b.rng.random(), b.rng.random()], 0.5
    while len(points) < 65:
        middles = [(p + q) / 2 + b.rng.uniform(-spread, spread) for p, q in zip(points, points[1:], strict=False)]
        points = [value for pair in zip(points, [*middles, 0], strict=True) for value in pair][:-1]
        spread *= 0.55
    outline = [(index * b.w / 64, base - (value - 0.5) * span) for index, value in enumerate(points)]
    b.draw.polygon([*outline, (b.w, b.h), (0, b.h)], fill=fill)


def _peaks(b: _Brush) -> None:
    for index in range(4):
        fill = mix(mix(b.sky, b.accent, 0.25), darken(b.ground, 0.6), 0.3 + 0.7 * index / 3)
        _ridge(b, b.h * (0.45 + 0.15 * index), b.h * (0.28 - 0.04 * index), fill)


def _forest(b: _Brush) -> None:
    for row in range(4):
        base, fill = b.h * (0.6 + 0.12 * row), mix(mix(b.sky, b.accent, 0.2), darken(b.ground, 0.7), 0.25 + row / 4)
        x = -b.rng.uniform(0, 30)
        while x < b.w + 40:
            tall = b.h * b.rng.uniform(0.18, 0.34) * (0.7 + row / 6)
            half = tall * b.rng.uniform(0.14, 0.19)
            b.draw.polygon([(x, base - tall), (x - half, base + 4), (x + half, base + 4)], fill=fill)
            x += half * 2 * b.rng.uniform(0.45, 0.8)
        b.draw.rectangle((0, base, b.w, b.h), fill=fill)


def _rays(b: _Brush) -> None:
    cx, cy, far, sun = b.w * b.rng.uniform(0.35, 0.65), b.h * 0.72, (b.w + b.h) * 1.5, b.h * 0.1
    for index in range(22):
        ends = [
            (cx + far * math.cos(a), cy + far * math.sin(a)) for a in np.pi * (1 + np.array([index, index + 0.5]) / 22)
        ]
        b.draw.polygon([(cx, cy), *ends], fill=(*lighten(b.accent, 0.3), 44))
    b.draw.ellipse((cx - sun, cy - sun, cx + sun, cy + sun), fill=lighten(b.accent, 0.6))
    for index in range(2):
        _ridge(b, b.h * (0.78 + 0.1 * index), b.h * 0.12, darken(b.ground, 0.35 + 0.3 * index))


def _bokeh(b: _Brush) -> None:
    for _ in range(40):
        x, y, r = b.rng.uniform(0, b.w), b.rng.uniform(0, b.h), b.h * b.rng.uniform(0.03, 0.09)
        color = b.rng.choice((b.accent, lighten(b.accent, 0.5), (255, 200, 160)))
        b.draw.ellipse((x - r, y - r, x + r, y + r), fill=(*color, b.rng.randint(120, 230)))


def _bubbles(b: _Brush) -> None:
    colors = (b.accent, lighten(b.accent, 0.4), lighten(b.sky, 0.35), (255, 214, 90), (120, 230, 200))
    for _ in range(38):
        x, y, r = b.rng.uniform(0, b.w), b.rng.uniform(0, b.h), b.h * b.rng.uniform(0.03, 0.16)
        fill, rim = (*b.rng.choice(colors), b.rng.randint(70, 160)), (255, 255, 255, 120)
        b.draw.ellipse((x - r, y - r, x + r, y + r), fill, rim, max(2, round(r / 14)))
        b.draw.ellipse((x - r * 0.55, y - r * 0.6, x - r * 0.2, y - r * 0.3), fill=(255, 255, 255, 110))


def _confetti(b: _Brush) -> None:
    colors = (b.accent, (255, 220, 70), (255, 110, 150), (90, 220, 255), (140, 255, 150), (255, 255, 255))
    for _ in range(b.w * b.h // 4000):
        x, y, r = b.rng.uniform(0, b.w), b.rng.uniform(0, b.h), b.rng.uniform(6, 16) * b.h / 600
        b.draw.regular_polygon((x, y, r), 4, rotation=b.rng.uniform(0, 90), fill=(*b.rng.choice(colors), 230))


MOTIFS = {
    painter.__name__[1:]: painter
    for painter in (_sea, _city, _space, _peaks, _forest, _rays, _bokeh, _bubbles, _confetti)
}
SOFT_MOTIFS = {'bokeh'}  # out-of-focus lights: blurred after painting
