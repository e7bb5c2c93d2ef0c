"""Sessions remember their browser: `auth_sessions.user_agent`, the User-Agent at sign-in (200 characters at most),
so that the too-many-screens message can name the account's other screens ('Chrome on Windows').

Sessions made before it have none and are named 'another browser'. Adding a nullable column needs no table copy on
SQLite.

Revision ID: 5c1d2e3f4a5b
Revises: b8e4d2f0c3a5
Create Date: 2026-12-01 20:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5c1d2e3f4a5b'
down_revision: str | Sequence[str] | None = 'b8e4d2f0c3a5'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('auth_sessions', sa.Column('user_agent', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('auth_sessions') as batch_op:
        batch_op.drop_column('user_agent')
