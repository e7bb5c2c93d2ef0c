"""Series, episodes and what plays: episodes as titles of their series, seasons, markers, subtitles, trickplay and
image sizes; a history of one entry per title per day; the viewer's time zone and subtitle choice.

- titles: `series_id` (an episode's series), season and episode numbers, intro and credits markers, a still,
  an English synopsis, and JSON columns for subtitle files, trickplay facts and image sizes.
- seasons: a series' seasons with their names; continue_dismissals: series taken out of Continue watching.
- watch_history: `day` (the viewer's day), unique per user, title and day. Existing entries get their UTC day;
  where one title has several entries on one day, the newest is kept (with the furthest position of that day),
  as the history now shows them, and the playbacks of the others point at it.
- playbacks: `played_s`, the seconds really played, for the history's 30 s / 5 % rule.
- users: `time_zone`, `subtitle_language`.

On SQLite the batch operations copy `titles`, `playbacks`, `users` and `watch_history` with foreign keys off
(app/migrate.py), so their children keep their rows; tests/test_migrations.py checks it.

Revision ID: 912e272bc8e6
Revises: 36e2702aa2f4
Create Date: 2026-12-01 16:54:37
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '912e272bc8e6'
down_revision: str | Sequence[str] | None = '36e2702aa2f4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'continue_dismissals',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('series_id', sa.Integer(), nullable=False),
        sa.Column('dismissed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['series_id'], ['titles.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'series_id'),
    )
    op.create_table(
        'seasons',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('series_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['series_id'], ['titles.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('series_id', 'number', name='uq_seasons_series_number'),
    )
    with op.batch_alter_table('playbacks') as batch_op:
        batch_op.add_column(sa.Column('played_s', sa.Float(), nullable=False, server_default='0'))

    with op.batch_alter_table('titles') as batch_op:
        batch_op.add_column(sa.Column('description_en', sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('season_number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('episode_number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('intro_start_s', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('intro_end_s', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('credits_start_s', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('still_path', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('subtitles', sa.JSON(), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('trickplay', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('images', sa.JSON(), server_default='{}', nullable=False))
        batch_op.create_index('ix_titles_kind_genre_search', ['kind', 'genre', 'search_key'], unique=False)
        batch_op.create_index('ix_titles_series_order', ['series_id', 'season_number', 'episode_number'], unique=False)
        batch_op.create_foreign_key('fk_titles_series_id_titles', 'titles', ['series_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('subtitle_language', sa.String(length=5), nullable=True))

    _history_by_day()


def _history_by_day() -> None:
    """One entry per user, title and day: the day column filled from watched_at (UTC), duplicates merged."""
    with op.batch_alter_table('watch_history') as batch_op:
        batch_op.add_column(sa.Column('day', sa.Date(), nullable=True))
    history = sa.table(
        'watch_history',
        sa.column('id', sa.Integer()),
        sa.column('user_id', sa.Integer()),
        sa.column('title_id', sa.Integer()),
        sa.column('watched_at', sa.DateTime(timezone=True)),
        sa.column('position_s', sa.Float()),
        sa.column('day', sa.Date()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(history.c.id, history.c.user_id, history.c.title_id, history.c.watched_at, history.c.position_s)
    ).all()
    kept: dict[tuple, tuple[int, object, float]] = {}  # (user, title, day) -> (id, watched_at, furthest position)
    dropped: dict[int, tuple] = {}  # merged entry -> its (user, title, day)
    for entry_id, user_id, title_id, when, position in rows:
        day = when.date()
        key = (user_id, title_id, day)
        previous = kept.get(key)
        if previous is None:
            kept[key] = (entry_id, when, position)
            continue
        newer = (when, entry_id) > (previous[1], previous[0])
        survivor, loser = ((entry_id, when), previous[0]) if newer else ((previous[0], previous[1]), entry_id)
        kept[key] = (*survivor, max(position, previous[2]))
        dropped[loser] = key
    if dropped:
        # Playbacks follow their entry to the one it is merged into (foreign keys are off here: nothing would
        # set them to NULL, and the check before the commit would refuse dangling ones).
        playbacks = sa.table('playbacks', sa.column('history_id', sa.Integer()))
        repoint = sa.update(playbacks).where(playbacks.c.history_id == sa.bindparam('b_old'))
        repoint = repoint.values(history_id=sa.bindparam('b_new'))
        connection.execute(repoint, [{'b_old': old, 'b_new': kept[key][0]} for old, key in dropped.items()])
        ids = list(dropped)
        for start in range(0, len(ids), 500):
            connection.execute(sa.delete(history).where(history.c.id.in_(ids[start : start + 500])))
    if kept:
        fill = (
            sa.update(history)
            .where(history.c.id == sa.bindparam('b_id'))
            .values(day=sa.bindparam('b_day'), position_s=sa.bindparam('b_position'))
        )
        values = [
            {'b_id': entry_id, 'b_day': day, 'b_position': position}
            for (_user, _title, day), (entry_id, _when, position) in kept.items()
        ]
        connection.execute(fill, values)
    with op.batch_alter_table('watch_history') as batch_op:
        batch_op.alter_column('day', existing_type=sa.Date(), nullable=False)
        batch_op.create_unique_constraint('uq_history_user_title_day', ['user_id', 'title_id', 'day'])


def downgrade() -> None:
    with op.batch_alter_table('watch_history') as batch_op:
        batch_op.drop_constraint('uq_history_user_title_day', type_='unique')
        batch_op.drop_column('day')

    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('subtitle_language')
        batch_op.drop_column('time_zone')

    with op.batch_alter_table('titles') as batch_op:
        batch_op.drop_constraint('fk_titles_series_id_titles', type_='foreignkey')
        batch_op.drop_index('ix_titles_series_order')
        batch_op.drop_index('ix_titles_kind_genre_search')
        for column in (
            'images',
            'trickplay',
            'subtitles',
            'still_path',
            'credits_start_s',
            'intro_end_s',
            'intro_start_s',
            'episode_number',
            'season_number',
            'series_id',
            'description_en',
        ):
            batch_op.drop_column(column)

    with op.batch_alter_table('playbacks') as batch_op:
        batch_op.drop_column('played_s')

    op.drop_table('seasons')
    op.drop_table('continue_dismissals')
