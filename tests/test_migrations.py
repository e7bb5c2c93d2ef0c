"""The schema's migrations (app/migrate.py), on SQLite and on PostgreSQL: today's database with its data upgraded
and every row kept, the baseline equal to what create_all made, one migrating process at a time, refusals in one
line, and SQLite's cascade trap."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from app import db, migrate

from .conftest import Postgres
from .waits import WAIT_S, run_command, wait_until

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = Path(__file__).parent / 'data'
WHEN = datetime(2026, 11, 30, 21, 15, 7, 250000, tzinfo=UTC)

# Today's data, written as plain rows (not through app.models, which later revisions will change).
_PLAN = sa.Enum('FREE', 'PREMIUM', name='plan')
_QUALITY = sa.Enum('SD', 'HD', name='quality')
_AT = sa.DateTime(timezone=True)
TABLES = {
    'users': sa.table(
        'users', *map(sa.column, ('id', 'username', 'username_key', 'password_hash', 'language')),
        sa.column('subscription_type', _PLAN), sa.column('created_at', _AT),
    ),
    'titles': sa.table(
        'titles',
        *map(sa.column, ('id', 'kind', 'title', 'search_key', 'description', 'year', 'genre', 'rating')),
        *map(sa.column, ('duration_s', 'is_premium', 'poster_path', 'backdrop_path', 'video_sd_path')),
        *map(sa.column, ('video_hd_path', 'sd_height', 'hd_height')), sa.column('created_at', _AT),
    ),
    'auth_sessions': sa.table(
        'auth_sessions', sa.column('token'), sa.column('user_id'), sa.column('created_at', _AT),
        sa.column('last_seen_at', _AT),
    ),
    'playback_progress': sa.table(
        'playback_progress', *map(sa.column, ('user_id', 'title_id', 'position_s', 'duration_s', 'resumable')),
        sa.column('watched'), sa.column('updated_at', _AT),
    ),
    'watch_history': sa.table(
        'watch_history', *map(sa.column, ('id', 'user_id', 'title_id', 'position_s')),
        sa.column('watched_at', _AT), sa.column('quality', _QUALITY),
    ),
    'playbacks': sa.table(
        'playbacks', *map(sa.column, ('token', 'user_id', 'device', 'title_id', 'history_id', 'stopped')),
        sa.column('quality', _QUALITY), sa.column('started_at', _AT), sa.column('heartbeat_at', _AT),
    ),
    'login_failures': sa.table('login_failures', sa.column('id'), sa.column('key'), sa.column('at', _AT)),
}  # fmt: skip
CHILDREN = ('auth_sessions', 'playback_progress', 'watch_history', 'playbacks')


def _today_rows() -> dict[str, list[dict]]:
    users = [
        {'id': n, 'username': name, 'username_key': name.lower(), 'password_hash': f'$2b$04${name:x<53}',
         'language': language, 'subscription_type': plan, 'created_at': WHEN}
        for n, name, language, plan in [(1, 'Ana', 'es', 'PREMIUM'), (2, 'Bruno', None, 'FREE'),
                                        (3, 'Íñigo', 'en', 'FREE')]
    ]  # fmt: skip
    titles = [
        {'id': n, 'kind': 'movie' if n % 2 else 'series', 'title': f'Título {n}', 'search_key': f'titulo {n}',
         'description': 'Una historia', 'year': 2000 + n, 'genre': 'Drama', 'rating': '12', 'duration_s': 600.0 * n,
         'is_premium': n == 4, 'poster_path': f't{n}/p.jpg', 'backdrop_path': f't{n}/b.jpg',
         'video_sd_path': f't{n}/sd.mp4', 'video_hd_path': f't{n}/hd.mp4', 'sd_height': 480, 'hd_height': 720,
         'created_at': WHEN}
        for n in range(1, 5)
    ]  # fmt: skip
    return {
        'users': users,
        'titles': titles,
        'auth_sessions': [
            {'token': f'session-{n}', 'user_id': n, 'created_at': WHEN, 'last_seen_at': WHEN} for n in (1, 2, 3)
        ],
        'playback_progress': [
            {
                'user_id': user,
                'title_id': title,
                'position_s': 61.5 * title,
                'duration_s': 600.0 * title,
                'resumable': title != 3,
                'watched': title == 3,
                'updated_at': WHEN,
            }
            for user, title in ((1, 1), (1, 2), (1, 3), (2, 1))
        ],  # fmt: skip
        'watch_history': [
            {
                'id': n,
                'user_id': 1 + n % 2,
                'title_id': 1 + n % 4,
                'position_s': 10.0 * n,
                'watched_at': WHEN,
                'quality': 'HD' if n % 2 else 'SD',
            }
            for n in range(1, 7)
        ],  # fmt: skip
        'playbacks': [
            {
                'token': f'play-{n}',
                'user_id': 1 + n % 2,
                'device': f'device-{n}',
                'title_id': 1 + n % 4,
                'history_id': n,
                'stopped': n == 2,
                'quality': 'HD' if n % 2 else 'SD',
                'started_at': WHEN,
                'heartbeat_at': WHEN,
            }
            for n in (1, 2, 3)
        ],  # fmt: skip
        'login_failures': [{'id': n, 'key': f'user:nadie{n}', 'at': WHEN} for n in (1, 2)],
    }


def _rows(engine: Engine) -> dict[str, list[tuple]]:
    """What the data tables hold, in the columns written by `_today_rows`, in a fixed order."""
    with engine.connect() as connection:
        return {
            name: sorted(tuple(row) for row in connection.execute(sa.select(*table.columns)))
            for name, table in TABLES.items()
        }


# The PostgreSQL run is `slow` (the inner loop is SQLite's), as in tests/conftest.py.
@pytest.fixture(params=['sqlite', pytest.param('postgresql', marks=[pytest.mark.postgresql, pytest.mark.slow])])
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes empty databases (no tables) of one kind; dropped after the test."""
    made: list[str] = []

    def make() -> str:
        if request.param == 'sqlite':
            made.append(f'sqlite:///{tmp_path / f"db{len(made)}" / "database.db"}')
        else:
            postgres: Postgres = request.getfixturevalue('postgres')
            made.append(postgres.create())
        return made[-1]

    yield make
    db.dispose_engines()
    if request.param == 'postgresql':
        for url in made:
            request.getfixturevalue('postgres').drop(url)


def _engine(url: str) -> Engine:
    return db.get_engine(url)  # the app's own engine: the path init_db takes


def _todays_database(url: str, *, data: bool = True) -> Engine:
    """A database as the code before migrations made it: the frozen snapshot of create_all, with today's data."""
    engine = _engine(url)
    script = (SNAPSHOTS / f'schema_today_{engine.dialect.name}.sql').read_text()
    sql = '\n'.join(line for line in script.splitlines() if not line.startswith('--'))
    with engine.begin() as connection:
        for statement in filter(None, (part.strip() for part in sql.split(';\n'))):
            connection.exec_driver_sql(statement.rstrip(';'))
        if data:
            for name, rows in _today_rows().items():
                connection.execute(sa.insert(TABLES[name]), rows)
            if engine.dialect.name == 'postgresql':  # rows written with their ids, as create_all's SERIALs allow
                for table in ('users', 'titles', 'watch_history', 'login_failures'):
                    connection.exec_driver_sql(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
    return engine


def _merged_by_day(rows: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """What the rows become: the history keeps one entry per user, title and day (the newest, with that day's
    furthest position), and playbacks point at the entry theirs was merged into."""
    history = rows['watch_history']  # (id, user, title, position, watched_at, quality)
    kept: dict[tuple, tuple] = {}
    moved: dict[int, int] = {}
    for entry in sorted(history, key=lambda row: (row[4], row[0])):
        key = (entry[1], entry[2], entry[4].date())
        if key in kept:
            moved[kept[key][0]] = entry[0]
            entry = (*entry[:3], max(entry[3], kept[key][3]), *entry[4:])
        kept[key] = entry
    for old, new in list(moved.items()):
        while new in moved:
            new = moved[new]
        moved[old] = new
    playbacks = [(*row[:4], moved.get(row[4], row[4]), *row[5:]) for row in rows['playbacks']]
    return {**rows, 'watch_history': sorted(kept.values()), 'playbacks': sorted(playbacks)}


def test_todays_database_is_stamped_at_the_baseline_upgraded_and_keeps_every_row(new_database, monkeypatch):
    url = new_database()
    monkeypatch.setenv('BUTACA_DATABASE_URL', url)
    engine = _todays_database(url)
    before = _rows(engine)
    assert all(before.values())

    outcome = migrate.upgrade(engine)

    assert outcome.stamped and outcome.after == tuple(sorted(migrate.code_heads()))
    assert _rows(engine) == _merged_by_day(before)
    # The app works on it, foreign keys included: deleting an account takes its sessions, progress and history.
    from app.services import accounts

    assert accounts.find_by_username(username='íñigo').id == 3
    with engine.begin() as connection:
        connection.execute(sa.text('DELETE FROM users WHERE id = 1'))
    after = _rows(engine)
    assert all(row[0] != 1 for row in after['auth_sessions'])
    assert [row[:2] for row in after['playback_progress']] == [(2, 1)]
    assert migrate.upgrade(engine) == migrate.Outcome(outcome.after, outcome.after)  # nothing left to do


def test_an_empty_database_is_made_by_the_migrations_and_a_second_start_has_nothing_to_do(new_database):
    engine = db.init_db(new_database())
    with engine.connect() as connection:
        assert migrate.current_revisions(connection) == migrate.code_heads()
        assert set(sa.inspect(connection).get_table_names()) >= migrate.BASELINE_TABLES
    assert not migrate.upgrade(engine).changed


def test_the_baseline_makes_exactly_what_create_all_made(new_database):
    today = _todays_database(new_database(), data=False)
    baseline = _engine(new_database())
    migrate.upgrade(baseline, revision=migrate.BASELINE)
    assert _schema(baseline) == _schema(today)


def test_at_head_the_migrations_make_what_the_models_say(new_database):
    engine = db.init_db(new_database())
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={'include_name': migrate.include_name, 'compare_type': True}
        )
        assert compare_metadata(context, SQLModel.metadata) == []


def test_tables_of_the_full_text_search_are_not_the_migrations_to_compare_or_drop(new_database):
    engine = db.init_db(new_database())
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={'include_name': migrate.include_name})
        assert compare_metadata(context, SQLModel.metadata) == []
        unfiltered = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    # Without the filter, autogenerate would propose to drop the search's tables (revision 5947689bc8cf).
    fts5 = {'titles_fts', *(f'titles_fts_{shadow}' for shadow in ('data', 'idx', 'content', 'docsize', 'config'))}
    search = {'search_genres', *(fts5 if engine.dialect.name == 'sqlite' else {'search_titles'})}
    assert {diff[1].name for diff in unfiltered if diff[0] == 'remove_table'} == search


def test_the_search_revision_indexes_the_titles_already_there_and_goes_back_cleanly(new_database, monkeypatch):
    url = new_database()
    monkeypatch.setenv('BUTACA_DATABASE_URL', url)
    engine = _engine(url)
    migrate.upgrade(engine, revision='912e272bc8e6')
    with engine.begin() as connection:
        connection.execute(sa.insert(TABLES['titles']), _today_rows()['titles'])
        connection.exec_driver_sql("UPDATE titles SET description = 'Un surfista', genre = 'Ciencia ficción'")
    migrate.upgrade(engine)
    from app.services import catalog

    with db.session() as session:
        assert catalog.search(session, query='surfista science fiction').total == len(_today_rows()['titles'])
    migrate.downgrade(engine, revision='912e272bc8e6')
    with engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
    assert [name for name in tables if not migrate.include_name(name, 'table', None)] == []
    migrate.upgrade(engine)  # and forward again


def test_a_database_newer_than_the_code_is_refused_in_one_line(new_database):
    url = new_database()
    engine = db.init_db(url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = 'f00dfeedbeef'"))
    with pytest.raises(migrate.MigrationError) as refused:
        db.init_db(url)
    assert 'f00dfeedbeef' in str(refused.value) and 'newer Butaca' in str(refused.value)

    env = {k: v for k, v in os.environ.items() if not k.startswith(('PYTEST_', 'NICEGUI_'))}
    env.update(BUTACA_DATABASE_URL=url)
    started = run_command([sys.executable, 'main.py'], what='main.py', cwd=ROOT, env=env)
    assert started.returncode != 0
    last = started.stderr.strip().splitlines()[-1]
    assert last.startswith('Butaca cannot start: the database is at schema revision f00dfeedbeef'), started.stderr


def test_processes_starting_together_migrate_once_and_the_others_find_nothing_to_do(new_database, tmp_path):
    url = new_database()
    engine = _engine(url)
    logs = [tmp_path / f'start{n}.log' for n in (1, 2)]
    with migrate.migration_lock(engine):  # held here until both have come to wait for it
        starts = []
        for log in logs:
            with log.open('w') as stderr:
                command = [*_butaca_migrate(), '--database-url', url]
                starts.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True))

        def both_waiting() -> bool:
            assert all(start.poll() is None for start in starts), [log.read_text() for log in logs]
            return all('Waiting for another process' in log.read_text() for log in logs)

        wait_until(both_waiting, what='both to wait for the migration lock')
    outputs = [start.communicate(timeout=WAIT_S)[0] for start in starts]
    assert [start.returncode for start in starts] == [0, 0]
    head = ', '.join(sorted(migrate.code_heads()))
    assert sorted(output.split(': ', 1)[1].strip() for output in outputs) == [
        f'already at {head}',
        f'schema created at {head}',
    ]


def test_butaca_migrate_upgrades_tells_where_the_database_stands_and_fails_with_a_non_zero_exit(new_database):
    url = new_database()

    def butaca_migrate(*args: str) -> subprocess.CompletedProcess:
        return run_command([*_butaca_migrate(), '--database-url', url, *args], what='butaca-migrate')

    head = ', '.join(sorted(migrate.code_heads()))
    assert 'no revision: empty' in butaca_migrate('current').stdout
    assert butaca_migrate().stdout.strip().endswith(f'schema created at {head}')
    assert butaca_migrate('current').stdout.strip().endswith(f'{head} (head): up to date')
    assert f'<base> -> {migrate.BASELINE}' in butaca_migrate('history').stdout
    with _engine(url).begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = 'f00dfeedbeef'"))
    refused = butaca_migrate('upgrade')
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines()[-1].startswith('butaca-migrate: the database is at schema revision')


def _butaca_migrate() -> list[str]:
    """The installed console script (pyproject's [project.scripts]), as a user runs it."""
    script = Path(sys.executable).with_name('butaca-migrate')
    return [str(script)] if script.exists() else [sys.executable, '-m', 'app.migrate']


# ---- SQLite: batch operations copy the table; dropping a parent with foreign keys on empties its children ----

RECREATE_USERS = '''
"""A test revision: SQLite's batch mode recreates users (copy, drop the old table, rename), with children rows."""

import sqlalchemy as sa
from alembic import op

revision = 'c0ffee000001'
down_revision = {head!r}
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', recreate='always') as batch:
        batch.add_column(sa.Column('nickname', sa.String(32), nullable=True))
    {extra}


def downgrade():
    pass
'''


def _test_revision(folder: Path, extra: str = 'pass') -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / 'c0ffee000001_recreate_users.py'
    (head,) = migrate.code_heads()
    path.write_text(RECREATE_USERS.format(head=head, extra=extra))
    return path


@pytest.fixture
def todays_sqlite(tmp_path: Path) -> Iterator[Callable[[], Engine]]:
    """Makes SQLite databases of today, with data, upgraded to the code's head."""
    made = iter(range(100))

    def make() -> Engine:
        engine = _todays_database(f'sqlite:///{tmp_path / f"today{next(made)}.db"}')
        migrate.upgrade(engine)
        return engine

    yield make
    db.dispose_engines()


def test_recreating_a_parent_table_keeps_its_children_and_with_foreign_keys_on_would_have_emptied_them(
    todays_sqlite, tmp_path
):
    engine = todays_sqlite()
    before = _rows(engine)
    revision = _test_revision(tmp_path / 'versions')

    outcome = migrate.upgrade(engine, config=migrate.alembic_config(version_locations=[revision.parent]))

    assert outcome.after == ('c0ffee000001',)
    with engine.connect() as connection:
        assert 'nickname' in {column['name'] for column in sa.inspect(connection).get_columns('users')}
    assert _rows(engine) == before  # children and all
    with engine.begin() as connection:  # and the foreign keys still hold: the cascade works on the new table
        connection.execute(sa.text('DELETE FROM users WHERE id = 2'))
    assert [row[:2] for row in _rows(engine)['playback_progress']] == [(1, 1), (1, 2), (1, 3)]

    # The same revision, run as a plain connection of the app would (foreign keys on): the children are gone.
    trap = todays_sqlite()
    spec = importlib.util.spec_from_file_location('recreate_users', revision)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with trap.begin() as connection, Operations.context(MigrationContext.configure(connection)):
        assert connection.exec_driver_sql('PRAGMA foreign_keys').scalar() == 1
        module.upgrade()
    emptied = _rows(trap)
    assert emptied['users'] == before['users']
    assert all(emptied[child] == [] for child in CHILDREN)


def test_sqlite_ignores_the_foreign_keys_pragma_inside_a_transaction(tmp_path):
    # Why app/migrate.py turns foreign keys off on a fresh connection, before BEGIN, and never in a revision.
    with contextlib.closing(sqlite3.connect(tmp_path / 't.db', isolation_level=None)) as connection:
        connection.execute('PRAGMA foreign_keys=ON')
        connection.execute('BEGIN')
        connection.execute('PRAGMA foreign_keys=OFF')
        assert connection.execute('PRAGMA foreign_keys').fetchone()[0] == 1
        connection.execute('COMMIT')
        connection.execute('PRAGMA foreign_keys=OFF')
        assert connection.execute('PRAGMA foreign_keys').fetchone()[0] == 0


def test_a_migration_that_leaves_rows_pointing_at_nothing_is_refused_and_rolled_back(todays_sqlite, tmp_path):
    engine = todays_sqlite()
    before = _rows(engine)
    revision = _test_revision(tmp_path / 'versions', extra="op.execute('DELETE FROM titles WHERE id = 1')")

    with pytest.raises(migrate.MigrationError, match='pointing at missing rows .*playback_progress -> titles'):
        migrate.upgrade(engine, config=migrate.alembic_config(version_locations=[revision.parent]))

    assert _rows(engine) == before
    with engine.connect() as connection:
        assert migrate.current_revisions(connection) == migrate.code_heads()
        assert 'nickname' not in {column['name'] for column in sa.inspect(connection).get_columns('users')}


def test_deleting_the_database_file_starts_afresh(butaca_env: Path):
    from app.config import get_settings
    from app.services import accounts

    accounts.register(username='ana', password='secreto123', confirm='secreto123', rounds=4)
    database = Path(get_settings().database_url.split('///', 1)[1])
    db.dispose_engines()
    for suffix in ('', '-wal', '-shm'):
        Path(f'{database}{suffix}').unlink(missing_ok=True)

    engine = db.init_db()

    assert accounts.find_by_username(username='ana') is None
    with engine.connect() as connection:
        assert migrate.current_revisions(connection) == migrate.code_heads()


def _schema(engine: Engine) -> dict:
    """Everything create_all decides, as the database reports it: tables, columns, keys, indexes, enum types."""
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        tables = [
            name
            for name in inspector.get_table_names()
            if name != 'alembic_version' and migrate.include_name(name, 'table', None)
        ]
        schema: dict = {
            table: {
                'columns': [
                    (c['name'], c['type'].compile(dialect=engine.dialect), c['nullable'], c['default'])
                    for c in inspector.get_columns(table)
                ],
                'primary key': inspector.get_pk_constraint(table),
                'foreign keys': sorted(
                    (
                        fk['name'] or '',
                        fk['constrained_columns'],
                        fk['referred_table'],
                        fk['referred_columns'],
                        fk['options'],
                    )
                    for fk in inspector.get_foreign_keys(table)
                ),  # fmt: skip
                'indexes': sorted((i['name'], i['column_names'], i['unique']) for i in inspector.get_indexes(table)),
                'unique': sorted((u['name'] or '', u['column_names']) for u in inspector.get_unique_constraints(table)),
            }
            for table in sorted(tables)
        }
        if engine.dialect.name == 'postgresql':
            schema['enum types'] = inspector.get_enums()
    return schema
