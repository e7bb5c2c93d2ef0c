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

# The README's configuration ("Several machines"), as one template: `site(**README_VALUES)` is the README's block
# word for word (tests/test_nginx.py compares them); the tests and benchmarks run it with their own ports and folders.
SITE = """# In http { }. Butaca's media answers ("grants") are kept by an inner server, per playback URL (its token
# is the authority), for as long as their X-Accel-Expires says (BUTACA_ACCEL_GRANT_SECONDS); refusals are never kept.
proxy_cache_path {cache} keys_zone=butaca_grants:10m max_size=64m inactive=1m;
upstream butaca        { server {upstream}; keepalive 64; }
upstream butaca_grants { server unix:{grants}; keepalive 64; }
# Page loads per client address: 5 a second, bursts of 30 (a household shares one address; assets, artwork, video
# and websockets are not counted). Behind another proxy or a CDN, set_real_ip_from + real_ip_header first, or every
# request has that proxy's address and shares one budget.
limit_req_zone $binary_remote_addr zone=butaca_pages:10m rate=5r/s;
limit_conn_zone $binary_remote_addr zone=butaca_conns:10m;
limit_req_status 429;
limit_conn_status 429;
map $http_upgrade $butaca_connection { default upgrade; "" ""; }   # websockets upgrade, the rest keeps alive
client_header_timeout 10s;              # a request head not complete by then is dropped (slowloris)
client_body_timeout 10s;
large_client_header_buffers 4 16k;      # a longer header line gets 400 (Butaca's own limit is 32 KB in all)
client_max_body_size 64k;               # Butaca refuses more anyway (BodyLimit)

server {
    listen unix:{grants};
    location / {
        proxy_pass http://butaca; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host;
        proxy_cache butaca_grants; proxy_cache_key "$request_uri"; proxy_cache_lock on;
        proxy_ignore_headers X-Accel-Redirect Cache-Control Expires;   # keep the grant, as X-Accel-Expires says
        proxy_pass_header X-Accel-Redirect;                           # the front server acts on it
    }
}

server {
    listen {listen};   # the TLS server: ssl_certificate and ssl_certificate_key as you usually set them up
    add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    limit_conn butaca_conns 100;
    proxy_http_version 1.1;
    proxy_set_header Host $host; proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Forwarded-For $remote_addr;   # with BUTACA_TRUSTED_PROXIES=127.0.0.1: the real address
    proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $butaca_connection;
    location {accel}/ { internal; alias {media}/; }   # BUTACA_ACCEL_REDIRECT={accel}
    location /play/ { proxy_pass http://{media_upstream}; }
    location /_nicegui_ws/ { proxy_pass http://butaca; proxy_read_timeout 1h; }
    location ~ ^/(_nicegui|static|media)/ { proxy_pass http://butaca; }
    location / { limit_req zone=butaca_pages burst=30 nodelay; proxy_pass http://butaca; }
}
"""
README_VALUES = {
    'cache': '/var/cache/nginx/butaca-grants',
    'upstream': '127.0.0.1:8080',
    'grants': '/run/nginx-butaca-grants.sock',
    'listen': '443 ssl',
    'accel': ACCEL_PREFIX,
    'media': '/srv/butaca/assets/media',
    'media_upstream': 'butaca_grants',
}
# What only the tests and benchmarks need around it: their own temporary folders, and /direct/ (nginx alone sending
# the media folder, the benchmark's limit).
WRAPPER = """
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
{site}
}}
"""
DIRECT = '    location /direct/ {{ alias {media}/; }}\n'


def site(**values: str) -> str:
    """The README's block with these values (see README_VALUES)."""
    text = SITE
    for name, value in values.items():
        text = text.replace('{' + name + '}', value)
    return text


def without_grants(text: str) -> str:
    """The configuration with the grant cache left out: every media request asks Butaca (the README says how)."""
    start = text.index('server {\n    listen unix:')
    end = text.index('server {', start + 1)
    return text[:start] + text[end:]


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
    media = str(media_dir.resolve())
    text = site(
        cache=f'{tmp}/grants',
        upstream=f'127.0.0.1:{upstream_port}',
        grants=f'{tmp}/grants.sock',
        listen=f'127.0.0.1:{port}',
        accel=ACCEL_PREFIX,
        media=media,
        media_upstream='butaca_grants' if grants else 'butaca',
    )
    if not grants:
        text = without_grants(text)
    line_end = text.index('\n', text.index(f'    listen 127.0.0.1:{port};')) + 1
    text = text[:line_end] + DIRECT.format(media=media) + text[line_end:]
    conf = tmp / 'nginx.conf'
    conf.write_text(WRAPPER.format(tmp=tmp, site=text))
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
