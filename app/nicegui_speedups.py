"""Two costs of NiceGUI's page building taken away, each found with py-spy under 32 connections loading pages, each
giving the framework's own results (tests/test_nicegui_speedups.py compares them), each through private framework API
on purpose: `install` replaces a module attribute that NiceGUI reads at call time. If NiceGUI changes how it reaches
it, the replacement is simply not used (nothing breaks; pages are slower) and the tests fail.

1. "Does this handler take arguments?" answered once per function definition instead of once per call.

NiceGUI asks `helpers.expects_arguments(handler)` for every observable collection it builds (three per element: its
classes, style and props) and for every event handler it registers, and answers it with `inspect.signature`, which
builds a Signature object each time. Under a load of page builds that was a fifth of the event loop's time (py-spy
with `--gil` on the profile page, 32 connections): the same few handler definitions asked about thousands of times.

The answer depends only on the function's definition (its parameters and which have defaults) and on whether it is
bound to an object, so it is kept per code object. Anything else (partials, callable objects, functions wrapped with
`functools.wraps` or carrying their own `__signature__`) goes to NiceGUI's function as before.

NiceGUI's modules call `helpers.expects_arguments` through the `helpers` module; `install` replaces that attribute.

2. The page's elements escaped for HTML with `str.replace` instead of `str.translate`.

`Client.build_response` serializes every element to JSON and escapes the result for the HTML page with
`str.translate(HTML_ESCAPE_TABLE)`, whose replacements are longer than one character: CPython then looks every
character up in a dict, 60 ns a character, 8 ms for the 134 KB of a home page with 160 posters and 2 ms for 34 KB,
a fifth of a page's CPU. Five `str.replace` calls give the same string in a twentieth of the time. `client.py` reaches
`json.dumps` through its `json` module attribute; `install` gives it one whose `dumps` returns the same text as a
`str` whose `translate` takes that path for that table (any other table goes to `str.translate`).
"""

from __future__ import annotations

from collections.abc import Callable
from types import CodeType, FunctionType, MethodType, SimpleNamespace

from nicegui import client as client_module
from nicegui import helpers
from nicegui import json as nicegui_json

_original = helpers.expects_arguments
_answers: dict[tuple[int, bool, int, tuple[str, ...]], tuple[CodeType, bool]] = {}


def expects_arguments(func: Callable) -> bool:
    """What NiceGUI's `helpers.expects_arguments` answers, remembered per definition for plain functions and
    methods bound to them."""
    bound = isinstance(func, MethodType)
    target = func.__func__ if bound else func
    if type(target) is not FunctionType or hasattr(target, '__wrapped__') or hasattr(target, '__signature__'):
        return _original(func)
    code = target.__code__
    # By the code object's id (hashing a code object walks its constants, and that cost what it saved), checked
    # against the object kept with the answer: an id can be reused once its code is gone (a reloaded module).
    key = (id(code), bound, len(target.__defaults__ or ()), tuple(target.__kwdefaults__ or ()))
    kept = _answers.get(key)
    if kept is None or kept[0] is not code:
        kept = _answers[key] = (code, _original(func))
    return kept[1]


# What NiceGUI's HTML_ESCAPE_TABLE maps, read from it, in an order that never escapes an escape: '&' first.
_ESCAPES = tuple(
    sorted(
        ((chr(code), escaped) for code, escaped in client_module.HTML_ESCAPE_TABLE.items()), key=lambda p: p[0] != '&'
    )
)


class EscapableJson(str):
    """JSON text whose `translate(HTML_ESCAPE_TABLE)` is five `str.replace` calls (the same result, 20 times faster)."""

    __slots__ = ()

    def translate(self, table):  # type: ignore[override]
        if table is not client_module.HTML_ESCAPE_TABLE:
            return str.translate(self, table)
        text = str(self)
        for plain, escaped in _ESCAPES:
            text = text.replace(plain, escaped)
        return text


def _dumps(*args, **kwargs) -> str:
    return EscapableJson(nicegui_json.dumps(*args, **kwargs))


def install() -> None:
    """Replace NiceGUI's helpers (once; again is a no-op)."""
    helpers.expects_arguments = expects_arguments
    client_module.json = SimpleNamespace(dumps=_dumps, loads=nicegui_json.loads)
