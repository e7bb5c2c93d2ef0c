"""Debian's nginx, started on loopback with its own config in a temporary folder: app/nginx_conf.py's text, the
README's production set-up and what `python -m app.cluster` runs."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx

from app.nginx_conf import ACCEL_PREFIX, render

from .harness import free_port

__all__ = ['ACCEL_PREFIX', 'available', 'nginx']


def available() -> str | None:
    return shutil.which('nginx') or next((p for p in ('/usr/sbin/nginx',) if Path(p).exists()), None)


@contextlib.contextmanager
def nginx(
    media_dir: Path,
    upstream_port: int | Sequence[int],
    tmp: Path,
    *,
    grants: bool = True,
    port: int | None = None,
    limits: bool = True,
) -> Iterator[str]:
    """Yields nginx's base URL: /direct/<file> serves the media folder, everything else goes to Butaca (one
    process, or several by the session cookie's hash when `upstream_port` is a list).

    `grants=False` leaves the grant cache out: every media request asks Butaca. `limits=False` leaves out the
    per-address limits (page loads, connections), for measuring capacity from one address.
    """
    binary = available()
    if binary is None:
        raise RuntimeError('nginx is not installed (apt-get install nginx)')
    tmp.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    conf = tmp / 'nginx.conf'
    ports = [upstream_port] if isinstance(upstream_port, int) else list(upstream_port)
    user = 'root' if os.geteuid() == 0 else None  # workers that can read the test's temporary folders
    conf.write_text(
        render(
            upstreams=[f'127.0.0.1:{p}' for p in ports],
            listen=f'127.0.0.1:{port}',
            media_dir=media_dir,
            tmp=tmp,
            grants=grants,
            user=user,
            limits=limits,
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
