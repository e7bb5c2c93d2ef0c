"""The renditions a source needs. A web-ready file (H.264 yuv420p + AAC in MP4) plays as it is: it becomes the HD
rendition by a remux with fast start (no re-encode; a hard link when it has fast start already), and only the
missing SD rendition is encoded (none when the source is SD already). Anything else is encoded in both."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import av

from .probe import AV_ERRORS, VideoInfo
from .renditions import SD_HEIGHT, Rendition, output_fps, renditions_for, scaled_size, transcode_renditions
from .renditions import max_kbps as ceiling


@dataclass(frozen=True)
class Made:
    duration_s: float
    sd_name: str  # file names in the folder (the same when one file serves both)
    hd_name: str
    sd_height: int
    hd_height: int
    passthrough: bool  # the source plays as it is


def web_ready(path: Path, info: VideoInfo) -> bool:
    """H.264 (yuv420p, upright) and AAC in an MP4/MOV container: what every browser plays without conversion."""
    if info.video_codec != 'h264' or info.audio_codec != 'aac' or info.rotation:
        return False
    try:
        with av.open(str(path)) as container:
            if 'mp4' not in container.format.name.split(','):
                return False
            video = container.streams.video[0]
            return video.codec_context.pix_fmt == 'yuv420p' and len(container.streams.audio) >= 1
    except AV_ERRORS:
        return False


def _fast_start(path: Path) -> bool:
    """The 'moov' box (the index) comes before 'mdat' (the media): playback can start before the whole download."""
    with path.open('rb') as handle:
        for _ in range(64):
            head = handle.read(8)
            if len(head) < 8:
                return False
            size, kind = int.from_bytes(head[:4], 'big'), head[4:]
            if kind == b'moov':
                return True
            if kind == b'mdat':
                return False
            if size == 1:
                size = int.from_bytes(handle.read(8), 'big') - 8
            elif size == 0:
                return False
            handle.seek(size - 8, os.SEEK_CUR)
    return False


def remux_web(src: Path, dst: Path) -> None:
    """``src``'s first video and audio tracks copied into ``dst`` with fast start (atomically; no re-encode)."""
    partial = dst.with_name(dst.name + '.partial')
    try:
        if _fast_start(src):
            with contextlib.suppress(OSError):
                os.link(src, partial)  # same file system: no copy at all
        if not partial.exists():
            with av.open(str(src)) as source:
                video, audio = source.streams.video[0], source.streams.audio[0]
                with av.open(str(partial), 'w', format='mp4', container_options={'movflags': '+faststart'}) as out:
                    streams = {video.index: out.add_stream_from_template(video)}
                    streams[audio.index] = out.add_stream_from_template(audio)
                    for packet in source.demux(video, audio):
                        if packet.dts is None:
                            continue
                        packet.stream = streams[packet.stream.index]
                        out.mux(packet)
        os.replace(partial, dst)
    finally:
        partial.unlink(missing_ok=True)


def make_renditions(path: Path, folder: Path, info: VideoInfo, report) -> Made:
    """Write the renditions of ``path`` into ``folder`` (``hd.mp4``, ``sd.mp4``), re-encoding only what is needed."""
    fps = float(output_fps(info))
    if web_ready(path, info):
        report('El vídeo ya es H.264/AAC en MP4: se reproduce tal cual (sin recodificar).')
        hd = folder / 'hd.mp4'
        remux_web(path, hd)
        if info.height <= SD_HEIGHT:
            return Made(info.duration_s, hd.name, hd.name, info.height, info.height, True)
        width, height = scaled_size(info.width, info.height, SD_HEIGHT)
        sd = Rendition(folder / 'sd.mp4', width, height, ceiling(width, height, fps))
        duration = transcode_renditions(path, [sd], info=info, progress=report)
        return Made(duration, sd.path.name, hd.name, height, info.height, True)
    sd, hd = renditions_for(folder, info.width, info.height, fps)
    duration = transcode_renditions(path, [sd, hd], info=info, progress=report)
    return Made(duration, sd.path.name, hd.path.name, sd.height, hd.height, False)
