"""app/handler_arity.py: NiceGUI's "does this handler take arguments?" kept per definition gives NiceGUI's own
answers, and NiceGUI's element building really goes through it (the test fails if the framework stops asking
`helpers.expects_arguments`)."""

from __future__ import annotations

import functools

import pytest
from nicegui import helpers
from nicegui.testing import User

from app import handler_arity


class Thing:
    def no_arguments(self) -> None: ...

    def one_argument(self, event) -> None: ...

    def with_default(self, event=None) -> None: ...

    def __call__(self, event) -> None: ...


def plain(a, b=1): ...


async def coroutine(event): ...


def variadic(*args, **kwargs): ...


def keyword_only(*, name): ...


def keyword_default(*, name='x'): ...


@functools.wraps(plain)
def wrapped(): ...


def closures() -> list:
    return [lambda: None, lambda event: event, lambda event=None: event]


CALLABLES = [
    Thing().no_arguments,
    Thing().one_argument,
    Thing().with_default,
    Thing.one_argument,  # unbound: self is an argument then
    Thing(),
    plain,
    coroutine,
    variadic,
    keyword_only,
    keyword_default,
    wrapped,
    functools.partial(plain, 1),
    *closures(),
    *closures(),  # the same definitions again, as new function objects
    print,
]


@pytest.mark.parametrize('func', CALLABLES, ids=lambda func: getattr(func, '__qualname__', type(func).__name__))
def test_it_answers_what_nicegui_answers(func):
    expected = handler_arity._original(func)
    assert handler_arity.expects_arguments(func) is expected
    assert handler_arity.expects_arguments(func) is expected  # and again, from what it kept


async def test_the_app_installs_it_and_nicegui_asks_it_when_it_builds_a_page(user: User):
    assert helpers.expects_arguments is handler_arity.expects_arguments
    handler_arity._answers.clear()
    await user.open('/login')
    assert handler_arity._answers, 'NiceGUI built a page without asking helpers.expects_arguments'
