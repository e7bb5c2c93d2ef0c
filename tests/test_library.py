"""The media library: demo generation, web-ready renditions, reuse, importing videos and rejecting non-videos."""

from __future__ import annotations

import inspect
import os
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import av
import numpy as np
import pytest
from PIL import Image
from sqlmodel import select

from app import db
from app.config import PROJECT_ROOT
from app.library import artwork, demo, importer, media_tools
from app.library.demo import DEMO_TITLES, ensure_demo_catalog, generate_demo_library
from app.library.importer import import_video
from app.library.media_tools import NotAVideo, frame_at, make_backdrop, make_poster, probe
from app.library.naming import slugify, title_from_filename
from app.library.synth import chord_pad
from app.models import Title
from app.services import catalog

TWO = DEMO_TITLES[:2]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SimpleNamespace]:
    """A throw-away data folder, media folder and database for one test."""
    data, media = tmp_path / 'data', tmp_path / 'media'
    monkeypatch.setenv('BUTACA_DATA_DIR', str(data))
    monkeypatch.setenv('BUTACA_MEDIA_DIR', str(media))
    monkeypatch.setenv('BUTACA_DATABASE_URL', f'sqlite:///{tmp_path / "t.db"}')
    db.init_db()
    yield SimpleNamespace(data=data, media=media, db_url=f'sqlite:///{tmp_path / "t.db"}')
    db.dispose_engines()


@pytest.fixture(scope='module')
def library(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """Two demo titles of 4 s each, generated once for the module (in two worker processes)."""
    media = tmp_path_factory.mktemp('demo-media')
    messages: list[str] = []
    entries = generate_demo_library(media, titles=TWO, duration_override=4, workers=2, progress=messages.append)
    return SimpleNamespace(media=media, entries=entries, messages=messages)


def top_level_boxes(path: Path) -> list[str]:
    """The order of the top-level MP4 boxes (ftyp, moov, mdat...)."""
    boxes = []
    with path.open('rb') as file:
        while header := file.read(8):
            size, kind = struct.unpack('>I4s', header)
            boxes.append(kind.decode('latin-1'))
            if size == 1:
                size = struct.unpack('>Q', file.read(8))[0]
                file.seek(size - 16, os.SEEK_CUR)
            elif size == 0:
                break
            else:
                file.seek(size - 8, os.SEEK_CUR)
    return boxes


def keyframe_times(path: Path) -> list[float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [float(p.pts * p.time_base) for p in container.demux(stream) if p.is_keyframe and p.pts is not None]


def titles_in_db() -> list[Title]:
    with db.session(write=True) as session:
        return list(session.exec(select(Title)).all())


# ---------------------------------------------------------------- demo library


def test_demo_catalogue_is_varied() -> None:
    assert len(DEMO_TITLES) >= 18
    assert len({t.genre for t in DEMO_TITLES}) >= 6
    assert {t.kind for t in DEMO_TITLES} == {'movie', 'series'}
    assert {t.rating for t in DEMO_TITLES} <= {'TP', '7', '12', '16', '18'}
    assert len({t.slug for t in DEMO_TITLES}) == len(DEMO_TITLES)
    assert all(60 <= t.duration_s <= 180 for t in DEMO_TITLES)
    assert 0.25 <= sum(t.is_premium for t in DEMO_TITLES) / len(DEMO_TITLES) <= 0.42
    assert all(t.motif in artwork.MOTIFS and 0 < len(t.description) <= 2000 for t in DEMO_TITLES)
    assert len({t.palette for t in DEMO_TITLES}) == len(DEMO_TITLES)


def test_demo_videos_are_web_ready(library: SimpleNamespace) -> None:
    assert len(library.entries) == 2
    for entry in library.entries:
        for key, low, high in (('video_sd_path', 2, 480), ('video_hd_path', 720, 4320)):
            path = library.media / entry[key]
            info = probe(path)
            assert info.video_codec == 'h264' and info.audio_codec == 'aac'
            assert low <= info.height <= high and info.width % 2 == 0 and info.height % 2 == 0
            assert info.duration_s == pytest.approx(4, abs=0.3)
            boxes = top_level_boxes(path)
            assert boxes.index('moov') < boxes.index('mdat'), boxes  # faststart: playable before fully loaded
            keys = keyframe_times(path)
            assert keys[0] == 0 and max(np.diff(keys)) <= 2.05, keys  # a keyframe every ~2 s
            with av.open(str(path)) as container:
                assert container.streams.video[0].codec_context.pix_fmt == 'yuv420p'
        assert entry['sd_height'] == probe(library.media / entry['video_sd_path']).height
        assert entry['hd_height'] == probe(library.media / entry['video_hd_path']).height
        with Image.open(library.media / entry['poster_path']) as poster:
            assert poster.format == 'JPEG' and poster.width * 3 == poster.height * 2
        with Image.open(library.media / entry['backdrop_path']) as backdrop:
            assert backdrop.format == 'JPEG' and backdrop.width * 9 == backdrop.height * 16


def test_demo_entries_are_add_title_arguments(library: SimpleNamespace) -> None:
    parameters = set(inspect.signature(catalog.add_title).parameters) - {'session'}
    first = library.entries[0]
    assert set(first) == parameters
    assert first['video_hd_path'] == f'demo/{TWO[0].slug}/hd.mp4'
    assert first['title'] == TWO[0].title and first['is_premium'] == TWO[0].is_premium
    assert first['duration_s'] == 4.0
    assert [m.split(': ', 1)[1].split('/')[0] for m in library.messages] == ['1', '2']


def test_second_run_reuses_the_files(library: SimpleNamespace) -> None:
    files = sorted(p for p in library.media.rglob('*') if p.is_file())
    before = {p: p.stat().st_mtime_ns for p in files}
    messages: list[str] = []
    entries = generate_demo_library(library.media, titles=TWO, duration_override=4, progress=messages.append)
    assert entries == library.entries
    assert {p: p.stat().st_mtime_ns for p in files} == before
    assert all('ya estaba listo' in message for message in messages)


def test_damaged_or_forced_titles_are_made_again(tmp_path: Path) -> None:
    one = DEMO_TITLES[2:3]
    generate_demo_library(tmp_path, titles=one, duration_override=2, workers=1)
    folder = tmp_path / 'demo' / one[0].slug
    sd = folder / 'sd.mp4'
    sd.write_bytes(sd.read_bytes()[:5000])
    generate_demo_library(tmp_path, titles=one, duration_override=2, workers=1)
    assert probe(sd).duration_s == pytest.approx(2, abs=0.3)
    poster_mtime = (folder / 'poster.jpg').stat().st_mtime_ns
    generate_demo_library(tmp_path, titles=one, duration_override=2, workers=1, force=True)
    assert (folder / 'poster.jpg').stat().st_mtime_ns != poster_mtime
    assert not list(folder.glob('*.partial'))


def test_ensure_demo_catalog_fills_only_an_empty_catalog(env: SimpleNamespace) -> None:
    messages: list[str] = []
    assert ensure_demo_catalog(messages.append, titles=TWO, duration_override=2, workers=1) == 2
    assert messages[-1].startswith('Preparando catálogo de demostración: 2/2 ')
    rows = titles_in_db()
    assert sorted(r.title for r in rows) == sorted(t.title for t in TWO)
    assert all((env.media / r.video_hd_path).is_file() and (env.media / r.poster_path).is_file() for r in rows)
    assert ensure_demo_catalog(messages.append, titles=TWO, duration_override=2, workers=1) == 0
    assert len(titles_in_db()) == 2


def test_demo_command_force_replaces_only_demo_titles(
    env: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(demo, 'DEMO_TITLES', TWO)
    with db.session(write=True) as session:
        catalog.add_title(
            session,
            title='Mío',
            genre='Otros',
            year=2020,
            duration_s=5,
            poster_path='library/x/p.jpg',
            backdrop_path='library/x/b.jpg',
            video_sd_path='library/x/sd.mp4',
            video_hd_path='library/x/hd.mp4',
            sd_height=480,
            hd_height=720,
        )
    assert demo.main(['--duration', '2', '--workers', '1']) == 0
    first = {r.video_hd_path: r.created_at for r in titles_in_db() if r.video_hd_path.startswith('demo/')}
    assert len(first) == 2
    assert demo.main(['--duration', '2', '--workers', '1']) == 0  # nothing new to add
    assert len(titles_in_db()) == 3
    assert demo.main(['--force', '--duration', '2', '--workers', '1']) == 0
    rows = titles_in_db()
    again = {r.video_hd_path: r.created_at for r in rows if r.video_hd_path.startswith('demo/')}
    assert len(rows) == 3 and again.keys() == first.keys()
    assert all(again[path] > first[path] for path in first)  # deleted and added again
    assert 'Tiempo total:' in capsys.readouterr().out


# ---------------------------------------------------------------- media tools


def test_frame_grab_and_artwork_crops(library: SimpleNamespace, tmp_path: Path) -> None:
    still = frame_at(library.media / library.entries[0]['video_hd_path'], 2.0)
    assert still.size == (1280, 720)
    assert np.asarray(still).std() > 10  # a picture, not a blank frame
    assert Image.open(make_poster(still, tmp_path / 'p.jpg')).size == (400, 600)
    assert Image.open(make_backdrop(still, tmp_path / 'b.jpg')).size == (1280, 720)


def test_probe_rejects_what_is_not_a_video(tmp_path: Path) -> None:
    text = tmp_path / 'notas.txt'
    text.write_text('Esto no es un vídeo.\n' * 50)
    empty = tmp_path / 'vacio.mp4'
    empty.write_bytes(b'')
    sound = tmp_path / 'sonido.m4a'
    sound.write_bytes(media_tools.silent_track(2.0))
    picture = tmp_path / 'foto.png'
    Image.new('RGB', (64, 48), 'red').save(picture)
    for path in (text, empty, sound, picture, tmp_path / 'no-existe.mp4'):
        with pytest.raises(NotAVideo) as error:
            probe(path)
        assert path.name in str(error.value)


def test_chord_pad_is_gentle() -> None:
    pad = chord_pad(6.0, rate=24_000, root_hz=220.0, minor=True, seed=3)
    assert pad.shape == (1, 144_000) and pad.dtype == np.float32
    assert 0.1 < float(np.abs(pad).max()) <= 1.0
    assert abs(float(pad[0, 0])) < 1e-3 and abs(float(pad[0, -1])) < 1e-2  # fades in and out


def test_artwork_without_system_fonts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(artwork, 'BOLD_FONTS', ())
    monkeypatch.setattr(artwork, 'REGULAR_FONTS', ())
    monkeypatch.setattr(artwork, '_bundled_dejavu', lambda bold: None)
    artwork.clear_font_cache()
    try:
        assert artwork.font_path() is None
        text = artwork.printable('La última ola')
        assert text in {'La última ola', 'La ultima ola'}
        poster = artwork.draw_poster(
            DEMO_TITLES[0].look, title='La última ola', kicker='Película', meta='2023 · Drama · +12', seed=1
        )
        assert poster.size == (400, 600)
    finally:
        artwork.clear_font_cache()


def test_names() -> None:
    assert slugify('La última ola') == 'la-ultima-ola'
    assert slugify('¡¿?!') == 'titulo'
    assert title_from_filename('/videos/mi_viaje-a.Cadiz.mp4') == 'Mi viaje a Cadiz'


# ---------------------------------------------------------------- importing


def test_import_adds_one_title_with_both_renditions(env: SimpleNamespace, library: SimpleNamespace) -> None:
    source = library.media / library.entries[0]['video_hd_path']
    messages: list[str] = []
    title_id = import_video(
        source,
        title='Mi viaje',
        genre='Documental',
        year=2021,
        premium=True,
        rating='12',
        kind='series',
        description='Un viaje corto.',
        progress=messages.append,
    )
    [row] = titles_in_db()
    assert row.id == title_id
    assert (row.title, row.genre, row.year, row.rating, row.kind, row.is_premium, row.description) == (
        'Mi viaje',
        'Documental',
        2021,
        '12',
        'series',
        True,
        'Un viaje corto.',
    )
    assert row.duration_s == pytest.approx(4, abs=0.3)
    assert row.video_hd_path.startswith('library/mi-viaje-') and row.video_hd_path.endswith('/hd.mp4')
    sd, hd = probe(env.media / row.video_sd_path), probe(env.media / row.video_hd_path)
    assert (sd.height, hd.height) == (row.sd_height, row.hd_height) == (480, 720)
    assert sd.video_codec == hd.video_codec == 'h264' and sd.audio_codec == hd.audio_codec == 'aac'
    for path in (row.video_sd_path, row.video_hd_path):
        boxes = top_level_boxes(env.media / path)
        assert boxes.index('moov') < boxes.index('mdat')
    assert Image.open(env.media / row.poster_path).size == (400, 600)
    assert Image.open(env.media / row.backdrop_path).size == (1280, 720)
    assert any(m.startswith('Codificando:') for m in messages)
    assert not list((env.media / 'library').rglob('*.partial'))


def test_import_upscales_a_small_source_to_hd(env: SimpleNamespace, library: SimpleNamespace) -> None:
    source = library.media / library.entries[1]['video_sd_path']
    import_video(source, title='Pequeño', genre='Otros', year=2024)
    [row] = titles_in_db()
    assert probe(env.media / row.video_hd_path).height == 720
    assert probe(env.media / row.video_sd_path).height == 480


def test_import_rejects_non_videos_and_leaves_nothing(
    env: SimpleNamespace, library: SimpleNamespace, tmp_path: Path
) -> None:
    text = tmp_path / 'notas.txt'
    text.write_text('hola\n')
    good = (library.media / library.entries[0]['video_hd_path']).read_bytes()
    truncated = tmp_path / 'cortado.mp4'
    truncated.write_bytes(good[: len(good) // 2])
    header_only = tmp_path / 'cabecera.mp4'
    header_only.write_bytes(good[:4096])
    for path in (text, truncated, header_only):
        with pytest.raises(NotAVideo):
            import_video(path, title='Malo', genre='Otros', year=2024)
    assert titles_in_db() == []
    library_dir = env.media / 'library'
    assert not library_dir.exists() or not any(library_dir.iterdir())


def test_import_cleans_up_when_saving_fails(
    env: SimpleNamespace, library: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError('disk full')

    monkeypatch.setattr(catalog, 'add_title', broken)
    with pytest.raises(RuntimeError):
        import_video(library.media / library.entries[0]['video_sd_path'], title='X', genre='Otros', year=2024)
    assert titles_in_db() == []
    assert not any((env.media / 'library').iterdir())
    with pytest.raises(ValueError):
        import_video(
            library.media / library.entries[0]['video_sd_path'], title='X', genre='Otros', year=2024, rating='PG-13'
        )


def test_import_command_reports_failures(
    env: SimpleNamespace, library: SimpleNamespace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / 'lista.txt'
    text.write_text('no soy un vídeo')
    good = library.media / library.entries[0]['video_sd_path']
    assert importer.main([str(text), str(good), '--genre', 'Drama', '--year', '2020', '--premium']) == 1
    output = capsys.readouterr()
    assert 'lista.txt' in output.err and 'no es un vídeo' in output.err
    [row] = titles_in_db()
    assert (row.title, row.genre, row.year, row.is_premium) == ('Sd', 'Drama', 2020, True)


def test_import_command_line_exits_non_zero_for_a_non_video(env: SimpleNamespace, tmp_path: Path) -> None:
    text = tmp_path / 'receta.txt'
    text.write_text('Tortilla de patatas: huevos, patatas, cebolla.\n')
    child_env = {
        **os.environ,
        'BUTACA_DATA_DIR': str(env.data),
        'BUTACA_MEDIA_DIR': str(env.media),
        'BUTACA_DATABASE_URL': env.db_url,
    }
    result = subprocess.run(
        [sys.executable, '-m', 'app.library.importer', str(text), '--title', 'Receta'],
        cwd=PROJECT_ROOT,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert 'receta.txt' in result.stderr and 'no es un vídeo' in result.stderr
    assert 'Traceback' not in result.stderr
    assert titles_in_db() == []
