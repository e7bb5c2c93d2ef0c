"""What the shared controls do: change the language, change the plan, sign out.

Components draw; when one of their controls is used, it calls one of these. Each checks the user again (a tab may
have outlived its session), calls a service through `work.run`, and moves the page on.
"""

from __future__ import annotations

from nicegui import app, ui

from . import auth, work
from .lang import LANG_KEY, t
from .models import Plan
from .services import accounts


async def set_language(code: str) -> None:
    app.storage.user[LANG_KEY] = code
    user = await auth.current_user()
    if user is not None:
        await work.run(accounts.set_language, user_id=user.id, language=code)
    ui.navigate.reload()


async def change_plan(target: Plan) -> None:
    user = await auth.require_user()
    if user is None:
        return
    await work.run(accounts.set_plan, user_id=user.id, plan=target)
    auth.flash('plan.changed', plan=t(f'plan.{target}'))
    ui.navigate.reload()


async def sign_out() -> None:
    await auth.sign_out()
    auth.flash('login.logged_out', 'info')
    ui.navigate.to('/login')
