"""Debian's nginx, started on loopback with its own config in a temporary folder (the README's production setup)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from .harness import free_port

ACCEL_PREFIX = '/_protected_media'

CONFIG = '''
user root;
worker_processes auto;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    types {{ video/mp4 mp4; image/jpeg jpg; }}
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream butaca {{ server 127.0.0.1:{upstream}; keepalive 64; }}
    server {{
        listen 127.0.0.1:{port};
        location {accel}/ {{ internal; alias {media}/; }}
        location /direct/ {{ alias {media}/; }}
        location / {{
            proxy_pass http://butaca;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
        }}
    }}
}}
'''


def available() -> str | None:
    return shutil.which('nginx') or next((p for p in ('/usr/sbin/nginx',) if Path(p).exists()), None)


@contextlib.contextmanager
def nginx(media_dir: Path, upstream_port: int, tmp: Path) -> Iterator[str]:
    """Yields nginx's base URL: /direct/<file> serves the media folder, everything else goes to Butaca."""
    binary = available()
    if binary is None:
        raise RuntimeError('nginx is not installed (apt-get install nginx)')
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = tmp / 'nginx.conf'
    conf.write_text(CONFIG.format(tmp=tmp, upstream=upstream_port, port=port, media=media_dir.resolve(),
                                  accel=ACCEL_PREFIX))
    process = subprocess.Popen([binary, '-c', str(conf), '-p', str(tmp)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f'http://127.0.0.1:{port}'
    try:
        for _ in range(100):
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(f'{url}/direct/', timeout=0.5)
                break
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
