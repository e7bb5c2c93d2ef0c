"""Synthetic demo footage (title card over a painted scene, drifting lights, timecode) and its chord-pad sound."""

from __future__ import annotations

import io
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

import av
import numpy as np
from PIL import Image, ImageDraw

from .artwork import Color, Look, font, lighten, paint_scene, title_card_layer
from .media_tools import AacWriter

# ---------------------------------------------------------------- YUV layers


def rgb_to_yuv(image: Image.Image) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BT.709 limited-range 4:2:0 planes (Y full size, U and V half size) of an RGB image with even sides."""
    rgb = np.asarray(image.convert('RGB'), np.float32)
    height, width = rgb.shape[:2]
    luma = rgb @ np.array([0.2126, 0.7152, 0.0722], np.float32)
    quads = (rgb[0::2, 0::2] + rgb[1::2, 0::2] + rgb[0::2, 1::2] + rgb[1::2, 1::2]) * 0.25
    luma_quads = (luma[0::2, 0::2] + luma[1::2, 0::2] + luma[0::2, 1::2] + luma[1::2, 1::2]) * 0.25
    y = 16 + luma * (219 / 255)
    u = 128 + (quads[..., 2] - luma_quads) * (224 / 255 / 1.8556)
    v = 128 + (quads[..., 0] - luma_quads) * (224 / 255 / 1.5748)
    return tuple(np.clip(plane + 0.5, 0, 255).astype(np.uint8) for plane in (y, u, v))  # type: ignore[return-value]


@dataclass
class Sprite:
    """A premultiplied YUV 4:2:0 picture with alpha, ready to blend onto frame planes at even positions."""

    width: int
    height: int
    planes: tuple[tuple[np.ndarray, np.ndarray], ...]  # (colour * alpha, 256 - alpha) for Y[, U, V]; uint16

    @classmethod
    def from_rgba(cls, image: Image.Image, *, luma_only: bool = False) -> Sprite:
        """From an RGBA picture; ``luma_only`` sprites only lighten or darken (a third of the blending work)."""
        image = image.convert('RGBA')
        width, height = image.size
        if width % 2 or height % 2:
            padded = Image.new('RGBA', (width + width % 2, height + height % 2), (0, 0, 0, 0))
            padded.paste(image, (0, 0))
            image, (width, height) = padded, padded.size
        alpha = np.asarray(image.getchannel('A'), np.uint16)
        alpha = alpha + (alpha >> 7)  # 0..255 -> 0..256 so that opaque pixels replace exactly
        alpha_c = alpha.reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3)).round().astype(np.uint16)
        y, u, v = rgb_to_yuv(image.convert('RGB'))
        planes = (
            (y.astype(np.uint16) * alpha, 256 - alpha),
            (u.astype(np.uint16) * alpha_c, 256 - alpha_c),
            (v.astype(np.uint16) * alpha_c, 256 - alpha_c),
        )
        return cls(width, height, planes[:1] if luma_only else planes)

    def blend(self, planes: tuple[np.ndarray, np.ndarray, np.ndarray], x: int, y: int) -> None:
        """Alpha-blend onto (Y, U, V) frame planes with the top-left corner at (x, y); clipped at the edges."""
        x, y = x // 2 * 2, y // 2 * 2
        frame_h, frame_w = planes[0].shape
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(frame_w, x + self.width), min(frame_h, y + self.height)
        if x1 <= x0 or y1 <= y0:
            return
        for index, (target, (colour, keep)) in enumerate(zip(planes, self.planes, strict=False)):
            shift = 0 if index == 0 else 1
            tx0, ty0, tx1, ty1 = x0 >> shift, y0 >> shift, x1 >> shift, y1 >> shift
            sx0, sy0 = (x0 - x) >> shift, (y0 - y) >> shift
            sx1, sy1 = sx0 + (tx1 - tx0), sy0 + (ty1 - ty0)
            region = target[ty0:ty1, tx0:tx1]
            mixed = region * keep[sy0:sy1, sx0:sx1]
            mixed += colour[sy0:sy1, sx0:sx1]
            mixed >>= 8
            region[...] = mixed


def _light_sprite(diameter: int, color: Color, strength: float) -> Sprite:
    """A soft glowing disc (bokeh light); it only brightens, so it is blended on the luma plane alone."""
    size = diameter + diameter % 2
    r = np.linspace(-1, 1, size, dtype=np.float32)
    distance = np.sqrt(r[None, :] ** 2 + r[:, None] ** 2)
    alpha = np.clip(1 - distance, 0, 1) ** 1.6 * 255 * strength
    image = Image.new('RGBA', (size, size), (*color, 0))
    image.putalpha(Image.fromarray(alpha.astype(np.uint8), 'L'))
    return Sprite.from_rgba(image, luma_only=True)


# ---------------------------------------------------------------- footage


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f'{seconds // 60:02d}:{seconds % 60:02d}'


@dataclass(frozen=True)
class _Light:
    """One drifting light, in units of the frame height (so every rendition shows the same motion)."""

    diameter: float
    color: Color
    strength: float
    start_x: float  # fraction of the width
    start_y: float  # fraction of the height
    rise: float  # heights per second
    drift: float  # heights per second, sideways
    sway: float  # heights
    sway_hz: float
    phase: float


class _Canvas:
    """The footage at one size: the still picture in YUV, light sprites, timecode sprites, progress bar."""

    def __init__(self, picture: Image.Image, lights: list[_Light], accent: Color, total: str) -> None:
        self.width, self.height = picture.size
        self.base = rgb_to_yuv(picture)
        self.lights = [
            (light, _light_sprite(round(self.height * light.diameter), light.color, light.strength)) for light in lights
        ]
        self.total = total
        self.clock_face = font(max(10, round(self.height * 0.03)))
        self.clock_cache: dict[int, Sprite] = {}
        margin = round(self.width * 0.035) // 2 * 2
        self.bar = (margin, self.width - margin, self.height - round(self.height * 0.045) // 2 * 2)
        self.bar_track = (150, 128, 128)
        y, u, v = rgb_to_yuv(Image.new('RGB', (2, 2), accent))
        self.bar_fill = (int(y[0, 0]), int(u[0, 0]), int(v[0, 0]))

    def clock_sprite(self, second: int) -> Sprite:
        sprite = self.clock_cache.get(second)
        if sprite is None:
            face = self.clock_face
            text = f'{clock(second)} / {self.total}'
            pad = face.size // 2
            width = round(face.getlength(text)) + 2 * pad + 8
            height = face.size + 2 * pad
            image = Image.new('RGBA', (width, height), (0, 0, 0, 0))
            draw = ImageDraw.Draw(image)
            draw.rounded_rectangle((2, 2, width - 3, height - 3), radius=height // 2 - 2, fill=(10, 10, 16, 150))
            draw.text((pad + 4, pad - face.size * 0.08), text, font=face, fill=(255, 255, 255, 240))
            sprite = self.clock_cache[second] = Sprite.from_rgba(image)
        return sprite

    def frame(self, t: float, duration_s: float) -> av.VideoFrame:
        width, height = self.width, self.height
        frame = av.VideoFrame(width, height, 'yuv420p')
        planes = tuple(
            np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, : plane.width]
            for plane in frame.planes
        )
        for target, source in zip(planes, self.base, strict=True):
            target[...] = source
        for light, sprite in self.lights:
            sway = light.sway * height * math.sin(math.tau * light.sway_hz * t + light.phase)
            x = (light.start_x * width + (light.drift * t) * height + sway) % (width + sprite.width)
            y = (light.start_y * height - light.rise * height * t) % (height + sprite.height)
            sprite.blend(planes, round(x) - sprite.width, round(y) - sprite.height)
        left, right, bar_y = self.bar
        clock_sprite = self.clock_sprite(int(t))
        clock_sprite.blend(planes, left, bar_y - clock_sprite.height - round(height * 0.02))
        done = left + round((right - left) * min(1.0, t / max(duration_s, 1e-6))) // 2 * 2
        thickness = max(2, height // 180 // 2 * 2)
        for value, (x0, x1) in ((self.bar_track, (done, right)), (self.bar_fill, (left, done))):
            if x1 > x0:
                planes[0][bar_y : bar_y + thickness, x0:x1] = value[0]
                planes[1][bar_y // 2 : (bar_y + thickness) // 2, x0 // 2 : x1 // 2] = value[1]
                planes[2][bar_y // 2 : (bar_y + thickness) // 2, x0 // 2 : x1 // 2] = value[2]
        fade = min(1.0, t / 0.8, (duration_s - t) / 1.0)
        if fade < 1.0:
            fade = np.float32(max(0.0, fade))
            for plane, black in zip(planes, (16, 128, 128), strict=True):
                values = plane.astype(np.float32)
                values -= black
                values *= fade
                values += black + 0.5
                plane[...] = values
        return frame


class TitleFootage:
    """Frames of a demo video: the title card over its painted scene, with soft lights drifting across,
    a running timecode and a progress bar, fading in and out; drawn natively at each requested size.

    The scene and the title card are composed once and converted to YUV; each frame is a copy of that picture
    plus a few small alpha blends written straight into the frame's planes (no per-frame colour conversion or
    scaling). Most of the picture stays still between frames, which is also what makes it cheap to encode.
    """

    def __init__(
        self,
        look: Look,
        *,
        title: str,
        kicker: str,
        meta: str,
        duration_s: float,
        fps: int = 10,
        sizes: tuple[tuple[int, int], ...] = ((1280, 720),),
        seed: int = 0,
        scene: Image.Image | None = None,
    ) -> None:
        self.fps = fps
        self.duration_s = duration_s
        self.frame_count = max(1, round(duration_s * fps))
        accent = look.colors[2]
        size = max(sizes, key=lambda wh: wh[0] * wh[1])
        scene = scene if scene is not None and scene.size == size else paint_scene(size, look, seed=seed)
        card = title_card_layer(size, title=title, kicker=kicker, meta=meta, accent=accent)
        picture = Image.alpha_composite(scene.convert('RGBA'), card).convert('RGB')
        rng = random.Random(seed)
        colors = [lighten(accent, 0.55), lighten(look.colors[0], 0.65), (255, 236, 200)]
        lights = [
            _Light(
                diameter=rng.uniform(0.05, 0.17),
                color=rng.choice(colors),
                strength=rng.uniform(0.3, 0.6),
                start_x=rng.uniform(0, 1),
                start_y=rng.uniform(0, 1),
                rise=rng.uniform(10, 30) / 720,
                drift=rng.uniform(-12, 12) / 720,
                sway=rng.uniform(8, 30) / 720,
                sway_hz=rng.uniform(0.08, 0.3),
                phase=rng.uniform(0, math.tau),
            )
            for _ in range(9)
        ]
        total = clock(round(duration_s))
        self._canvases = [
            _Canvas(picture if wh == size else picture.resize(wh, Image.Resampling.LANCZOS), lights, accent, total)
            for wh in sizes
        ]

    def frames(self) -> Iterator[list[av.VideoFrame]]:
        """For each frame time, one picture per size (in the order of ``sizes``)."""
        for index in range(self.frame_count):
            yield self.frame(index)

    def frame(self, index: int) -> list[av.VideoFrame]:
        t = index / self.fps
        pictures = [canvas.frame(t, self.duration_s) for canvas in self._canvases]
        for picture in pictures:
            picture.pts = index
        return pictures


# ---------------------------------------------------------------- sound

_MAJOR = ((0, 4, 7), (9, 12, 16), (5, 9, 12), (7, 11, 14))  # I - vi - IV - V
_MINOR = ((0, 3, 7), (8, 12, 15), (5, 8, 12), (7, 10, 14))  # i - VI - iv - v
CHORD_S = 4.0
FADE_IN_S, FADE_OUT_S = 1.5, 2.0


def chord_pad(duration_s: float, *, rate: int, root_hz: float, minor: bool = False, seed: int = 0) -> np.ndarray:
    """A gentle pad of sine chords gliding from chord to chord, with a slow pitch drift; mono float32 (1 x n).

    Pitches and loudness are computed at a 200 Hz control rate and held per block; only the phase accumulation
    and the sines run per sample, so a minute of sound takes a few tens of milliseconds.
    """
    count = max(1, round(duration_s * rate))
    hop = max(1, round(rate / 200))
    blocks = -(-count // hop)
    t = np.arange(blocks, dtype=np.float64) * hop / rate
    progression = np.array(_MINOR if minor else _MAJOR, np.float64)
    position = t / CHORD_S
    index = np.floor(position).astype(np.int64)
    within = position - index
    glide = np.clip((within - 0.8) / 0.2, 0, 1)
    glide = glide * glide * (3 - 2 * glide)
    now = progression[index % len(progression)]
    then = progression[(index + 1) % len(progression)]
    semitones = now + (then - now) * glide[:, None]
    semitones = np.concatenate([semitones, semitones[:, :1] - 12], axis=1)  # a bass an octave below the root
    drift = 0.18 * np.sin(math.tau * t / 23.0 + random.Random(seed).uniform(0, math.tau))  # +-18 cents, slowly
    steps = root_hz * 2 ** ((semitones + drift[:, None]) / 12) * (math.tau / rate)  # phase step per sample
    swell = 0.8 + 0.2 * np.sin(math.pi * within)  # each chord breathes in
    envelope = np.minimum(1.0, np.minimum(t / FADE_IN_S, (duration_s - t) / FADE_OUT_S)).clip(0, 1) * swell
    levels = (0.22, 0.16, 0.14, 0.2)
    signal = np.zeros(count, np.float32)
    for voice, level in enumerate(levels):
        phase = np.cumsum(np.repeat(steps[:, voice], hop)[:count])
        np.mod(phase, math.tau, out=phase)
        signal += np.sin(phase.astype(np.float32)) * np.float32(level)
    signal *= np.repeat((envelope * 0.55).astype(np.float32), hop)[:count]
    return signal[None, :]


def pad_track(
    duration_s: float, *, rate: int, root_hz: float, minor: bool = False, seed: int = 0, bit_rate: int = 48_000
) -> bytes:
    """The chord pad encoded as a mono AAC track, in M4A bytes (ready for RenditionWriter).

    Its highest note is under 1 kHz, so the encoder is told to code only up to 4 kHz: a third less work.
    """
    buffer = io.BytesIO()
    with AacWriter(buffer, rate=rate, channels=1, bit_rate=bit_rate, cutoff_hz=4000) as writer:
        writer.write(chord_pad(duration_s, rate=rate, root_hz=root_hz, minor=minor, seed=seed))
    return buffer.getvalue()
