"""Start Butaca: `python main.py` serves on http://localhost:8080 (hot reload unless BUTACA_ENV=production)."""

import logging
import os

# '__mp_main__' is how uvicorn's reload worker runs this file; the demo library's encoding workers run it that way
# too, and must not start an app (they set BUTACA_DEMO_WORKER), nor import one: NiceGUI and the pages cost each
# worker 1.7 s of CPU at start, a tenth of what making the whole demo library takes.
if __name__ in {'__main__', '__mp_main__'} and not os.environ.get('BUTACA_DEMO_WORKER'):
    from nicegui import ui
    from sqlalchemy.exc import OperationalError

    from app.config import ConfigError, get_settings, storage_secret
    from app.db import init_db
    from app.migrate import MigrationError
    from app.server_limits import open_files_for
    from app.wiring import create_app

    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    logging.getLogger('watchfiles').setLevel(logging.WARNING)
    try:
        settings = get_settings()
        secret = storage_secret(settings)
        # The schema before anything listens: a database this code cannot use stops the start here, in one line.
        init_db()
    except (ConfigError, MigrationError, OperationalError) as error:
        raise SystemExit(f'Butaca cannot start: {str(error).strip().splitlines()[0]}') from None
    create_app()
    open_files_for(settings.max_connections)  # the connection bound below needs that many descriptors
    ui.run(
        host=settings.host,
        port=settings.port,
        title='Butaca',
        dark=True,
        reload=not settings.production,
        storage_secret=secret,
        session_middleware_kwargs={'https_only': settings.secure_cookies},
        favicon='🎬',
        show=False,
        uvicorn_reload_includes='*.py,*.css,*.js',
        # h11 refuses request heads over this size (httptools has no limit at all); nginx in front does it exactly.
        http='h11',
        h11_max_incomplete_event_size=32 * 1024,
        # Every open connection counts, a thousand viewers' websockets included: past this, new ones get 503.
        limit_concurrency=settings.max_connections,
        timeout_keep_alive=5,
        # X-Forwarded-For/Proto believed only from the proxies the operator names.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
    )
