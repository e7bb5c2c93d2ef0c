"""Accounts: registration and sign-in rules, signed-in sessions, password change, plan, language, deletion.

Each public function is one use case and opens its own units of work, so that bcrypt (a quarter of a second of a
core) never runs inside a writing unit: the writer lock is held only around the writes. Functions marked
`@uses_bcrypt` run on the password pool (app/work.py).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

from sqlalchemy import bindparam, false
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, delete, select, update

from .. import db, events
from ..config import get_settings
from ..i18n import format as formats
from ..models import AuthSession, Plan, User, UserPublic, as_utc, utcnow
from ..security import BCRYPT_MAX_BYTES, dummy_hash, hash_password, new_token, uses_bcrypt, verify_password
from . import admin, throttle
from .errors import NotFound, ValidationError

USERNAME_MIN, USERNAME_MAX = 3, 32
PASSWORD_MIN_CHARS = 8
# Anything longer than this is refused before any other work: no field accepts unbounded input.
FIELD_MAX_CHARS = 256
TIME_ZONE_MAX = 64  # users.time_zone's length; the longest IANA name has 32
_USERNAME_RE = re.compile(r'[\w.\-]+')
# Sessions are touched at most this often, so a busy page does not write on every request.
_TOUCH_EVERY = timedelta(minutes=1)


def normalize_username(username: str) -> str:
    """NFC, trimmed: 'Ana' typed with a combining accent and with a precomposed one are the same name."""
    return unicodedata.normalize('NFC', username.strip())


def username_key(username: str) -> str:
    return normalize_username(username).lower()


def public(user: User) -> UserPublic:
    assert user.id is not None
    return UserPublic(
        id=user.id,
        username=user.username,
        subscription_type=user.subscription_type,
        language=user.language,
        created_at=user.created_at,
        is_admin=user.is_admin,
        time_zone=user.time_zone,
    )


def check_username(username: str) -> str:
    name = normalize_username(username)
    if not name:
        raise ValidationError('register.username_required')
    if (
        len(name) > FIELD_MAX_CHARS
        or not (USERNAME_MIN <= len(name) <= USERNAME_MAX)
        or not _USERNAME_RE.fullmatch(name)
    ):
        raise ValidationError('register.username_format', min=USERNAME_MIN, max=USERNAME_MAX)
    return name


def is_text(value: str) -> bool:
    """Whether `value` can be stored and hashed: JSON and the websocket can carry lone surrogates ("\\ud800"),
    which no UTF-8 text holds (the database and bcrypt raise on them)."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def check_new_password(password: str, confirm: str, *, field: str = 'register') -> None:
    if not password:
        raise ValidationError(f'{field}.password_required')
    if not is_text(password):
        raise ValidationError('register.password_format')
    if not confirm:
        raise ValidationError(f'{field}.confirm_required')
    if len(password) < PASSWORD_MIN_CHARS:
        raise ValidationError('register.password_short', min=PASSWORD_MIN_CHARS)
    if len(password) > FIELD_MAX_CHARS or len(password.encode()) > BCRYPT_MAX_BYTES:
        raise ValidationError('register.password_long', max=BCRYPT_MAX_BYTES)
    if password != confirm:
        raise ValidationError('register.mismatch')


def _rounds(rounds: int | None) -> int:
    return rounds if rounds is not None else get_settings().bcrypt_rounds


@uses_bcrypt
def register(
    *,
    username: str,
    password: str,
    confirm: str,
    rounds: int | None = None,
    address: str | None = None,
    local: bool = False,
    setup_token: str | None = None,
) -> UserPublic:
    """Create a FREE account. Every rule has its own message; only the bcrypt hash is stored.

    At most `throttle.REGISTRATIONS_PER_WINDOW` accounts an hour from one address (the only place that says a name
    is taken, so it must not be a free oracle either). The first account of an empty database becomes its
    administrator when it comes from the server's own machine (`local`) or brings the setup token printed at start
    (admin.claim_first_admin).
    """
    if not normalize_username(username) and not password and not confirm:
        raise ValidationError('register.all_required')
    name = check_username(username)
    check_new_password(password, confirm)
    key = name.lower()
    with db.session() as session:
        throttle.check_registration(session, address=address)
        taken = session.exec(select(User.id).where(User.username_key == key)).first() is not None
    if taken:  # before bcrypt: a taken name costs nothing
        raise ValidationError('register.username_taken')
    password_hash = hash_password(password, rounds=_rounds(rounds))
    try:
        with db.session(write=True) as session:
            user = User(username=name, username_key=key, password_hash=password_hash)
            session.add(user)
            session.flush()
            throttle.record_registration(session, address=address)
            admin.claim_first_admin(session, user=user, local=local, setup_token=setup_token)
            return public(user)
    except IntegrityError as error:  # two registrations of one name at once: the unique index decides
        raise ValidationError('register.username_taken') from error


def find_by_username(*, username: str) -> UserPublic | None:
    name = normalize_username(username)
    if not name or len(name) > FIELD_MAX_CHARS:
        return None
    with db.session() as session:
        user = session.exec(select(User).where(User.username_key == name.lower())).first()
        return public(user) if user is not None else None


def _password_hash(username: str) -> tuple[UserPublic, str] | None:
    name = normalize_username(username)
    if not name or len(name) > FIELD_MAX_CHARS:
        return None
    with db.session() as session:
        user = session.exec(select(User).where(User.username_key == name.lower())).first()
        return (public(user), user.password_hash) if user is not None else None


@uses_bcrypt
def authenticate(*, username: str, password: str, rounds: int | None = None) -> UserPublic:
    """Check a username and password. An unknown username and a wrong password get the same message and cost the
    same bcrypt check, so neither the answer nor its time says which accounts exist."""
    if not username.strip() and not password:
        raise ValidationError('login.all_required')
    if not username.strip():
        raise ValidationError('login.username_required')
    if not password:
        raise ValidationError('login.password_required')
    found = _password_hash(username)
    if found is None:
        verify_password(password, dummy_hash(_rounds(rounds)))
        raise ValidationError('login.failed')
    user, password_hash = found
    if not verify_password(password, password_hash):
        raise ValidationError('login.failed')
    with db.session() as session:
        if session.exec(select(User.disabled).where(User.id == user.id)).first():
            raise ValidationError('login.disabled')  # only once the password is right: it says nothing to others
    return user


@uses_bcrypt
def sign_in_attempt(
    *,
    username: str,
    password: str,
    rounds: int | None = None,
    address: str | None = None,
    device: tuple[int, str] | None = None,
) -> UserPublic:
    """`authenticate` behind the throttle: a refused attempt does no bcrypt work; failures are counted.

    `device` (account id, device id) comes from a device cookie: when it is this account's, the attempt counts on
    that device's own budget instead of the username's and the address's.
    """
    if not is_text(username) or not is_text(password):
        raise ValidationError('login.failed')  # no such name or password can exist
    key = username_key(username)[:FIELD_MAX_CHARS]
    found = _password_hash(username)
    trusted = device[1] if device and found and device[0] == found[0].id else None
    with db.session() as session:
        throttle.check(session, username_key=key, address=address, device=trusted)
    try:
        user = authenticate(username=username, password=password, rounds=rounds)
    except ValidationError as error:
        if error.key == 'login.failed':
            with db.session(write=True) as session:
                throttle.record_failure(session, username_key=key, address=address, device=trusted)
        raise
    with db.session(write=True) as session:
        throttle.reset(session, username_key=key)
    return user


# ---- signed-in sessions ----


def start_session(*, user_id: int, user_agent: str | None = None) -> str:
    return replace_session(user_id=user_id, old_token=None, user_agent=user_agent)


def replace_session(*, user_id: int, old_token: str | None, user_agent: str | None = None) -> str:
    """A new sign-in session for the account, ending `old_token`'s (whoever's it was): each sign-in and each
    password change gets a token of its own, so nothing planted or copied before it keeps any access."""
    token = new_token()
    with db.session(write=True) as session:
        if old_token:
            session.exec(delete(AuthSession).where(AuthSession.token == old_token[:64]))
        session.add(AuthSession(token=token, user_id=user_id, user_agent=(user_agent or '')[:200] or None))
    _sessions_ended([old_token] if old_token else [])
    return token


def end_all_sessions(*, user_id: int) -> list[str]:
    """Sign the account out everywhere; returns the ended tokens (their open pages go to the login page)."""
    with db.session(write=True) as session:
        tokens = _end_other_sessions(session, user_id=user_id, keep_token=None)
    _sessions_ended(tokens)
    return tokens


def _sessions_ended(tokens: list[str]) -> None:
    if tokens:
        events.publish('sessions', tokens=tokens)


# Built once: this lookup runs on every request, and SQLAlchemy then only fills in the token.
_SESSION_USER = (
    select(
        AuthSession.last_seen_at,
        User.id,
        User.username,
        User.subscription_type,
        User.language,
        User.created_at,
        User.is_admin,
        User.time_zone,
    )
    .join(User, User.id == AuthSession.user_id)
    .where(AuthSession.token == bindparam('token'), User.disabled == false())
)
_TOUCH_SESSION = (
    update(AuthSession).where(AuthSession.token == bindparam('b_token')).values(last_seen_at=bindparam('b_now'))
)
_END_SESSION = delete(AuthSession).where(AuthSession.token == bindparam('b_token'))


def user_for_session(token: str | None, *, idle_days: float | None = None) -> UserPublic | None:
    """The user a sign-in session token belongs to, or None when it is unknown, signed out or idle for too long.

    Runs on every request, in Core: one indexed query, and a write only when it must (an idle session is deleted,
    `last_seen_at` moves forward at most once a minute), in a writing unit of its own.
    """
    if not token or len(token) > 64:
        return None
    idle_days = get_settings().session_idle_days if idle_days is None else idle_days
    with db.transaction() as connection:
        found = connection.execute(_SESSION_USER, {'token': token}).first()
    if found is None:
        return None
    last_seen, user_id, username, plan, language, created_at, is_admin, time_zone = found
    now = utcnow()
    idle = now - as_utc(last_seen)
    if idle > timedelta(days=idle_days):
        with db.transaction(write=True) as connection:
            connection.execute(_END_SESSION, {'b_token': token})
        return None
    if idle > _TOUCH_EVERY:
        with db.transaction(write=True) as connection:
            connection.execute(_TOUCH_SESSION, {'b_token': token, 'b_now': now})
    return UserPublic(
        id=user_id,
        username=username,
        subscription_type=plan,
        language=language,
        created_at=created_at,
        is_admin=bool(is_admin),
        time_zone=time_zone,
    )


def end_session(*, token: str | None) -> None:
    if token:
        with db.transaction(write=True) as connection:
            connection.execute(_END_SESSION, {'b_token': token})
        _sessions_ended([token])


def _end_other_sessions(session: Session, *, user_id: int, keep_token: str | None) -> list[str]:
    """End every session of the user but `keep_token`; returns the ended tokens (their open pages can be closed)."""
    query = select(AuthSession.token).where(AuthSession.user_id == user_id)
    if keep_token:
        query = query.where(AuthSession.token != keep_token)
    tokens = list(session.exec(query).all())
    if tokens:
        session.exec(delete(AuthSession).where(AuthSession.token.in_(tokens)))
    return tokens


# ---- profile ----


def _stored_hash(user_id: int) -> str:
    with db.session() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound('errors.user_not_found')
        return user.password_hash


@uses_bcrypt
def change_password(
    *, user_id: int, current: str, new: str, confirm: str, keep_token: str | None, rounds: int | None = None
) -> list[str]:
    """Replace the password after checking the current one; every other signed-in session is ended."""
    if not current:
        raise ValidationError('profile.current_required')
    stored = _stored_hash(user_id)
    check_new_password(new, confirm, field='profile')
    if not verify_password(current, stored):
        raise ValidationError('profile.current_wrong')
    new_hash = hash_password(new, rounds=_rounds(rounds))
    with db.session(write=True) as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound('errors.user_not_found')
        user.password_hash = new_hash
        ended = _end_other_sessions(session, user_id=user_id, keep_token=keep_token)
    _sessions_ended(ended)
    return ended


@uses_bcrypt
def delete_account(*, user_id: int, password: str) -> list[str]:
    """Remove the user; foreign keys cascade to sessions, progress, history and playbacks. Returns the ended tokens."""
    if not password:
        raise ValidationError('profile.current_required')
    if not verify_password(password, _stored_hash(user_id)):
        raise ValidationError('profile.current_wrong')
    with db.session(write=True) as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound('errors.user_not_found')
        tokens = list(session.exec(select(AuthSession.token).where(AuthSession.user_id == user_id)).all())
        session.delete(user)
    _sessions_ended(tokens)
    return tokens


def set_plan(*, user_id: int, plan: Plan) -> UserPublic:
    with db.session(write=True) as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound('errors.user_not_found')
        user.subscription_type = Plan(plan)
        session.flush()
        changed = public(user)
    events.publish(f'account:{user_id}', plan=str(changed.subscription_type))
    return changed


def remember_time_zone(*, user_id: int, time_zone: str) -> bool:
    """Keep the time zone a browser reported (an IANA name) in the account, at sign-in: history days and dates then
    follow the viewer to a new browser, and to a new place when they sign in there. An unknown name changes
    nothing. True when the account's zone changed."""
    time_zone = time_zone.strip()
    if len(time_zone) > TIME_ZONE_MAX or not formats.known_zone(time_zone):
        return False
    with db.session(write=True) as session:
        other = User.time_zone.is_distinct_from(time_zone)  # type: ignore[union-attr]  (a column here)
        changed = session.exec(update(User).where(User.id == user_id, other).values(time_zone=time_zone)).rowcount
    if changed:
        events.publish(f'account:{user_id}', time_zone=time_zone)  # cached accounts (app/session_cache.py) drop it
    return bool(changed)


def set_language(*, user_id: int, language: str) -> None:
    with db.session(write=True) as session:
        user = session.get(User, user_id)
        if user is not None:
            user.language = language
    events.publish(f'account:{user_id}', language=language)  # what caches the account (app/session_cache.py) drops it
