"""Trickplay: a sprite sheet with a thumbnail every 10 s (as Jellyfin does) and, beside it, the facts to cut it."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from .images import save_image
from .probe import PathLike, frames_at, probe

INTERVAL_S = 10.0
TILE_WIDTH = 320
MAX_COLUMNS = 10
SPRITE_FILE = 'trickplay.jpg'
FACTS_FILE = 'trickplay.json'


@dataclass(frozen=True)
class Trickplay:
    """Thumbnail ``i`` shows the picture at ``i * interval_s`` and sits at column ``i % columns``, row
    ``i // columns`` of the sprite, each tile ``tile_width`` x ``tile_height`` pixels."""

    interval_s: float
    tile_width: int
    tile_height: int
    columns: int
    rows: int
    count: int
    sprite: Path
    facts: Path

    def facts_dict(self) -> dict[str, float | int | str]:
        """What ``trickplay.json`` holds (``sprite`` is the sheet's file name, beside the JSON)."""
        return {
            'interval_s': self.interval_s,
            'tile_width': self.tile_width,
            'tile_height': self.tile_height,
            'columns': self.columns,
            'rows': self.rows,
            'count': self.count,
            'sprite': self.sprite.name,
        }


def thumbnail_times(duration_s: float, interval_s: float = INTERVAL_S) -> list[float]:
    """0, 10, 20 ... s: one thumbnail for each interval that starts before the end."""
    return [index * interval_s for index in range(max(1, math.ceil(duration_s / interval_s - 1e-6)))]


def make_trickplay(
    pictures: Iterable[Image.Image],
    folder: PathLike,
    *,
    interval_s: float = INTERVAL_S,
    tile_width: int = TILE_WIDTH,
    max_columns: int = MAX_COLUMNS,
) -> Trickplay:
    """Lay ``pictures`` (one per interval, in order) out as a JPEG grid and write its facts as JSON beside it.

    One sheet holds them all: a two-hour film makes 720 tiles, 10 columns by 72 rows (about 3 MB).
    """
    folder = Path(folder)
    tiles: list[Image.Image] = []
    tile_height = 0
    for picture in pictures:
        tile_height = tile_height or max(2, round(tile_width * picture.height / picture.width / 2) * 2)
        tile = picture.convert('RGB').resize((tile_width, tile_height), Image.Resampling.LANCZOS, reducing_gap=2.0)
        tiles.append(tile)  # reducing_gap: a box filter first, then Lanczos from twice the size, at a third of the cost
    if not tiles:
        raise ValueError('a trickplay sheet needs at least one picture')
    columns = min(max_columns, len(tiles))
    rows = math.ceil(len(tiles) / columns)
    sheet = Image.new('RGB', (columns * tile_width, rows * tile_height))
    for index, tile in enumerate(tiles):
        sheet.paste(tile, (index % columns * tile_width, index // columns * tile_height))
    info = Trickplay(
        interval_s, tile_width, tile_height, columns, rows, len(tiles), folder / SPRITE_FILE, folder / FACTS_FILE
    )
    save_image(sheet, info.sprite)
    partial = info.facts.with_name(info.facts.name + '.partial')
    partial.write_text(json.dumps(info.facts_dict()))
    os.replace(partial, info.facts)
    return info


def trickplay_from_video(
    video: PathLike, folder: PathLike, *, duration_s: float | None = None, interval_s: float = INTERVAL_S
) -> Trickplay:
    """The trickplay sheet of a video file: the picture at 0, 10, 20 ... s, decoded with PyAV."""
    duration = duration_s if duration_s is not None else probe(video).duration_s
    return make_trickplay(frames_at(video, thumbnail_times(duration, interval_s)), folder, interval_s=interval_s)
