"""app/nicegui_middleware.py: NiceGUI's request middlewares and their plain ASGI replacements, run side by side on
the same requests. These fail if NiceGUI stops adding the middlewares we replace, or changes what they do."""

from __future__ import annotations

import httpx
import pytest
from nicegui import app, core
from nicegui.middlewares import RedirectWithPrefixMiddleware, SetCacheControlMiddleware
from nicegui.storage import RequestTrackingMiddleware, request_contextvar
from nicegui.testing import User
from nicegui.version import __version__
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.routing import Route

from app import nicegui_middleware, wiring

from .helpers import seed_titles, should_see, signed_in


def serving_stack() -> list[object]:
    """The middlewares requests go through now, outermost first (each holds the next as `app`, ours as `inner`)."""
    layers, layer = [], app.middleware_stack
    while layer is not None and all(layer is not seen for seen in layers):
        layers.append(layer)
        layer = getattr(layer, 'app', None) or getattr(layer, 'inner', None)
    return layers


async def test_requests_go_through_ours_and_through_no_base_http_middleware(user: User):
    await signed_in(user)  # the app has started and served pages through its stack
    layers = serving_stack()
    names = [type(layer).__name__ for layer in layers]
    assert not any(isinstance(layer, BaseHTTPMiddleware) for layer in layers), names
    for ours in nicegui_middleware.REPLACEMENTS.values():
        assert any(type(layer) is ours for layer in layers), f'{ours.__name__} does not serve requests: {names}'


async def test_the_swap_holds_when_the_stack_was_built_before_start_up(user: User):
    """In production the lifespan's first message goes through the app, which builds the middleware stack before
    start-up runs (the test plugin starts the app without that): the same order here, by hand."""
    seed_titles(1)
    await signed_in(user)
    theirs = {ours: nicegui_cls for nicegui_cls, ours in nicegui_middleware.REPLACEMENTS.items()}
    app.user_middleware[:] = [
        Middleware(theirs.get(entry.cls, entry.cls), *entry.args, **entry.kwargs) for entry in app.user_middleware
    ]
    app.middleware_stack = app.build_middleware_stack()
    assert any(isinstance(layer, BaseHTTPMiddleware) for layer in serving_stack())  # NiceGUI's, as built at first
    wiring.arrange_middleware()
    assert not any(isinstance(layer, BaseHTTPMiddleware) for layer in serving_stack())
    await user.open('/')  # and pages still serve, signed in
    await should_see(user, marker='hero')


def test_ui_run_still_adds_exactly_the_middlewares_we_replace():
    replaced = Starlette()
    replaced.user_middleware[:] = [
        Middleware(SessionMiddleware, secret_key='x'),
        Middleware(RequestTrackingMiddleware),
        Middleware(RedirectWithPrefixMiddleware),
        Middleware(SetCacheControlMiddleware),
    ]
    assert nicegui_middleware.replace(replaced) == 3
    assert [entry.cls for entry in replaced.user_middleware] == [
        SessionMiddleware,
        nicegui_middleware.RequestTracking,
        nicegui_middleware.PrefixedRedirects,
        nicegui_middleware.FrameworkFilesCached,
    ]
    assert nicegui_middleware.replace(replaced) == 0  # again: nothing left to swap


def served(middleware: type, routes: list[Route]) -> Starlette:
    return Starlette(routes=routes, middleware=[Middleware(SessionMiddleware, secret_key='x'), Middleware(middleware)])


async def both(nicegui_cls: type, routes: list[Route], method: str, path: str, **request: object) -> list:
    answers = []
    for cls in (nicegui_cls, nicegui_middleware.REPLACEMENTS[nicegui_cls]):
        transport = httpx.ASGITransport(app=served(cls, routes))
        async with httpx.AsyncClient(transport=transport, base_url='http://test') as client:
            answers.append(await client.request(method, path, **request))
    return answers


@pytest.mark.parametrize(
    ('target', 'prefix', 'expected'),
    [
        ('/home', '/films', '/films/home'),
        ('/home', '', '/home'),
        ('https://elsewhere/x', '/films', 'https://elsewhere/x'),
    ],
)
async def test_redirects_get_the_proxy_prefix_as_nicegui_gives_it(target: str, prefix: str, expected: str):
    routes = [Route('/go', lambda _request: RedirectResponse(target))]
    headers = {'X-Forwarded-Prefix': prefix} if prefix else {}
    theirs, ours = await both(RedirectWithPrefixMiddleware, routes, 'GET', '/go', headers=headers)
    assert theirs.headers['location'] == ours.headers['location'] == expected
    assert theirs.status_code == ours.status_code == 307


@pytest.mark.parametrize(
    'path',
    [f'/_nicegui/{__version__}/static/x.js', f'/_nicegui/{__version__}/dynamic_resources/x.js', '/static/x.js'],
)
async def test_cache_control_goes_on_the_same_files_as_with_nicegui(user: User, path: str):
    # `user`: the app has run its `ui.run`, which sets the Cache-Control directives both read
    routes = [Route(path, lambda _request: PlainTextResponse('x'))]
    theirs, ours = await both(SetCacheControlMiddleware, routes, 'GET', path)
    assert theirs.headers.get('cache-control') == ours.headers.get('cache-control')
    cached = 'dynamic_resources' not in path and path.startswith('/_nicegui/')
    assert (ours.headers.get('cache-control') == core.app.config.cache_control_directives) is cached


async def test_request_tracking_sets_the_request_the_session_id_and_the_user_storage_as_nicegui_does():
    seen: list[dict] = []

    async def page(request: Request) -> PlainTextResponse:
        session_id = request.session['id']
        seen.append(
            {
                'request is current': request_contextvar.get().scope is request.scope,
                'responded': request.state.responded,
                'storage made': session_id in core.app.storage._users,
                'in use': core.app.storage._active_request_sessions[session_id],
            }
        )
        return PlainTextResponse(session_id)

    theirs, ours = await both(RequestTrackingMiddleware, [Route('/', page)], 'GET', '/')
    assert seen[0] == seen[1] == {'request is current': True, 'responded': False, 'storage made': True, 'in use': 1}
    for answer in (theirs, ours):
        assert 'session=' in answer.headers['set-cookie']  # the id went out in the session cookie
        assert answer.text not in core.app.storage._active_request_sessions  # no longer in use
        core.app.storage._users.pop(answer.text, None)
