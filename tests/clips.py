"""Tiny real videos for library tests, made with PyAV: a few seconds of moving colour with a tone."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def make_clip(
    path: Path, *, seconds: float = 1.5, size: tuple[int, int] = (160, 90), fps: int = 10, hue: int = 0
) -> Path:
    """An H.264/AAC clip in MP4 or Matroska (by the suffix) of `seconds`, `size` and `fps`; `hue` varies its look."""
    path.parent.mkdir(parents=True, exist_ok=True)
    width, height = size
    with av.open(str(path), 'w') as container:
        video = container.add_stream('libx264', rate=fps, options={'preset': 'ultrafast'})
        video.width, video.height, video.pix_fmt = width, height, 'yuv420p'
        audio = container.add_stream('aac', rate=48_000)
        audio.layout = 'stereo'
        frames = round(seconds * fps)
        for index in range(frames):
            picture = np.zeros((height, width, 3), np.uint8)
            picture[..., 0] = (hue * 40 + index * 7) % 256
            picture[:, : (index * width // max(frames, 1)) + 1, 1] = 200
            frame = av.VideoFrame.from_ndarray(picture, format='rgb24')
            frame.pts = index
            frame.time_base = Fraction(1, fps)
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        samples = round(seconds * 48_000)
        tone = (0.2 * np.sin(np.arange(samples) * 2 * np.pi * 440 / 48_000)).astype(np.float32)
        for start in range(0, samples, 1024):
            chunk = np.ascontiguousarray(np.stack([tone[start : start + 1024]] * 2))
            frame = av.AudioFrame.from_ndarray(chunk, format='fltp', layout='stereo')
            frame.sample_rate, frame.pts, frame.time_base = 48_000, start, Fraction(1, 48_000)
            for packet in audio.encode(frame):
                container.mux(packet)
        for packet in audio.encode():
            container.mux(packet)
    return path


def broken_copy(good: Path, path: Path) -> Path:
    """The first half of a good clip: a file cut short, as an interrupted copy leaves it."""
    data = good.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data[: len(data) // 2])
    return path
