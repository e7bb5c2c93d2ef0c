"""What the shared controls do: change the language, change the plan, sign out.

Components draw; when one of their controls is used, it calls one of these. Each checks the user again where it
acts for them (a tab may have outlived its session), calls a service through `work.run`, and moves the page on.
"""

from __future__ import annotations

from urllib.parse import quote

from nicegui import context, ui

from . import auth, work
from .lang import t
from .models import Plan
from .services import accounts


def set_language(code: str) -> None:
    """Through `/lang/{code}`, which keeps the choice (in the account, or a cookie before sign-in) and comes back."""
    request = context.client.request
    here = request.url.path + (f'?{request.url.query}' if request.url.query else '')
    ui.navigate.to(f'/lang/{code}?next={quote(here, safe="")}')


async def change_plan(target: Plan) -> None:
    user = await auth.require_user()
    if user is None:
        return
    await work.run(accounts.set_plan, user_id=user.id, plan=target)
    request = context.client.request
    here = request.url.path + (f'?{request.url.query}' if request.url.query else '')
    auth.go(here, flash=('plan.changed', 'positive', {'plan': t(f'plan.{target}')}))


async def sign_out() -> None:
    await auth.complete('sign_out')
