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


def check_access(session: Session, *, user_id: int, title: Title, quality: Quality | None = None) -> Plan:
    """Raise AccessDenied unless the user's plan, as stored now, covers this title (and this quality)."""
    plan = current_plan(session, user_id)
    if not may_watch(plan, is_premium=title.is_premium):
        raise AccessDenied('plan.locked_title', title=title.title)
    if quality is not None and quality == Quality.HD and plan != Plan.PREMIUM:
        raise AccessDenied('plan.quality_denied')
    return plan
