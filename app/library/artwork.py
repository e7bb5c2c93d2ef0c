"""Artwork drawn with Pillow: fonts that work without system fonts, painted scenes, posters, backdrops, title cards."""

from __future__ import annotations

import importlib.util
import math
import random
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from .media_tools import BACKDROP_SIZE, POSTER_SIZE

Color = tuple[int, int, int]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

BOLD_FONTS = (
    '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
    '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf',
    '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf',
    '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf',
    '/usr/local/share/fonts/DejaVuSans-Bold.ttf',
    '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
    '/System/Library/Fonts/Supplemental/Arial Bold.ttf',
    '/Library/Fonts/Arial Bold.ttf',
    'C:/Windows/Fonts/arialbd.ttf',
)
REGULAR_FONTS = (
    '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
    '/usr/share/fonts/dejavu/DejaVuSans.ttf',
    '/usr/share/fonts/TTF/DejaVuSans.ttf',
    '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf',
    '/usr/local/share/fonts/DejaVuSans.ttf',
    '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
    '/System/Library/Fonts/Supplemental/Arial.ttf',
    '/Library/Fonts/Arial.ttf',
    'C:/Windows/Fonts/arial.ttf',
)
WHITE: Color = (255, 255, 255)


@dataclass(frozen=True)
class Look:
    """How a title's artwork looks: three colours (sky, ground, accent, as #rrggbb) and a motif."""

    palette: tuple[str, str, str]
    motif: str  # one of MOTIFS

    @property
    def colors(self) -> tuple[Color, Color, Color]:
        sky, ground, accent = (hex_color(value) for value in self.palette)
        return sky, ground, accent


# ---------------------------------------------------------------- colours


def hex_color(value: str) -> Color:
    value = value.lstrip('#')
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def mix(a: Color, b: Color, t: float) -> Color:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def lighten(color: Color, t: float) -> Color:
    return mix(color, WHITE, t)


def darken(color: Color, t: float) -> Color:
    return mix(color, (0, 0, 0), t)


def luma(color: Color) -> float:
    return 0.2126 * color[0] + 0.7152 * color[1] + 0.0722 * color[2]


def readable(color: Color, minimum: float = 200.0) -> Color:
    """``color`` lightened just enough to read as small text over a dark shade."""
    t = 0.3
    while luma(lighten(color, t)) < minimum and t < 1:
        t += 0.05
    return lighten(color, min(t, 1.0))


# ---------------------------------------------------------------- fonts


def _bundled_dejavu(bold: bool) -> str | None:
    """matplotlib ships DejaVu: use it when installed (without importing matplotlib)."""
    spec = importlib.util.find_spec('matplotlib')
    if spec is None or not spec.submodule_search_locations:
        return None
    name = 'DejaVuSans-Bold.ttf' if bold else 'DejaVuSans.ttf'
    path = Path(next(iter(spec.submodule_search_locations))) / 'mpl-data' / 'fonts' / 'ttf' / name
    return str(path) if path.is_file() else None


@lru_cache(maxsize=2)
def font_path(bold: bool = True) -> str | None:
    """A scalable system font with Spanish accents, or None (then Pillow's built-in font is used)."""
    for candidate in BOLD_FONTS if bold else REGULAR_FONTS:
        if Path(candidate).is_file():
            return candidate
    return _bundled_dejavu(bold)


@lru_cache(maxsize=128)
def font(size: int, *, bold: bool = True) -> Font:
    """A font of ``size`` px: DejaVu (or similar) when present, else Pillow's built-in scalable font."""
    path = font_path(bold)
    if path is not None:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            pass
    return ImageFont.load_default(size=size)


def clear_font_cache() -> None:
    font_path.cache_clear()
    font.cache_clear()
    _missing_glyph.cache_clear()


@lru_cache(maxsize=8)
def _missing_glyph(path: str | None) -> bytes:
    return _glyph_bits(path, '\U0010fffd')


def _glyph_bits(path: str | None, char: str) -> bytes:
    probe_font = ImageFont.truetype(path, 24) if path else ImageFont.load_default(size=24)
    mask = probe_font.getmask(char)
    return bytes(mask.size) + bytes(mask)


def printable(text: str, *, bold: bool = True) -> str:
    """``text`` with characters the font cannot draw replaced by their unaccented letter (or dropped).

    Pillow's built-in font has no accented letters: 'La última ola' then becomes 'La ultima ola', not tofu boxes.
    """
    path = font_path(bold)
    missing = _missing_glyph(path)
    out = []
    for char in text:
        if char.isspace() or char.isascii() or _glyph_bits(path, char) != missing:
            out.append(char)
            continue
        base = ''.join(c for c in unicodedata.normalize('NFKD', char) if not unicodedata.combining(c))
        if base and base.isascii():
            out.append(base)
    return ''.join(out)


def text_width(text: str, face: Font, *, tracking: float = 0.0) -> float:
    return face.getlength(text) + tracking * max(0, len(text) - 1)


def fit_lines(
    text: str, *, max_width: int, max_lines: int, max_size: int, min_size: int, bold: bool = True
) -> tuple[Font, list[str]]:
    """The biggest font (``max_size`` down to ``min_size``) at which ``text`` wraps into ``max_lines`` lines."""
    words = text.split()
    size = max_size
    while True:
        face = font(size, bold=bold)
        lines: list[str] = []
        for word in words:
            if lines and text_width(f'{lines[-1]} {word}', face) <= max_width:
                lines[-1] = f'{lines[-1]} {word}'
            else:
                lines.append(word)
        fits = len(lines) <= max_lines and all(text_width(line, face) <= max_width for line in lines)
        if fits or size <= min_size:
            return face, lines
        size = max(min_size, int(size * 0.92))


def draw_tracked(
    draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, face: Font, *, tracking: float, fill: tuple[int, ...]
) -> None:
    """Text with extra letter spacing (Pillow has none built in)."""
    x, y = xy
    for char in text:
        draw.text((x, y), char, font=face, fill=fill)
        x += face.getlength(char) + tracking


def line_height(face: Font) -> int:
    ascent, descent = face.getmetrics() if hasattr(face, 'getmetrics') else (face.size, 0)
    return ascent + descent


def shadowed(
    layer: Image.Image, *, radius: float, opacity: float = 0.75, offset: tuple[int, int] = (0, 3)
) -> Image.Image:
    """An RGBA text layer over its own soft drop shadow (blurred only around what is drawn)."""
    box = layer.getchannel('A').getbbox()
    if box is None:
        return layer
    reach = math.ceil(radius * 3) + max(abs(offset[0]), abs(offset[1]))
    left, top = max(0, box[0] - reach), max(0, box[1] - reach)
    right, bottom = min(layer.width, box[2] + reach), min(layer.height, box[3] + reach)
    alpha = layer.getchannel('A').crop((left, top, right, bottom))
    blurred = alpha.filter(ImageFilter.GaussianBlur(radius)).point(lambda v: round(v * opacity))
    shadow_alpha = Image.new('L', layer.size, 0)
    shadow_alpha.paste(blurred, (left + offset[0], top + offset[1]))
    shadow = Image.new('RGBA', layer.size, (0, 0, 0, 0))
    shadow.putalpha(shadow_alpha)
    return Image.alpha_composite(shadow, layer)


# ---------------------------------------------------------------- scenes

MOTIFS = ('waves', 'city', 'grid', 'mountains', 'bubbles', 'beams', 'space', 'confetti', 'rays', 'bokeh', 'forest')


def _gradient(size: tuple[int, int], top: Color, bottom: Color, *, slant: float = 0.25) -> Image.Image:
    width, height = size
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    x = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    t = np.clip(y * (1 - slant) + x * slant, 0, 1)
    t = t * t * (3 - 2 * t)
    a = np.array(top, np.float32)
    b = np.array(bottom, np.float32)
    pixels = a + (b - a) * t[..., None]
    return Image.fromarray(pixels.astype(np.uint8), 'RGB')


def _soft(size: tuple[int, int], paint, *, blur: float, scale: int = 4) -> Image.Image:
    """An RGBA layer painted at 1/scale and blurred there (cheap soft glows), then enlarged."""
    small = (max(1, size[0] // scale), max(1, size[1] // scale))
    layer = Image.new('RGBA', small, (0, 0, 0, 0))
    paint(ImageDraw.Draw(layer), 1 / scale)
    layer = layer.filter(ImageFilter.GaussianBlur(blur / scale))
    return layer.resize(size, Image.Resampling.BICUBIC)


def _glows(image: Image.Image, spots: list[tuple[float, float, float, Color, int]]) -> Image.Image:
    """Screen-blend big blurred light spots (x, y, radius in px, colour, alpha) onto ``image``."""

    def paint(draw: ImageDraw.ImageDraw, k: float) -> None:
        for x, y, r, color, alpha in spots:
            draw.ellipse((k * (x - r), k * (y - r), k * (x + r), k * (y + r)), fill=(*color, alpha))

    radius = max((spot[2] for spot in spots), default=50)
    layer = _soft(image.size, paint, blur=radius * 0.6)
    light = Image.new('RGB', image.size, (0, 0, 0))
    light.paste(layer.convert('RGB'), mask=layer.getchannel('A'))
    return ImageChops.screen(image, light)


def _vignette(image: Image.Image, strength: float = 0.55) -> Image.Image:
    width, height = image.size
    y = np.linspace(-1, 1, height, dtype=np.float32)[:, None]
    x = np.linspace(-1, 1, width, dtype=np.float32)[None, :]
    falloff = 1 - strength * np.clip((x * x * 0.6 + y * y) - 0.25, 0, 1.2) / 1.2
    pixels = np.asarray(image, np.float32) * falloff[..., None]
    return Image.fromarray(pixels.astype(np.uint8), 'RGB')


def paint_scene(size: tuple[int, int], look: Look, *, seed: int) -> Image.Image:
    """A textless painting in the title's colours: gradient sky, glows and the motif (waves, skyline, grid...)."""
    width, height = size
    sky, ground, accent = look.colors
    rng = random.Random(seed)
    image = _gradient(size, sky, ground)
    image = _glows(
        image,
        [
            (width * rng.uniform(0.55, 0.85), height * rng.uniform(0.15, 0.4), height * 0.55, accent, 150),
            (width * rng.uniform(0.05, 0.3), height * rng.uniform(0.6, 0.95), height * 0.45, lighten(sky, 0.2), 90),
        ],
    )
    painter = _MOTIF_PAINTERS.get(look.motif, _paint_bokeh)
    image = painter(image, look, rng)
    return _vignette(image)


def _overlay(image: Image.Image) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    layer = Image.new('RGBA', image.size, (0, 0, 0, 0))
    return layer, ImageDraw.Draw(layer)


def _flatten(image: Image.Image, layer: Image.Image) -> Image.Image:
    return Image.alpha_composite(image.convert('RGBA'), layer).convert('RGB')


def _paint_waves(image: Image.Image, look: Look, rng: random.Random) -> Image.Image:
    width, height = image.size
    sky, ground, accent = look.colors
    horizon = height * 0.62
    sun_x, sun_r = width * rng.uniform(0.55, 0.75), height * 0.16
    image = _glows(image, [(sun_x, horizon - sun_r * 0.4, sun_r * 2.6, lighten(accent, 0.3), 170)])
    layer, draw = _overlay(image)
    draw.ellipse(
        (sun_x - sun_r, horizon - sun_r * 1.4, sun_x + sun_r, horizon + sun_r * 0.6), fill=(*lighten(accent, 0.55), 255)
    )
    draw.rectangle((0, horizon, width, height), fill=(*darken(ground, 0.35), 255))
    rows = 26
    for row in range(rows):
        t = row / rows
        y = horizon + (height - horizon) * (t**1.6)
        amplitude = 2 + 10 * t
        wavelength = width / rng.uniform(5, 9)
        phase = rng.uniform(0, math.tau)
        color = mix(lighten(accent, 0.4), ground, t * 0.8)
        points = [(x, y + amplitude * math.sin(x / wavelength * math.tau + phase)) for x in range(0, width + 16, 16)]
        draw.line(points, fill=(*color, round(200 - 120 * t)), width=max(1, round(1 + 3 * t)))
    for i in range(14):  # the sun's reflection
        y = horizon + 6 + i * (height - horizon) / 16
        half = sun_r * (0.9 - i * 0.05) * rng.uniform(0.6, 1.0)
        draw.line((sun_x - half, y, sun_x + half, y), fill=(*lighten(accent, 0.6), 150 - i * 9), width=3)
    return _flatten(image, layer)


def _paint_city(image: Image.Image, look: Look, rng: random.Random) -> Image.Image:
    width, height = image.size
    sky, ground, accent = look.colors
    layer, draw = _overlay(image)
    neon = [accent, lighten(accent, 0.3), (255, 64, 160), (64, 220, 255)]
    for depth, (shade, base_h) in enumerate(((0.25, 0.55), (0.55, 0.42))):
        x = -rng.uniform(0, 40)
        body = darken(mix(sky, ground, 0.5), shade + 0.2)
        while x < width:
            w = rng.uniform(0.05, 0.11) * height * (1.2 if depth else 1)
            h = height * base_h * rng.uniform(0.55, 1.2)
            top = height - h
            draw.rectangle((x, top, x + w, height), fill=(*body, 255))
            if depth == 1:
                for wy in np.arange(top + 10, height - 8, 14):
                    for wx in np.arange(x + 6, x + w - 8, 12):
                        if rng.random() < 0.33:
                            draw.rectangle((wx, wy, wx + 5, wy + 7), fill=(*lighten(accent, 0.65), 210))
                if rng.random() < 0.5:
                    color = rng.choice(neon)
                    draw.line((x + 2, top, x + w - 2, top), fill=(*color, 255), width=4)
            x += w + rng.uniform(2, 10)
    image = _flatten(image, layer)
    glow, glow_draw = _overlay(image)
    y = height * 0.52
    glow_draw.line((0, y, width, y), fill=(*neon[2], 120), width=max(2, height // 120))
    glow = glow.filter(ImageFilter.GaussianBlur(6))
    return _flatten(image, glow)


def _paint_grid(image: Image.Image, look: Look, rng: random.Random) -> Image.Image:
    width, height = image.size
    sky, ground, accent = look.colors
    horizon = height * 0.6
    cx, sun_r = width * 0.5, height * 0.24
    image = _glows(image, [(cx, horizon - sun_r * 0.5, sun_r * 2.2, accent, 200)])
    layer, draw = _overlay(image)
    for i in range(int(sun_r * 2)):  # a striped synthwave sun
        y = horizon - sun_r * 2 + i
        if y > horizon - sun_r * 0.9 and int((y - (horizon - sun_r)) / 9) % 2 == 0:
            continue
        dy = sun_r - i
        half = math.sqrt(max(0.0, sun_r * sun_r - dy * dy))
        color = mix(lighten(accent, 0.6), accent, i / (2 * sun_r))
        draw.line((cx - half, y, cx + half, y), fill=(*color, 255))
    draw.rectangle((0, horizon, width, height), fill=(*darken(ground, 0.5), 255))
    line = (*lighten(accent, 0.25), 220)
    for i in range(-24, 25):
        draw.line((cx + i * width * 0.02, horizon, cx + i * width * 0.16, height), fill=line, width=2)
    for k in range(1, 14):
        y = horizon + (height - horizon) * (k / 13) ** 2.2
        draw.line((0, y, width, y), fill=line, width=2)
    glow = layer.filter(ImageFilter.GaussianBlur(4))
    return _flatten(_flatten(image, glow), layer)


def _ridge(width: int, rng: random.Random, roughness: float) -> list[float]:
    points = [rng.random(), rng.random()]
    spread = 0.5
    while len(points) < 65:
        refined = []
        for a, b in zip(points, points[1:], strict=False):
            refined += [a, (a + b) / 2 + rng.uniform(-spread, spread)]
        points = [*refined, points[-1]]
        spread *= roughness
    return points


def _paint_mountains(image: Image.Image, look: Look, rng: random.Random) -> Image.Image:
    width, height = image.size
    sky, ground, accent = look.colors
    image = _glows(image, [(width * 0.7, height * 0.3, height * 0.12, lighten(accent, 0.7), 255)])
    layer, draw = _overlay(image)
    for index in range(4):
        t = index / 3
        base = height * (0.45 + 0.15 * index)
        ridge = _ridge(width, rng, 0.55)
        step = width / (len(ridge) - 1)
        span = height * (0.28 - 0.04 * index)
        outline = [(i * step, base - (v - 0.5) * span) for i, v in enumerate(ridge)]
        color = mix(mix(sky, accent, 0.25), darken(ground, 0.6), 0.3 + 0.7 * t)
        draw.polygon([*outline, (width, height), (0, height)], fill=(*color, 255))
    return _flatten(image, layer)


def _paint_bubbles(image: Image.Image, look: Look, rng: random.Random) -> Image.Image:
    width, height = image.size
    sky, ground, accent = look.colors
    layer, draw = _overlay(image)
    colors = [accent, lighten(accent, 0.4), lighten(sky, 0.35), (255, 214, 90), (120, 230, 200)]
    for _ in range(38):
        r = height * rng.uniform(0.03, 0.16)
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        color = rng.choice(colors)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(*color, rng.randint(70, 160)))
        draw.ellipse((x - r, y - r, x + r, y + r), outline=(255, 255, 255, 120), width=max(2, round(r / 14)))
        draw.ellipse((x - r * 0.55, y - r * 0.6, x - r * 0.2, y - r * 0.3), fill=(255, 255, 255, 110))
    return _flatten(image, layer)


def _paint_beams(image: Image.Image, look: Look, rng: random.Random) -> Image.Image:
    width, height = image.size
    sky, ground, accent = look.colors
    layer, draw = _overlay(image)
    slat = height / 11
    for i in range(-4, 16):
        x0 = width * 0.15 + i * slat * 1.6
        draw.polygon(
            [(x0, 0), (x0 + slat * 0.8, 0), (x0 + slat * 0.8 + width * 0.55, height), (x0 + width * 0.55, height)],
            fill=(*lighten(accent, 0.5), 46),
        )
    layer = layer.filter(ImageFilter.GaussianBlur(2))
    moon_r = height * 0.11
    mx, my = width * 0.8, height * 0.22
    image = _glows(_flatten(image, layer), [(mx, my, moon_r * 2.2, lighten(accent, 0.5), 120)])
    crescent = Image.new('L', image.size, 0)  # a disc minus an offset disc
    ImageDraw.Draw(crescent).ellipse((mx - moon_r, my - moon_r, mx + moon_r, my + moon_r), fill=240)
    bite = Image.new('L', image.size, 0)
    ImageDraw.Draw(bite).ellipse(
        (mx - moon_r * 0.55, my - moon_r * 1.15, mx + moon_r * 1.45, my + moon_r * 0.85), fill=255
    )
    image.paste(lighten(accent, 0.8), mask=ImageChops.subtract(crescent, bite))
    street, street_draw = _overlay(image)
    for _ in range(5):  # lamp posts and their pools of light
        x = rng.uniform(0.05, 0.95) * width
        street_draw.line((x, height * 0.55, x, height), fill=(*darken(ground, 0.7), 255), width=max(3, height // 140))
        street_draw.ellipse((x - 7, height * 0.55 - 7, x + 7, height * 0.55 + 7), fill=(*lighten(accent, 0.7), 255))
    return _glows(_flatten(image, street), [(width * 0.5, height * 1.05, height * 0.5, accent, 110)])


def _paint_space(image: Image.Image, look: Look, rng: random.Random) -> Image.Image:
    width, height = image.size
    sky, ground, accent = look.colors
    image = _glows(image, [(width * rng.uniform(0.1, 0.4), height * 0.3, height * 0.5, lighten(accent, 0.1), 120)])
    layer, draw = _overlay(image)
    for _ in range(int(width * height / 2500)):
        x, y, r = rng.uniform(0, width), rng.uniform(0, height), rng.choice((0.6, 0.8, 1.0, 1.4, 2.0))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, rng.randint(90, 255)))
    px, py, pr = width * 0.72, height * 0.62, height * 0.3
    planet = Image.new('RGBA', image.size, (0, 0, 0, 0))
    planet_draw = ImageDraw.Draw(planet)
    for i in range(24):  # shaded sphere: stacked circles towards the light
        t = i / 23
        r = pr * (1 - 0.6 * t)
        ox, oy = -pr * 0.35 * t, -pr * 0.35 * t
        color = mix(darken(accent, 0.45), lighten(accent, 0.45), t)
        planet_draw.ellipse((px + ox - r, py + oy - r, px + ox + r, py + oy + r), fill=(*color, 255))
    mask = Image.new('L', image.size, 0)
    ImageDraw.Draw(mask).ellipse((px - pr, py - pr, px + pr, py + pr), fill=255)
    planet.putalpha(ImageChops.multiply(planet.getchannel('A'), mask))
    layer = Image.alpha_composite(layer, planet)
    ring = ImageDraw.Draw(layer)
    ring.ellipse(
        (px - pr * 1.9, py - pr * 0.38, px + pr * 1.9, py + pr * 0.38),
        outline=(*lighten(accent, 0.6), 200),
        width=max(3, round(pr / 18)),
    )
    return _flatten(image, layer)


def _paint_confetti(image: Image.Image, look: Look, rng: random.Random) -> Image.Image:
    width, height = image.size
    sky, ground, accent = look.colors
    layer, draw = _overlay(image)
    colors = [accent, (255, 220, 70), (255, 110, 150), (90, 220, 255), (140, 255, 150), WHITE]
    for _ in range(5):
        r = height * rng.uniform(0.12, 0.3)
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(*lighten(rng.choice(colors), 0.2), 60))
    for _ in range(int(width * height / 4000)):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        w, h = rng.uniform(4, 12) * height / 600, rng.uniform(10, 22) * height / 600
        angle = rng.uniform(0, math.pi)
        c, s = math.cos(angle), math.sin(angle)
        corners = [(x + dx * c - dy * s, y + dx * s + dy * c) for dx, dy in ((-w, -h), (w, -h), (w, h), (-w, h))]
        draw.polygon(corners, fill=(*rng.choice(colors), rng.randint(170, 255)))
    return _flatten(image, layer)


def _paint_rays(image: Image.Image, look: Look, rng: random.Random) -> Image.Image:
    width, height = image.size
    sky, ground, accent = look.colors
    cx, cy = width * rng.uniform(0.35, 0.65), height * 0.72
    layer, draw = _overlay(image)
    far = (width + height) * 1.5
    count = 22
    for i in range(count):
        a0 = math.pi + i * math.pi / count
        a1 = a0 + math.pi / count / 2
        draw.polygon(
            [
                (cx, cy),
                (cx + far * math.cos(a0), cy + far * math.sin(a0)),
                (cx + far * math.cos(a1), cy + far * math.sin(a1)),
            ],
            fill=(*lighten(accent, 0.3), 44),
        )
    image = _glows(_flatten(image, layer), [(cx, cy, height * 0.35, lighten(accent, 0.5), 230)])
    hills, hill_draw = _overlay(image)
    for index in range(2):
        ridge = _ridge(width, rng, 0.45)
        step = width / (len(ridge) - 1)
        base = height * (0.78 + 0.1 * index)
        outline = [(i * step, base - (v - 0.5) * height * 0.12) for i, v in enumerate(ridge)]
        hill_draw.polygon([*outline, (width, height), (0, height)], fill=(*darken(ground, 0.35 + 0.3 * index), 255))
    return _flatten(image, hills)


def _paint_bokeh(image: Image.Image, look: Look, rng: random.Random) -> Image.Image:
    width, height = image.size
    sky, ground, accent = look.colors
    spots = [
        (
            rng.uniform(0, width),
            rng.uniform(0, height),
            height * rng.uniform(0.03, 0.09),
            rng.choice((accent, lighten(accent, 0.5), (255, 200, 160))),
            rng.randint(120, 230),
        )
        for _ in range(40)
    ]

    def paint(draw: ImageDraw.ImageDraw, k: float) -> None:
        for x, y, r, color, alpha in spots:
            draw.ellipse((k * (x - r), k * (y - r), k * (x + r), k * (y + r)), fill=(*color, alpha))

    layer = _soft(image.size, paint, blur=6, scale=2)
    return _flatten(image, layer)


def _paint_forest(image: Image.Image, look: Look, rng: random.Random) -> Image.Image:
    width, height = image.size
    sky, ground, accent = look.colors
    image = _glows(image, [(width * 0.5, height * 0.35, height * 0.4, lighten(accent, 0.5), 160)])
    layer, draw = _overlay(image)
    for row in range(4):
        t = row / 3
        base = height * (0.6 + 0.12 * row)
        color = mix(mix(sky, accent, 0.2), darken(ground, 0.7), 0.25 + 0.75 * t)
        x = -rng.uniform(0, 30)
        while x < width + 40:
            tree_h = height * rng.uniform(0.18, 0.34) * (0.7 + 0.5 * t)
            tree_w = tree_h * rng.uniform(0.28, 0.38)
            draw.polygon(
                [(x, base - tree_h), (x - tree_w / 2, base + 4), (x + tree_w / 2, base + 4)], fill=(*color, 255)
            )
            x += tree_w * rng.uniform(0.45, 0.8)
        draw.rectangle((0, base, width, height), fill=(*color, 255))
    return _flatten(image, layer)


_MOTIF_PAINTERS = {
    'waves': _paint_waves,
    'city': _paint_city,
    'grid': _paint_grid,
    'mountains': _paint_mountains,
    'bubbles': _paint_bubbles,
    'beams': _paint_beams,
    'space': _paint_space,
    'confetti': _paint_confetti,
    'rays': _paint_rays,
    'bokeh': _paint_bokeh,
    'forest': _paint_forest,
}


# ---------------------------------------------------------------- compositions


def _shade(
    image: Image.Image, *, bottom: float = 0.0, left: float = 0.0, start: float = 0.4, color: Color = (8, 8, 14)
) -> Image.Image:
    """Darken towards the bottom and/or the left edge so that text over the picture stays readable."""
    width, height = image.size
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    alpha = np.zeros((height, width), np.float32)
    if bottom:
        alpha = np.maximum(alpha, bottom * np.clip((y - start) / (1 - start), 0, 1) ** 1.3)
    if left:
        alpha = np.maximum(alpha, left * np.clip(1 - x / 0.62, 0, 1) ** 1.4)
    pixels = np.asarray(image.convert('RGB'), np.float32)
    tint = np.array(color, np.float32)
    out = pixels + (tint - pixels) * alpha[..., None]
    return Image.fromarray(out.astype(np.uint8), 'RGB')


def _text_block(
    size: tuple[int, int],
    *,
    kicker: str,
    title: str,
    meta: str,
    accent: Color,
    x: int,
    max_width: int,
    title_size: int,
    max_lines: int,
    anchor_bottom: int | None = None,
    anchor_middle: int | None = None,
    centered: bool = False,
) -> Image.Image:
    """Kicker (small, spaced, accent), big bold title and a meta line, on a transparent layer with a shadow."""
    layer = Image.new('RGBA', size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    title = printable(title)
    face, lines = fit_lines(
        title, max_width=max_width, max_lines=max_lines, max_size=title_size, min_size=max(12, title_size // 3)
    )
    kicker_face = font(max(10, round(title_size * 0.22)))
    meta_face = font(max(10, round(title_size * 0.3)), bold=False)
    kicker = printable(kicker.upper())
    meta = printable(meta, bold=False)
    title_lh = round(line_height(face) * 0.98)
    gap = round(title_size * 0.22)
    height = line_height(kicker_face) + gap + title_lh * len(lines) + gap + line_height(meta_face)
    if anchor_bottom is not None:
        top = anchor_bottom - height
    else:
        top = (anchor_middle if anchor_middle is not None else size[1] // 2) - height // 2

    def left(width: float) -> float:
        return x + (max_width - width) / 2 if centered else x

    tracking = kicker_face.size * 0.28
    draw_tracked(
        draw,
        (left(text_width(kicker, kicker_face, tracking=tracking)), top),
        kicker,
        kicker_face,
        tracking=tracking,
        fill=(*readable(accent), 255),
    )
    y = top + line_height(kicker_face) + gap
    for line in lines:
        draw.text((left(text_width(line, face)), y), line, font=face, fill=(255, 255, 255, 255))
        y += title_lh
    y += gap
    draw.text((left(text_width(meta, meta_face)), y), meta, font=meta_face, fill=(232, 232, 240, 235))
    return shadowed(layer, radius=max(2.0, title_size / 14), opacity=0.8, offset=(0, max(1, title_size // 24)))


def _scrim(block: Image.Image, *, strength: int) -> Image.Image:
    """A soft pool of shadow behind a text block (same size, RGBA): keeps it readable over busy pictures."""
    width, height = block.size
    scrim = Image.new('RGBA', block.size, (6, 6, 12, 0))
    box = block.getchannel('A').getbbox()
    if box:
        pad_x, pad_y = (box[2] - box[0]) * 0.12, (box[3] - box[1]) * 0.35
        small = Image.new('L', (max(1, width // 4), max(1, height // 4)), 0)
        ImageDraw.Draw(small).ellipse(
            ((box[0] - pad_x) / 4, (box[1] - pad_y) / 4, (box[2] + pad_x) / 4, (box[3] + pad_y) / 4), fill=strength
        )
        blurred = small.filter(ImageFilter.GaussianBlur(max(width, height) / 70))
        scrim.putalpha(blurred.resize(block.size, Image.Resampling.BICUBIC))
    return scrim


def _over(image: Image.Image, block: Image.Image, *, scrim: int) -> Image.Image:
    base = Image.alpha_composite(image.convert('RGBA'), _scrim(block, strength=scrim)) if scrim else image
    return Image.alpha_composite(base.convert('RGBA'), block).convert('RGB')


def draw_poster(
    look: Look, *, title: str, kicker: str, meta: str, seed: int, size: tuple[int, int] = POSTER_SIZE
) -> Image.Image:
    """A 2:3 streaming poster: painted scene, dark foot, kicker, big title and a year · genre line.

    Painted at twice the size and scaled down, so that thin lines and small type come out smooth.
    """
    final = size
    size = width, height = size[0] * 2, size[1] * 2
    image = _shade(paint_scene(size, look, seed=seed), bottom=0.88, start=0.35)
    accent = look.colors[2]
    block = _text_block(
        size,
        kicker=kicker,
        title=title.upper(),
        meta=meta,
        accent=accent,
        x=round(width * 0.08),
        max_width=round(width * 0.84),
        title_size=round(height * 0.105),
        max_lines=3,
        anchor_bottom=round(height * 0.935),
        centered=True,
    )
    return _over(image, block, scrim=90).resize(final, Image.Resampling.LANCZOS)


def draw_backdrop(
    look: Look, *, seed: int, size: tuple[int, int] = BACKDROP_SIZE, scene: Image.Image | None = None
) -> Image.Image:
    """A 16:9 hero backdrop without text (the pages print the title over it): the scene, darkened on the left."""
    if scene is None or scene.size != size:
        scene = paint_scene(size, look, seed=seed)
    return shade_backdrop(scene)


def shade_backdrop(image: Image.Image) -> Image.Image:
    """Darken the left and the foot of a 16:9 picture, where the hero and details pages put their text."""
    return _shade(image, bottom=0.6, left=0.82, start=0.55)


def title_over(
    image: Image.Image, *, title: str, meta: str, kicker: str = 'Butaca', accent: Color = (229, 9, 20)
) -> Image.Image:
    """A still from a video made into poster-like artwork: darkened foot, title and meta line (any size)."""
    width, height = image.size
    portrait = height > width
    shaded = _shade(image, bottom=0.9 if portrait else 0.7, start=0.4 if portrait else 0.5)
    block = _text_block(
        image.size,
        kicker=kicker,
        title=title.upper() if portrait else title,
        meta=meta,
        accent=accent,
        x=round(width * (0.08 if portrait else 0.06)),
        max_width=round(width * (0.84 if portrait else 0.55)),
        title_size=round(height * (0.095 if portrait else 0.11)),
        max_lines=3 if portrait else 2,
        anchor_bottom=round(height * (0.935 if portrait else 0.88)),
        centered=portrait,
    )
    return _over(shaded, block, scrim=90)


def title_card_layer(size: tuple[int, int], *, title: str, kicker: str, meta: str, accent: Color) -> Image.Image:
    """The transparent layer laid over demo footage: centred title block and the Butaca mark (top left)."""
    width, height = size
    block = _text_block(
        size,
        kicker=kicker,
        title=title,
        meta=meta,
        accent=accent,
        x=round(width * 0.1),
        max_width=round(width * 0.8),
        title_size=round(height * 0.15),
        max_lines=2,
        anchor_middle=round(height * 0.47),
        centered=True,
    )
    mark = Image.new('RGBA', size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(mark)
    face = font(max(10, round(height * 0.032)))
    x, y = round(width * 0.035), round(height * 0.05)
    dot = face.size * 0.42
    draw.ellipse((x, y + face.size * 0.32, x + dot * 2, y + face.size * 0.32 + dot * 2), fill=(*accent, 255))
    draw_tracked(
        draw, (x + dot * 2 + face.size * 0.45, y), 'BUTACA', face, tracking=face.size * 0.25, fill=(255, 255, 255, 215)
    )
    layer = Image.alpha_composite(_scrim(block, strength=120), shadowed(mark, radius=3, opacity=0.6))
    return Image.alpha_composite(layer, block)
