"""Administrators: the first one on an empty database, the setup token, promotion, and the log of their actions.

Every administrative action is recorded by `record` in the unit of work that does it, so an action and its line in
the log are committed together or not at all.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, col, delete, func, select

from .. import db
from ..models import AdminAction, SetupToken, User, UserPublic

LOG_PAGE_MAX = 200
CLI_ACTOR = 'butaca-admin'  # the name the log gives to actions taken from the command line


class AdminLogEntry(BaseModel):
    at: datetime
    actor: str
    action: str
    target: str
    detail: str


def token_hash(token: str) -> str:
    """What is kept of a one-time token: its SHA-256 (the token itself is random, so no salt or bcrypt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def record(
    session: Session, *, actor: UserPublic | None, action: str, target: str = '', detail: str = ''
) -> AdminAction:
    """One line of the administrators' log, in the caller's unit of work (`actor` None: the command line)."""
    row = AdminAction(
        actor_id=actor.id if actor else None,
        actor_name=(actor.username if actor else CLI_ACTOR)[:32],
        action=action[:40],
        target=target[:200],
        detail=detail[:500],
    )
    session.add(row)
    return row


def has_admin(session: Session) -> bool:
    return session.exec(select(User.id).where(col(User.is_admin)).limit(1)).first() is not None


def new_setup_token() -> str | None:
    """While no administrator exists: a fresh one-time setup token (replacing any earlier one), to print at start.
    None once there is an administrator (and any token left is deleted)."""
    with db.session(write=True) as session:
        session.exec(delete(SetupToken))
        if has_admin(session):
            return None
        token = secrets.token_urlsafe(24)
        session.add(SetupToken(token_hash=token_hash(token)))
        return token


def claim_first_admin(session: Session, *, user: User, local: bool, setup_token: str | None) -> bool:
    """Make `user` (just added in this unit) the administrator if it is the database's first account and it came
    from the server's own machine or with the setup token, which is then used up. True if it did."""
    first = session.exec(select(func.min(User.id))).one()
    if user.id != first or has_admin(session):
        return False
    if not local:
        if not setup_token or len(setup_token) > 100:
            return False
        stored = session.exec(select(SetupToken.token_hash)).all()
        wanted = token_hash(setup_token)
        if not any(hmac.compare_digest(wanted, found) for found in stored):
            return False
    session.exec(delete(SetupToken))  # one-time: used, or no longer needed once there is an administrator
    user.is_admin = True
    session.add(user)
    session.flush()
    how = 'loopback' if local else 'setup token'
    session.add(
        AdminAction(actor_id=user.id, actor_name=user.username, action='first_admin', target=user.username, detail=how)
    )
    return True


def log(*, limit: int = 100, offset: int = 0) -> list[AdminLogEntry]:
    """The administrators' log, newest first."""
    limit = max(1, min(limit, LOG_PAGE_MAX))
    with db.session() as session:
        rows = session.exec(
            select(AdminAction)
            .order_by(col(AdminAction.at).desc(), col(AdminAction.id).desc())
            .offset(max(0, offset))
            .limit(limit)
        ).all()
        return [
            AdminLogEntry(at=row.at, actor=row.actor_name, action=row.action, target=row.target, detail=row.detail)
            for row in rows
        ]


class Overview(BaseModel):
    accounts: int
    admins: int
    titles: int


def overview() -> Overview:
    from ..models import CATALOG_KINDS, Title

    with db.session() as session:
        return Overview(
            accounts=session.exec(select(func.count()).select_from(User)).one(),
            admins=session.exec(select(func.count()).select_from(User).where(col(User.is_admin))).one(),
            titles=session.exec(
                select(func.count()).select_from(Title).where(col(Title.kind).in_(CATALOG_KINDS))
            ).one(),
        )
