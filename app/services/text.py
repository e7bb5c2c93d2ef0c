"""Text normalisation shared by search and sorting: case- and accent-insensitive keys."""

from __future__ import annotations

import unicodedata


def search_key(text: str) -> str:
    """'Él Camión' -> 'el camion': NFKD, drop combining marks, casefold, collapse spaces."""
    decomposed = unicodedata.normalize('NFKD', text)
    stripped = ''.join(ch for ch in decomposed if not unicodedata.combining(ch))
    return ' '.join(stripped.casefold().split())
