"""Baseline: the schema as `SQLModel.metadata.create_all` made it before migrations existed.

Written out table by table, never built from app.models, so that a later change to the models cannot change what
this revision makes. A database made by that earlier code has these tables and no alembic_version: app/migrate.py
stamps it at this revision instead of running it. tests/test_migrations.py checks it against the frozen snapshots
in tests/data/schema_today_*.sql, on SQLite and on PostgreSQL.

Revision ID: 36e2702aa2f4
Revises:
Create Date: 2026-12-01 15:24:42
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '36e2702aa2f4'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL makes these named enum types (once each, before the first table that uses them); elsewhere they are
# plain VARCHARs as long as their longest value, without a CHECK constraint, as create_all made them.
PLAN = sa.Enum('FREE', 'PREMIUM', name='plan')
QUALITY = sa.Enum('SD', 'HD', name='quality')


def _when(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        'login_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=120), nullable=False),
        _when('at'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_login_failures_key_at', 'login_failures', ['key', 'at'])

    op.create_table(
        'titles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('search_key', sa.String(length=200), nullable=False),
        sa.Column('description', sa.String(length=2000), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('genre', sa.String(length=40), nullable=False),
        sa.Column('rating', sa.String(length=10), nullable=False),
        sa.Column('duration_s', sa.Float(), nullable=False),
        sa.Column('is_premium', sa.Boolean(), nullable=False),
        sa.Column('poster_path', sa.String(length=300), nullable=False),
        sa.Column('backdrop_path', sa.String(length=300), nullable=False),
        sa.Column('video_sd_path', sa.String(length=300), nullable=False),
        sa.Column('video_hd_path', sa.String(length=300), nullable=False),
        sa.Column('sd_height', sa.Integer(), nullable=False),
        sa.Column('hd_height', sa.Integer(), nullable=False),
        _when('created_at'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_titles_search_key', 'titles', ['search_key'])
    op.create_index('ix_titles_year', 'titles', ['year'])
    op.create_index('ix_titles_created', 'titles', ['created_at'])
    op.create_index('ix_titles_genre_search', 'titles', ['genre', 'search_key'])

    op.create_table(
        'users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=32), nullable=False),
        sa.Column('username_key', sa.String(length=64), nullable=False),
        sa.Column('password_hash', sa.String(length=100), nullable=False),
        sa.Column('subscription_type', PLAN, nullable=False),
        sa.Column('language', sa.String(length=5), nullable=True),
        _when('created_at'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_users_username_key', 'users', ['username_key'], unique=True)

    op.create_table(
        'auth_sessions',
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        _when('created_at'),
        _when('last_seen_at'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('token'),
    )
    op.create_index('ix_auth_sessions_user_id', 'auth_sessions', ['user_id'])

    op.create_table(
        'playback_progress',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('title_id', sa.Integer(), nullable=False),
        sa.Column('position_s', sa.Float(), nullable=False),
        sa.Column('duration_s', sa.Float(), nullable=False),
        sa.Column('resumable', sa.Boolean(), nullable=False),
        sa.Column('watched', sa.Boolean(), nullable=False),
        _when('updated_at'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['title_id'], ['titles.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'title_id'),
    )
    op.create_index('ix_progress_user_resumable_updated', 'playback_progress', ['user_id', 'resumable', 'updated_at'])

    op.create_table(
        'watch_history',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('title_id', sa.Integer(), nullable=False),
        _when('watched_at'),
        sa.Column('position_s', sa.Float(), nullable=False),
        sa.Column('quality', QUALITY, nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['title_id'], ['titles.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_history_user_watched', 'watch_history', ['user_id', 'watched_at'])
    op.create_index('ix_watch_history_title_id', 'watch_history', ['title_id'])

    op.create_table(
        'playbacks',
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('device', sa.String(length=64), nullable=False),
        sa.Column('title_id', sa.Integer(), nullable=False),
        sa.Column('history_id', sa.Integer(), nullable=True),
        sa.Column('quality', QUALITY, nullable=False),
        _when('started_at'),
        _when('heartbeat_at'),
        sa.Column('stopped', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['title_id'], ['titles.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['history_id'], ['watch_history.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('token'),
    )
    op.create_index('ix_playbacks_user_heartbeat', 'playbacks', ['user_id', 'heartbeat_at'])


def downgrade() -> None:
    for table in (
        'playbacks',
        'watch_history',
        'playback_progress',
        'auth_sessions',
        'users',
        'titles',
        'login_failures',
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name == 'postgresql':
        QUALITY.drop(op.get_bind(), checkfirst=True)
        PLAN.drop(op.get_bind(), checkfirst=True)
