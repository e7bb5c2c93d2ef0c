"""Subtitles: WebVTT sidecar files named by language, and cues that spread a text over a video's running time."""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .probe import PathLike

LINE_CHARS = 42  # the usual limit for a subtitle line read at a glance
READING_CHARS_PER_S = 12


@dataclass(frozen=True)
class Cue:
    start_s: float
    end_s: float
    text: str  # one or two lines


def spread_cues(text: str, duration_s: float) -> list[Cue]:
    """``text`` cut into cues of at most two lines (sentence by sentence) and timed evenly from about the first
    second to about the end: each cue starts its share of the running time and stays as long as it takes to read."""
    chunks = []
    for sentence in re.split(r'(?<=[.!?…])\s+', text.strip()):
        lines = textwrap.wrap(sentence, LINE_CHARS)
        chunks += ['\n'.join(lines[index : index + 2]) for index in range(0, len(lines), 2)]
    if not chunks:
        return []
    start = min(1.0, duration_s * 0.05)
    share = (duration_s - min(0.5, duration_s * 0.05) - start) / len(chunks)
    cues = []
    for index, chunk in enumerate(chunks):
        begin = start + index * share
        shown = min(share * 0.95, max(2.0, len(chunk) / READING_CHARS_PER_S))
        cues.append(Cue(round(begin, 3), round(begin + shown, 3), chunk))
    return cues


def write_vtt(path: PathLike, cues: Sequence[Cue]) -> Path:
    """Write a WebVTT file (atomically) with ``cues`` numbered from 1."""
    path = Path(path)
    blocks = ['WEBVTT']
    for number, cue in enumerate(cues, 1):
        text = cue.text.replace('&', '&amp;').replace('<', '&lt;')  # the two characters a cue cannot hold as they are
        blocks.append(f'{number}\n{_timestamp(cue.start_s)} --> {_timestamp(cue.end_s)}\n{text}')
    partial = path.with_name(path.name + '.partial')
    partial.write_text('\n\n'.join(blocks) + '\n', encoding='utf-8')
    os.replace(partial, path)
    return path


def write_subtitles(folder: PathLike, texts: Mapping[str, str], duration_s: float) -> dict[str, Path]:
    """One ``subtitles.<language>.vtt`` per text in ``texts`` (language code -> text), spread over the duration."""
    return {
        language: write_vtt(Path(folder) / f'subtitles.{language}.vtt', spread_cues(text, duration_s))
        for language, text in texts.items()
    }


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    return f'{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d}.{millis % 1000:03d}'


_SRT_TIME = re.compile(r'(\d{1,2}:\d{2}:\d{2}),(\d{3})')


def vtt_from_srt(text: str) -> str:
    """A SubRip text as WebVTT: the header, and decimal points instead of commas in the cue times."""
    body = text.lstrip('\ufeff').replace('\r\n', '\n').replace('\r', '\n').strip()
    lines = [_SRT_TIME.sub(r'\1.\2', line) if '-->' in line else line for line in body.split('\n')]
    return 'WEBVTT\n\n' + '\n'.join(lines) + '\n'


def copy_subtitle(src: PathLike, dst: PathLike) -> Path:
    """A sidecar subtitle (.srt or .vtt, UTF-8 or Latin-1) written as WebVTT at ``dst``, atomically."""
    src, dst = Path(src), Path(dst)
    raw = src.read_bytes()
    try:
        text = raw.decode('utf-8-sig')
    except UnicodeDecodeError:
        text = raw.decode('latin-1')
    if src.suffix.lower() == '.srt':
        text = vtt_from_srt(text)
    elif not text.lstrip().startswith('WEBVTT'):
        raise ValueError(f'«{src.name}» no es un archivo WebVTT.')
    partial = dst.with_name(dst.name + '.partial')
    partial.write_text(text, encoding='utf-8')
    os.replace(partial, dst)
    return dst
