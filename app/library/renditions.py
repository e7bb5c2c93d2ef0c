"""Encoding web renditions (PyAV): H.264 + AAC MP4 files with fast start, from painted frames or a source video."""

from __future__ import annotations

import contextlib
import io
import math
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import av
import numpy as np
from av.video.reformatter import VideoReformatter

from .probe import AV_ERRORS, NotAVideo, PathLike, VideoInfo, decode, probe, video_track

ProgressFn = Callable[[str], None]

SD_HEIGHT = 480
HD_HEIGHT = 720
KEYFRAME_INTERVAL_S = 2.0  # a keyframe every ~2 s keeps seeking snappy
MAX_FPS = 30
AUDIO_RATE = 48_000
AUDIO_BITRATE = 128_000
AAC_FRAME = 1024


@dataclass(frozen=True)
class Rendition:
    """One output file: H.264 at a given size with a bitrate ceiling suited to web playback."""

    path: Path
    width: int
    height: int
    max_kbps: int
    crf: int = 23
    qp: int | None = None  # constant quantizer instead of CRF + VBV: about twice as fast, for synthetic footage


# ---------------------------------------------------------------- sizes


def even(value: float) -> int:
    """The nearest even whole number, at least 2 (yuv420p needs even dimensions)."""
    return max(2, round(value / 2) * 2)


def scaled_size(width: int, height: int, target_height: int) -> tuple[int, int]:
    """(width, height) for a picture scaled to ``target_height``, aspect kept, both even."""
    return even(width * target_height / height), even(target_height)


def max_kbps(width: int, height: int, fps: float) -> int:
    """A bitrate ceiling (0.1 bit per pixel at >= 24 fps): ~1.2 Mbps at 854x480, ~2.8 Mbps at 1280x720 30 fps."""
    return max(300, round(width * height * max(fps, 24.0) * 0.1 / 1000))


def renditions_for(
    folder: Path, width: int, height: int, fps: float, *, sd_height: int = SD_HEIGHT, hd_height: int = HD_HEIGHT
) -> tuple[Rendition, Rendition]:
    """The SD (at most ``sd_height``, never upscaled) and HD (exactly ``hd_height``, upscaled if needed) outputs."""
    sd_w, sd_h = scaled_size(width, height, min(sd_height, even(height)))
    hd_w, hd_h = scaled_size(width, height, hd_height)
    return (
        Rendition(folder / 'sd.mp4', sd_w, sd_h, max_kbps(sd_w, sd_h, fps)),
        Rendition(folder / 'hd.mp4', hd_w, hd_h, max_kbps(hd_w, hd_h, fps)),
    )


def output_fps(info: VideoInfo) -> Fraction:
    """The constant frame rate to encode at: the source's, capped at MAX_FPS (25 when the source does not say)."""
    fps = info.fps if 1 <= info.fps <= 240 else 25.0
    if fps > MAX_FPS:
        fps = fps / math.ceil(fps / MAX_FPS)
    return Fraction(fps).limit_denominator(1001)


# ---------------------------------------------------------------- audio


class AacWriter:
    """Encodes float PCM (channels x samples, -1..1) into an AAC track inside an MP4/M4A file or buffer."""

    def __init__(
        self,
        target: PathLike | BinaryIO,
        *,
        rate: int = AUDIO_RATE,
        channels: int = 2,
        bit_rate: int = AUDIO_BITRATE,
        cutoff_hz: int | None = None,
    ) -> None:
        """``cutoff_hz`` limits the coded bandwidth: much faster to encode when the sound has no highs anyway."""
        self.rate = rate
        self.channels = channels
        self.samples_written = 0
        self._time_base = Fraction(1, rate)
        self._layout = 'mono' if channels == 1 else 'stereo'
        self._container = av.open(target if not isinstance(target, os.PathLike) else str(target), 'w', format='mp4')
        options = {'cutoff': str(cutoff_hz)} if cutoff_hz else None
        self._stream = self._container.add_stream('aac', rate=rate, options=options)
        self._stream.layout = self._layout
        self._stream.bit_rate = bit_rate
        self._pending = np.zeros((channels, 0), np.float32)

    @property
    def empty(self) -> bool:
        """Nothing written yet."""
        return self.samples_written == 0 and self._pending.shape[1] == 0

    def write(self, samples: np.ndarray) -> None:
        samples = np.asarray(samples, dtype=np.float32).reshape(self.channels, -1)
        buffer = np.concatenate([self._pending, samples], axis=1) if self._pending.size else samples
        whole = buffer.shape[1] // AAC_FRAME * AAC_FRAME
        for start in range(0, whole, AAC_FRAME):
            self._encode(buffer[:, start : start + AAC_FRAME])
        self._pending = buffer[:, whole:].copy()

    def write_silence(self, seconds: float) -> None:
        remaining = round(seconds * self.rate)
        block = np.zeros((self.channels, self.rate), np.float32)
        while remaining > 0:
            step = min(remaining, self.rate)
            self.write(block[:, :step])
            remaining -= step

    def _encode(self, chunk: np.ndarray | None) -> None:
        if chunk is None:
            packets = self._stream.encode(None)
        else:
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format='fltp', layout=self._layout)
            frame.sample_rate = self.rate
            frame.time_base = self._time_base
            frame.pts = self.samples_written
            self.samples_written += chunk.shape[1]
            packets = self._stream.encode(frame)
        for packet in packets:
            self._container.mux(packet)

    def close(self) -> None:
        if self._pending.shape[1]:
            self._encode(self._pending)  # the AAC encoder takes a short last frame
            self._pending = self._pending[:, :0]
        self._encode(None)
        self._container.close()

    def __enter__(self) -> AacWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self.close()
        else:
            self._container.close()


def aac_of(samples: np.ndarray, *, rate: int, bit_rate: int, cutoff_hz: int | None = None) -> bytes:
    """``samples`` (channels x n, floats from -1 to 1) as an AAC track, in M4A bytes."""
    buffer = io.BytesIO()
    with AacWriter(buffer, rate=rate, channels=len(samples), bit_rate=bit_rate, cutoff_hz=cutoff_hz) as writer:
        writer.write(samples)
    return buffer.getvalue()


def silent_track(seconds: float, *, rate: int = AUDIO_RATE, channels: int = 2) -> bytes:
    """An AAC track of silence, as M4A bytes (for sources without sound: every output has an audio track)."""
    buffer = io.BytesIO()
    with AacWriter(buffer, rate=rate, channels=channels, bit_rate=64_000) as writer:
        writer.write_silence(seconds)
    return buffer.getvalue()


def aac_packets(track: bytes) -> list[bytes]:
    """The AAC packets of an M4A track, in order (the first one is the encoder's priming)."""
    with av.open(io.BytesIO(track)) as container:
        return [bytes(packet) for packet in container.demux(audio=0) if packet.size]


def aac_track(packets: Sequence[bytes], *, like: bytes) -> bytes:
    """An M4A track of ``packets`` (one AAC frame each, in order), coded as the track ``like``, which they come from
    or match; it begins with the same priming, so players skip what they skip there."""
    buffer = io.BytesIO()
    with av.open(io.BytesIO(like)) as source, av.open(buffer, 'w', format='mp4') as output:
        template = source.streams.audio[0]
        first = next(packet.pts for packet in source.demux(template) if packet.pts is not None)
        stream = output.add_stream_from_template(template)
        for index, data in enumerate(packets):
            packet = av.Packet(data)
            packet.pts = packet.dts = first + index * AAC_FRAME
            packet.duration, packet.time_base, packet.stream = AAC_FRAME, template.time_base, stream
            output.mux(packet)
    return buffer.getvalue()


def extract_audio(src: PathLike, target: PathLike | BinaryIO, *, start_s: float, duration_s: float) -> None:
    """The source's first audio track as 48 kHz stereo AAC, aligned so that ``start_s`` (source time) becomes 0.

    Sources without sound (or whose sound cannot be decoded at all) get silence of ``duration_s``.
    """
    with av.open(str(src), metadata_errors='replace') as container, AacWriter(target) as writer:
        stream = container.streams.audio[0] if container.streams.audio else None
        if stream is not None:
            stream.thread_type = 'AUTO'
            resampler = av.AudioResampler(format='fltp', layout='stereo', rate=AUDIO_RATE)
            skip = None  # samples still to drop (negative: silence still to add) to line up with the video
            for frame in decode(container, stream):
                outputs = resampler.resample(frame)
                if skip is None:
                    first = float(frame.time) if frame.time is not None else start_s
                    skip = round((start_s - first) * AUDIO_RATE)
                for out in outputs:
                    skip = _write_aligned(writer, out.to_ndarray(), skip)
            for out in resampler.resample(None):
                skip = _write_aligned(writer, out.to_ndarray(), skip or 0)
        if writer.empty:
            writer.write_silence(duration_s)


def _write_aligned(writer: AacWriter, samples: np.ndarray, skip: int) -> int:
    if skip < 0:
        writer.write(np.zeros((writer.channels, -skip), np.float32))
        skip = 0
    if skip >= samples.shape[1]:
        return skip - samples.shape[1]
    writer.write(samples[:, skip:])
    return 0


# ---------------------------------------------------------------- video


class _Output:
    """One MP4 being written: its H.264 stream, and AAC packets copied from a pre-encoded track."""

    def __init__(
        self,
        rendition: Rendition,
        *,
        fps: Fraction,
        audio: bytes | Path,
        preset: str,
        threads: int,
        color_matrix: str | None,
    ) -> None:
        self.rendition = rendition
        self.partial = rendition.path.with_name(rendition.path.name + '.partial')
        self.container = av.open(str(self.partial), 'w', format='mp4', container_options={'movflags': '+faststart'})
        self._audio_in: av.container.InputContainer | None = None
        try:
            self._open_streams(fps, audio, preset, threads, color_matrix)
        except BaseException:
            self.close()
            self.partial.unlink(missing_ok=True)
            raise

    def _open_streams(
        self, fps: Fraction, audio: bytes | Path, preset: str, threads: int, color_matrix: str | None
    ) -> None:
        rendition = self.rendition
        gop = max(1, round(float(fps) * KEYFRAME_INTERVAL_S))
        params = f'keyint={gop}:min-keyint={gop}:scenecut=0'
        if color_matrix:
            params += f':colormatrix={color_matrix}'
            if color_matrix == 'bt709':
                params += ':colorprim=bt709:transfer=bt709'
        options = {'preset': preset, 'x264-params': params}
        if rendition.qp is not None:
            options['qp'] = str(rendition.qp)
        else:
            options |= {
                'crf': str(rendition.crf),
                'maxrate': f'{rendition.max_kbps}k',
                'bufsize': f'{rendition.max_kbps * 2}k',
            }
        self.video = self.container.add_stream('libx264', rate=fps, options=options)
        self.video.width = rendition.width
        self.video.height = rendition.height
        self.video.pix_fmt = 'yuv420p'
        self.video.codec_context.gop_size = gop
        self.video.codec_context.thread_count = threads
        self.reformatter = VideoReformatter()  # keeps its scaler between frames (a new one per frame costs ~3 ms)
        self._audio_in = av.open(io.BytesIO(audio) if isinstance(audio, bytes) else str(audio))
        source = self._audio_in.streams.audio[0]
        self.audio = self.container.add_stream_from_template(source)
        seconds = float(source.time_base)  # a float: Fraction arithmetic for every packet and frame adds up
        self._packets = ((p.pts * seconds, p) for p in self._audio_in.demux(source) if p.dts is not None)
        self._next = next(self._packets, None)

    def feed_audio(self, until_s: float) -> None:
        """Mux the audio packets up to ``until_s`` so audio and video stay interleaved in the file."""
        while self._next is not None and self._next[0] <= until_s:
            packet, self._next = self._next[1], next(self._packets, None)
            packet.stream = self.audio
            self.container.mux(packet)

    def close(self) -> None:
        for closable in (self.container, self._audio_in):
            if closable is not None:
                with contextlib.suppress(*AV_ERRORS):
                    closable.close()


class RenditionWriter:
    """Writes one picture sequence to several MP4 files at once: H.264 (yuv420p, keyframe every ~2 s) + AAC.

    Pictures of any size and pixel format are scaled to each rendition. Files are written as ``*.partial`` and
    renamed into place by ``finish()``; on error (or ``abort()``) every partial file is removed.
    """

    def __init__(
        self,
        renditions: Sequence[Rendition],
        *,
        fps: Fraction | int,
        audio: bytes | Path,
        preset: str = 'veryfast',
        threads: int = 0,
        color_matrix: str | None = None,
    ) -> None:
        self.fps = Fraction(fps)
        self._rate = float(self.fps)
        self._time_base = 1 / self.fps
        self.frames = 0
        self._outputs: list[_Output] = []
        try:
            for rendition in renditions:
                rendition.path.parent.mkdir(parents=True, exist_ok=True)
                self._outputs.append(
                    _Output(
                        rendition, fps=self.fps, audio=audio, preset=preset, threads=threads, color_matrix=color_matrix
                    )
                )
        except BaseException:
            self.abort()
            raise

    def write(self, frame: av.VideoFrame | Sequence[av.VideoFrame]) -> None:
        """Append one picture (shown for 1/fps s): one for all renditions, or one per rendition (in order).

        Pictures whose size or pixel format differ from a rendition's are scaled (and converted) for it.
        """
        now = self.frames / self._rate
        sources = [frame] * len(self._outputs) if isinstance(frame, av.VideoFrame) else list(frame)
        if len(sources) != len(self._outputs):
            raise ValueError(f'expected {len(self._outputs)} pictures, got {len(sources)}')
        for out, source in zip(self._outputs, sources, strict=True):
            out.feed_audio(now + 1.0)
            size = (out.rendition.width, out.rendition.height)
            if (source.width, source.height) == size and source.format.name == 'yuv420p':
                picture = source
            else:
                picture = out.reformatter.reformat(
                    source,
                    width=size[0],
                    height=size[1],
                    format='yuv420p',
                    interpolation='AREA' if size[1] < source.height else 'BICUBIC',
                )
            picture.pts = self.frames
            picture.time_base = self._time_base
            for packet in out.video.encode(picture):
                out.container.mux(packet)
        self.frames += 1

    def finish(self) -> None:
        """Flush the encoders, finish the files (moov first) and move them into place."""
        try:
            for out in self._outputs:
                for packet in out.video.encode(None):
                    out.container.mux(packet)
                out.feed_audio(math.inf)
                out.close()
            for out in self._outputs:
                os.replace(out.partial, out.rendition.path)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        for out in self._outputs:
            out.close()
            out.partial.unlink(missing_ok=True)

    def __enter__(self) -> RenditionWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self.finish()
        else:
            self.abort()


def transcode_renditions(
    src: PathLike,
    renditions: Sequence[Rendition],
    *,
    info: VideoInfo | None = None,
    preset: str = 'veryfast',
    progress: ProgressFn | None = None,
) -> float:
    """Decode ``src`` once and encode every rendition from it; returns the encoded duration in seconds.

    Raises NotAVideo when the source is not a video or turns out to be cut short while decoding.
    """
    src = Path(src)
    info = info or probe(src)
    fps = output_fps(info)
    audio_file = renditions[0].path.with_name('.audio.m4a.partial')
    audio_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        with av.open(str(src), metadata_errors='replace') as container:
            stream = video_track(container)
            if stream is None:
                raise NotAVideo(f'«{src.name}» no tiene ninguna pista de vídeo.')
            stream.thread_type = 'AUTO'
            frames = decode(container, stream)
            first = next(frames, None)
            if first is None:
                raise NotAVideo(f'«{src.name}» no tiene imágenes que se puedan decodificar.')
            start = float(first.time or 0.0)
            if progress:
                progress('Extrayendo el sonido…')
            extract_audio(src, audio_file, start_s=start, duration_s=info.duration_s)
            writer = RenditionWriter(
                renditions, fps=fps, audio=audio_file, preset=preset, color_matrix=info.color_matrix
            )
            with writer:
                end = _write_constant_rate(writer, first, frames, start, info, progress)
        if end < 0.9 * info.duration_s - 0.5:
            for rendition in renditions:
                rendition.path.unlink(missing_ok=True)
            raise NotAVideo(
                f'«{src.name}» está incompleto o dañado: solo se pudieron leer {end:.1f} s de {info.duration_s:.1f} s.'
            )
        return end
    finally:
        audio_file.unlink(missing_ok=True)


def _write_constant_rate(
    writer: RenditionWriter,
    first: av.VideoFrame,
    rest: Iterator[av.VideoFrame],
    start: float,
    info: VideoInfo,
    progress: ProgressFn | None,
) -> float:
    """Resample a (possibly variable-rate) picture sequence to the writer's constant rate; returns the end time."""
    step = 1 / float(writer.fps)
    source_step = 1 / info.fps if info.fps > 0 else step
    shown, shown_at = first, 0.0
    reported = -1

    def emit_until(limit: float) -> None:
        nonlocal reported
        while writer.frames * step < limit - 1e-6:
            writer.write(_upright(shown, info.rotation))
            if progress and info.duration_s > 0:
                percent = min(100, int(writer.frames * step / info.duration_s * 100))
                if percent // 5 > reported // 5:
                    reported = percent
                    progress(f'Codificando: {percent} %')

    for frame in rest:
        at = float(frame.time) - start if frame.time is not None else shown_at + source_step
        emit_until(at)
        shown, shown_at = frame, max(at, shown_at)
    end = max(shown_at + source_step, step)
    emit_until(end)
    if progress and reported < 100:
        progress('Codificando: 100 %')
    return end


def _upright(frame: av.VideoFrame, rotation: int) -> av.VideoFrame:
    if not rotation:
        return frame
    turned = np.ascontiguousarray(np.rot90(frame.to_ndarray(format='rgb24'), k=rotation // 90))
    return av.VideoFrame.from_ndarray(turned, format='rgb24')
