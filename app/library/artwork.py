"""Replacing a title's poster or backdrop: from an uploaded picture, or from a frame of its video.

The new sizes get new file names (browsers and proxies keep the old ones in their caches under the old names), are
written next to the title's video, and the row points at them in one unit; the old files are removed after.
"""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ..config import get_settings
from .images import BACKDROP_WIDTHS, POSTER_ASPECT, POSTER_WIDTHS, WIDE_ASPECT, make_image_sizes
from .probe import frame_at

KINDS = {'poster': (POSTER_WIDTHS, POSTER_ASPECT), 'backdrop': (BACKDROP_WIDTHS, WIDE_ASPECT)}
MAX_PIXELS = 40_000_000


class NotAPicture(ValueError):
    pass


def picture_from_bytes(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise NotAPicture('too large')
            image.load()
            return image.convert('RGB')
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as error:
        raise NotAPicture(str(error)) from error


def replace_artwork(*, title_id: int, kind: str, picture: Image.Image | None = None, at_s: float | None = None) -> str:
    """The title's ``kind`` ('poster' or 'backdrop') made from ``picture``, or from its video's frame at ``at_s``
    seconds; returns the new largest JPEG's path (relative to the media folder)."""
    from ..db import session as unit
    from ..services import catalog

    widths, aspect = KINDS[kind]
    media = get_settings().media_dir
    with unit() as session:
        row = catalog.get_title_row(session, title_id)
        video = row.video_hd_path
        folder_of = row.poster_path if row.kind == 'series' or not video else video
        old = dict(row.images or {}).get(kind, [])
        if picture is None:
            if not video or at_s is None:
                raise NotAPicture('no video to take a frame from')
            picture = frame_at(media / video, max(0.0, min(at_s, row.duration_s - 0.1)))
    folder = (media / folder_of).parent
    sizes = make_image_sizes(picture, folder, f'{kind}-{secrets.token_hex(3)}', widths, aspect=aspect)
    base = folder.relative_to(media).as_posix()
    entries = [
        {'width': s.width, 'height': s.height, 'webp': f'{base}/{s.webp.name}', 'jpeg': f'{base}/{s.jpeg.name}'}
        for s in sizes
    ]
    with unit(write=True) as session:
        row = catalog.get_title_row(session, title_id)
        setattr(row, f'{kind}_path', entries[-1]['jpeg'])
        row.images = {**(row.images or {}), kind: entries}
        session.add(row)
    for size in old:  # only files of the library's own folders: the demo's are shared by its manifest
        for path in (size.get('webp'), size.get('jpeg')):
            if path and path.startswith('library/'):
                Path(media / path).unlink(missing_ok=True)
    return entries[-1]['jpeg']
