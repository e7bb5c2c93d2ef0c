"""The database's own full-text search, one query shape on both databases: which listed titles match what the
viewer typed, and how well.

The index (revision 5947689bc8cf) holds one document per title: its name, its genre's names in both languages
and its synopses; an episode's document names its series as `owner`, so that an episode's match lists its series.
SQLite: FTS5 with diacritics removed, ranked by bm25. PostgreSQL: a tsvector over accent-folded text with a GIN
index, ranked by ts_rank. Either way the viewer's words become plain prefix terms ANDed together: nothing they type
is ever read as the search syntax (quotes, `*`, NEAR, `-`, parentheses).
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import Float, Integer, Subquery, text
from sqlalchemy.engine import Connection
from sqlmodel import Session

MAX_TERMS = 8
# What the tokenizers keep as word characters: letters and digits (an underscore or a dash separates words).
_WORD = re.compile(r'[^\W_]+')
# Weights: a word in the name counts far more than one in the genre, which counts more than one in a synopsis.
_BM25 = 'bm25(titles_fts, 10.0, 4.0, 1.0)'


def terms(query: str) -> list[str]:
    """The viewer's words, lower-cased and without accents: 'La OLA (¡NEAR*)' -> ['la', 'ola', 'near']."""
    decomposed = unicodedata.normalize('NFKD', query[:200])
    plain = ''.join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _WORD.findall(plain)[:MAX_TERMS]


def matches(session: Session | Connection, words: list[str]) -> Subquery:
    """(owner, rank) for every listed title matching all `words` as prefixes; rank: higher is better."""
    if session.get_bind().dialect.name == 'sqlite':
        # Every word quoted (the FTS5 syntax reads nothing inside a string) and marked as a prefix.
        expression = ' '.join(f'"{word}"*' for word in words)
        # MATERIALIZED: flattened into the GROUP BY, bm25() would be called where FTS5 cannot answer it.
        sql = text(
            f'WITH scored AS MATERIALIZED (SELECT owner, -{_BM25} AS score FROM titles_fts '
            'WHERE titles_fts MATCH :expression) SELECT owner, max(score) AS rank FROM scored GROUP BY owner'
        )
    else:
        expression = ' & '.join(f"'{word}':*" for word in words)
        sql = text(
            'SELECT owner, max(ts_rank(document, query)) AS rank '
            "FROM search_titles, to_tsquery('simple', :expression) AS query WHERE document @@ query GROUP BY owner"
        )
    return sql.bindparams(expression=expression).columns(owner=Integer, rank=Float).subquery('hits')
