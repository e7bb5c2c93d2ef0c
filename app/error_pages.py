"""The HTTP side of Butaca's error pages: unknown URLs get the branded 404 in the viewer's language (API, media and
NiceGUI's own assets keep their JSON 404), and a page that fails gets the branded 500 (no exception text). The
security headers are added around the whole stack (app/playback_http.py `install`), so these answers carry them."""

from __future__ import annotations

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from nicegui import Client, app
from nicegui.page import page
from starlette.exceptions import HTTPException
from starlette.responses import Response

from .middleware import API_PREFIXES
from .pages.errors import not_found_page, server_error_page


def install() -> None:
    """Replace NiceGUI's generic handlers (the same keys of the same dict: lab notes 6)."""
    app.exception_handlers[404] = not_found
    app.on_page_exception(server_error)
    # NiceGUI's catch-all would draw its own 500 page with the exception's text for anything that is not a page,
    # and is also called (in the background) after ours: without it, routes that fail answer Starlette's plain
    # "Internal Server Error", and a page's failure is logged once.
    app.exception_handlers.pop(Exception, None)


async def not_found(request: Request, exception: Exception) -> Response:
    endpoint = request.scope.get('endpoint')
    a_route_said_so = endpoint is not None and endpoint is not app and not request.scope.get('nicegui_page_path')
    machine_path = request.url.path.startswith((*API_PREFIXES, '/static/', '/_nicegui'))
    if isinstance(exception, HTTPException) and (a_route_said_so or machine_path):
        return await http_exception_handler(request, exception)  # API, media, assets: JSON, as their clients expect
    with Client(page(''), request=request) as client:
        not_found_page(getattr(request.state, 'user', None))
    return client.build_response(request, 404)


def server_error(exception: Exception) -> None:
    """NiceGUI calls this while it builds its 500 answer (synchronous handlers only); it logs the exception itself."""
    server_error_page()
