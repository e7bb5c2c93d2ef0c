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

CONFIG = """
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
    proxy_cache_path {tmp}/grants keys_zone=butaca_grants:10m max_size=64m inactive=1m;
    upstream butaca {{ server 127.0.0.1:{upstream}; keepalive 64; }}
    upstream butaca_grants {{ server unix:{tmp}/grants.sock; keepalive 64; }}
{grant_server}
    server {{
        listen 127.0.0.1:{port};
        location {accel}/ {{ internal; alias {media}/; }}
        location /direct/ {{ alias {media}/; }}
        location /play/ {{
            proxy_pass http://{media_upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
        }}
        location / {{
            proxy_pass http://butaca;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
        }}
        location /_nicegui_ws/ {{
            proxy_pass http://butaca;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_set_header Host $host;
        }}
    }}
}}
"""
# The grant cache (README, "Several machines"): Butaca's answer to a media request, kept for as long as its
# X-Accel-Expires says, per URL (the playback token is in it); the front server then acts on its X-Accel-Redirect.
GRANT_SERVER = """
    server {{
        listen unix:{tmp}/grants.sock;
        location / {{
            proxy_pass http://butaca;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_cache butaca_grants;
            proxy_cache_key "$request_uri";  # the playback token in the URI is the authority
            proxy_cache_lock on;
            proxy_ignore_headers X-Accel-Redirect Cache-Control Expires;
            proxy_pass_header X-Accel-Redirect;
        }}
    }}
"""


def available() -> str | None:
    return shutil.which('nginx') or next((p for p in ('/usr/sbin/nginx',) if Path(p).exists()), None)


@contextlib.contextmanager
def nginx(media_dir: Path, upstream_port: int, tmp: Path, *, grants: bool = True) -> Iterator[str]:
    """Yields nginx's base URL: /direct/<file> serves the media folder, everything else goes to Butaca.

    `grants=False` leaves the grant cache out: every media request asks Butaca.
    """
    binary = available()
    if binary is None:
        raise RuntimeError('nginx is not installed (apt-get install nginx)')
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = tmp / 'nginx.conf'
    grant_server = GRANT_SERVER.format(tmp=tmp) if grants else ''
    conf.write_text(
        CONFIG.format(
            tmp=tmp,
            upstream=upstream_port,
            port=port,
            media=media_dir.resolve(),
            accel=ACCEL_PREFIX,
            grant_server=grant_server,
            media_upstream='butaca_grants' if grants else 'butaca',
        )
    )
    process = subprocess.Popen(
        [binary, '-c', str(conf), '-p', str(tmp)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
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
