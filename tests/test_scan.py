"""Library folders: confined to BUTACA_LIBRARY_ROOTS, scanned into a report (added, changed, missing, refused with
why) whose new files become titles through the job queue, then scanned again after adds, changes and removals;
one scanner at a time, across processes too."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from app import db
from app.library import roots
from app.library.scan import ScanBusy, scan_folder, scan_lock
from app.models import Title
from app.services import jobs, library
from app.worker import consumer
from tests.clips import broken_copy, make_clip

from .helpers import all_finished, job_steps, until_jobs
from .waits import WAIT_S, wait_until, watch_progress

pytestmark = pytest.mark.slow
NFO = '<movie><title>Alien</title><plot>En el espacio.</plot><genre>Ciencia ficción</genre></movie>'


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / 'roots'
    movies = root / 'Movies'
    make_clip(movies / 'Alien (1979)' / 'Alien (1979).mp4', hue=1)  # web-ready: plays as it is
    (movies / 'Alien (1979)' / 'Alien (1979).es.srt').write_text('1\n00:00:00,100 --> 00:00:01,000\nHola\n')
    (movies / 'Alien (1979)' / 'Alien (1979).nfo').write_text(NFO)
    Image.new('RGB', (300, 450), (200, 30, 30)).save(movies / 'Alien (1979)' / 'poster.jpg')
    broken_copy(movies / 'Alien (1979)' / 'Alien (1979).mp4', movies / 'Roto (2020).mp4')
    (movies / 'notas.txt').write_text('no es un vídeo')
    show = root / 'TV' / 'El Faro (2020)' / 'Season 01'
    make_clip(show / 'El Faro S01E01 - Llegada.mkv', hue=2)
    make_clip(show / 'El Faro S01E02 - Tormenta.mkv', hue=3)
    monkeypatch.setenv('BUTACA_LIBRARY_ROOTS', str(root))
    stop = consumer.start_in_thread(watching=False)  # the scans here are the test's own (one test watches)
    try:
        yield root
    finally:
        stop()


def titles() -> list[Title]:
    with db.session() as session:
        return list(session.exec(select(Title).order_by(Title.id)).all())


def test_nothing_outside_the_roots_is_listed_or_added(tree: Path, tmp_path: Path) -> None:
    assert [p.name for p in roots.subfolders(tree)] == ['Movies', 'TV']
    outside = tmp_path / 'secret'
    outside.mkdir()
    (tree / 'Movies' / 'escape').symlink_to(outside)  # a link out of the roots is outside too
    assert [p.name for p in roots.subfolders(tree / 'Movies')] == ['Alien (1979)']
    for path in (outside, tree / 'Movies' / 'escape', tree / '..', '/etc'):
        with pytest.raises(roots.OutsideRoots):
            roots.confine(path)
    assert roots.confine(tree / 'TV' / '..' / 'Movies') == tree / 'Movies'


def test_a_scan_adds_refuses_then_sees_changes_and_removals(tree: Path) -> None:
    movies = library.add_folder(actor=None, path=str(roots.confine(tree / 'Movies')))
    tv = library.add_folder(actor=None, path=str(roots.confine(tree / 'TV')))
    first = scan_folder(movies)
    assert first['added'] == ['Alien (1979)/Alien (1979).mp4']
    [refused] = first['refused']
    assert refused['path'] == 'Roto (2020).mp4' and ('dañado' in refused['why'] or 'incompleto' in refused['why'])
    assert scan_folder(tv)['added'] == [
        'El Faro (2020)/Season 01/El Faro S01E01 - Llegada.mkv',
        'El Faro (2020)/Season 01/El Faro S01E02 - Tormenta.mkv',
    ]
    until_jobs(all_finished, what='the import jobs')
    assert {row.state for row in jobs.listing()} == {jobs.DONE}
    film = next(t for t in titles() if t.kind == 'movie')
    assert (film.title, film.year, film.genre, film.description) == ('Alien', 1979, 'Ciencia ficción', 'En el espacio.')
    assert list(film.subtitles) == ['es'] and film.video_hd_path == film.video_sd_path  # played as it is
    episodes = [t for t in titles() if t.kind == 'episode']
    assert [(e.season_number, e.episode_number, e.title) for e in episodes] == [(1, 1, 'Llegada'), (1, 2, 'Tormenta')]
    assert library.folder(movies).report['added'] == first['added']

    again = scan_folder(tv)
    assert (again['added'], again['changed'], again['unchanged']) == ([], [], 2)

    season = tree / 'TV' / 'El Faro (2020)' / 'Season 01'
    old_duration = episodes[0].duration_s
    make_clip(season / 'El Faro S01E01 - Llegada.mkv', seconds=3.0, hue=5)
    os.utime(season / 'El Faro S01E01 - Llegada.mkv', (time.time() + 5, time.time() + 5))
    make_clip(season / 'El Faro S01E03 - Vuelta.mkv', hue=6)
    (tree / 'Movies' / 'Alien (1979)' / 'Alien (1979).mp4').unlink()
    changed = scan_folder(tv)
    assert changed['changed'] == ['El Faro (2020)/Season 01/El Faro S01E01 - Llegada.mkv']
    assert changed['added'] == ['El Faro (2020)/Season 01/El Faro S01E03 - Vuelta.mkv']
    assert scan_folder(movies)['missing'] == ['Alien (1979)/Alien (1979).mp4']
    until_jobs(all_finished, what='the jobs of the second scan')
    assert {row.state for row in jobs.listing()} == {jobs.DONE}
    episodes = [t for t in titles() if t.kind == 'episode']
    assert [(e.episode_number, e.id) for e in episodes][:2] == [(1, episodes[0].id), (2, episodes[1].id)]
    assert len(episodes) == 3 and episodes[0].duration_s > old_duration + 1  # the same title, new renditions
    assert any(t.title == 'Alien' for t in titles())  # a missing source keeps its title: it plays from the media


def test_one_scanner_at_a_time_even_across_processes(tree: Path, butaca_env: Path) -> None:
    folder = library.add_folder(actor=None, path=str(tree / 'Movies'))
    with scan_lock(), pytest.raises(ScanBusy):
        scan_folder(folder)
    holder = subprocess.Popen(
        [
            sys.executable,
            '-c',
            'from app.library.scan import scan_lock\nwith scan_lock(): print("held", flush=True); input()',
        ],
        cwd=Path(__file__).resolve().parent.parent,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == 'held'
        with pytest.raises(ScanBusy):
            scan_folder(folder)
    finally:
        holder.communicate('\n', timeout=WAIT_S)
    assert scan_folder(folder)['added'] == ['Alien (1979)/Alien (1979).mp4']


def test_a_folder_rescans_by_itself_when_a_video_appears(tree: Path) -> None:
    from app.library import watch

    folder = library.add_folder(actor=None, path=str(tree / 'TV'))
    scan_folder(folder)
    stop = watch.start()
    new = tree / 'TV' / 'El Faro (2020)' / 'Season 02' / 'El Faro S02E01 - Nueva.mkv'
    made_at = [0.0]

    def scanned() -> bool:
        if time.monotonic() - made_at[0] > 5:  # (again, should the watch have started after the first write)
            make_clip(new, hue=7)
            made_at[0] = time.monotonic()
        return 'El Faro (2020)/Season 02/El Faro S02E01 - Nueva.mkv' in library.folder(folder).report.get('added', [])

    try:
        wait_until(scanned, what='the watcher to scan the new episode', every=0.5)
    finally:
        stop.set()


async def test_the_library_page_browses_the_roots_adds_a_folder_and_scans_it(
    tree: Path, monkeypatch: pytest.MonkeyPatch, user
) -> None:
    from app.i18n import translate
    from app.services import accounts

    from .helpers import should_see, sign_in

    accounts.register(username='jefa', password='secreto123', confirm='secreto123', rounds=4, local=True)
    await sign_in(user, 'jefa')
    await should_see(user, marker='header', content='href="/admin"')
    await user.open('/admin/library')
    await should_see(user, marker='upload-card')
    await should_see(user, marker='browse-roots')
    await user.open(f'/admin/library?path={tree / "Movies"}')
    await should_see(user, marker='browse-Alien (1979)')
    user.find(marker='add-folder').click()
    await should_see(user, marker='scan-1')
    user.find(marker='scan-1').click()
    await should_see(user, translate('es', 'library.report.added') + ': 1')
    await should_see(user, translate('es', 'library.report.refused') + ': 1')
    await user.open('/admin/library?path=/etc')  # outside the roots: the roots are shown instead
    await should_see(user, marker='browse-roots')
    with pytest.raises(AssertionError):
        user.find(marker='browser-here')
    await watch_progress(job_steps, all_finished, what='the import')  # the scan's import ends within this test
