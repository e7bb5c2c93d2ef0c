"""Probing videos and reading pictures out of them (PyAV): what a file holds, and frames at given times."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import av
from PIL import Image

log = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

# Demuxers FFmpeg happily opens that are not videos: still images, and text shown as ANSI art (.txt, .nfo...).
_NOT_VIDEO_FORMATS = {'image2', 'tty', 'bin', 'xbin', 'idf', 'adf', 'srt', 'ass', 'webvtt'}
_INDEXED_FORMATS = {'mov', 'matroska'}  # first names of 'mov,mp4,m4a,3gp,3g2,mj2' and 'matroska,webm'
AV_ERRORS = (av.FFmpegError, OSError, ValueError, UnicodeDecodeError, IndexError, RuntimeError)
_COLOR_TAGS = {1: 'bt709', 5: 'bt470bg', 6: 'smpte170m'}  # AVColorSpace values we pass through


class NotAVideo(ValueError):
    """The file is not a playable video; ``str(error)`` is a sentence meant for people."""


@dataclass(frozen=True)
class VideoInfo:
    duration_s: float
    width: int  # display size: sample aspect ratio and rotation applied
    height: int
    has_audio: bool
    video_codec: str = ''
    audio_codec: str | None = None
    fps: float = 0.0
    rotation: int = 0  # degrees counter-clockwise to turn decoded pictures for display (0, 90, 180, 270)
    color_matrix: str | None = None  # 'bt709', 'smpte170m'... when the source says so


def probe(path: PathLike) -> VideoInfo:
    """What a video file holds; raises NotAVideo unless it has a video track with decodable pictures to its end."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise NotAVideo(f'«{name}» no existe o no es un archivo.')
    if path.stat().st_size == 0:
        raise NotAVideo(f'«{name}» está vacío.')
    try:
        container = av.open(str(path), metadata_errors='replace')
    except AV_ERRORS as error:
        raise NotAVideo(f'«{name}» no es un vídeo: su formato no se reconoce o el archivo está dañado.') from error
    with container:
        fmt = container.format.name.split(',')[0]
        if fmt in _NOT_VIDEO_FORMATS or fmt.endswith('_pipe'):
            raise NotAVideo(f'«{name}» no es un vídeo (parece una imagen o un texto).')
        stream = video_track(container)
        if stream is None:
            what = 'solo tiene sonido' if container.streams.audio else 'no tiene ninguna pista de vídeo'
            raise NotAVideo(f'«{name}» {what}; hace falta un vídeo.')
        stream.thread_type = 'AUTO'
        first = next(decode(container, stream, max_packets=500), None)
        if first is None:
            raise NotAVideo(f'«{name}» no tiene imágenes que se puedan decodificar (archivo dañado o incompleto).')
        duration = _declared_duration(container, stream)
        if duration is None:
            duration = _scanned_duration(container, stream)
        if not duration or duration <= 0:
            raise NotAVideo(f'«{name}» no tiene una duración válida.')
        indexed = fmt in _INDEXED_FORMATS  # their duration comes from an index, so the end must be there
        if indexed and duration > 3 and not _tail_decodes(container, stream, duration):
            raise NotAVideo(f'«{name}» está incompleto o dañado: el final del vídeo no se puede leer.')
        audio = container.streams.audio[0] if container.streams.audio else None
        rotation = _rotation(first)
        width, height = _display_size(first, stream, rotation)
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        return VideoInfo(
            duration_s=round(float(duration), 3),
            width=width,
            height=height,
            has_audio=audio is not None,
            video_codec=stream.codec_context.name,
            audio_codec=audio.codec_context.name if audio is not None else None,
            fps=float(rate) if rate else 0.0,
            rotation=rotation,
            color_matrix=_COLOR_TAGS.get(int(getattr(first, 'colorspace', 0) or 0)),
        )


def video_track(container: av.container.InputContainer) -> av.VideoStream | None:
    """The first real video track (a cover picture attached to a song does not count)."""
    for stream in container.streams.video:
        if not stream.disposition & av.stream.Disposition.attached_pic:
            return stream
    return None


def decode(
    container: av.container.InputContainer, stream: av.VideoStream | av.AudioStream, *, max_packets: int | None = None
) -> Iterator[av.VideoFrame]:
    """Decoded frames of one stream, skipping packets the decoder rejects (a few damaged packets are survivable)."""
    errors = 0
    try:
        for count, packet in enumerate(container.demux(stream)):
            if max_packets is not None and count >= max_packets:
                return
            try:
                frames = packet.decode()
            except av.FFmpegError:
                errors += 1
                if errors > 50:
                    return
                continue
            yield from frames
    except av.FFmpegError as error:  # the demuxer itself gave up (truncated file, broken index)
        log.debug('demuxing stopped: %s', error)


def _declared_duration(container: av.container.InputContainer, stream: av.VideoStream) -> float | None:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / av.time_base
    return None


def _scanned_duration(container: av.container.InputContainer, stream: av.VideoStream) -> float | None:
    """Duration from packet timestamps, for streams whose header does not say (raw H.264, some MPEG-TS)."""
    container.seek(0)
    start = end = None
    try:
        for packet in container.demux(stream):
            if packet.pts is None or packet.time_base is None:
                continue
            begin = float(packet.pts * packet.time_base)
            finish = begin + float((packet.duration or 0) * packet.time_base)
            start = begin if start is None else min(start, begin)
            end = finish if end is None else max(end, finish)
    except av.FFmpegError:
        pass
    if start is None or end is None:
        return None
    return end - start


def _tail_decodes(container: av.container.InputContainer, stream: av.VideoStream, duration: float) -> bool:
    """Seek close to the end and decode one picture: catches files cut short after the header."""
    start = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
    target = start + max(0.0, duration - 1.5)
    try:
        container.seek(int(target / stream.time_base), stream=stream, backward=True)
    except av.FFmpegError:
        return True  # cannot tell; transcoding still checks how much could be decoded
    return next(decode(container, stream, max_packets=600), None) is not None


def _rotation(frame: av.VideoFrame) -> int:
    try:
        angle = float(frame.rotation or 0)
    except (AttributeError, TypeError, ValueError):
        return 0
    return (round(angle / 90) % 4) * 90


def _display_size(frame: av.VideoFrame, stream: av.VideoStream, rotation: int) -> tuple[int, int]:
    width, height = frame.width, frame.height
    sar = stream.sample_aspect_ratio or stream.codec_context.sample_aspect_ratio
    if sar and sar > 0 and sar != 1:
        width = round(width * sar)
    return (height, width) if rotation in (90, 270) else (width, height)


# ---------------------------------------------------------------- pictures


def frames_at(path: PathLike, times: Iterable[float]) -> Iterator[Image.Image]:
    """The picture shown at each of ``times`` (seconds, ascending; past the end, the last one), upright and at display
    aspect.

    The file is opened once and each time is reached by a seek to the keyframe before it, so pictures spread over a
    long film (a thumbnail every 10 s) cost a few decoded frames each, not a decode of the whole film.
    """
    path = Path(path)
    try:
        container = av.open(str(path), metadata_errors='replace')
    except AV_ERRORS as error:
        raise NotAVideo(f'«{path.name}» no es un vídeo.') from error
    with container:
        stream = video_track(container)
        if stream is None:
            raise NotAVideo(f'«{path.name}» no tiene ninguna pista de vídeo.')
        stream.thread_type = 'AUTO'
        start = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
        for seconds in times:
            target = max(0.0, seconds)
            try:
                container.seek(int((start + target) / stream.time_base), stream=stream, backward=True)
            except av.FFmpegError:
                container.seek(0)
            chosen = None
            for frame in decode(container, stream):
                chosen = frame
                if frame.time is not None and float(frame.time) - start >= target - 1e-3:
                    break
            if chosen is None:
                raise NotAVideo(f'«{path.name}» no tiene imágenes que se puedan decodificar.')
            yield _upright(chosen, stream)


def frame_at(path: PathLike, seconds: float) -> Image.Image:
    """The picture shown at ``seconds`` (the last one if past the end), upright and at display aspect."""
    [image] = frames_at(path, [seconds])
    return image


def _upright(frame: av.VideoFrame, stream: av.VideoStream) -> Image.Image:
    image = frame.to_image()
    width, height = _display_size(frame, stream, 0)
    if (width, height) != image.size:
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    turns = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}
    rotation = _rotation(frame)
    return image.transpose(turns[rotation]) if rotation else image
