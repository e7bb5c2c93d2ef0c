"""`python -m app.cluster --processes N`: Butaca in N processes on one machine, behind nginx, on PostgreSQL and Redis.

What it does, in order:
1. checks the set-up: BUTACA_DATABASE_URL must name PostgreSQL (SQLite has one writer: several processes would
   queue behind its lock), BUTACA_REDIS_URL a Redis (live updates between processes), BUTACA_STORAGE_SECRET one
   secret for all (they read each other's signed cookies and tickets), and nginx must be installed;
2. starts the first process and waits until it answers (it migrates the database and, on an empty catalog, makes
   the demo library), then the others, each in production mode on the next port after nginx's;
3. writes nginx.conf (app/nginx_conf.py: the session cookie's hash picks the process, websockets upgrade, the
   grant cache, nginx sends the video bytes) into `<data dir>/cluster/` and starts nginx on BUTACA_HOST:BUTACA_PORT;
4. supervises: a process that exits is started again (after 1 s, then up to 30 s between attempts if it keeps
   failing), as systemd's Restart=on-failure would; nginx skips it meanwhile. If nginx exits, everything stops;
5. on Ctrl-C or SIGTERM stops nginx, then the processes (SIGTERM: each applies its queued progress saves), and
   kills whatever has not stopped after 15 s.

The README ("Several machines") has the same set-up as systemd units for more than one machine.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .config import PROJECT_ROOT, ConfigError, get_settings
from .nginx_conf import ACCEL_PREFIX, render

log = logging.getLogger('butaca.cluster')
STOP_SECONDS = 15.0
START_SECONDS = 600.0  # the first start may make the demo library (about 20 s on 2 cores; minutes on a slow box)


class ClusterError(RuntimeError):
    """The cluster cannot start; the message says what to set or install."""


@dataclass
class Member:
    """One Butaca process: its port, its process, its log, and its restarts."""

    index: int
    port: int
    log_path: Path
    process: subprocess.Popen | None = None
    restarts: int = 0
    next_start: float = 0.0
    started_at: float = field(default=0.0)


def check_setup() -> tuple[str, str]:
    """(nginx binary, Redis URL), or ClusterError saying what is missing."""
    try:
        settings = get_settings()
    except ConfigError as error:
        raise ClusterError(str(error)) from None
    problems = []
    if not settings.database_url.startswith('postgresql'):
        problems.append(
            'BUTACA_DATABASE_URL must name a PostgreSQL database, e.g. postgresql+psycopg://butaca@127.0.0.1/butaca '
            '(SQLite lets one process write at a time)'
        )
    if not settings.redis_url:
        problems.append('BUTACA_REDIS_URL must name a Redis server, e.g. redis://127.0.0.1:6379/0 (live updates)')
    if len(os.environ.get('BUTACA_STORAGE_SECRET', '').strip()) < 32:
        problems.append(
            'BUTACA_STORAGE_SECRET must be set (32 characters or more), the same for every process: '
            'python -c "import secrets; print(secrets.token_urlsafe(48))"'
        )
    binary = shutil.which('nginx') or ('/usr/sbin/nginx' if Path('/usr/sbin/nginx').exists() else None)
    if binary is None:
        problems.append('nginx is not installed (apt-get install nginx)')
    for module, package in (('psycopg', 'psycopg[binary]'), ('redis', 'redis')):
        try:
            __import__(module)
        except ImportError:
            problems.append(f"the Python package {package} is missing: pip install -e '.[cluster]'")
    if problems:
        raise ClusterError('python -m app.cluster needs:\n  - ' + '\n  - '.join(problems))
    assert binary is not None and settings.redis_url is not None
    return binary, settings.redis_url


class Cluster:
    """N Butaca processes and nginx in front; `run()` until stopped."""

    def __init__(self, processes: int, *, first_port: int | None = None, show_upstream: bool = False) -> None:
        self.nginx_binary, self.redis_url = check_setup()
        settings = get_settings()
        self.settings = settings
        self.folder = settings.data_dir / 'cluster'
        first = first_port or settings.port + 1
        self.members = [Member(i, first + i, self.folder / f'butaca-{first + i}.log') for i in range(processes)]
        self.public_url = settings.public_url or f'http://{_url_host(settings.host)}:{settings.port}'
        self.show_upstream = show_upstream
        self.nginx: subprocess.Popen | None = None
        self._stopping = False

    # --- the processes ---

    def member_env(self, member: Member) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                'BUTACA_ENV': 'production',
                'BUTACA_HOST': '127.0.0.1',  # only nginx talks to them
                'BUTACA_PORT': str(member.port),
                'BUTACA_PUBLIC_URL': self.public_url,
                'BUTACA_ACCEL_REDIRECT': ACCEL_PREFIX,
                'BUTACA_TRUSTED_PROXIES': '127.0.0.1',  # nginx: its X-Forwarded-For is the viewer's address
                # NiceGUI's per-browser storage in Redis too (Butaca keeps nothing there that matters: sessions,
                # screens, progress and throttling are in the database, the session in Butaca's own cookie).
                'NICEGUI_REDIS_URL': os.environ.get('NICEGUI_REDIS_URL') or self.redis_url,
                'NICEGUI_REDIS_KEY_PREFIX': os.environ.get('NICEGUI_REDIS_KEY_PREFIX')
                or f'{self.settings.redis_prefix}nicegui:',
            }
        )
        return env

    def start_member(self, member: Member) -> None:
        member.log_path.parent.mkdir(parents=True, exist_ok=True)
        with member.log_path.open('ab') as output:
            member.process = subprocess.Popen(
                [sys.executable, str(PROJECT_ROOT / 'main.py')],
                cwd=PROJECT_ROOT,
                env=self.member_env(member),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the cluster, which stops them in order
            )
        member.started_at = time.monotonic()
        member.log_path.with_suffix('.pid').write_text(f'{member.process.pid}\n')  # for operators (and the tests)
        log.info(
            'process %d: pid %d on 127.0.0.1:%d (log %s)',
            member.index,
            member.process.pid,
            member.port,
            member.log_path,
        )

    def wait_ready(self, member: Member, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self._stopping:
            assert member.process is not None
            if member.process.poll() is not None:
                code = member.process.returncode
                raise ClusterError(f'process {member.index} exited with {code}; see {member.log_path}')
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f'http://127.0.0.1:{member.port}/api/health', timeout=2) as answer:
                    if answer.status == 200:
                        return
            time.sleep(0.3)
        if not self._stopping:
            raise ClusterError(f'process {member.index} did not answer in {timeout:.0f} s; see {member.log_path}')

    # --- nginx ---

    def start_nginx(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.settings.media_dir.mkdir(parents=True, exist_ok=True)  # nginx's alias; empty until titles are added
        conf = self.folder / 'nginx.conf'
        conf.write_text(
            render(
                upstreams=[f'127.0.0.1:{m.port}' for m in self.members],
                listen=f'{self.settings.host}:{self.settings.port}',
                media_dir=self.settings.media_dir,
                tmp=self.folder,
                user=_user_if_root(),
                show_upstream=self.show_upstream,
            )
        )
        check = subprocess.run(
            [self.nginx_binary, '-t', '-q', '-c', str(conf), '-p', str(self.folder)], capture_output=True, text=True
        )
        if check.returncode != 0:
            raise ClusterError(f'nginx refused {conf}:\n{check.stderr.strip()}')
        self.nginx = subprocess.Popen(
            [self.nginx_binary, '-c', str(conf), '-p', str(self.folder)], start_new_session=True
        )
        log.info(
            'nginx: pid %d on %s (config %s), in front of ports %s',
            self.nginx.pid,
            self.public_url,
            conf,
            ', '.join(str(m.port) for m in self.members),
        )

    # --- running ---

    def start(self) -> None:
        first, *others = self.members
        self.start_member(first)  # migrations and the demo library happen once, here
        self.wait_ready(first, START_SECONDS)
        for member in others:
            self.start_member(member)
        for member in others:
            self.wait_ready(member, START_SECONDS)
        self.start_nginx()
        log.info('Butaca: %d processes ready at %s', len(self.members), self.public_url)

    def supervise_once(self) -> None:
        """Start again whatever exited (with backoff); raise ClusterError if nginx exited."""
        if self.nginx is not None and self.nginx.poll() is not None:
            raise ClusterError(f'nginx exited with {self.nginx.returncode}; see {self.folder / "error.log"}')
        now = time.monotonic()
        for member in self.members:
            process = member.process
            if process is None or process.poll() is None:
                continue
            if member.next_start == 0.0:
                quick = now - member.started_at < 60  # failing at start: wait longer each time
                member.restarts = member.restarts + 1 if quick else 1
                delay = min(30.0, 2.0 ** (member.restarts - 1))
                member.next_start = now + delay
                log.warning(
                    'process %d (port %d) exited with %s; starting it again in %.0f s',
                    member.index,
                    member.port,
                    process.returncode,
                    delay,
                )
            elif now >= member.next_start:
                member.next_start = 0.0
                self.start_member(member)

    def run(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: self._interrupt())
        signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background (ignored there)
        try:
            self.start()
            while not self._stopping:
                self.supervise_once()
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def _interrupt(self) -> None:
        raise KeyboardInterrupt

    def stop(self) -> None:
        self._stopping = True
        for signum in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not cut the orderly stop short
            signal.signal(signum, signal.SIG_IGN)
        log.info('stopping nginx and %d processes', len(self.members))
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful: open requests finish
        for member in self.members:
            if member.process is not None and member.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(member.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for process in [m.process for m in self.members] + [self.nginx]:
            if process is None:
                continue
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _url_host(host: str) -> str:
    return '127.0.0.1' if host in {'0.0.0.0', '::', ''} else host


def _user_if_root() -> str | None:
    """nginx started as root runs its workers as `nobody` unless told: as the owner of the media folder instead."""
    if os.geteuid() != 0:
        return None
    import pwd

    return pwd.getpwuid(get_settings().media_dir.stat().st_uid).pw_name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog='python -m app.cluster',
        description='Butaca in several processes behind nginx, on PostgreSQL and Redis (README, "Several machines").',
    )
    parser.add_argument('--processes', type=int, default=2, help='how many Butaca processes (default 2)')
    parser.add_argument(
        '--first-port', type=int, default=None, help="the first process's port (default BUTACA_PORT + 1, then +1 each)"
    )
    parser.add_argument(
        '--show-upstream',
        action='store_true',
        help='add X-Butaca-Upstream (the process that answered) to every answer; for trying it out, not production',
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    if not 1 <= args.processes <= 64:
        parser.error('--processes must be between 1 and 64')
    try:
        Cluster(args.processes, first_port=args.first_port, show_upstream=args.show_upstream).run()
    except ClusterError as error:
        print(f'Butaca cluster: {error}', file=sys.stderr)  # noqa: T201 (the command's own answer)
        return 1
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
