"""Jobs and library folders: the state and progress of library work, the folders a scan covers, the files it found.

- jobs: one import (a file or a series folder) with its state, progress, error, attempts and result.
- library_folders: server folders inside BUTACA_LIBRARY_ROOTS, with the last scan's report.
- library_files: each video a scan found (size, time, what became of it).

Self-contained: three new tables, no existing row touched.

Revision ID: b8e4d2f0c3a5
Revises: a7d3c1e9b2f4
Create Date: 2026-12-01 19:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b8e4d2f0c3a5'
down_revision: str | Sequence[str] | None = 'a7d3c1e9b2f4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('params', sa.JSON(), server_default='{}', nullable=False),
        sa.Column('progress', sa.Float(), nullable=False),
        sa.Column('message', sa.String(length=200), nullable=False),
        sa.Column('error', sa.String(length=500), nullable=False),
        sa.Column('title_id', sa.Integer(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('worker', sa.String(length=100), nullable=True),
        sa.Column('created_by', sa.String(length=32), nullable=False),
        sa.Column('created_at', _AT, nullable=False),
        sa.Column('started_at', _AT, nullable=True),
        sa.Column('heartbeat_at', _AT, nullable=True),
        sa.Column('finished_at', _AT, nullable=True),
        sa.ForeignKeyConstraint(['title_id'], ['titles.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_jobs_state', 'jobs', ['state'])
    op.create_table(
        'library_folders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('path', sa.String(length=1000), nullable=False),
        sa.Column('added_at', _AT, nullable=False),
        sa.Column('scanned_at', _AT, nullable=True),
        sa.Column('report', sa.JSON(), server_default='{}', nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('path'),
    )
    op.create_table(
        'library_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('folder_id', sa.Integer(), nullable=False),
        sa.Column('path', sa.String(length=1000), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('mtime', sa.Float(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('reason', sa.String(length=300), nullable=False),
        sa.Column('title_id', sa.Integer(), nullable=True),
        sa.Column('job_id', sa.Integer(), nullable=True),
        sa.Column('seen_at', _AT, nullable=False),
        sa.ForeignKeyConstraint(['folder_id'], ['library_folders.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['title_id'], ['titles.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('path'),
    )
    op.create_index('ix_library_files_folder_id', 'library_files', ['folder_id'])


def downgrade() -> None:
    op.drop_index('ix_library_files_folder_id', table_name='library_files')
    op.drop_table('library_files')
    op.drop_table('library_folders')
    op.drop_index('ix_jobs_state', table_name='jobs')
    op.drop_table('jobs')
