"""Full-text search over the catalog: titles, synopses (both languages), genres (both languages), series and
episode titles, accent- and case-insensitive, ranked, kept in step with `titles` by the database itself.

- search_genres: each genre's names in other languages ('Ciencia ficción' -> 'Science fiction'), so that an English
  word finds a title filed under its Spanish genre. Seeded here with the genres Butaca's library uses; a genre not
  listed is found by its own name only.
- SQLite: `titles_fts`, an FTS5 table (tokenizer `unicode61 remove_diacritics 2`, prefix indexes for 2 and 3
  characters) with one row per title (rowid = titles.id) and `owner`, the title the catalog lists for it (an
  episode's series). Triggers on `titles` insert, replace and delete its row, so importers need no change.
- PostgreSQL: `search_titles`, one tsvector per title ('simple' configuration over text folded by `butaca_fold`:
  lower() and unaccent, or a translate() of Latin accents where the unaccent extension is not available) with a
  GIN index, kept by a trigger on `titles` (a generated column cannot read search_genres) and ON DELETE CASCADE.

These tables belong to this revision, not to autogenerate: app/migrate.py's NOT_ALEMBICS hides them from schema
comparisons. A later revision that copies `titles` on SQLite (batch mode) drops these triggers with the old table:
it must create them again (SQLITE_TRIGGERS below; tests/test_search.py checks that they are there at head).

Revision ID: 5947689bc8cf
Revises: 912e272bc8e6
Create Date: 2026-12-01 19:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5947689bc8cf'
down_revision: str | Sequence[str] | None = '912e272bc8e6'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENRE_NAMES = {
    'Acción': 'Action',
    'Animación': 'Animation',
    'Aventura': 'Adventure',
    'Bélica': 'War',
    'Ciencia ficción': 'Science fiction sci-fi',
    'Comedia': 'Comedy',
    'Crimen': 'Crime',
    'Documental': 'Documentary',
    'Drama': 'Drama',
    'Familia': 'Family',
    'Fantasía': 'Fantasy',
    'Historia': 'History',
    'Infantil': 'Kids children',
    'Misterio': 'Mystery',
    'Musical': 'Musical music',
    'Romance': 'Romance romantic',
    'Suspense': 'Thriller suspense',
    'Terror': 'Horror',
    'Western': 'Western',
}

# What each title contributes, in three weighted parts: its name, its genre's names, its synopses.
_SQLITE_ROW = """
    new.id,
    new.title,
    CASE WHEN new.kind = 'episode' THEN '' ELSE new.genre || ' ' || coalesce(
        (SELECT names FROM search_genres WHERE search_genres.genre = new.genre), '') END,
    new.description || ' ' || coalesce(new.description_en, ''),
    coalesce(new.series_id, new.id)
"""
SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER IF NOT EXISTS titles_fts_insert AFTER INSERT ON titles BEGIN
        INSERT INTO titles_fts(rowid, title, genre, body, owner) VALUES ({_SQLITE_ROW});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS titles_fts_update
    AFTER UPDATE OF title, kind, genre, description, description_en, series_id ON titles BEGIN
        DELETE FROM titles_fts WHERE rowid = old.id;
        INSERT INTO titles_fts(rowid, title, genre, body, owner) VALUES ({_SQLITE_ROW});
    END""",
    """CREATE TRIGGER IF NOT EXISTS titles_fts_delete AFTER DELETE ON titles BEGIN
        DELETE FROM titles_fts WHERE rowid = old.id;
    END""",
)

_ACCENTED = 'áàâäãåéèêëíìîïóòôöõúùûüýÿñçÁÀÂÄÃÅÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÝŸÑÇ'
_PLAIN = 'aaaaaaeeeeiiiiooooouuuuyyncAAAAAAEEEEIIIIOOOOOUUUUYYNC'

POSTGRES_SYNC = """
CREATE OR REPLACE FUNCTION search_titles_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_titles (title_id, owner, document) VALUES (
        NEW.id,
        coalesce(NEW.series_id, NEW.id),
        setweight(to_tsvector('simple', butaca_fold(NEW.title)), 'A')
        || setweight(to_tsvector('simple', CASE WHEN NEW.kind = 'episode' THEN '' ELSE butaca_fold(
            NEW.genre || ' ' || coalesce((SELECT names FROM search_genres WHERE genre = NEW.genre), '')) END), 'B')
        || setweight(to_tsvector('simple', butaca_fold(NEW.description || ' ' || coalesce(NEW.description_en, ''))),
            'C')
    )
    ON CONFLICT (title_id) DO UPDATE SET owner = EXCLUDED.owner, document = EXCLUDED.document;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        'search_genres',
        sa.Column('genre', sa.String(length=40), primary_key=True),
        sa.Column('names', sa.String(length=200), nullable=False),
    )
    op.bulk_insert(
        sa.table('search_genres', sa.column('genre'), sa.column('names')),
        [{'genre': genre, 'names': names} for genre, names in GENRE_NAMES.items()],
    )
    if op.get_bind().dialect.name == 'sqlite':
        _upgrade_sqlite()
    else:
        _upgrade_postgres()


def _upgrade_sqlite() -> None:
    op.execute(
        'CREATE VIRTUAL TABLE titles_fts USING fts5(title, genre, body, owner UNINDEXED, '
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
    )
    for trigger in SQLITE_TRIGGERS:
        op.execute(trigger)
    op.execute(
        'INSERT INTO titles_fts(rowid, title, genre, body, owner) '
        'SELECT id, title, '
        "CASE WHEN kind = 'episode' THEN '' ELSE titles.genre || ' ' || coalesce(search_genres.names, '') END, "
        "description || ' ' || coalesce(description_en, ''), coalesce(series_id, id) "
        'FROM titles LEFT JOIN search_genres ON search_genres.genre = titles.genre'
    )


def _upgrade_postgres() -> None:
    if _unaccent_installed(op.get_bind()):
        # The two-argument form names its dictionary: with it the function is stable whatever the search_path.
        fold = "lower(unaccent('unaccent'::regdictionary, $1))"
    else:
        fold = f"lower(translate($1, '{_ACCENTED}', '{_PLAIN}'))"
    # Words as SQLite's tokenizer and fulltext.terms() see them: letters and digits, anything else a separator
    # (PostgreSQL's parser would keep 'episodio 2.3' as one token '2.3', which the words '2' and '3' never match).
    fold = f"regexp_replace({fold}, '[^[:alnum:]]+', ' ', 'g')"
    op.execute(f'CREATE OR REPLACE FUNCTION butaca_fold(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$SELECT {fold}$$')
    op.create_table(
        'search_titles',
        sa.Column('title_id', sa.Integer(), sa.ForeignKey('titles.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('owner', sa.Integer(), nullable=False),
        sa.Column('document', sa.dialects.postgresql.TSVECTOR(), nullable=False),
    )
    op.execute('CREATE INDEX search_titles_document ON search_titles USING gin (document)')
    op.execute(POSTGRES_SYNC)
    op.execute(
        'CREATE TRIGGER search_titles_sync AFTER INSERT OR UPDATE OF title, kind, genre, description, '
        'description_en, series_id ON titles FOR EACH ROW EXECUTE FUNCTION search_titles_sync()'
    )
    # Every title already there: an update that changes nothing fires the trigger once per row.
    op.execute('UPDATE titles SET title = title')


def _unaccent_installed(bind: sa.engine.Connection) -> bool:
    """Whether the unaccent extension is there or could be made (it ships with PostgreSQL's contrib, and is trusted:
    a database owner may create it). Tried in a savepoint: a role that may not leaves the migration going."""
    if not bind.exec_driver_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'").first():
        return False
    try:
        with bind.begin_nested():
            bind.exec_driver_sql('CREATE EXTENSION IF NOT EXISTS unaccent')
    except sa.exc.DBAPIError:
        return False
    return True


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name in ('titles_fts_insert', 'titles_fts_update', 'titles_fts_delete'):
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
        op.execute('DROP TABLE IF EXISTS titles_fts')
    else:
        op.execute('DROP TRIGGER IF EXISTS search_titles_sync ON titles')
        op.execute('DROP FUNCTION IF EXISTS search_titles_sync()')
        op.drop_table('search_titles')
        op.execute('DROP FUNCTION IF EXISTS butaca_fold(text)')
    op.drop_table('search_genres')
