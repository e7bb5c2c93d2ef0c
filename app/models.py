"""Every SQLModel table, and the read models handed to the UI.

Tables live in this one module, imported once and never re-executed (NiceGUI's test plugin re-imports page modules
between tests; a second definition of a table would raise "Table is already defined").
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy import JSON, BigInteger, Column, false
from sqlmodel import Field, Index, SQLModel, UniqueConstraint


def utcnow() -> datetime:
    """Every timestamp here is timezone-aware UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A timestamp read back from the database, made aware (UTC) if the driver returned it naive."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Plan(StrEnum):
    FREE = 'FREE'
    PREMIUM = 'PREMIUM'


class Quality(StrEnum):
    SD = 'SD'
    HD = 'HD'


class Kind(StrEnum):
    MOVIE = 'movie'
    SERIES = 'series'
    EPISODE = 'episode'


# What the catalog lists: films and series (an episode is reached through its series).
CATALOG_KINDS = (Kind.MOVIE.value, Kind.SERIES.value)


class User(SQLModel, table=True):
    __tablename__ = 'users'

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=32)
    # Lower-cased username: the unique index on it makes "Ana" and "ana" the same account.
    username_key: str = Field(max_length=64, unique=True, index=True)
    password_hash: str = Field(max_length=100)
    subscription_type: Plan = Field(default=Plan.FREE, max_length=10)
    language: str | None = Field(default=None, max_length=5)
    created_at: datetime = Field(default_factory=utcnow)
    # The viewer's time zone as their browser says (IANA name): days in the history are theirs.
    time_zone: str | None = Field(default=None, max_length=64)
    # The subtitles the viewer chose last ('es', 'en'; None: off), applied to the next title.
    subtitle_language: str | None = Field(default=None, max_length=5)
    # Administrators manage the library and the accounts (/admin); a disabled account cannot sign in.
    is_admin: bool = Field(default=False, sa_column_kwargs={'server_default': false()})
    disabled: bool = Field(default=False, sa_column_kwargs={'server_default': false()})


class AuthSession(SQLModel, table=True):
    """One signed-in browser. The cookie only names the token; deleting the row signs that browser out."""

    __tablename__ = 'auth_sessions'

    token: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key='users.id', ondelete='CASCADE', index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    # The browser's User-Agent at sign-in (cut to 200 characters): the other screens are named by it ('Chrome on
    # Windows') when the plan's screens are full.
    user_agent: str | None = Field(default=None, max_length=200)


class AdminAction(SQLModel, table=True):
    """One thing an administrator did: who (kept by name too, should the account go), what, to what, when."""

    __tablename__ = 'admin_actions'

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key='users.id', ondelete='SET NULL')
    actor_name: str = Field(max_length=32)
    action: str = Field(max_length=40)
    target: str = Field(default='', max_length=200)
    detail: str = Field(default='', max_length=500)


class SetupToken(SQLModel, table=True):
    """The one-time token printed at start while there is no administrator (only its SHA-256 is kept)."""

    __tablename__ = 'setup_tokens'

    token_hash: str = Field(primary_key=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class PasswordReset(SQLModel, table=True):
    """A one-time password reset link an administrator made (only its SHA-256 is kept), valid until expires_at."""

    __tablename__ = 'password_resets'

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key='users.id', ondelete='CASCADE', index=True)
    expires_at: datetime


class Job(SQLModel, table=True):
    """One piece of library work (an import of a file or a series folder): its state and progress, which the task
    queue alone does not keep. States: queued, running, cancelling, done, failed, cancelled."""

    __tablename__ = 'jobs'

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    state: str = Field(default='queued', max_length=12, index=True)
    label: str = Field(default='', max_length=200)
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, server_default='{}'))
    progress: float = 0.0  # 0..1
    message: str = Field(default='', max_length=200)
    error: str = Field(default='', max_length=500)
    title_id: int | None = Field(default=None, foreign_key='titles.id', ondelete='SET NULL')
    attempts: int = 0
    worker: str | None = Field(default=None, max_length=100)  # host:pid of the process running it
    created_by: str = Field(default='', max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    heartbeat_at: datetime | None = None
    finished_at: datetime | None = None


class LibraryFolder(SQLModel, table=True):
    """A server folder (inside BUTACA_LIBRARY_ROOTS) that the library scans, with its last scan's report."""

    __tablename__ = 'library_folders'

    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(max_length=1000, unique=True)
    added_at: datetime = Field(default_factory=utcnow)
    scanned_at: datetime | None = None
    report: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, server_default='{}'))


class LibraryFile(SQLModel, table=True):
    """A video a scan found: its size and time (a change makes it imported again), and what became of it."""

    __tablename__ = 'library_files'

    id: int | None = Field(default=None, primary_key=True)
    folder_id: int = Field(foreign_key='library_folders.id', ondelete='CASCADE', index=True)
    path: str = Field(max_length=1000, unique=True)
    size: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))  # bytes: past 2 GB on PostgreSQL
    mtime: float = 0.0
    state: str = Field(default='new', max_length=12)  # new, importing, ok, refused, missing
    reason: str = Field(default='', max_length=300)
    title_id: int | None = Field(default=None, foreign_key='titles.id', ondelete='SET NULL')
    job_id: int | None = None
    seen_at: datetime = Field(default_factory=utcnow)


class Title(SQLModel, table=True):
    """A film, a series, or an episode of a series (the brief's movies/shows).

    Films and episodes are what plays: each has its renditions, subtitles and trickplay, and progress, history
    and playbacks point at them. A series holds the artwork and facts its episodes share; its episodes point at it
    (`series_id`) and sort by season and number. Keeping episodes here means everything that plays is a title.
    """

    __tablename__ = 'titles'
    __table_args__ = (
        Index('ix_titles_genre_search', 'genre', 'search_key'),
        Index('ix_titles_year', 'year'),
        Index('ix_titles_created', 'created_at'),
        Index('ix_titles_kind_genre_search', 'kind', 'genre', 'search_key'),
        Index('ix_titles_series_order', 'series_id', 'season_number', 'episode_number'),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default=Kind.MOVIE.value, max_length=10)  # Kind: movie, series or episode
    title: str = Field(max_length=200)
    # Lower-cased, accent-free title: what search and the title sort use, so both can use an index.
    search_key: str = Field(max_length=200, index=True)
    description: str = Field(default='', max_length=2000)
    year: int
    genre: str = Field(max_length=40)
    rating: str = Field(default='TP', max_length=10)  # maturity rating: TP, 7, 12, 16, 18
    duration_s: float
    is_premium: bool = Field(default=False)
    # Paths are relative to the media folder; media.py resolves and confines them there.
    poster_path: str = Field(max_length=300)
    backdrop_path: str = Field(max_length=300)
    video_sd_path: str = Field(max_length=300)
    video_hd_path: str = Field(max_length=300)
    sd_height: int = 480
    hd_height: int = 720
    created_at: datetime = Field(default_factory=utcnow)
    # The synopsis in English, where the library has one (`description` is the original's language).
    description_en: str | None = Field(default=None, max_length=2000)
    # Episodes: their series, season and number.
    series_id: int | None = Field(default=None, foreign_key='titles.id', ondelete='CASCADE')
    season_number: int | None = None
    episode_number: int | None = None
    # Where the intro runs and the credits start (seconds), when known: "Skip intro", "Next episode in 10 s".
    intro_start_s: float | None = None
    intro_end_s: float | None = None
    credits_start_s: float | None = None
    still_path: str | None = Field(default=None, max_length=300)  # an episode's picture in the episode list
    # {'es': 'path.vtt', 'en': ...}; trickplay facts {'path', 'interval_s', 'tile_width', ..., 'count'};
    # image sizes {'poster': [{'width', 'height', 'webp', 'jpeg'}, ...], 'backdrop': [...], 'still': [...]}.
    subtitles: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, server_default='{}'))
    trickplay: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    images: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, server_default='{}'))


class Season(SQLModel, table=True):
    """A season of a series: its number and, where the library names it, its name."""

    __tablename__ = 'seasons'
    __table_args__ = (UniqueConstraint('series_id', 'number', name='uq_seasons_series_number'),)

    id: int | None = Field(default=None, primary_key=True)
    series_id: int = Field(foreign_key='titles.id', ondelete='CASCADE')
    number: int
    name: str | None = Field(default=None, max_length=200)


class ContinueDismissal(SQLModel, table=True):
    """A series the viewer took out of Continue watching: hidden until they play one of its episodes again."""

    __tablename__ = 'continue_dismissals'

    user_id: int = Field(foreign_key='users.id', ondelete='CASCADE', primary_key=True)
    series_id: int = Field(foreign_key='titles.id', ondelete='CASCADE', primary_key=True)
    dismissed_at: datetime = Field(default_factory=utcnow)


class Progress(SQLModel, table=True):
    """Where one user stopped in one title."""

    __tablename__ = 'playback_progress'
    __table_args__ = (Index('ix_progress_user_resumable_updated', 'user_id', 'resumable', 'updated_at'),)

    user_id: int = Field(foreign_key='users.id', ondelete='CASCADE', primary_key=True)
    title_id: int = Field(foreign_key='titles.id', ondelete='CASCADE', primary_key=True)
    position_s: float = 0.0
    duration_s: float = 0.0
    resumable: bool = False  # shown in Continue watching
    watched: bool = False  # finished at least once
    updated_at: datetime = Field(default_factory=utcnow)


class WatchHistory(SQLModel, table=True):
    """What the viewer really watched (the brief's watch_history): one entry per title (per episode) per day, in
    the viewer's time zone, written once they have watched 30 s or 5 % of it."""

    __tablename__ = 'watch_history'
    __table_args__ = (
        Index('ix_history_user_watched', 'user_id', 'watched_at'),
        UniqueConstraint('user_id', 'title_id', 'day', name='uq_history_user_title_day'),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key='users.id', ondelete='CASCADE')
    title_id: int = Field(foreign_key='titles.id', ondelete='CASCADE', index=True)
    watched_at: datetime = Field(default_factory=utcnow)
    day: date  # the viewer's day when they watched
    position_s: float = 0.0
    quality: Quality = Field(default=Quality.SD, max_length=4)


class Playback(SQLModel, table=True):
    """An open player: counted as a screen in use while its heartbeat is recent."""

    __tablename__ = 'playbacks'
    __table_args__ = (Index('ix_playbacks_user_heartbeat', 'user_id', 'heartbeat_at'),)

    token: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key='users.id', ondelete='CASCADE')
    # The signed-in browser that plays: one device is one screen, whatever its number of tabs.
    device: str = Field(default='', max_length=64)
    title_id: int = Field(foreign_key='titles.id', ondelete='CASCADE')
    history_id: int | None = Field(default=None, foreign_key='watch_history.id', ondelete='SET NULL')
    quality: Quality = Field(default=Quality.SD, max_length=4)
    started_at: datetime = Field(default_factory=utcnow)
    heartbeat_at: datetime = Field(default_factory=utcnow)
    stopped: bool = False  # stopped by "stop the other screens", by its page leaving, or by another of its device
    # Seconds really played (the player counts them): the history entry is written from 30 s or 5 %.
    played_s: float = 0.0


class LoginFailure(SQLModel, table=True):
    """A failed sign-in, counted per username and per client address for throttling."""

    __tablename__ = 'login_failures'
    __table_args__ = (Index('ix_login_failures_key_at', 'key', 'at'),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120)  # 'user:<username_key>' or 'addr:<client address>'
    at: datetime = Field(default_factory=utcnow)


# ---- read models: plain data handed to pages, never a live table row ----


class UserPublic(BaseModel):
    id: int
    username: str
    subscription_type: Plan
    language: str | None
    created_at: datetime
    is_admin: bool = False
    time_zone: str | None = None  # IANA name ('Europe/Madrid'); dates are shown in it (app/lang.py)


class TitleCard(BaseModel):
    id: int
    title: str
    year: int
    genre: str
    kind: str
    rating: str
    is_premium: bool
    duration_s: float


class TitleDetail(TitleCard):
    description: str
    description_en: str | None = None
    sd_height: int
    hd_height: int
    # Episodes: their series (whose plan and artwork they share), season and number, and what plays where.
    series_id: int | None = None
    series_title: str | None = None
    season_number: int | None = None
    episode_number: int | None = None
    intro_start_s: float | None = None
    intro_end_s: float | None = None
    credits_start_s: float | None = None
    subtitle_languages: list[str] = []
    trickplay: dict | None = None

    def synopsis(self, language: str) -> str:
        return self.description_en if language == 'en' and self.description_en else self.description


class EpisodeRef(BaseModel):
    """An episode as a line names it: 'S1:E3 · Episode title'."""

    id: int
    season: int
    number: int
    title: str

    @property
    def code(self) -> str:
        return f'S{self.season}:E{self.number}'


class ContinueItem(BaseModel):
    """One card of Continue watching: a film in progress, or a series with the episode that plays next."""

    card: TitleCard  # the film, or the series
    episode: EpisodeRef | None = None  # for a series: its next episode
    position_s: float  # where it resumes (0: the next episode from its start)
    duration_s: float  # of what plays
    updated_at: datetime  # the viewer's latest activity in it

    @property
    def plays(self) -> int:
        """The title the card's Play opens: the film, or the series' next episode."""
        return self.episode.id if self.episode else self.card.id

    @property
    def fraction(self) -> float:
        return min(1.0, self.position_s / self.duration_s) if self.duration_s > 0 else 0.0

    @property
    def left_s(self) -> float:
        return max(0.0, self.duration_s - self.position_s)


class HistoryEntry(BaseModel):
    id: int
    card: TitleCard  # the film, or the series of the episode
    episode: EpisodeRef | None = None
    watched_at: datetime
    position_s: float
    duration_s: float
    quality: Quality


class CatalogPage(BaseModel):
    items: list[TitleCard]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))
