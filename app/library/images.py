"""Artwork in the sizes the pages show, in WebP with a JPEG fallback: posters, backdrops and episode stills."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from .probe import PathLike

POSTER_ASPECT = (2, 3)
WIDE_ASPECT = (16, 9)
POSTER_WIDTHS = (200, 400)  # a poster card is 200 CSS pixels wide: 400 for screens with two pixels to one
BACKDROP_WIDTHS = (640, 1280)  # phones, then the hero banner and the details page
STILL_WIDTHS = (320, 640)  # the episode list
JPEG_QUALITY = 86
WEBP_QUALITY = 80
WEBP_METHOD = 2  # Pillow's default (4) takes three times as long here for files no smaller


@dataclass(frozen=True)
class ImageSize:
    """One size of a picture: the same pixels as WebP and as JPEG (for browsers without WebP)."""

    width: int
    height: int
    webp: Path
    jpeg: Path


def cover(image: Image.Image, size: tuple[int, int], *, centering: tuple[float, float] = (0.5, 0.5)) -> Image.Image:
    """``image`` cropped to the aspect of ``size`` (around ``centering``) and resized to it."""
    return ImageOps.fit(image.convert('RGB'), size, Image.Resampling.LANCZOS, centering=centering)


def save_image(image: Image.Image, dst: PathLike) -> Path:
    """Write a JPEG or WebP (by the suffix) atomically: a crash never leaves half a file under the final name."""
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    partial = dst.with_name(dst.name + '.partial')
    if dst.suffix == '.webp':
        params: dict[str, object] = {'format': 'WEBP', 'quality': WEBP_QUALITY, 'method': WEBP_METHOD}
    else:
        params = {'format': 'JPEG', 'quality': JPEG_QUALITY, 'optimize': True, 'progressive': True}
    try:
        image.convert('RGB').save(partial, **params)
        os.replace(partial, dst)
    finally:
        partial.unlink(missing_ok=True)
    return dst


def make_image_sizes(
    image: Image.Image,
    folder: PathLike,
    name: str,
    widths: Sequence[int],
    *,
    aspect: tuple[int, int],
    centering: tuple[float, float] = (0.5, 0.5),
) -> list[ImageSize]:
    """``image`` cut to ``aspect`` and written at each width as ``<name>-<width>.webp`` and ``<name>-<width>.jpg``.

    Returned smallest first. Every size is scaled down from one crop at the largest width, so all show the same
    framing.
    """
    folder = Path(folder)
    largest = max(widths)
    crop = cover(image, (largest, round(largest * aspect[1] / aspect[0])), centering=centering)
    sizes = []
    for width in sorted(widths):
        height = round(width * aspect[1] / aspect[0])
        sized = crop if width == largest else crop.resize((width, height), Image.Resampling.LANCZOS)
        sizes.append(
            ImageSize(
                width,
                height,
                webp=save_image(sized, folder / f'{name}-{width}.webp'),
                jpeg=save_image(sized, folder / f'{name}-{width}.jpg'),
            )
        )
    return sizes


def size_records(sizes: Sequence[ImageSize], media_dir: PathLike) -> list[dict[str, object]]:
    """What `titles.images` keeps of each size (smallest first): its width, height and files relative to the media
    folder. /media/{id}/{asset}?w=…&f=webp serves from these (catalog.image_path)."""
    root = Path(media_dir)
    return [
        {
            'width': size.width,
            'height': size.height,
            'webp': size.webp.relative_to(root).as_posix(),
            'jpeg': size.jpeg.relative_to(root).as_posix(),
        }
        for size in sizes
    ]


def size_records_in(sizes: Sequence[ImageSize], base: str) -> list[dict[str, object]]:
    """The same records for sizes made in a staging folder that will be renamed to `base` (relative to the media
    folder) once the import commits: the files' names under their final folder."""
    return [
        {
            'width': size.width,
            'height': size.height,
            'webp': f'{base}/{size.webp.name}',
            'jpeg': f'{base}/{size.jpeg.name}',
        }
        for size in sizes
    ]


def open_picture(path: PathLike | None) -> Image.Image | None:
    """A sidecar picture (poster.jpg, fanart.jpg, a still) as RGB, or None when there is none or it cannot be read
    (the caller then makes one from the video)."""
    if not path:
        return None
    try:
        with Image.open(path) as image:
            image.load()
            return image.convert('RGB')
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        return None
