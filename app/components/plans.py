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
    ui.html(f'<table class="bt-plan-table">{head}{body}</table>', sanitize=False).mark('plan-comparison')


def change_plan_button(target: Plan) -> ui.button:
    """A button that asks for confirmation (saying no payment is taken), then changes the plan at once."""
    upgrade = target == Plan.PREMIUM

    def confirm() -> None:
        with ui.dialog() as dialog, ui.card().classes('bt-panel gap-4'):
            ui.label(t('plan.confirm_upgrade' if upgrade else 'plan.confirm_downgrade')).classes('text-lg')
            ui.label(t('plan.no_payment')).classes('bt-muted')
            with ui.row().classes('justify-end w-full'):
                ui.button(t('common.cancel'), on_click=dialog.close).props('flat color=white')
                ui.button(t('common.confirm'), on_click=lambda: actions.change_plan(target)).mark('confirm-plan')
        dialog.open()

    label = t('plan.upgrade') if upgrade else t('plan.downgrade')
    button = ui.button(label, icon='workspace_premium' if upgrade else None, on_click=confirm)
    if not upgrade:
        button.props('outline color=white')
    return button.mark('upgrade' if upgrade else 'downgrade')
