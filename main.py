"""Start Butaca: `python main.py` serves on http://localhost:8080 (hot reload unless BUTACA_ENV=production)."""

import logging
import os

# '__mp_main__' is how uvicorn's reload worker runs this file; the demo library's encoding workers run it that way
# too, and must not start an app (they set BUTACA_DEMO_WORKER), nor import one: NiceGUI and the pages cost each
# worker 1.7 s of CPU at start, a tenth of what making the whole demo library takes.
if __name__ in {'__main__', '__mp_main__'} and not os.environ.get('BUTACA_DEMO_WORKER'):
    from nicegui import ui

    from app.config import ConfigError, get_settings, storage_secret
    from app.wiring import create_app

    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    logging.getLogger('watchfiles').setLevel(logging.WARNING)
    try:
        settings = get_settings()
        secret = storage_secret(settings)
    except ConfigError as error:
        raise SystemExit(f'Butaca cannot start: {error}') from None
    create_app()
    ui.run(
        host=settings.host,
        port=settings.port,
        title='Butaca',
        dark=True,
        reload=not settings.production,
        storage_secret=secret,
        favicon='🎬',
        show=False,
        uvicorn_reload_includes='*.py,*.css',
    )
