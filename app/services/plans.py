"""Plan rules: which titles, which quality and how many screens each plan gets. Read from the database, always."""

from __future__ import annotations

from sqlmodel import Session

from ..config import get_settings
from ..models import Plan, Quality, Title, User
from .errors import AccessDenied, NotFound


def quality_for(plan: Plan) -> Quality:
    return Quality.HD if plan == Plan.PREMIUM else Quality.SD


def max_screens(plan: Plan) -> int:
    settings = get_settings()
    return settings.max_screens_premium if plan == Plan.PREMIUM else settings.max_screens_free


def may_watch(plan: Plan, *, is_premium: bool) -> bool:
    return plan == Plan.PREMIUM or not is_premium


def current_plan(session: Session, user_id: int) -> Plan:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound('errors.user_not_found')
    return Plan(user.subscription_type)


def denial(plan: Plan, *, is_premium: bool, quality: Quality | None = None) -> str | None:
    """The message key of the rule this plan breaks for a title (and a rendition), or None when it is covered."""
    if not may_watch(plan, is_premium=is_premium):
        return 'plan.locked_title'
    if quality == Quality.HD and plan != Plan.PREMIUM:
        return 'plan.quality_denied'
    return None


def check_access(session: Session, *, user_id: int, title: Title, quality: Quality | None = None) -> Plan:
    """Raise AccessDenied unless the user's plan, as stored now, covers this title (and this quality)."""
    plan = current_plan(session, user_id)
    if key := denial(plan, is_premium=title.is_premium, quality=quality):
        raise AccessDenied(key, title=title.title)
    return plan
