"""Placeholder music: a soft pad of sine chords (I-vi-IV-V, or i-VI-iv-v for darker genres) as an AAC track."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..renditions import AAC_FRAME, aac_of, aac_packets, aac_track

RATE = 24_000  # a pad of sine chords needs no more, and it halves the AAC encoding time
BIT_RATE = 32_000
ROOTS_HZ = (146.83, 164.81, 174.61, 196.0, 220.0, 246.94, 261.63)  # D3 .. C4


_MAJOR = ((0, 4, 7), (9, 12, 16), (5, 9, 12), (7, 11, 14))  # I - vi - IV - V
_MINOR = ((0, 3, 7), (8, 12, 15), (5, 8, 12), (7, 10, 14))  # i - VI - iv - v
CHORD_S = 4.0
FADE_IN_S, FADE_OUT_S = 1.5, 2.0
LEVELS = np.array([0.22, 0.16, 0.14, 0.2], np.float32)  # the chord's three notes and a bass an octave below
LOOP_S = 4 * CHORD_S  # after its four chords the pad repeats itself exactly: 16 s, 375 AAC frames at 24 kHz
LEAD_S = 2.0  # the fade-in is over by then: from there on the pad is periodic
TAIL_S = 6.0  # encoded afresh at the end of a long track: 2 s to settle the encoder, then the last 4 s


def chord_pad(duration_s: float, *, rate: int, root_hz: float, minor: bool = False, since_s: float = 0) -> np.ndarray:
    """A gentle pad of sine chords, gliding into the next chord at the end of each; mono float32 (1 x n), from
    ``since_s`` (a multiple of 5 ms) to ``duration_s``.

    Pitches and loudness are worked out at a 200 Hz control rate and held per 5 ms block; only the phases within a
    block and the sines run per sample, so a minute of sound takes a few tens of milliseconds.
    """
    count, hop = max(1, round(duration_s * rate)), max(1, round(rate / 200))
    t = np.arange(max(-(-count // hop), round(LOOP_S * rate / hop))) * hop / rate
    index, within = np.divmod(t / CHORD_S, 1)
    glide = np.clip((within - 0.8) / 0.2, 0, 1)
    progression = np.array(_MINOR if minor else _MAJOR, np.float64)
    now, then = progression[index.astype(int) % 4], progression[(index.astype(int) + 1) % 4]
    semitones = now + (then - now) * (glide * glide * (3 - 2 * glide))[:, None]
    semitones = np.concatenate([semitones, semitones[:, :1] - 12], axis=1)
    steps = root_hz * 2 ** (semitones.T / 12) * (math.tau / rate)  # phase step per sample: a row per voice
    turns = steps[:, : round(LOOP_S * rate / hop)].sum(axis=1, keepdims=True) * hop / math.tau
    steps *= np.round(turns) / turns  # whole turns in a loop (a detune of under a cent): the loop repeats seamlessly
    first = round(since_s * rate / hop)
    starts = np.mod(np.cumsum(steps * hop, axis=1) - steps * hop, math.tau)[:, first:]  # each block's first phase
    steps = steps[:, first:].astype(np.float32)  # float32 is exact enough within a block
    phases = (starts[..., None].astype(np.float32) + steps[..., None] * np.arange(hop, dtype=np.float32)).reshape(4, -1)
    envelope = np.clip(np.minimum(t / FADE_IN_S, (duration_s - t) / FADE_OUT_S), 0, 1) * (
        0.8 + 0.2 * np.sin(math.pi * within)
    )
    samples = LEVELS @ np.sin(phases) * np.repeat((envelope[first:] * 0.55).astype(np.float32), hop)
    return samples[None, : count - first * hop]


def soundtrack(duration_s: float, *, seed: int, minor: bool = False) -> bytes:
    """A chord pad of ``duration_s`` on a root chosen by ``seed``, as a mono AAC track in M4A bytes (for
    RenditionWriter, which copies it into every rendition: one encode for all of them).

    Encoding is most of the cost, so a long track encodes little: its first seconds and one loop after them (once per
    key and process), and its last seconds; in between, the loop's packets repeat. An AAC packet decodes overlapped
    with its neighbours, and each repeated one has the same neighbours as where it was encoded: no click at the joins.
    Its highest note is under 700 Hz, so the encoder codes only up to 2 kHz: 40 % less work than up to 4 kHz.
    """
    root = ROOTS_HZ[seed % len(ROOTS_HZ)]
    if duration_s < LEAD_S + LOOP_S + TAIL_S:
        return _aac(chord_pad(duration_s, rate=RATE, root_hz=root, minor=minor))
    packets, like = _lead_and_loop(root, minor)
    lead, loop = round(LEAD_S * RATE / AAC_FRAME), round(LOOP_S * RATE / AAC_FRAME)
    step = math.lcm(AAC_FRAME, RATE // 200)  # where both a packet and a control block of the pad begin
    begin = (round(duration_s * RATE) - round(TAIL_S * RATE)) // step * step  # the tail's first sample
    settle = round((TAIL_S - 4) * RATE / AAC_FRAME)  # packets the tail's encoder needs before its own are used
    middle = [packets[lead + index % loop] for index in range(begin // AAC_FRAME + settle + 1 - lead)]
    tail = chord_pad(duration_s, rate=RATE, root_hz=root, minor=minor, since_s=begin / RATE)
    return aac_track([*packets[:lead], *middle, *aac_packets(_aac(tail))[settle + 1 :]], like=like)


@lru_cache(maxsize=16)
def _lead_and_loop(root_hz: float, minor: bool) -> tuple[list[bytes], bytes]:
    """The packets of the pad's first seconds (fading in) and of one loop after them, and their track."""
    frames = round((LEAD_S + LOOP_S) * RATE / AAC_FRAME) + 1  # and one more: the last packet overlaps it
    pad = chord_pad(LEAD_S + LOOP_S + FADE_OUT_S + 1, rate=RATE, root_hz=root_hz, minor=minor)
    track = _aac(pad[:, : frames * AAC_FRAME])
    return aac_packets(track), track


def _aac(pad: np.ndarray) -> bytes:
    return aac_of(pad, rate=RATE, bit_rate=BIT_RATE, cutoff_hz=2000)
