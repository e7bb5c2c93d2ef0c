"""The job queue: huey carries the work, Butaca's jobs table its state and progress; a job survives its worker's
death (run again from the start, nothing partial left), can be cancelled (the encode stops) and retried, and a
failed one says why."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from app import db, events
from app.models import Title
from app.services import jobs
from app.worker import consumer, queue
from app.worker.encode import progress_of
from tests.clips import make_clip

from .helpers import until_jobs
from .waits import WAIT_S

ROOT = Path(__file__).resolve().parent.parent
PROGRESS = [
    ('Codificando: 40 %', 0.38),
    ('[2/4] S01E02 «x»: Codificando: 50 %', (1 + 0.475) / 4),
    ('[3/4] S01E03 «x»: comprobando «a.mkv»…', 0.5),
    ('Analizando «a.mp4»…', None),
]


@pytest.mark.parametrize(('message', 'expected'), PROGRESS)
def test_progress_is_read_from_the_import_lines(message: str, expected: float | None) -> None:
    assert progress_of(message) == (pytest.approx(expected) if expected is not None else None)


def film_job(path: Path, label: str = 'Clip') -> int:
    params = {'kind': 'film', 'path': str(path), 'title': label, 'genre': 'Drama', 'year': 2024}
    return jobs.create(kind='import', label=label, params=params, created_by='test')


def titles() -> list[Title]:
    with db.session() as session:
        return list(session.exec(select(Title)).all())


def staging(media: Path) -> list[str]:
    library = media / 'library'
    return sorted(p.name for p in library.iterdir() if p.name.startswith('.staging')) if library.exists() else []


def test_a_job_is_claimed_once_and_a_queued_one_is_cancelled_at_once(tmp_path: Path) -> None:
    from app.services.admin import log
    from tests.helpers import make_account

    boss = make_account('jefa')
    first, second = film_job(tmp_path / 'a.mp4'), film_job(tmp_path / 'b.mp4')
    assert jobs.claim(first, worker='here:1') is not None
    assert jobs.claim(first, worker='here:2') is None  # a second delivery of the same message does nothing
    assert jobs.cancel(actor=boss, job_id=second) == jobs.CANCELLED
    assert jobs.claim(second, worker='here:1') is None
    assert jobs.cancel(actor=boss, job_id=first) == jobs.CANCELLING
    assert [e.action for e in log()] == ['cancel_job', 'cancel_job']


def test_recover_requeues_the_jobs_of_a_dead_worker_only() -> None:
    dead, alive, queued = (film_job(Path(f'/x/{n}.mp4')) for n in 'abc')
    jobs.claim(dead, worker='this-host:111')
    jobs.claim(alive, worker='this-host:222')
    found = jobs.recover(host='this-host', alive=lambda pid: pid == 222)
    assert sorted(found) == sorted([dead, queued])
    assert jobs.get(dead).state == jobs.QUEUED and jobs.get(alive).state == jobs.RUNNING


@pytest.mark.slow
def test_the_worker_in_this_process_runs_cancels_retries_and_explains(tmp_path: Path, butaca_env: Path) -> None:
    heard: list[dict] = []
    unsubscribe = _listen(heard)
    stop = consumer.start_in_thread()
    try:
        clip = make_clip(tmp_path / 'in' / 'Clip (2024).mkv', seconds=1.5)
        done = film_job(clip)
        queue.send(done)
        until_jobs(lambda steps: steps[done].state == jobs.DONE, what='the job to finish')
        [title] = titles()
        assert jobs.get(done).title_id == title.id and title.title == 'Clip'
        assert any(m.get('job_id') == done and m.get('message') for m in heard)  # progress went out on `jobs`
        assert any(m.get('job_id') == done and m.get('state') == jobs.DONE for m in heard)
        assert jobs.get(done).progress == 1.0

        text = tmp_path / 'in' / 'notas.mp4'
        text.write_text('no soy un vídeo')
        broken = film_job(text, 'Roto')
        queue.send(broken)
        until_jobs(lambda steps: steps[broken].state == jobs.FAILED, what='the job to fail')
        assert 'no es un vídeo' in jobs.get(broken).error

        from tests.helpers import make_account

        boss = make_account('jefa')
        long_clip = make_clip(tmp_path / 'in' / 'Largo (2024).mkv', seconds=12, size=(640, 360), fps=25)
        slow = film_job(long_clip, 'Largo')
        queue.send(slow)
        until_jobs(lambda steps: 'Codificando' in steps[slow].message, what='the encode to start')
        jobs.cancel(actor=boss, job_id=slow)
        until_jobs(lambda steps: steps[slow].state == jobs.CANCELLED, what='the cancel')
        assert len(titles()) == 1 and staging(butaca_env / 'media') == []
        jobs.retry(actor=boss, job_id=slow)
        queue.send(slow)
        until_jobs(lambda steps: steps[slow].state == jobs.DONE, what='the retried job')
        assert jobs.get(slow).attempts == 2 and len(titles()) == 2
    finally:
        stop()
        unsubscribe()


def _listen(heard: list[dict]):
    """What this process publishes, as a bus to other processes sees it."""

    class Bus:
        def send(self, topic: str, data: dict) -> None:
            if topic == 'jobs':
                heard.append(data)

        def close(self) -> None:
            pass

    events.set_bus(Bus())
    return lambda: events.set_bus(None)


@pytest.mark.slow
def test_a_job_whose_worker_was_killed_finishes_after_the_restart(tmp_path: Path, butaca_env: Path) -> None:
    clip = make_clip(tmp_path / 'in' / 'Largo (2024).mkv', seconds=12, size=(640, 360), fps=25)
    job_id = film_job(clip, 'Largo')
    queue.send(job_id)
    env = {**os.environ, 'PYTHONUNBUFFERED': '1'}
    first = subprocess.Popen([sys.executable, '-m', 'app.worker.consumer'], cwd=ROOT, env=env, start_new_session=True)
    try:
        until_jobs(lambda steps: 'Codificando' in steps[job_id].message, what='the encode to start')
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its encode child, as a crash or an OOM kill would
        first.wait()
    assert jobs.get(job_id).state == jobs.RUNNING and titles() == []
    second = subprocess.Popen([sys.executable, '-m', 'app.worker.consumer'], cwd=ROOT, env=env)
    try:
        until_jobs(lambda steps: steps[job_id].state == jobs.DONE, what='the job after the restart')
    finally:
        second.send_signal(signal.SIGINT)
        second.wait(WAIT_S)
    [title] = titles()
    assert jobs.get(job_id).attempts == 2 and jobs.get(job_id).title_id == title.id
    media = butaca_env / 'media'
    assert staging(media) == []
    assert [p.name for p in (media / 'library').iterdir()] == [Path(title.video_hd_path).parent.name]


@pytest.fixture
def no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('BUTACA_WORKER', 'off')  # this test moves the jobs itself


async def test_the_jobs_page_follows_a_job_live_and_retries_a_failed_one(no_worker: None, user) -> None:
    from app.i18n import translate
    from app.services import accounts

    from .helpers import should_see, sign_in

    accounts.register(username='jefa', password='secreto123', confirm='secreto123', rounds=4, local=True)
    job_id = film_job(Path('/nowhere/clip.mp4'), 'Mi clip')
    await sign_in(user, 'jefa')
    await should_see(user, marker='header', content='href="/admin"')
    await user.open('/admin/jobs')
    await should_see(user, marker=f'job-label-{job_id}')
    await should_see(user, translate('es', 'jobs.state.queued'))
    jobs.claim(job_id, worker='elsewhere:1')
    jobs.report(job_id, progress=0.5, message='Codificando: 50 %')
    await should_see(user, 'Codificando: 50 %')
    jobs.finish(job_id, state=jobs.FAILED, error='«clip.mp4» no existe o no es un archivo.')
    await should_see(user, marker=f'job-error-{job_id}')
    user.find(marker=f'job-retry-{job_id}').click()
    await should_see(user, translate('es', 'jobs.state.queued'))
    assert jobs.get(job_id).state == jobs.QUEUED


@pytest.mark.slow
def test_with_redis_the_queue_lives_there_and_jobs_still_run(
    tmp_path: Path, butaca_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redis
    from huey import RedisHuey

    try:
        redis.Redis.from_url('redis://127.0.0.1:6379/0').ping()
    except redis.RedisError:
        if os.environ.get('CI') == 'true':
            raise
        pytest.skip('no Redis at 127.0.0.1:6379')
    monkeypatch.setenv('BUTACA_REDIS_URL', 'redis://127.0.0.1:6379/0')
    huey, _ = queue.queue()
    assert isinstance(huey, RedisHuey) and not (butaca_env / 'data' / 'jobs.db').exists()
    stop = consumer.start_in_thread()
    try:
        job_id = film_job(make_clip(tmp_path / 'Rojo (2020).mkv', seconds=1.0))
        queue.send(job_id)
        until_jobs(lambda steps: steps[job_id].state == jobs.DONE, what='the job through Redis')
    finally:
        stop()
        huey.storage.flush_all()
