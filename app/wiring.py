"""The single wiring point: middleware, static files, routes and pages, and what runs at start-up.

main.py calls `create_app()` on every run. NiceGUI's test plugin removes routes and middleware between tests, so
nothing here may happen at import time.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import logging
import time
from collections.abc import Callable
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from nicegui import Client, app, ui
from starlette.types import ASGIApp

from . import (
    api,
    auth,
    auth_routes,
    browser_logs,
    db,
    error_pages,
    events,
    events_redis,
    media,
    middleware,
    nicegui_cleanup,
    nicegui_middleware,
    nicegui_speedups,
    page_limits,
    playback_http,
    session_cache,
    status,
    upload_http,
    work,
)
from .components import theme
from .config import get_settings, library_settings
from .pages import (
    admin,
    admin_jobs,
    admin_library,
    admin_titles,
    admin_users,
    catalog,
    home,
    login,
    profile,
    register,
    reset,
    title,
    watch,
)
from .services import admin as admin_service
from .services import playback_store, shared_cache

STATIC_DIR = Path(__file__).parent / 'static'
# Pages wait for their database work in worker threads; in a burst (hundreds of players opening at once) that
# queue can pass NiceGUI's default of 3 s, after which it would serve an error page instead of a late one.
PAGE_TIMEOUT = 20.0
log = logging.getLogger('butaca')
# A page's client lives until its websocket connects; one that never connects (a script, a crawler, a flood of page
# loads) is dropped after this long instead of NiceGUI's 60 s, checked every PRUNE_EVERY_S. A browser connects
# within a second or two; one that comes later finds its client gone and reloads the page.
PRUNE_UNCONNECTED_AFTER_S = 15.0
PRUNE_EVERY_S = 0.5
# How long a slice of the prune may delete clients before pages and sockets are served again (the next slice
# follows at once while there is more). NiceGUI's own prune deletes all it finds in one go: a pile of a thousand
# pages that never connected (a load tool) held every page and socket of the server for two and a half seconds.
PRUNE_BUDGET_S = 0.01
# Past this many pages waiting for their websocket (a load tool, a crawler, a flood from many addresses), the oldest
# beyond it go once they are PRUNE_CROWDED_AFTER_S old: each waiting page is a few hundred objects that every full
# collection of the garbage collector walks, and over a pile of about 3,000 one took 2.3 s, every page and socket
# of the process waiting behind it. A browser that connects later than that finds its page gone and reloads it.
CROWD = 500
PRUNE_CROWDED_AFTER_S = 3.0


def create_app() -> None:
    nicegui_speedups.install()  # two fifths of a page build went to two of NiceGUI's helpers (see there)
    nicegui_cleanup.install()  # deleted pages freed by reference counting, not by full collections (see there)
    theme.set_colors()
    # Added inner first: the last one added runs first.
    app.add_middleware(middleware.AuthGuard)
    app.add_middleware(middleware.PageScripts)
    app.add_middleware(middleware.BodyLimit)
    app.add_middleware(middleware.SameSiteOnly)
    app.add_static_files('/static', STATIC_DIR)
    error_pages.install()
    browser_logs.install()
    add_page('/login', login.login_page)
    add_page('/register', register.register_page)
    for router in (api.router, media.router, auth_routes.router, upload_http.router):
        add_routes(router)
    add_page('/', home.home_page)
    add_page('/catalog', catalog.catalog_page)
    add_page('/title/{title_id}', title.title_page)
    # A long reconnect_timeout: a network drop of a minute or more keeps the page's client (and so its player's
    # websocket), instead of NiceGUI's 3 s after which the page would reload (app/pages/watch.py).
    add_page('/watch/{title_id}', watch.watch_page, reconnect_timeout=watch.RECONNECT_TIMEOUT)
    add_page('/profile', profile.profile_page)
    add_page('/reset', reset.reset_page)
    add_page('/admin', admin.admin_page)
    add_page('/admin/log', admin.admin_log_page)
    add_page('/admin/users', admin_users.admin_users_page)
    add_page('/admin/jobs', admin_jobs.admin_jobs_page)
    add_page('/admin/library', admin_library.admin_library_page)
    add_page('/admin/titles', admin_titles.admin_titles_page)
    app.on_startup(startup)
    app.on_shutdown(shutdown)


def add_page(path: str, build: Callable[..., object], **options: float) -> None:
    """`build` as the page at `path`. NiceGUI's page wrapper asks for the function's signature on every request (to
    see whether it takes `client`): kept on the function, `inspect.signature` hands it back instead of working it out
    again (15 microseconds a page)."""
    build.__signature__ = inspect.signature(build)  # type: ignore[attr-defined]
    ui.page(path, title='Butaca', response_timeout=PAGE_TIMEOUT, **options)(build)


def add_routes(router: APIRouter) -> None:
    """The router's routes on the app, one by one. `app.include_router` would also wrap the app's lifespan in the
    router's once more on every call, and NiceGUI's test plugin calls `create_app` once per test: after a few
    hundred tests the nested lifespans passed Python's recursion limit."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            app.add_api_route(route.path, route.endpoint, methods=list(route.methods), name=route.name)


_stop_listening: list = []


async def shutdown() -> None:
    """Progress reports still queued are applied before the process ends (their players wait for the answer)."""
    while _stop_listening:
        _stop_listening.pop()()
    await asyncio.to_thread(playback_store.writer.stop)
    await asyncio.to_thread(db.checkpoints.stop)
    await asyncio.to_thread(events.set_bus, None)  # after the last saves: their news still goes out


async def announce_setup_token() -> None:
    """While there is no administrator: print a one-time setup token (kept hashed) with the link that uses it.
    The first account made from this machine (loopback) becomes administrator without it."""
    token = await work.run(admin_service.new_setup_token)
    if token is None:
        return
    settings = get_settings()
    base = settings.public_url or f'http://localhost:{settings.port}'
    log.warning(
        'No administrator yet. Create the first account from this machine, or open %s/register?setup=%s '
        '(a one-time setup token; a new one is printed at each start until there is an administrator).',
        base,
        token,
    )


async def prune_unconnected() -> None:
    """Delete the clients that never connected (`prune_slice` says which), in slices of PRUNE_BUDGET_S with the
    pages and sockets served between them."""
    while prune_slice():
        await asyncio.sleep(0)


def prune_slice() -> bool:
    """Delete stale unconnected clients, oldest first, for at most PRUNE_BUDGET_S (at least one); True when it
    stopped for time with more to go. Stale: older than PRUNE_UNCONNECTED_AFTER_S, or, while more than CROWD pages
    wait, the oldest beyond CROWD once older than PRUNE_CROWDED_AFTER_S.

    `Client.instances` is in the order the clients were made, so the walk ends at the first one too young. A client
    whose socket went away and that waits for its page to reconnect has a delete task (`_delete_tasks`, private, as
    NiceGUI's prune reads it: tests/test_page_floods.py fails if that changes); that delete is its own."""
    deadline = time.perf_counter() + PRUNE_BUDGET_S
    now = time.time()
    waiting = [
        client
        for client in Client.instances.values()
        if not (client.has_socket_connection or client._delete_tasks or client.is_deleted)
    ]
    beyond = len(waiting) - CROWD
    for client in waiting:
        crowded = beyond > 0 and client.created <= now - PRUNE_CROWDED_AFTER_S
        if not crowded and client.created > now - PRUNE_UNCONNECTED_AFTER_S:
            return False
        try:
            client.delete()
        except Exception:  # NiceGUI's prune logs and goes on too (a client deleted twice raises KeyError)
            log.exception('Error while pruning client %s', client.id)
        beyond -= 1
        if time.perf_counter() > deadline:
            return True
    return False


def put_in_front(asgi_app: FastAPI, *wrappers: Callable[[ASGIApp], ASGIApp]) -> None:
    """Wrap `asgi_app`'s whole middleware stack in `wrappers`, first innermost (at start-up, once; again is a no-op).

    Private framework API, on purpose, in this one place: Starlette builds `middleware_stack` lazily and has no
    public way to put an app in front of middleware that NiceGUI adds inside `ui.run` (its session cookie and request
    tracking are added after `create_app` runs, so `add_middleware` would put ours behind them). If Starlette renames
    the attribute, the playback lane is not used and `/play/` answers 404 from the router, and page loads are not
    limited: tests/test_media.py, the `/play/` tests and tests/test_page_floods.py fail then.
    """
    stack = asgi_app.middleware_stack or asgi_app.build_middleware_stack()
    if getattr(stack, 'butaca_front', False):
        return
    for wrap in wrappers:
        stack = wrap(stack)
    stack.butaca_front = True  # type: ignore[attr-defined]
    asgi_app.middleware_stack = stack


def arrange_middleware() -> None:
    """At start-up, once NiceGUI has added its middlewares: NiceGUI's three as plain ASGI (app/nicegui_middleware.py),
    and in front of the whole stack the page-load limit (outermost: a page load past it costs nothing else), then
    the playback lane and the security headers."""
    nicegui_middleware.replace(app)
    put_in_front(app, playback_http.in_front, page_limits.PageLoadLimit)


# Young objects a collection waits for (Python's default: 700). A page build makes tens of thousands of short-lived
# objects, and a page waiting for its websocket keeps a few thousand alive: with the default, the collector runs
# every few hundred microseconds of page building and promotes half-built pages to the older generations, whose
# full collections then walk every open page (benchmarks/README.md has what it cost).
GC_YOUNG_THRESHOLD = 20_000


def tune_garbage_collector() -> None:
    """Once the app is up: what start-up made (the framework, SQLAlchemy, the app's modules) lives as long as the
    process, so it leaves the collector's walks (`gc.freeze`); and young collections wait for more objects."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)
    gc.collect()
    gc.freeze()


async def startup() -> None:
    """Create the database on first start and, when the catalog is empty, fill it with the demo library."""
    settings = get_settings()
    arrange_middleware()
    _stop_listening.append(auth.listen_for_ended_sessions())
    await asyncio.to_thread(events_redis.install)  # BUTACA_REDIS_URL: news from and to the other processes
    _stop_listening.append(session_cache.listen())
    _stop_listening.append(events.subscribe('catalog', shared_cache.catalog_changed))
    shared_cache.catalog_changed()  # nothing read by an earlier run of the app in this process (tests) is served
    app.timer(PRUNE_EVERY_S, prune_unconnected)
    await work.run(db.init_db)
    db.checkpoints.start()
    log.info('Butaca %s: database %s, media %s', settings.env, settings.database_url, settings.media_dir)
    await announce_setup_token()
    tune_garbage_collector()
    if library_settings().worker_in_process:
        from .worker.consumer import start_in_thread  # huey and the encoder only where jobs run

        _stop_listening.append(await work.run(start_in_thread))
    if settings.demo_library:
        from .library.demo import ensure_demo_catalog  # PyAV is only loaded when there is something to make

        status.demo_preparing = True
        try:
            added = await work.run(ensure_demo_catalog)
        finally:
            status.demo_preparing = False
        if added:
            log.info('Demo catalog ready: %d titles', added)
