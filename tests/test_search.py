"""Full-text search (app/services/fulltext.py behind catalog.search), on SQLite FTS5 and PostgreSQL tsvector: what
viewers type finds what they mean, in either language, ranked; nothing they type breaks it; the index follows the
titles by itself; 10,000 titles are still searched and paged by the database."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from app import db
from app.models import Kind, Title
from app.services import catalog, fulltext

pytestmark = pytest.mark.every_database  # once on SQLite, once on PostgreSQL (tests/conftest.py)

ART = {'poster_path': 'p.jpg', 'backdrop_path': 'b.jpg'}
FILM = {**ART, 'video_sd_path': 's.mp4', 'video_hd_path': 'h.mp4', 'sd_height': 480, 'hd_height': 720}


def _library() -> None:
    with db.session(write=True) as session:
        films = [
            ('Marte rojo', 'Ciencia ficción', 'Una colonia lejana pierde el contacto con la Tierra.'),
            ('Olas de invierno', 'Drama', 'Un surfista vuelve a su pueblo cuando cierra la fábrica.'),
            ('La Ola', 'Suspense', 'Un profesor enseña autocracia a su clase, y se le va de las manos.'),
            ('El camión', 'Comedia', 'Dos hermanos cruzan el país con un camión de helados.'),
            ('Cartas a Marte', 'Drama', 'Una niña escribe cada noche a su madre, que vive en una base en Marte.'),
            ('Tierra firme', 'Drama', 'Un pescador deja el mar.'),
        ]
        for index, (name, genre, description) in enumerate(films):
            catalog.add_title(
                session, title=name, genre=genre, year=2000 + index, duration_s=60.0, description=description, **FILM
            )
        series = catalog.add_series(
            session, title='Estación Polar', genre='Documental', year=2020, description='Un año en la Antártida.', **ART
        )
        for number, name in enumerate(['El deshielo', 'Noche polar', 'La vuelta'], start=1):
            catalog.add_episode(
                session,
                series=series,
                season_number=1,
                episode_number=number,
                title=name,
                duration_s=60.0,
                video_sd_path='s.mp4',
                video_hd_path='h.mp4',
                sd_height=480,
                hd_height=720,
            )


def found(query: str, **kwargs) -> list[str]:
    with db.session() as session:
        return [item.title for item in catalog.search(session, query=query, sort='relevance', **kwargs).items]


SEARCHES = [
    ('science fiction', ['Marte rojo']),  # the genre's English name finds the Spanish genre
    ('CIENCIA FICCION', ['Marte rojo']),
    ('sci-fi', ['Marte rojo']),
    ('drama', {'Cartas a Marte', 'Olas de invierno', 'Tierra firme'}),  # a set: any order
    ('thriller', ['La Ola']),
    ('surfista', ['Olas de invierno']),  # a word of the synopsis
    ('surf', ['Olas de invierno']),  # prefixes
    ('cami', ['El camión']),
    ('camión', ['El camión']),
    ('lá ÓLA', ['La Ola', 'Olas de invierno']),  # accents and case ignored; the name outranks the synopsis
    ('marte', {'Marte rojo', 'Cartas a Marte'}),
    ('tierra', ['Tierra firme', 'Marte rojo']),  # a word of the name outranks one of a synopsis
    ('deshielo', ['Estación Polar']),  # an episode's title finds its series
    ('polar', ['Estación Polar']),  # the series and its episode: listed once
    ('estacion documentary', ['Estación Polar']),  # words from two parts of one document
    ('marte comedia', []),  # every word must match
]


@pytest.mark.parametrize(('query', 'expected'), SEARCHES, ids=[query for query, _ in SEARCHES])
def test_search_finds_what_viewers_mean(query, expected):
    _library()
    result = found(query)
    if isinstance(expected, set):
        assert sorted(result) == sorted(expected)
    else:
        assert result == expected


HOSTILE = ['"', '""', '"ola', '*', 'ola*', 'NEAR', 'NEAR(ola surfista)', '-', '-ola', 'a - b', '(', 'ola)', ')(',
           'AND', 'ola OR', 'NOT ola', '^ola', 'title:ola', "'", "ola'", "'ola':*", '\\', '{ola}', '+', '&|!', '%',
           'ola & marte', '🎬', 'x' * 500, 'ola ' * 50]  # fmt: skip


@pytest.mark.parametrize('query', HOSTILE)
def test_search_syntax_typed_by_a_viewer_is_read_as_words_and_never_raises(query):
    _library()
    result = found(query)
    words = fulltext.terms(query)
    if words == ['ola']:
        assert result == found('ola')
    if words == ['near', 'ola', 'surfista']:
        assert result == []  # 'near' is a word here, not an operator: no title has it


def test_the_index_follows_titles_added_renamed_and_deleted():
    _library()
    with db.session(write=True) as session:
        row = session.exec(sa.select(Title).where(Title.title == 'El camión')).scalar_one()
        row.title = 'La furgoneta'
        row.genre = 'Aventura'
    assert found('camion') == ['La furgoneta']  # still in its synopsis
    assert found('furgoneta adventure') == ['La furgoneta']
    assert found('comedy') == []
    with db.session(write=True) as session:
        session.delete(session.exec(sa.select(Title).where(Title.title == 'La furgoneta')).scalar_one())
    assert found('furgoneta') == []


def test_at_head_the_index_is_kept_by_the_databases_own_triggers():
    # A later revision that copies `titles` (SQLite's batch mode) drops them with the old table: this says so.
    with db.transaction() as connection:
        if connection.dialect.name == 'sqlite':
            found = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars()
            assert {'titles_fts_insert', 'titles_fts_update', 'titles_fts_delete'} <= set(found)
        else:
            found = connection.exec_driver_sql(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'titles'::regclass AND NOT tgisinternal"
            ).scalars()
            assert 'search_titles_sync' in set(found)
            # Accents folded by unaccent where the server has it (the test server does), else by translate().
            assert connection.exec_driver_sql("SELECT butaca_fold('Ciencia FICCIÓN ñ')").scalar() == 'ciencia ficcion n'


def test_search_combines_with_genre_sort_and_paging():
    _library()
    assert found('marte', genre='Drama') == ['Cartas a Marte']
    with db.session() as session:
        by_year = catalog.search(session, query='marte', sort='year').items
        assert [item.title for item in by_year] == ['Cartas a Marte', 'Marte rojo']
        second = catalog.search(session, query='a', sort='title', page=2, page_size=2)
    assert second.total >= 4 and len(second.items) == 2


MANY = 10_000
PAGE = 24


def _many_titles() -> None:
    genres = ['Drama', 'Comedia', 'Documental', 'Animación', 'Suspense']
    rows = [
        {
            'kind': Kind.MOVIE.value,
            'title': f'Título {n}',
            'search_key': f'titulo {n}',
            'description': f'Historia número {n} de un surfista' if n % 100 == 0 else f'Historia número {n}',
            'year': 1950 + n % 75,
            'genre': genres[n % len(genres)],
            'rating': 'TP',
            'duration_s': 60.0,
            'is_premium': False,
            **FILM,
            'subtitles': {},
            'images': {},
        }
        for n in range(MANY)
    ]
    with db.transaction(write=True) as connection:
        connection.execute(sa.insert(Title), rows)


def _plan(words: list[str]) -> str:
    """How the database runs the lookup of `words` (EXPLAIN), as one string."""
    with db.session() as session:
        hits = fulltext.matches(session, words)
        statement = sa.select(hits.c.owner).compile(
            dialect=session.get_bind().dialect, compile_kwargs={'literal_binds': True}
        )
        prefix = 'EXPLAIN QUERY PLAN ' if session.get_bind().dialect.name == 'sqlite' else 'EXPLAIN '
        rows = session.connection().exec_driver_sql(prefix + str(statement)).all()
    return ' '.join(str(part) for row in rows for part in row)


def test_ten_thousand_titles_are_searched_by_the_index_and_paged_by_the_database(capsys):
    _many_titles()
    engine = db.get_engine()
    dialect = engine.dialect.name
    if dialect == 'postgresql':  # what autovacuum would have done by now: statistics and the visibility map
        with engine.connect().execution_options(isolation_level='AUTOCOMMIT') as connection:
            connection.exec_driver_sql('VACUUM ANALYZE search_titles')
    with db.session() as session:
        figures = []
        for query, expected_total in [('drama', MANY // 5), ('surfista', MANY // 100), ('titulo 99', 111)]:
            started = time.perf_counter()
            first = catalog.search(session, query=query, sort='relevance', page=1, page_size=PAGE)
            last = catalog.search(session, query=query, sort='relevance', page=first.pages, page_size=PAGE)
            figures.append(f'{query!r}: {(time.perf_counter() - started) * 500:.1f} ms a page')
            assert first.total == expected_total
            assert len(first.items) == min(PAGE, expected_total)
            assert len(last.items) == expected_total - (first.pages - 1) * PAGE
            assert not {item.id for item in first.items} & {item.id for item in last.items} or first.pages == 1
    plan = _plan(['surfista'])
    if dialect == 'sqlite':
        assert 'VIRTUAL TABLE INDEX' in plan  # FTS5's own index answers MATCH
    else:
        assert 'search_titles_document' in plan  # the GIN index
    with capsys.disabled():
        print(f'\n[{dialect}] search over {MANY} titles: ' + '; '.join(figures))
