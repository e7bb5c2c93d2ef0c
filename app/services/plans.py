"""Plan rules: which titles, which quality and how many screens each plan gets (pure: no database)."""

from __future__ import annotations

from ..config import get_settings
from ..models import Plan, Quality


def quality_for(plan: Plan) -> Quality:
    return Quality.HD if plan == Plan.PREMIUM else Quality.SD


def max_screens(plan: Plan) -> int:
    settings = get_settings()
    return settings.max_screens_premium if plan == Plan.PREMIUM else settings.max_screens_free


def may_watch(plan: Plan, *, is_premium: bool) -> bool:
    return plan == Plan.PREMIUM or not is_premium


def denial(plan: Plan, *, is_premium: bool, quality: Quality | None = None) -> str | None:
    """The message key of the rule this plan breaks for a title (and a rendition), or None when it is covered."""
    if not may_watch(plan, is_premium=is_premium):
        return 'plan.locked_title'
    if quality == Quality.HD and plan != Plan.PREMIUM:
        return 'plan.quality_denied'
    return None
