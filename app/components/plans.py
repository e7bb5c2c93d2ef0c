"""Plan comparison table and the confirmed plan change (a demo: no payment is taken)."""

from __future__ import annotations

from html import escape

from nicegui import ui

from .. import actions
from ..lang import t
from ..models import Plan
from ..services import plans


def plan_comparison() -> None:
    """The plans side by side: one element of escaped markup (as elements, a cell and its label each: 28)."""
    ui.html(comparison_html(), sanitize=False).mark('plan-comparison')


def comparison_html() -> str:
    rows = [
        (t('plan.titles'), t('plan.titles.FREE'), t('plan.titles.PREMIUM')),
        (t('plan.quality'), t('plan.quality.FREE'), t('plan.quality.PREMIUM')),
        (t('plan.screens'), str(plans.max_screens(Plan.FREE)), str(plans.max_screens(Plan.PREMIUM))),
    ]
    head = (
        f'<tr><td></td><th scope="col">{escape(t("plan.FREE"))}</th>'
        f'<th scope="col" class="premium">{escape(t("plan.PREMIUM"))}</th></tr>'
    )
    body = ''.join(
        f'<tr><th scope="row">{escape(label)}</th><td>{escape(free)}</td><td>{escape(premium)}</td></tr>'
        for label, free, premium in rows
    )
    return f'<table class="bt-plan-table">{head}{body}</table>'


def change_plan_button(target: Plan) -> ui.button:
    """A button that asks for confirmation (saying no payment is taken), then changes the plan at once."""
    upgrade = target == Plan.PREMIUM
    button = ui.button(plan_change_label(target), icon=plan_change_icon(target), on_click=lambda: ask(target))
    if not upgrade:
        button.props('outline color=white')
    return button.mark('upgrade' if upgrade else 'downgrade')


def plan_change_label(target: Plan) -> str:
    return t('plan.upgrade') if target == Plan.PREMIUM else t('plan.downgrade')


def plan_change_icon(target: Plan) -> str | None:
    return 'workspace_premium' if target == Plan.PREMIUM else None


def ask(target: Plan) -> None:
    """Asks whether to change to `target` (saying no payment is taken); Confirm changes the plan at once."""
    with ui.dialog() as dialog, ui.card().classes('bt-panel gap-4'):
        ui.label(t('plan.confirm_upgrade' if target == Plan.PREMIUM else 'plan.confirm_downgrade')).classes('text-lg')
        ui.label(t('plan.no_payment')).classes('bt-muted')
        with ui.row().classes('justify-end w-full'):
            ui.button(t('common.cancel'), on_click=dialog.close).props('flat color=white')
            ui.button(t('common.confirm'), on_click=lambda: actions.change_plan(target)).mark('confirm-plan')
    dialog.open()
