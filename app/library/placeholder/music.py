"""Placeholder music: a soft pad of sine chords (I-vi-IV-V, or i-VI-iv-v for darker genres) as an AAC track."""

from __future__ import annotations

import io
import math

import numpy as np

from ..renditions import AacWriter

RATE = 24_000  # a pad of sine chords needs no more, and it halves the AAC encoding time
BIT_RATE = 32_000
ROOTS_HZ = (146.83, 164.81, 174.61, 196.0, 220.0, 246.94, 261.63)  # D3 .. C4


_MAJOR = ((0, 4, 7), (9, 12, 16), (5, 9, 12), (7, 11, 14))  # I - vi - IV - V
_MINOR = ((0, 3, 7), (8, 12, 15), (5, 8, 12), (7, 10, 14))  # i - VI - iv - v
CHORD_S = 4.0
FADE_IN_S, FADE_OUT_S = 1.5, 2.0
LEVELS = np.array([0.22, 0.16, 0.14, 0.2], np.float32)  # the chord's three notes and a bass an octave below


def chord_pad(duration_s: float, *, rate: int, root_hz: float, minor: bool = False) -> np.ndarray:
    """A gentle pad of sine chords, gliding into the next chord at the end of each; mono float32 (1 x n).

    Pitches and loudness are worked out at a 200 Hz control rate and held per block; only the phase accumulation
    and the sines run per sample, so a minute of sound takes a few tens of milliseconds.
    """
    count, hop = max(1, round(duration_s * rate)), max(1, round(rate / 200))
    t = np.arange(-(-count // hop)) * hop / rate
    index, within = np.divmod(t / CHORD_S, 1)
    glide = np.clip((within - 0.8) / 0.2, 0, 1)
    progression = np.array(_MINOR if minor else _MAJOR, np.float64)
    now, then = progression[index.astype(int) % 4], progression[(index.astype(int) + 1) % 4]
    semitones = now + (then - now) * (glide * glide * (3 - 2 * glide))[:, None]
    semitones = np.concatenate([semitones, semitones[:, :1] - 12], axis=1)
    steps = root_hz * 2 ** (semitones.T / 12) * (math.tau / rate)  # phase step per sample: a row per voice
    starts = np.mod(np.cumsum(steps * hop, axis=1) - steps * hop, math.tau)  # each block's first phase
    within_block = steps[..., None] * np.arange(hop)  # float32 is exact enough within a block of a few ms
    phases = (starts[..., None] + within_block).astype(np.float32).reshape(len(steps), -1)[:, :count]
    envelope = np.clip(np.minimum(t / FADE_IN_S, (duration_s - t) / FADE_OUT_S), 0, 1) * (
        0.8 + 0.2 * np.sin(math.pi * within)
    )
    return (LEVELS @ np.sin(phases) * np.repeat((envelope * 0.55).astype(np.float32), hop)[:count])[None, :]


def soundtrack(duration_s: float, *, seed: int, minor: bool = False) -> bytes:
    """A chord pad of ``duration_s`` on a root chosen by ``seed``, as a mono AAC track in M4A bytes (for
    RenditionWriter, which copies it into every rendition: one encode for all of them).

    Its highest note is under 700 Hz, so the encoder codes only up to 2 kHz: 40 % less work than up to 4 kHz.
    """
    pad = chord_pad(duration_s, rate=RATE, root_hz=ROOTS_HZ[seed % len(ROOTS_HZ)], minor=minor)
    buffer = io.BytesIO()
    with AacWriter(buffer, rate=RATE, channels=1, bit_rate=BIT_RATE, cutoff_hz=2000) as writer:
        writer.write(pad)
    return buffer.getvalue()
