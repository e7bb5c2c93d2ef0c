"""Placeholder footage: still pictures cut one after another, soft lights drifting over them, a burned-in time code
and a progress bar, written straight into YUV planes (no colour conversion or scaling per frame)."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import av
import numpy as np
from av.video.reformatter import VideoReformatter
from PIL import Image, ImageDraw

from .paint import Color, Size, font

FADE_OUT_S = 1.0
LIGHTS = 9
_BLACK_YUV = (16, 128, 128)
_TRACK_YUV = (150, 128, 128)  # the progress bar's light grey track


@dataclass(frozen=True)
class Shot:
    """A picture (RGB, at the largest size) shown from ``start_s`` until the next shot; lights drift over it or not."""

    start_s: float
    picture: Image.Image
    lights: bool = True


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f'{seconds // 60:02d}:{seconds % 60:02d}'


def yuv_planes(picture: av.VideoFrame, size: Size) -> list[np.ndarray]:
    """The BT.709 Y, U and V planes (4:2:0) of an RGB picture scaled to ``size`` (even sides) on the way."""
    frame = _converter(size).reformat(picture, *size, 'yuv420p', dst_colorspace='itu709', interpolation='AREA')
    return [plane.copy() for plane in _planes(frame)]


@lru_cache(maxsize=4)
def _converter(size: Size) -> VideoReformatter:
    return VideoReformatter()  # one per size: it keeps its scaler, whose set-up costs more than a conversion


def _planes(frame: av.VideoFrame) -> list[np.ndarray]:
    """Writable views of a frame's planes, without the padding at the end of each line."""
    return [np.frombuffer(p, np.uint8).reshape(p.height, p.line_size)[:, : p.width] for p in frame.planes]


@lru_cache(maxsize=1024)
def _clock_box(height: int, second: int, total: str) -> list[np.ndarray]:
    """The time code (``00:07 / 01:02``) in white on an opaque dark box, as YUV planes (shared by every video made
    in this process at this height)."""
    face = font(max(10, round(height * 0.03)))
    text, pad = f'{clock(second)} / {total}', face.size // 2
    wide = face.getlength(f'00:00 / {total}')  # the same box every second, even where digits differ in width
    size = (round(wide + 2 * pad) // 2 * 2, (face.size + 2 * pad) // 2 * 2)
    image = Image.new('L', size, 14)
    ImageDraw.Draw(image).text((pad, pad - face.size * 0.1), text, font=face, fill=255)
    grey = np.full((size[1] // 2, size[0] // 2), 128, np.uint8)  # white on near black: no colour at all
    return [(np.asarray(image, np.uint16) * 219 // 255 + 16).astype(np.uint8), grey, grey]


class _Canvas:
    """The footage at one size: its shots in YUV, the lights' sprites, and the one frame it paints again and again."""

    def __init__(self, size: Size, pictures: list[av.VideoFrame], lights: np.ndarray, accent: Color, total: str):
        self.width, self.height = size
        planes = {id(picture): yuv_planes(picture, size) for picture in pictures}  # one conversion per picture
        self.shots = [planes[id(picture)] for picture in pictures]
        self.sprites = []
        for diameter, strength in lights:  # how much each light brightens the luma: a disc fading out from the middle
            r = np.linspace(-1, 1, max(2, round(diameter * self.height)), dtype=np.float32)
            glow = np.clip(1 - np.hypot(r[None, :], r[:, None]), 0, 1) ** 1.6
            self.sprites.append((glow * 255 * strength).astype(np.uint8))
        self.total = total
        self.margin = round(self.width * 0.035) // 2 * 2
        self.bar_y = self.height - round(self.height * 0.045) // 2 * 2
        self.thickness = max(2, self.height // 180 // 2 * 2)
        accent_frame = av.VideoFrame.from_image(Image.new('RGB', (2, 2), accent))
        self.fill = [int(plane[0, 0]) for plane in yuv_planes(accent_frame, (2, 2))]
        self.frame = av.VideoFrame(self.width, self.height, 'yuv420p')
        self.planes = _planes(self.frame)
        self.shown = -1
        self.touched: list[tuple[int, int, int, int]] = []

    def paint(self, shot: int, t: float, duration_s: float, corners: np.ndarray) -> av.VideoFrame:
        """The picture at ``t``, painted over the previous one, which the encoder has copied by now: only what the
        lights touched is put back (a whole picture is copied only at a cut or after the fade)."""
        planes, base = self.planes, self.shots[shot]
        if shot != self.shown:
            for target, source in zip(planes, base, strict=True):
                target[...] = source
            self.shown = shot
        else:
            for y0, y1, x0, x1 in self.touched:
                planes[0][y0:y1, x0:x1] = base[0][y0:y1, x0:x1]
        self.touched = []
        for (x, y), sprite in zip((corners * self.height).round().astype(int).tolist(), self.sprites, strict=False):
            x0, y0 = max(0, x), max(0, y)
            x1, y1 = min(self.width, x + sprite.shape[1]), min(self.height, y + sprite.shape[0])
            if x1 > x0 and y1 > y0:
                region = planes[0][y0:y1, x0:x1]
                region += np.minimum(sprite[y0 - y : y1 - y, x0 - x : x1 - x], 255 - region)  # brighten, never wrap
                self.touched.append((y0, y1, x0, x1))
        box = _clock_box(self.height, int(t), self.total)
        top = self.bar_y - box[0].shape[0] - round(self.height * 0.02) // 2 * 2
        left, right = self.margin, self.width - self.margin
        done = left + round((right - left) * min(1.0, t / max(duration_s, 1e-6))) // 2 * 2
        for index, (plane, part) in enumerate(zip(planes, box, strict=True)):
            s = min(index, 1)  # chroma planes are half size
            plane[top >> s : (top >> s) + part.shape[0], left >> s : (left >> s) + part.shape[1]] = part
            rows = plane[self.bar_y >> s : (self.bar_y + self.thickness) >> s]
            rows[:, left >> s : done >> s], rows[:, done >> s : right >> s] = self.fill[index], _TRACK_YUV[index]
        fade = (duration_s - t) / FADE_OUT_S
        if fade < 1:
            weight = round(max(0.0, fade) * 256)
            for plane, black in zip(planes, _BLACK_YUV, strict=True):
                plane[...] = (plane.astype(np.int32) - black) * weight // 256 + black
            self.shown = -1  # the whole picture changed
        return self.frame


class Footage:
    """The frames of a placeholder video at each of ``sizes``: ``shots`` one after another, lights drifting over
    those that have them, the time code and a progress bar throughout, and a fade to black in the last second.

    Each shot is converted to YUV once per size; a frame is then the previous one with a few small parts put back and
    painted again, and most of the picture stays still from frame to frame, which also makes it cheap to encode.
    """

    def __init__(
        self, shots: Sequence[Shot], *, duration_s: float, fps: int, sizes: Sequence[Size], accent: Color, seed: int
    ) -> None:
        rng = np.random.default_rng(seed)
        # Each light, in frame heights and seconds (every size shows the same motion): diameter and strength; where it
        # starts; how fast it drifts sideways and rises, and how it sways. Slowly: a few pixels in 720 from
        # one frame to the next, which keeps the motion smooth at a low frame rate.
        self.diameter = rng.uniform(0.05, 0.17, LIGHTS)
        lights = np.stack([self.diameter, rng.uniform(0.25, 0.5, LIGHTS)], axis=1)
        self.start = rng.random((LIGHTS, 2)) * (sizes[0][0] / sizes[0][1], 1)
        self.speed = np.stack([rng.uniform(-5, 5, LIGHTS), -rng.uniform(3, 9, LIGHTS)], axis=1) / 720
        self.sway = rng.uniform(3, 8, LIGHTS) / 720, rng.uniform(0.04, 0.12, LIGHTS), rng.uniform(0, math.tau, LIGHTS)
        self.room = np.stack([sizes[0][0] / sizes[0][1] + self.diameter, 1 + self.diameter], axis=1)
        frames = {id(shot.picture): av.VideoFrame.from_image(shot.picture) for shot in shots}
        pictures = [frames[id(shot.picture)] for shot in shots]  # a picture shown twice is converted once
        self.canvases = [_Canvas(size, pictures, lights, accent, clock(round(duration_s))) for size in sizes]
        self.starts, self.lit = [shot.start_s for shot in shots], [shot.lights for shot in shots]
        self.duration_s, self.fps = duration_s, fps
        self.frame_count = max(1, round(duration_s * fps))

    def frame(self, index: int) -> list[av.VideoFrame]:
        """The pictures shown from ``index / fps`` seconds: one per size, in the order of ``sizes``. Each is painted
        again for the next frame: encode (or copy) it before asking for the next."""
        t = index / self.fps
        shot = max(0, bisect.bisect_right(self.starts, t + 1e-9) - 1)
        amplitude, hz, phase = self.sway
        position = self.start + self.speed * t
        position[:, 0] += amplitude * np.sin(math.tau * hz * t + phase)
        corners = position % self.room - self.diameter[:, None]  # off one edge, back in at the other
        return [
            canvas.paint(shot, t, self.duration_s, corners if self.lit[shot] else corners[:0])
            for canvas in self.canvases
        ]
