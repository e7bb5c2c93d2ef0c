"""app/nicegui_speedups.py: each replacement gives what NiceGUI's own code gives, and NiceGUI really goes through it
when it builds and sends a page (these tests fail if the framework stops reaching them the way they are installed)."""

from __future__ import annotations

import functools

import pytest
from nicegui import client as client_module
from nicegui import helpers
from nicegui.testing import User

from app import nicegui_speedups


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
    expected = nicegui_speedups._original(func)
    assert nicegui_speedups.expects_arguments(func) is expected
    assert nicegui_speedups.expects_arguments(func) is expected  # and again, from what it kept


async def test_the_app_installs_it_and_nicegui_asks_it_when_it_builds_a_page(user: User):
    assert helpers.expects_arguments is nicegui_speedups.expects_arguments
    nicegui_speedups._answers.clear()
    await user.open('/login')
    assert nicegui_speedups._answers, 'NiceGUI built a page without asking helpers.expects_arguments'


@pytest.mark.parametrize(
    'text',
    [
        '',
        'plain text',
        '<a href="/x?a=1&amp;b=2">`$HOME` & <b>more</b></a>',
        '&&<<>>``$$ &lt; already escaped &amp;',
        'ñandú 🎬 <ü> $ ` & — the whole of a poster row: ' + '<img src="/media/1/poster?w=200&amp;f=webp">' * 50,
    ],
)
def test_the_page_escape_gives_what_str_translate_gives(text):
    table = client_module.HTML_ESCAPE_TABLE
    assert nicegui_speedups.EscapableJson(text).translate(table) == text.translate(table)
    other = str.maketrans({'a': 'b'})
    assert nicegui_speedups.EscapableJson(text).translate(other) == text.translate(other)  # other tables: as str's


async def test_a_page_is_sent_through_the_fast_escape_and_reads_the_same(user: User, monkeypatch):
    assert isinstance(client_module.json.dumps({'a': '<b>'}), nicegui_speedups.EscapableJson)
    escaped: list[str] = []
    original = nicegui_speedups.EscapableJson.translate

    def watched(self, table):
        result = original(self, table)
        escaped.append(result)
        return result

    monkeypatch.setattr(nicegui_speedups.EscapableJson, 'translate', watched)
    response = await user.http_client.get('/login')
    assert response.status_code == 200
    assert escaped, 'NiceGUI sent a page without escaping its elements through client.json.dumps'
    assert escaped[0] in response.text  # what was escaped is what the page carries
