"""Names derived from titles and file names: URL- and file-system-safe slugs, readable default titles."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path


def slugify(text: str, *, max_length: int = 60) -> str:
    """'La última ola' -> 'la-ultima-ola': ASCII, lower case, words joined by hyphens ('titulo' if nothing is left)."""
    decomposed = unicodedata.normalize('NFKD', text)
    ascii_text = decomposed.encode('ascii', 'ignore').decode('ascii').lower()
    slug = re.sub(r'[^a-z0-9]+', '-', ascii_text).strip('-')
    return slug[:max_length].rstrip('-') or 'titulo'


def title_from_filename(path: str | Path) -> str:
    """'mi_viaje-a.Cadiz.mp4' -> 'Mi viaje a Cadiz': the file name's stem with separators turned into spaces."""
    words = re.sub(r'[_.\-]+', ' ', Path(path).stem).split()
    text = ' '.join(words) or Path(path).stem or 'Sin título'
    return text[:1].upper() + text[1:]
