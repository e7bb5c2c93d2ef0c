"""Alembic's environment: runs the revisions on the connection that app/migrate.py opened and handed over.

app/migrate.py owns everything around a run: the lock that lets one process migrate at a time, SQLite's foreign
keys turned off outside the transaction (batch operations recreate tables), the foreign key check before the
commit, and stamping a database made before migrations. So this file only configures Alembic and runs.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from app import models  # noqa: F401  (registers every table on SQLModel.metadata, for --autogenerate)
from app.migrate import include_name

connection = context.config.attributes.get('connection')
if connection is None:
    # The plain `alembic` command would skip the lock and SQLite's foreign-key handling (and a batch operation
    # with foreign keys on empties the child tables): refuse rather than risk it.
    raise SystemExit('Run migrations with butaca-migrate (see butaca-migrate --help), not with alembic itself.')

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    # SQLite alters most things only by copying the table ("move and copy"): batch mode does that.
    render_as_batch=connection.dialect.name == 'sqlite',
    include_name=include_name,
    compare_type=True,
    # app/migrate.py runs every revision in one transaction, DDL included, on both databases.
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
