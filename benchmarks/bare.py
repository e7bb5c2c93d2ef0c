"""The two floors the page benchmarks compare Butaca with, each run as its own server process on loopback:

- `python -m benchmarks.bare nicegui PORT`: a bare NiceGUI 3.18 page (one label), with the same uvicorn settings as
  Butaca (h11, keep-alive 5 s): what any NiceGUI page costs (a client object, its element tree, the page template,
  and with a websocket the socket.io handshake);
- `python -m benchmarks.bare starlette PORT DATABASE`: a bare Starlette route rendering the same genre rows as
  Butaca's home (one query per genre with sqlite3, a Jinja2 template), on uvicorn: what a plain web page costs.
"""

from __future__ import annotations

import sys

ROWS_TEMPLATE = """<!doctype html><html><head><title>Butaca</title></head><body>
{% for genre, cards in rows %}<section><h2>{{ genre }}</h2><div class="bt-row">
{% for id, title, premium in cards %}<a class="bt-card" href="/title/{{ id }}" title="{{ title }}">
<img class="bt-poster" loading="lazy" src="/media/{{ id }}/poster" alt="{{ title }}">
{% if premium %}<span class="bt-badge-premium">PREMIUM</span>{% endif %}<div class="bt-card-title">{{ title }}</div></a>
{% endfor %}</div></section>{% endfor %}</body></html>"""


def run_nicegui(port: int) -> None:
    from nicegui import app, ui

    @app.get('/api/health')
    def health() -> dict:
        return {'ok': True}

    @ui.page('/')
    def page() -> None:
        ui.label('Hello')

    ui.run(
        host='127.0.0.1',
        port=port,
        reload=False,
        show=False,
        storage_secret='bare',
        http='h11',
        timeout_keep_alive=5,
        uvicorn_logging_level='warning',
    )


def run_starlette(port: int, database: str) -> None:
    import sqlite3

    import jinja2
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, JSONResponse
    from starlette.routing import Route

    template = jinja2.Environment(autoescape=True).from_string(ROWS_TEMPLATE)

    def rows() -> list:
        connection = sqlite3.connect(database)
        try:
            genres = [
                g
                for (g,) in connection.execute(
                    "SELECT DISTINCT genre FROM titles WHERE kind IN ('movie', 'series') ORDER BY genre LIMIT 40"
                )
            ]
            return [
                (
                    genre,
                    connection.execute(
                        "SELECT id, title, is_premium FROM titles WHERE genre = ? AND kind IN ('movie', 'series') "
                        'ORDER BY search_key LIMIT 20',
                        (genre,),
                    ).fetchall(),
                )
                for genre in genres
            ]
        finally:
            connection.close()

    async def home(_request: object) -> HTMLResponse:
        return HTMLResponse(template.render(rows=rows()))

    async def health(_request: object) -> JSONResponse:
        return JSONResponse({'ok': True})

    application = Starlette(routes=[Route('/', home), Route('/api/health', health)])
    uvicorn.run(application, host='127.0.0.1', port=port, http='h11', timeout_keep_alive=5, log_level='warning')


if __name__ == '__main__':
    if sys.argv[1] == 'nicegui':
        run_nicegui(int(sys.argv[2]))
    else:
        run_starlette(int(sys.argv[2]), sys.argv[3])
