"""Running one job: claim it, start the encode child, relay its progress, stop it when cancelled, record the end.

The child writes its files under a staging name tagged with the job (``library/.staging-j<id>-...``); a run that
starts again after a crash first removes what an earlier attempt left there, so nothing partial survives.
"""

from __future__ import annotations

import json
import logging
import os
import select
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from .. import events
from ..config import get_settings
from ..services import jobs, library

log = logging.getLogger('butaca.worker')
POLL_S = 0.5  # how often a running job looks for a cancel
REPORT_EVERY_S = 0.5  # progress lines are many; the database and the page get one every this long
STOP_GRACE_S = 5.0  # after SIGTERM, the child has this long to clean up before SIGKILL
BEAT_EVERY_S = 20.0  # well within jobs.STALE_AFTER, after which a worker elsewhere counts as dead


def worker_name() -> str:
    return f'{socket.gethostname()}:{os.getpid()}'


def staging_tag(job_id: int) -> str:
    return f'j{job_id}-'


def remove_leftovers(job_id: int) -> None:
    """Staging folders of earlier attempts of this job (a killed run leaves them)."""
    library = get_settings().media_dir / 'library'
    for path in library.glob(f'.staging-{staging_tag(job_id)}*') if library.is_dir() else []:
        shutil.rmtree(path, ignore_errors=True)


def run(job_id: int) -> None:
    claimed = jobs.claim(job_id, worker=worker_name())
    if claimed is None:
        return  # cancelled meanwhile, or another delivery of the same message runs it
    kind, params = claimed
    remove_leftovers(job_id)
    params = {**params, 'kind': params.get('kind', kind), 'staging_tag': staging_tag(job_id)}
    try:
        state, error, title_id = _supervise(job_id, params)
    except Exception as error:  # the runner itself failed: the job says so instead of staying 'running'
        log.exception('job %s failed', job_id)
        state, error, title_id = jobs.FAILED, f'{type(error).__name__}: {error}', None
    remove_leftovers(job_id)
    try:
        source = params.get('remove_source')
        if state == jobs.DONE and source:
            Path(source).unlink(missing_ok=True)  # an upload, now in the library
        library.job_finished(job_id, state=state, title_id=title_id, error=error)
        jobs.finish(job_id, state=state, error=error, title_id=title_id)  # last: whoever waits for it sees it all
    except Exception:  # the title or the job went meanwhile (deleted, database reset): nothing left to tell
        log.warning('job %s ended as %s but could not be recorded', job_id, state, exc_info=True)
        return
    if title_id is not None:
        events.publish('catalog', title_ids=[title_id])  # open home pages show it (the child's news stays there)


def _supervise(job_id: int, params: dict) -> tuple[str, str, int | None]:
    child = subprocess.Popen(
        [sys.executable, '-m', 'app.worker.encode', json.dumps(params)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
        text=True,
    )
    assert child.stdout is not None
    result: dict = {}
    last_report, last_beat = 0.0, time.monotonic()  # the first progress line is told at once
    pending: dict | None = None
    buffer = ''
    try:
        while True:
            ready, _, _ = select.select([child.stdout], [], [], POLL_S)
            if ready:
                chunk = os.read(child.stdout.fileno(), 65536).decode('utf-8', 'replace')
                if not chunk:
                    break
                buffer += chunk
                *lines, buffer = buffer.split('\n')
                for line in lines:
                    try:
                        data = json.loads(line)
                    except ValueError:
                        continue
                    if 'message' in data:
                        pending = data
                    else:
                        result = data
            now = time.monotonic()
            if pending is not None and now - last_report >= REPORT_EVERY_S:
                fraction = pending.get('progress')
                current = jobs.report(job_id, progress=fraction or 0.0, message=pending['message'])
                pending, last_report = None, now
                if current == jobs.CANCELLING:
                    return _stop(child, job_id)
            elif now - last_report >= POLL_S * 2:
                beating = now - last_beat >= BEAT_EVERY_S
                last_report, last_beat = now, now if beating else last_beat
                state = jobs.beat(job_id) if beating else jobs.state_of(job_id)
                if state == jobs.CANCELLING:
                    return _stop(child, job_id)
        if pending is not None:  # the last progress line before the end
            jobs.report(job_id, progress=pending.get('progress') or 0.0, message=pending['message'])
        code = child.wait()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    if 'title_id' in result:
        return jobs.DONE, '', int(result['title_id'])
    if 'error' in result:
        return jobs.FAILED, str(result['error']), None
    stderr = (child.stderr.read() if child.stderr else '').strip().splitlines()
    return jobs.FAILED, (stderr[-1] if stderr else f'the encode process ended with code {code}'), None


def _stop(child: subprocess.Popen, job_id: int) -> tuple[str, str, int | None]:
    child.terminate()
    try:
        child.wait(STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
    log.info('job %s cancelled', job_id)
    return jobs.CANCELLED, '', None
