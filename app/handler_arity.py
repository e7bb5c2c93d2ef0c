"""NiceGUI's "does this handler take arguments?" answered once per function definition instead of once per call.

NiceGUI asks `helpers.expects_arguments(handler)` for every observable collection it builds (three per element: its
classes, style and props) and for every event handler it registers, and answers it with `inspect.signature`, which
builds a Signature object each time. Under a load of page builds that was a fifth of the event loop's time (py-spy
with `--gil` on the profile page, 32 connections): the same few handler definitions asked about thousands of times.

The answer depends only on the function's definition (its parameters and which have defaults) and on whether it is
bound to an object, so it is kept per code object. Anything else (partials, callable objects, functions wrapped with
`functools.wraps` or carrying their own `__signature__`) goes to NiceGUI's function as before.

Private framework API, on purpose: NiceGUI's modules call `helpers.expects_arguments` through the `helpers` module,
and `install` replaces that attribute. If NiceGUI starts importing the function by name, the replacement is simply
not used (nothing breaks, pages are slower): tests/test_handler_arity.py fails then.
"""

from __future__ import annotations

from collections.abc import Callable
from types import CodeType, FunctionType, MethodType

from nicegui import helpers

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


def install() -> None:
    """Replace NiceGUI's helper (once; again is a no-op)."""
    helpers.expects_arguments = expects_arguments
