"""Settings read from BUTACA_* environment variables, at call time (standard library only)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ('es', 'en')


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    env: str
    data_dir: Path
    database_url: str
    media_dir: Path
    host: str
    port: int
    bcrypt_rounds: int
    default_language: str
    demo_library: bool
    max_screens_free: int
    max_screens_premium: int
    session_idle_days: float
    accel_redirect_prefix: str | None
    accel_grant_seconds: int
    public_url: str | None  # scheme://host[:port] the browsers use, when behind a proxy
    trusted_proxies: str  # addresses whose X-Forwarded-For/Proto are believed ('' = none)
    max_connections: int
    redis_url: str | None  # live updates between processes (app/events_redis.py)
    redis_prefix: str  # of Butaca's Redis keys and channel: several installations can share one Redis
    page_loads_per_session: int  # page loads a second one signed-in browser may keep up (0: no limit)
    page_loads_per_address: int  # the same for page loads without a session, per address (0: no limit)

    @property
    def production(self) -> bool:
        return self.env == 'production'

    @property
    def secure_cookies(self) -> bool:
        """Cookies only over HTTPS: in production, unless the public URL says plain http (a local trial)."""
        return self.production and not (self.public_url or '').startswith('http://')


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, '').strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise ConfigError(f'{name} must be a whole number, got {raw!r}') from error
    if not low <= value <= high:
        raise ConfigError(f'{name} must be between {low} and {high}, got {value}')
    return value


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, '').strip().lower()
    if not raw:
        return default
    if raw in {'1', 'true', 'yes', 'on'}:
        return True
    if raw in {'0', 'false', 'no', 'off'}:
        return False
    raise ConfigError(f'{name} must be on or off, got {raw!r}')


_NAMES = (
    'BUTACA_ENV',
    'BUTACA_DATA_DIR',
    'BUTACA_DATABASE_URL',
    'BUTACA_MEDIA_DIR',
    'BUTACA_DEFAULT_LANGUAGE',
    'BUTACA_SESSION_IDLE_DAYS',
    'BUTACA_ACCEL_REDIRECT',
    'BUTACA_HOST',
    'BUTACA_PORT',
    'BUTACA_BCRYPT_ROUNDS',
    'BUTACA_DEMO_LIBRARY',
    'BUTACA_MAX_SCREENS_FREE',
    'BUTACA_MAX_SCREENS_PREMIUM',
    'BUTACA_ACCEL_GRANT_SECONDS',
    'BUTACA_PUBLIC_URL',
    'BUTACA_TRUSTED_PROXIES',
    'BUTACA_MAX_CONNECTIONS',
    'BUTACA_REDIS_URL',
    'BUTACA_REDIS_PREFIX',
    'BUTACA_PAGE_LOADS_PER_SESSION',
    'BUTACA_PAGE_LOADS_PER_ADDRESS',
)
_cached: tuple[tuple[str | None, ...], Settings] | None = None


def get_settings() -> Settings:
    """The settings as the environment says now. Built again only when a BUTACA_* variable changed: the media
    and API routes ask on every request, and resolving the folders costs file-system calls."""
    global _cached
    key = tuple(map(os.environ.get, _NAMES))
    cached = _cached
    if cached is None or cached[0] != key:
        cached = _cached = (key, _read_settings())
    return cached[1]


def _read_settings() -> Settings:
    env = os.environ.get('BUTACA_ENV', 'development').strip().lower() or 'development'
    if env not in {'development', 'production'}:
        raise ConfigError(f'BUTACA_ENV must be development or production, got {env!r}')
    data_dir = Path(os.environ.get('BUTACA_DATA_DIR') or PROJECT_ROOT / 'data').resolve()
    database_url = os.environ.get('BUTACA_DATABASE_URL') or f'sqlite:///{data_dir / "database.db"}'
    media_dir = Path(os.environ.get('BUTACA_MEDIA_DIR') or PROJECT_ROOT / 'assets' / 'media').resolve()
    language = os.environ.get('BUTACA_DEFAULT_LANGUAGE', 'es').strip().lower() or 'es'
    if language not in LANGUAGES:
        raise ConfigError(f'BUTACA_DEFAULT_LANGUAGE must be one of {", ".join(LANGUAGES)}, got {language!r}')
    idle_raw = os.environ.get('BUTACA_SESSION_IDLE_DAYS', '').strip()
    try:
        idle_days = float(idle_raw) if idle_raw else 14.0
    except ValueError as error:
        raise ConfigError(f'BUTACA_SESSION_IDLE_DAYS must be a number, got {idle_raw!r}') from error
    accel = os.environ.get('BUTACA_ACCEL_REDIRECT', '').strip() or None
    return Settings(
        env=env,
        data_dir=data_dir,
        database_url=database_url,
        media_dir=media_dir,
        host=os.environ.get('BUTACA_HOST', '127.0.0.1').strip() or '127.0.0.1',
        port=_int('BUTACA_PORT', 8080, 1, 65535),
        bcrypt_rounds=_int('BUTACA_BCRYPT_ROUNDS', 12, 4, 16),
        default_language=language,
        demo_library=_bool('BUTACA_DEMO_LIBRARY', True),
        max_screens_free=_int('BUTACA_MAX_SCREENS_FREE', 1, 1, 100),
        max_screens_premium=_int('BUTACA_MAX_SCREENS_PREMIUM', 4, 1, 100),
        session_idle_days=idle_days,
        accel_redirect_prefix=accel,
        accel_grant_seconds=_int('BUTACA_ACCEL_GRANT_SECONDS', 2, 0, 60),
        public_url=_public_url(),
        trusted_proxies=os.environ.get('BUTACA_TRUSTED_PROXIES', '').strip(),
        max_connections=_int('BUTACA_MAX_CONNECTIONS', 4096, 64, 1_000_000),
        redis_url=_redis_url(),
        redis_prefix=os.environ.get('BUTACA_REDIS_PREFIX', '').strip() or 'butaca:',
        page_loads_per_session=_int('BUTACA_PAGE_LOADS_PER_SESSION', 5, 0, 100_000),
        page_loads_per_address=_int('BUTACA_PAGE_LOADS_PER_ADDRESS', 10, 0, 100_000),
    )


def _redis_url() -> str | None:
    raw = os.environ.get('BUTACA_REDIS_URL', '').strip()
    if not raw:
        return None
    if urlsplit(raw).scheme not in {'redis', 'rediss', 'unix'}:
        raise ConfigError(f'BUTACA_REDIS_URL must be redis://host:port/db (or rediss://, unix://), got {raw!r}')
    return raw


def _public_url() -> str | None:
    raw = os.environ.get('BUTACA_PUBLIC_URL', '').strip().rstrip('/')
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in {'http', 'https'} or not parts.netloc or parts.path or parts.query:
        raise ConfigError(
            f'BUTACA_PUBLIC_URL must be scheme://host[:port], such as https://tv.example.org, got {raw!r}'
        )
    return f'{parts.scheme}://{parts.netloc}'.lower()


def storage_secret(settings: Settings | None = None) -> str:
    """The secret that signs the session cookie.

    From BUTACA_STORAGE_SECRET; in development a missing one is generated once and kept in the data folder,
    so sessions survive restarts without a secret ever being committed. Production refuses to start without one.
    """
    settings = settings or get_settings()
    secret = os.environ.get('BUTACA_STORAGE_SECRET', '').strip()
    if secret:
        if settings.production and len(secret) < 32:
            raise ConfigError('BUTACA_STORAGE_SECRET must be at least 32 characters in production')
        return secret
    if settings.production:
        raise ConfigError(
            'BUTACA_STORAGE_SECRET is required when BUTACA_ENV=production '
            '(generate one with: python -c "import secrets; print(secrets.token_urlsafe(48))")'
        )
    path = settings.data_dir / 'storage_secret'
    if path.exists():
        return path.read_text().strip()
    private_folder(settings.data_dir)
    secret = secrets.token_urlsafe(48)
    # Created 0600 from the start (never readable by others, not even for a moment), and only if it does not exist.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it meanwhile
        return path.read_text().strip()
    with os.fdopen(descriptor, 'w') as file:
        file.write(secret)
    return secret


def private_folder(path: Path) -> Path:
    """`path` as a folder only its owner can enter (made 0700 if missing; an existing one is left as it is)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class LibrarySettings:
    """The library's work: where the jobs queue lives, how many encodes at once, which folders may be scanned."""

    redis_url: str | None  # BUTACA_REDIS_URL: the jobs queue in Redis (several machines); else SQLite at data/jobs.db
    encode_workers: int  # BUTACA_ENCODE_WORKERS: encodes at once (1 on 2 cores: viewers come first)
    worker_in_process: bool  # BUTACA_WORKER: run the queue's consumer inside `python main.py` (off: butaca-worker)
    roots: tuple[Path, ...]  # BUTACA_LIBRARY_ROOTS: folders (os.pathsep-separated) whose subfolders may be scanned
    upload_max_mb: int  # BUTACA_UPLOAD_MAX_MB: the largest upload the server accepts

    @property
    def jobs_db(self) -> Path:
        return get_settings().data_dir / 'jobs.db'


def library_settings() -> LibrarySettings:
    """Read at each call (a few environment lookups): tests and the worker change them between runs."""
    raw_roots = os.environ.get('BUTACA_LIBRARY_ROOTS', '').strip()
    roots = tuple(Path(part).expanduser().resolve() for part in raw_roots.split(os.pathsep) if part.strip())
    return LibrarySettings(
        redis_url=os.environ.get('BUTACA_REDIS_URL', '').strip() or None,
        encode_workers=_int('BUTACA_ENCODE_WORKERS', 1, 1, 16),
        worker_in_process=_bool('BUTACA_WORKER', True),
        roots=roots,
        upload_max_mb=_int('BUTACA_UPLOAD_MAX_MB', 2048, 1, 1_000_000),
    )
