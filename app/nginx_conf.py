"""The nginx configuration in front of Butaca, as one text: `python -m app.cluster` starts nginx with it, the tests
and benchmarks (benchmarks/nginx.py) run the same text, and the README's "Several machines" shows it.

- nginx sends the video bytes: Butaca checks each `/play/` request and answers with X-Accel-Redirect to the
  internal location `ACCEL_PREFIX`, which serves the media folder (BUTACA_ACCEL_REDIRECT).
- The grant cache: an inner server keeps Butaca's yes for a playback URL for as long as its X-Accel-Expires says
  (BUTACA_ACCEL_GRANT_SECONDS), so the many Range reads of one playback do not each ask Butaca; a refusal is never
  kept. `grants=False` sends every read to Butaca.
- Several processes: `hash ... consistent` on Butaca's session cookie (open-source nginx has no `sticky`), so all
  requests and the websocket of one signed-in browser reach the same process while it is up; a visitor without a
  session is placed by address. A process that does not answer is skipped (`proxy_next_upstream`), and its viewers'
  pages reconnect to another process.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

ACCEL_PREFIX = '/_protected_media'

CONFIG = """
{user}worker_processes auto;
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
    # What the app's own server cannot bound (README, "Security"): a request head or body that trickles in is
    # dropped after 10 s (slowloris; uvicorn has no header-read timeout), and a header line over 16 KB, or more
    # than 64 KB of them, gets 400.
    client_header_timeout 10s;
    client_body_timeout 10s;
    large_client_header_buffers 4 16k;
    # Per client address: page loads at 5 a second with bursts of 30, and 100 connections at once (a household
    # shares one address, its tabs hold a websocket each). Behind another proxy or a CDN, name it with
    # set_real_ip_from and real_ip_header, or all viewers share that proxy's address and one budget.
    limit_req_zone $binary_remote_addr zone=butaca_pages:10m rate=5r/s;
    limit_conn_zone $binary_remote_addr zone=butaca_conns:10m;
    limit_req_status 429;
    limit_conn_status 429;
    # Which process a request goes to: the sign-in session (either cookie name: `__Host-` over HTTPS), else the
    # visitor's address (its login page and websocket must meet in one process too).
    map $http_cookie $butaca_route {{
        "~(?:^|;\\s*)(?:__Host-)?butaca_session=(?<token>[^;]+)" $token;
        default $remote_addr;
    }}
    upstream butaca {{
        {balance}
{servers}
        keepalive 64;
    }}
    upstream butaca_grants {{ server unix:{tmp}/grants.sock; keepalive 64; }}
{grant_server}
    server {{
        listen {listen};
        # HSTS belongs to the TLS server (browsers ignore it over plain http): here when nginx holds the
        # certificate, in the TLS proxy's answers when that is in front. `always`: refusals and errors too.
        add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
{show_upstream}{conn_limit}        location {accel}/ {{ internal; alias {media}/; }}
        location /direct/ {{ alias {media}/; }}
        location /play/ {{
            proxy_pass http://{media_upstream};
{keepalive_proxy}        }}
        location / {{
{page_limit}            proxy_pass http://butaca;
{keepalive_proxy}        }}
        # Not page loads: NiceGUI's assets, our static files, artwork, uploads (a page with forty posters, or a
        # viewer who seeks, never meets the page limit; /play/ and the websocket are not counted either).
        location ~ ^/(_nicegui|static|media)/ {{
            proxy_pass http://butaca;
{keepalive_proxy}        }}
        # An administrator's upload streams through to Butaca, which checks the role before reading a byte and
        # enforces BUTACA_UPLOAD_MAX_MB itself (nginx's own 1 MB default would refuse any video).
        location = /admin/upload {{
            client_max_body_size 0;
            client_body_timeout 60s;
            proxy_request_buffering off;
            proxy_pass http://butaca;
{keepalive_proxy}        }}
        location /_nicegui_ws/ {{
            proxy_pass http://butaca;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_read_timeout 1h;  # an open page's websocket is quiet for long stretches
        }}
    }}
}}
"""
# How every plain HTTP location talks to Butaca: kept-alive upstream connections, the visitor's host and address
# (Butaca believes X-Forwarded-For only from the proxies it is told to trust).
KEEPALIVE_PROXY = """\
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
"""
# The grant cache: Butaca's answer to a media request, kept for as long as its X-Accel-Expires says, per URL (the
# playback token is in it); the front server then acts on its X-Accel-Redirect.
GRANT_SERVER = """
    server {{
        listen unix:{tmp}/grants.sock;
        location / {{
            proxy_pass http://butaca;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $http_x_forwarded_for;
            proxy_cache butaca_grants;
            proxy_cache_key "$request_uri";  # the playback token in the URI is the authority
            proxy_cache_lock on;
            proxy_ignore_headers X-Accel-Redirect Cache-Control Expires;
            proxy_pass_header X-Accel-Redirect;
        }}
    }}
"""


def render(
    *,
    upstreams: Sequence[str],
    listen: str,
    media_dir: Path,
    tmp: Path,
    grants: bool = True,
    user: str | None = None,
    show_upstream: bool = False,
    limits: bool = True,
) -> str:
    """The whole nginx.conf: `listen` is nginx's address (`127.0.0.1:8080`), `upstreams` Butaca's processes
    (`host:port` each), `tmp` the folder of nginx's pid, logs, temporary files and grant socket. `user` is the
    account nginx's workers run as when it is started as root. `show_upstream` adds X-Butaca-Upstream (which process
    answered) to every answer: for trying the stickiness out, not for production (it tells visitors internal
    addresses). `limits=False` leaves out the per-address limits of page loads and connections: for measuring
    capacity from one address, not for production."""
    servers = '\n'.join(
        # A process that refuses connections is left alone for 5 s; its requests go to the next one meanwhile.
        f'        server {address} max_fails=1 fail_timeout=5s;'
        for address in upstreams
    )
    return CONFIG.format(
        keepalive_proxy=KEEPALIVE_PROXY,
        user=f'user {user};\n' if user else '',
        show_upstream='        add_header X-Butaca-Upstream $upstream_addr always;\n' if show_upstream else '',
        conn_limit='        limit_conn butaca_conns 100;\n' if limits else '',
        page_limit='            limit_req zone=butaca_pages burst=30 nodelay;\n' if limits else '',
        tmp=tmp,
        listen=listen,
        balance='hash $butaca_route consistent;' if len(upstreams) > 1 else '',
        servers=servers,
        media=media_dir.resolve(),
        accel=ACCEL_PREFIX,
        grant_server=GRANT_SERVER.format(tmp=tmp) if grants else '',
        media_upstream='butaca_grants' if grants else 'butaca',
    )


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m app.nginx_conf --upstream HOST:PORT ...`: print the nginx.conf (README, "Several machines")."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog='python -m app.nginx_conf', description=main.__doc__)
    parser.add_argument('--upstream', action='append', required=True, help='a Butaca process, host:port (repeat)')
    parser.add_argument('--listen', default='80', help="nginx's listen (default 80; TLS: put it in front or edit)")
    parser.add_argument('--media', type=Path, required=True, help="Butaca's media folder as nginx sees it")
    parser.add_argument('--state', type=Path, default=Path('/var/lib/butaca-nginx'), help="nginx's pid, cache, socket")
    parser.add_argument('--user', default='www-data', help='the account of the workers (reads the media folder)')
    parser.add_argument('--no-grants', action='store_true', help='ask Butaca for every video read')
    args = parser.parse_args(argv)
    sys.stdout.write(
        render(
            upstreams=args.upstream,
            listen=args.listen,
            media_dir=args.media,
            tmp=args.state,
            grants=not args.no_grants,
            user=args.user,
        )
    )
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
