"""The schema at run time: brings a database to the code's revision with Alembic, one process at a time; and the
`butaca-migrate` command.

- An empty database is made by the revisions, the baseline first.
- A database made before migrations existed (Butaca's tables, no alembic_version) is stamped at the baseline, then
  upgraded. A database at an older revision is upgraded. One at a revision this code does not know (a newer Butaca
  migrated it) is refused with a one-line MigrationError.
- Processes that start together take a lock (PostgreSQL: an advisory lock held by a connection of its own; SQLite:
  flock on a file beside the database): the first migrates, the others wait, then find nothing to do.
- With nothing to do, `upgrade` costs one query and no lock (the code's revisions are read once per process).

SQLite runs the revisions on a connection of its own, with foreign keys OFF, set before the transaction begins
(inside one the pragma does nothing): batch operations copy a table and drop the old one, and dropping a parent
table with foreign keys on deletes its children (ON DELETE CASCADE). Before the commit, PRAGMA foreign_key_check
refuses a migration that left rows pointing at nothing. A run is one transaction (BEGIN IMMEDIATE), DDL included,
on both databases: a failed migration leaves the database as it was.

Tables whose names start with NOT_ALEMBICS (the full-text search's, with their shadow tables) belong to the code
that makes them: `include_name` hides them from autogenerate and from schema comparisons, so that no revision
proposes to drop them.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

try:
    import fcntl
except ImportError:  # Windows: no flock; there one process per SQLite file is all that is supported anyway
    fcntl = None  # type: ignore[assignment]

ALEMBIC_INI = Path(__file__).parent / 'migrations' / 'alembic.ini'
BASELINE = '36e2702aa2f4'
# The baseline's tables. A database with some of them and no alembic_version was made before migrations existed.
BASELINE_TABLES = frozenset(
    {'users', 'auth_sessions', 'titles', 'playback_progress', 'watch_history', 'playbacks', 'login_failures'}
)
NOT_ALEMBICS = ('titles_fts', 'search_')
# Advisory locks belong to one database, so a fixed key means "migrating Butaca's schema" in this database only.
_PG_LOCK_KEY = zlib.crc32(b'butaca-migrate')
log = logging.getLogger('butaca.migrate')


class MigrationError(RuntimeError):
    """The database cannot be brought to this code's schema; the message (one line) says why and what to do."""


@dataclass(frozen=True)
class Outcome:
    """The revisions a database was at before and after a run, and whether it was stamped at the baseline first."""

    before: tuple[str, ...]
    after: tuple[str, ...]
    stamped: bool = False

    @property
    def changed(self) -> bool:
        return self.stamped or self.before != self.after

    def __str__(self) -> str:
        after = ', '.join(self.after) or 'no revision'
        if not self.changed:
            return f'already at {after}'
        if self.stamped:
            then = '' if self.after == (BASELINE,) else f', then upgraded to {after}'
            return f'a database made before migrations: stamped at the baseline {BASELINE}{then}'
        if not self.before:
            return f'schema created at {after}'
        return f'migrated from {", ".join(self.before)} to {after}'


def alembic_config(*, version_locations: Sequence[Path] = ()) -> Config:
    """Butaca's Alembic configuration (the packaged alembic.ini). `version_locations` adds folders of revisions
    to the packaged ones (the tests' own revisions, applied through the same machinery)."""
    config = Config(str(ALEMBIC_INI))
    if version_locations:
        folders = [ALEMBIC_INI.parent / 'versions', *version_locations]
        config.set_main_option('version_locations', os.pathsep.join(str(folder) for folder in folders))
    return config


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Alembic's filter (env.py, and any schema comparison): the tables of NOT_ALEMBICS are not the revisions'."""
    return not (type_ == 'table' and name is not None and name.startswith(NOT_ALEMBICS))


@functools.cache
def code_heads() -> frozenset[str]:
    """The newest revisions this code has (one, unless two branches were never merged)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(connection: Connection) -> frozenset[str]:
    """The revisions stamped in the database: none for an empty one or one made before migrations."""
    if not inspect(connection).has_table('alembic_version'):
        return frozenset()
    return frozenset(connection.execute(text('SELECT version_num FROM alembic_version')).scalars())


def upgrade(engine: Engine, *, revision: str = 'heads', config: Config | None = None) -> Outcome:
    """Bring the database to `revision` (the code's newest by default), as the module docstring says.

    What `db.init_db` runs at every start: when the database is already there, one query and no lock."""
    if config is None and revision == 'heads':
        with engine.connect() as connection:
            current = current_revisions(connection)
        if current == code_heads():
            return Outcome(tuple(sorted(current)), tuple(sorted(current)))
    return _migrate(engine, config or alembic_config(), lambda config: command.upgrade(config, revision))


def downgrade(engine: Engine, *, revision: str, config: Config | None = None) -> Outcome:
    """Take the database back to `revision` (for a developer trying a revision's downgrade; data may be lost)."""
    return _migrate(engine, config or alembic_config(), lambda config: command.downgrade(config, revision))


def _migrate(engine: Engine, config: Config, run: Callable[[Config], object]) -> Outcome:
    script = ScriptDirectory.from_config(config)
    with migration_lock(engine), migration_connection(engine) as connection:
        with connection.begin():
            if connection.dialect.name == 'sqlite' and connection.exec_driver_sql('PRAGMA foreign_keys').scalar():
                raise MigrationError('SQLite kept foreign keys on for the migration; nothing was changed.')
            before = current_revisions(connection)  # again: another process may have migrated while we waited
            _refuse_unknown(script, before)
            stamped = not before and _made_before_migrations(connection)
            if stamped:
                MigrationContext.configure(connection).stamp(script, BASELINE)
            config.attributes['connection'] = connection
            try:
                run(config)
            finally:
                del config.attributes['connection']
            _refuse_dangling_rows(connection)
            after = current_revisions(connection)
    outcome = Outcome(tuple(sorted(before)), tuple(sorted(after)), stamped)
    if outcome.changed:
        log.info('Database schema: %s', outcome)
    return outcome


def _refuse_unknown(script: ScriptDirectory, revisions: frozenset[str]) -> None:
    for revision in sorted(revisions):
        try:
            known = script.get_revision(revision) is not None
        except CommandError:
            known = False
        if not known:
            newest = ', '.join(sorted(script.get_heads()))
            raise MigrationError(
                f'the database is at schema revision {revision}, which this version of Butaca does not know '
                f'(its newest is {newest}): a newer Butaca migrated it. Run that version, or restore a backup.'
            )


def _made_before_migrations(connection: Connection) -> bool:
    """True for a database that create_all made (Butaca's tables, no alembic_version); False for an empty one."""
    tables = set(inspect(connection).get_table_names())
    if not tables & BASELINE_TABLES:
        return False
    if missing := BASELINE_TABLES - tables:
        raise MigrationError(
            f"the database has some of Butaca's tables but not {', '.join(sorted(missing))}, and no "
            'alembic_version: it was not made by Butaca. Restore a backup, or point Butaca at an empty database.'
        )
    return True


def _refuse_dangling_rows(connection: Connection) -> None:
    """SQLite with foreign keys off checks nothing while the revisions run: check it all before the commit."""
    if connection.dialect.name != 'sqlite':
        return  # PostgreSQL checks every constraint as the revisions run
    rows = connection.exec_driver_sql('PRAGMA foreign_key_check').fetchall()
    if rows:
        pairs: dict[str, int] = {}
        for table, _rowid, parent, _fk in rows:
            pairs[f'{table} -> {parent}'] = pairs.get(f'{table} -> {parent}', 0) + 1
        found = ', '.join(f'{pair}: {count}' for pair, count in sorted(pairs.items()))
        raise MigrationError(
            f'the migration would leave rows pointing at missing rows ({found}); nothing was changed. Fix the revision.'
        )


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """One migrating process at a time per database; the others wait here until it is done."""
    if engine.dialect.name == 'postgresql':
        # A connection of its own, in autocommit: the lock is the session's, and no transaction stays open while
        # the migration runs on another connection.
        with engine.connect() as connection:
            connection.execution_options(isolation_level='AUTOCOMMIT')
            key = {'key': _PG_LOCK_KEY}
            if not connection.execute(text('SELECT pg_try_advisory_lock(:key)'), key).scalar():
                log.info('Waiting for another process to finish migrating the database')
                connection.execute(text('SELECT pg_advisory_lock(:key)'), key)
            try:
                yield
            finally:
                connection.execute(text('SELECT pg_advisory_unlock(:key)'), key)
        return
    path = engine.url.database if engine.dialect.name == 'sqlite' else None
    if not path or path == ':memory:' or fcntl is None:
        yield  # a database in memory lives in one process; other dialects are not supported (README)
        return
    lock_path = Path(path).with_name(Path(path).name + '.migrate-lock')
    lock_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Private from the start, as the database beside it (a missing folder is made 0700 too).
    with os.fdopen(os.open(lock_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), 'a') as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info('Waiting for another process to finish migrating the database')
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """The connection the revisions run on. PostgreSQL: one of the engine's. SQLite: one of its own (not the app's,
    which have foreign keys on), with foreign keys off and a real BEGIN, so that DDL is inside the transaction."""
    if engine.dialect.name != 'sqlite':
        with engine.connect() as connection:
            yield connection
        return
    own = create_engine(engine.url, poolclass=NullPool, connect_args={'timeout': 30})
    event.listen(own, 'connect', _sqlite_migration_pragmas)
    # IMMEDIATE: take the write lock at once, rather than fail half-way when an app process writes meanwhile.
    event.listen(own, 'begin', lambda connection: connection.exec_driver_sql('BEGIN IMMEDIATE'))
    try:
        with own.connect() as connection:
            yield connection
            # Back to the app's setting, on the driver's connection: SQLAlchemy would begin a transaction first.
            connection.connection.driver_connection.execute('PRAGMA foreign_keys=ON')
    finally:
        own.dispose()


def _sqlite_migration_pragmas(dbapi_connection, _record) -> None:
    # The driver must not BEGIN by itself (it would not for DDL, and it commits around some statements): the
    # engine's 'begin' event does. Foreign keys off here, on a fresh connection, outside any transaction.
    dbapi_connection.isolation_level = None
    dbapi_connection.execute('PRAGMA foreign_keys=OFF')
    dbapi_connection.execute('PRAGMA journal_mode=WAL')


def describe(engine: Engine) -> str:
    """Where the database stands, in one line (`butaca-migrate current`)."""
    with engine.connect() as connection:
        current = current_revisions(connection)
        tables = set(inspect(connection).get_table_names())
    heads = code_heads()
    newest = ', '.join(sorted(heads))
    if current == heads:
        return f'{newest} (head): up to date'
    if not current and tables & BASELINE_TABLES:
        return f'no revision: made before migrations; an upgrade stamps it at the baseline {BASELINE}, then upgrades'
    if not current:
        return f'no revision: empty; an upgrade creates the schema at {newest}'
    script = ScriptDirectory.from_config(alembic_config())
    try:
        _refuse_unknown(script, current)
    except MigrationError as error:
        return f'{", ".join(sorted(current))}: {error}'
    return f'{", ".join(sorted(current))}: behind; an upgrade brings it to {newest}'


def new_revision(engine: Engine, *, message: str, autogenerate: bool) -> list[Path]:
    """Write a new revision file into app/migrations/versions. With `autogenerate`, the database is first brought
    to the newest revision, then compared with app/models.py: the revision holds the difference (review it)."""
    config = alembic_config()
    if not autogenerate:
        scripts = command.revision(config, message=message)
    else:
        upgrade(engine)
        with migration_connection(engine) as connection, connection.begin():
            config.attributes['connection'] = connection
            scripts = command.revision(config, message=message, autogenerate=True)
    found = scripts if isinstance(scripts, list) else [scripts]
    return [Path(script.path) for script in found if script is not None]


def main(argv: Sequence[str] | None = None) -> int:
    """`butaca-migrate`: upgrade (the default), downgrade, current, history, revision."""
    from .config import ConfigError, get_settings

    parser = argparse.ArgumentParser(
        prog='butaca-migrate',
        description="Bring Butaca's database to the code's schema (what the app does at every start), "
        'show where it stands, or write a new revision.',
    )
    parser.add_argument('--database-url', help='default: BUTACA_DATABASE_URL, else data/database.db')
    commands = parser.add_subparsers(dest='command', metavar='COMMAND')
    up = commands.add_parser('upgrade', help='upgrade to the newest revision, or to REVISION (the default command)')
    up.add_argument('revision', nargs='?', default='heads')
    down = commands.add_parser('downgrade', help='take the database back to REVISION (data may be lost)')
    down.add_argument('revision')
    commands.add_parser('current', help='the revision the database is at')
    commands.add_parser('history', help='every revision, newest first')
    new = commands.add_parser('revision', help='write a new revision into app/migrations/versions')
    new.add_argument('-m', '--message', required=True, help='what the revision changes')
    new.add_argument('--autogenerate', action='store_true', help='write what differs between models and database')
    args = parser.parse_args(argv)
    # Alembic says what it runs ("Running upgrade ...") through logging.
    logging.basicConfig(level=logging.INFO, format='%(message)s', stream=sys.stderr)
    logging.getLogger('alembic.runtime.plugins').setLevel(logging.WARNING)  # "setting up autogenerate plugin ..."

    from . import db

    try:
        url = args.database_url or get_settings().database_url
        engine = db.get_engine(url)
        where = engine.url.render_as_string(hide_password=True)
        match args.command:
            case None | 'upgrade':
                _say(f'{where}: {upgrade(engine, revision=getattr(args, "revision", "heads"))}')
            case 'downgrade':
                _say(f'{where}: {downgrade(engine, revision=args.revision)}')
            case 'current':
                _say(f'{where}: {describe(engine)}')
            case 'history':
                command.history(alembic_config())
            case 'revision':
                for path in new_revision(engine, message=args.message, autogenerate=args.autogenerate):
                    _say(f'New revision: {path}')
    except (MigrationError, CommandError, SQLAlchemyError, ConfigError) as error:
        _say(f'butaca-migrate: {str(error).strip().splitlines()[0]}', sys.stderr)
        return 1
    finally:
        db.dispose_engines()
    return 0


def _say(line: str, stream: TextIO = sys.stdout) -> None:
    stream.write(line + '\n')


if __name__ == '__main__':
    raise SystemExit(main())
