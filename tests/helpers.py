"""Small helpers shared by the UI tests: make an account, sign in through the form."""

from __future__ import annotations

from nicegui.testing import User

from app import db
from app.models import Plan, UserPublic
from app.services import accounts


def make_account(username: str = 'ana', password: str = 'secreto123', plan: Plan = Plan.FREE) -> UserPublic:
    user = db.call(accounts.register, username=username, password=password, confirm=password, rounds=4)
    if plan != Plan.FREE:
        user = db.call(accounts.set_plan, user_id=user.id, plan=plan)
    return user


async def sign_in(user: User, username: str = 'ana', password: str = 'secreto123', path: str = '/login') -> None:
    await user.open(path)
    user.find(marker='username').type(username)
    user.find(marker='password').type(password)
    user.find(marker='submit').click()
