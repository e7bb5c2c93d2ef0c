"""Accounts as administrators see them: the list (plan, role, last activity, screens in use), and what they may do
to one: change its plan, make it administrator, sign it out everywhere, disable it, give it a one-time reset link.

Each action and its line in the administrators' log commit together; the news (`account:{id}`, `sessions`) goes
out after the commit.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import false
from sqlmodel import Session, col, delete, func, select

from .. import db, events
from ..config import get_settings
from ..models import AuthSession, PasswordReset, Plan, Playback, User, UserPublic, as_utc, utcnow
from ..security import hash_password, uses_bcrypt
from . import admin, playback_rules
from .accounts import FIELD_MAX_CHARS, check_new_password, normalize_username, public, username_key
from .errors import NotFound, ValidationError

RESET_VALID = timedelta(hours=1)
USERS_PAGE_MAX = 100


class AdminUserRow(BaseModel):
    id: int
    username: str
    plan: Plan
    is_admin: bool
    disabled: bool
    created_at: datetime
    last_active: datetime | None  # the newest sign-in session's last request
    sessions: int
    screens: int  # players in use now


def list_users(*, query: str = '', limit: int = 50, offset: int = 0) -> tuple[list[AdminUserRow], int]:
    """One page of accounts by name (with `query` in it), and how many match."""
    limit = max(1, min(limit, USERS_PAGE_MAX))
    key = normalize_username(query)[:FIELD_MAX_CHARS].lower()
    where = [col(User.username_key).contains(key, autoescape=True)] if key else []
    since = utcnow() - playback_rules.SCREEN_WINDOW
    with db.session() as session:
        total = session.exec(select(func.count()).select_from(User).where(*where)).one()
        users = session.exec(select(User).where(*where).order_by(User.username_key).offset(offset).limit(limit)).all()
        ids = [user.id for user in users]
        activity = dict(
            session.exec(
                select(AuthSession.user_id, func.max(AuthSession.last_seen_at))
                .where(col(AuthSession.user_id).in_(ids))
                .group_by(AuthSession.user_id)
            ).all()
        )
        sessions = dict(
            session.exec(
                select(AuthSession.user_id, func.count())
                .where(col(AuthSession.user_id).in_(ids))
                .group_by(AuthSession.user_id)
            ).all()
        )
        screens = dict(
            session.exec(
                select(Playback.user_id, func.count(func.distinct(Playback.device)))
                .where(
                    col(Playback.user_id).in_(ids),
                    Playback.stopped == false(),
                    Playback.heartbeat_at >= since,
                )
                .group_by(Playback.user_id)
            ).all()
        )
        rows = [
            AdminUserRow(
                id=user.id,
                username=user.username,
                plan=user.subscription_type,
                is_admin=user.is_admin,
                disabled=user.disabled,
                created_at=user.created_at,
                last_active=as_utc(activity[user.id]) if user.id in activity else None,
                sessions=sessions.get(user.id, 0),
                screens=screens.get(user.id, 0),
            )
            for user in users
        ]
    return rows, total


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound('errors.user_not_found')
    return user


def _end_sessions(session: Session, user_id: int) -> list[str]:
    tokens = list(session.exec(select(AuthSession.token).where(AuthSession.user_id == user_id)).all())
    if tokens:
        session.exec(delete(AuthSession).where(col(AuthSession.token).in_(tokens)))
    return tokens


def set_plan(*, actor: UserPublic, user_id: int, plan: Plan) -> None:
    with db.session(write=True) as session:
        user = _user(session, user_id)
        before = user.subscription_type
        user.subscription_type = Plan(plan)
        admin.record(session, actor=actor, action='set_plan', target=user.username, detail=f'{before} -> {plan}')
    events.publish(f'account:{user_id}', plan=str(plan))


def set_role(*, actor: UserPublic, user_id: int, is_admin: bool) -> None:
    with db.session() as session:
        name = _user(session, user_id).username
    set_admin(username=name, is_admin=is_admin, actor=actor)
    events.publish(f'account:{user_id}', role='admin' if is_admin else 'viewer')


def sign_out_everywhere(*, actor: UserPublic, user_id: int) -> int:
    """End every sign-in session of the account (its open pages go to the login page); how many there were."""
    with db.session(write=True) as session:
        user = _user(session, user_id)
        tokens = _end_sessions(session, user_id)
        admin.record(session, actor=actor, action='sign_out_everywhere', target=user.username, detail=str(len(tokens)))
    if tokens:
        events.publish('sessions', tokens=tokens)
    return len(tokens)


def set_disabled(*, actor: UserPublic, user_id: int, disabled: bool) -> None:
    """Disable an account (its sessions end at once and it cannot sign in) or enable it again; never one's own."""
    if user_id == actor.id:
        raise ValidationError('admin.not_yourself')
    with db.session(write=True) as session:
        user = _user(session, user_id)
        user.disabled = disabled
        tokens = _end_sessions(session, user_id) if disabled else []
        admin.record(session, actor=actor, action='disable' if disabled else 'enable', target=user.username)
    if tokens:
        events.publish('sessions', tokens=tokens)


def make_reset_link(*, actor: UserPublic, user_id: int) -> str:
    """A one-time password reset path for the account, valid for an hour (only its hash is kept); earlier links of
    the account stop working."""
    token = secrets.token_urlsafe(32)
    with db.session(write=True) as session:
        user = _user(session, user_id)
        session.exec(delete(PasswordReset).where(PasswordReset.user_id == user_id))
        session.add(
            PasswordReset(token_hash=admin.token_hash(token), user_id=user_id, expires_at=utcnow() + RESET_VALID)
        )
        admin.record(session, actor=actor, action='reset_link', target=user.username)
    return f'/reset?token={token}'


def reset_target(token: str) -> str | None:
    """The name of the account a reset token is for, while it is valid (None otherwise)."""
    if not token or len(token) > 100:
        return None
    with db.session() as session:
        found = session.exec(
            select(User.username, PasswordReset.expires_at)
            .join(User, User.id == PasswordReset.user_id)
            .where(PasswordReset.token_hash == admin.token_hash(token))
        ).first()
    if found is None or as_utc(found[1]) < utcnow():
        return None
    return found[0]


@uses_bcrypt
def reset_password(*, token: str, password: str, confirm: str, rounds: int | None = None) -> str:
    """Set a new password with a reset token, which is used up; every session of the account ends. Its name."""
    if reset_target(token) is None:
        raise ValidationError('reset.invalid')
    check_new_password(password, confirm)
    new_hash = hash_password(password, rounds=rounds if rounds is not None else get_settings().bcrypt_rounds)
    with db.session(write=True) as session:
        reset = session.get(PasswordReset, admin.token_hash(token))
        if reset is None or as_utc(reset.expires_at) < utcnow():  # used meanwhile by another tab
            raise ValidationError('reset.invalid')
        user = _user(session, reset.user_id)
        user.password_hash = new_hash
        session.delete(reset)
        tokens = _end_sessions(session, user.id)
        name = user.username
    if tokens:
        events.publish('sessions', tokens=tokens)
    return name


def set_admin(*, username: str, is_admin: bool, actor: UserPublic | None) -> UserPublic:
    """Make an account an administrator (or not any more). The last administrator cannot step down."""
    with db.session(write=True) as session:
        user = session.exec(select(User).where(User.username_key == username_key(username))).first()
        if user is None:
            raise NotFound('admin.no_such_user', username=username)
        if user.is_admin != is_admin:
            if not is_admin:
                admins = session.exec(select(func.count()).select_from(User).where(col(User.is_admin))).one()
                if admins <= 1:
                    raise ValidationError('admin.last_admin')
            user.is_admin = is_admin
            session.add(user)
            admin.record(session, actor=actor, action='promote' if is_admin else 'demote', target=user.username)
        session.flush()
        return public(user)
