"""The media library: the demo library (films, series, subtitles, trickplay, image sizes), web-ready renditions,
reuse, importing videos and rejecting non-videos. Tests that make or encode videos are marked slow."""

from __future__ import annotations

import inspect
import io
import json
import math
import os
import re
import struct
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import av
import numpy as np
import pytest
import webvtt
from PIL import Image
from sqlmodel import select

from app import db
from app.config import PROJECT_ROOT
from app.library import demo, importer, renditions
from app.library.demo import FILMS, SERIES, demo_series, ensure_demo_catalog, generate_demo_library, title_arguments
from app.library.demo_items import FPS
from app.library.images import make_image_sizes
from app.library.importer import import_video
from app.library.naming import slugify, title_from_filename
from app.library.placeholder import paint
from app.library.placeholder.music import RATE, ROOTS_HZ, chord_pad, soundtrack
from app.library.probe import NotAVideo, frame_at, frames_at, probe
from app.library.subtitles import spread_cues
from app.library.trickplay import make_trickplay, trickplay_from_video
from app.models import Title
from app.services import catalog

from .waits import run_command

TWO = FILMS[:2]
FILM_S = 12.0  # two trickplay thumbnails each
EPISODE_S = 8.0
SMALL_SERIES = SERIES[-1]  # one season of three episodes


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
    """Two demo films of 12 s and a series of three 8 s episodes, made once for the module in two worker processes."""
    media = tmp_path_factory.mktemp('demo-media')
    messages: list[str] = []
    made = generate_demo_library(
        media,
        films=TWO,
        series=[SMALL_SERIES],
        duration_override=FILM_S,
        episode_duration_override=EPISODE_S,
        workers=2,
        progress=messages.append,
    )
    return SimpleNamespace(media=media, films=made.films, series=made.series, messages=messages)


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


def decoded(path: Path) -> tuple[int, int, float, float]:
    """Video height, decoded video frames, and how far the decoded video and audio reach (seconds)."""
    with av.open(str(path)) as container:
        frames = [frame for frame in container.decode(video=0)]
        container.seek(0)
        sound = [frame for frame in container.decode(audio=0)]
    video_end = float(frames[-1].time) + float(frames[-1].duration * frames[-1].time_base)
    audio_end = float(sound[-1].time) + sound[-1].samples / sound[-1].sample_rate
    return frames[0].height, len(frames), video_end, audio_end


def titles_in_db() -> list[Title]:
    with db.session(write=True) as session:
        return list(session.exec(select(Title)).all())


def all_videos(library: SimpleNamespace) -> Iterator[tuple[dict, float]]:
    """(entry, duration) for every film and every episode of the library."""
    for film in library.films:
        yield film, FILM_S
    for season in library.series[0].seasons:
        for episode in season.episodes:
            yield vars(episode), EPISODE_S


# ---------------------------------------------------------------- the catalog


def test_demo_films_look_like_a_streaming_service() -> None:
    assert 10 <= len(FILMS) <= 12
    assert len({film.genre for film in FILMS}) >= 6
    assert {film.rating for film in FILMS} <= {'TP', '7', '12', '16', '18'}
    assert len({film.slug for film in FILMS} | {series.slug for series in SERIES}) == len(FILMS) + len(SERIES)
    assert all(film.duration_s >= 60 for film in FILMS)
    assert 0.25 <= sum(film.premium for film in FILMS) / len(FILMS) <= 0.42
    looks = [*FILMS, *SERIES]
    assert all(spec.motif in paint.MOTIFS and spec.synopsis and spec.synopsis_en for spec in looks)
    assert len({spec.palette for spec in looks}) == len(looks)  # each title its own colours


def test_demo_series_have_seasons_of_short_episodes_with_markers() -> None:
    assert len(SERIES) >= 3
    assert sum(len(series.seasons) == 2 for series in SERIES) >= 2
    assert sum(series.premium for series in SERIES) >= 1
    for series in SERIES:
        assert 20 <= series.episode_s <= 40
        assert 0 < series.intro_s[0] < series.intro_s[1] < series.episode_s - series.credits_s < series.episode_s
        for season in series.seasons:
            assert len(season) >= 3
            assert all(episode.title and episode.synopsis and episode.synopsis_en for episode in season)


# ---------------------------------------------------------------- the demo library's files


@pytest.mark.slow
def test_demo_films_and_episodes_are_web_ready_h264_aac(library: SimpleNamespace) -> None:
    for entry, duration in all_videos(library):
        for quality, height in (('sd', 480), ('hd', 720)):
            path = library.media / entry[f'video_{quality}_path']
            info = probe(path)
            assert (info.video_codec, info.audio_codec, info.height) == ('h264', 'aac', height)
            assert info.width % 2 == 0 and entry[f'{quality}_height'] == height
            assert info.duration_s == pytest.approx(duration, abs=0.3)
            decoded_height, frames, video_end, audio_end = decoded(path)
            assert decoded_height == height and frames == round(duration * FPS)
            assert video_end == pytest.approx(duration, abs=0.05) and audio_end == pytest.approx(duration, abs=0.1)
            boxes = top_level_boxes(path)
            assert boxes.index('moov') < boxes.index('mdat'), boxes  # faststart: playable before fully loaded
            keys = keyframe_times(path)
            assert keys[0] == 0 and max(np.diff(keys)) <= 2.05, keys  # a keyframe every ~2 s
            with av.open(str(path)) as container:
                assert container.streams.video[0].codec_context.pix_fmt == 'yuv420p'


@pytest.mark.slow
def test_demo_film_entries_are_add_title_arguments(library: SimpleNamespace) -> None:
    from app.models import Title

    parameters = set(inspect.signature(catalog.add_title).parameters) - {'session', 'more'}
    first = library.films[0]
    assert set(title_arguments(first)) == set(first)  # every key has a column now
    assert parameters <= set(first) <= parameters | set(Title.model_fields)
    assert first['video_hd_path'] == f'demo/{TWO[0].slug}/hd.mp4'
    assert (first['title'], first['is_premium'], first['duration_s']) == (TWO[0].title, TWO[0].premium, FILM_S)
    assert first['description_en'] == TWO[0].synopsis_en
    with Image.open(library.media / first['poster_path']) as poster:
        assert poster.format == 'JPEG' and poster.size == (400, 600)
    with Image.open(library.media / first['backdrop_path']) as backdrop:
        assert backdrop.format == 'JPEG' and backdrop.size == (1280, 720)
    for kind, widths, aspect in (('poster', [200, 400], 1.5), ('backdrop', [640, 1280], 9 / 16)):
        sizes = first['images'][kind]
        assert [size['width'] for size in sizes] == widths
        for size in sizes:
            for key, kind_name in (('webp', 'WEBP'), ('jpeg', 'JPEG')):
                with Image.open(library.media / size[key]) as image:
                    assert image.format == kind_name and image.size == (size['width'], size['height'])
                    assert image.height == round(image.width * aspect)


@pytest.mark.slow
def test_each_item_reports_what_its_figures_measure(library: SimpleNamespace) -> None:
    items = 2 + 3 + 1  # two films, three episodes, the series' artwork
    assert len(library.messages) == items + 1
    line = re.compile(
        r'demo library: (\d)/6 ready \((.+), \d+\.\d s for this (film|episode|artwork), \d+\.\d s elapsed\)'
    )
    assert sorted(int(line.fullmatch(message)[1]) for message in library.messages[:-1]) == list(range(1, items + 1))
    assert re.fullmatch(
        r'demo library: all 6 items ready in \d+\.\d s elapsed \(6 made, 0 reused; .*\)', library.messages[-1]
    )


@pytest.mark.slow
def test_demo_series_manifest_has_seasons_episodes_markers_and_stills(library: SimpleNamespace) -> None:
    [series] = library.series
    assert (series.title, series.genre, series.is_premium) == (SMALL_SERIES.title, SMALL_SERIES.genre, False)
    assert series.description and series.description_en
    with Image.open(library.media / series.poster_path) as poster:
        assert poster.size == (400, 600)
    assert [size['width'] for size in series.images['backdrop']] == [640, 1280]
    [season] = series.seasons
    assert (season.number, season.name) == (1, 'Temporada 1')
    assert [episode.number for episode in season.episodes] == [1, 2, 3]
    for episode, spec in zip(season.episodes, SMALL_SERIES.seasons[0], strict=True):
        assert (episode.title, episode.synopsis, episode.duration_s) == (spec.title, spec.synopsis, EPISODE_S)
        assert 0 < episode.intro_start_s < episode.intro_end_s < episode.credits_start_s < episode.duration_s
        assert episode.video_hd_path.startswith(f'demo/{SMALL_SERIES.slug}/s01e0{episode.number}/')
        with Image.open(library.media / episode.still_path) as still:
            assert still.width * 9 == still.height * 16
        assert [size['width'] for size in episode.images['still']] == [320, 640]
    assert demo_series(library.media) == library.series  # read back from the manifest on disk


@pytest.mark.slow
def test_the_intro_and_credits_show_where_the_markers_say(library: SimpleNamespace) -> None:
    episode = library.series[0].seasons[0].episodes[0]
    path = library.media / episode.video_sd_path
    times = [
        episode.intro_start_s / 2,
        (episode.intro_start_s + episode.intro_end_s) / 2,
        episode.credits_start_s + 0.5,
    ]
    content, intro, credits = (np.asarray(image.convert('L'), np.float32) for image in frames_at(path, times))
    assert np.abs(content - intro).mean() > 10  # the title sequence is another picture
    assert credits.mean() < content.mean() - 10  # the credits roll on a darkened picture


@pytest.mark.slow
def test_every_film_and_episode_has_spanish_and_english_subtitles_over_its_running_time(
    library: SimpleNamespace,
) -> None:
    for entry, duration in all_videos(library):
        assert set(entry['subtitles']) == {'es', 'en'}
        texts = {}
        for language, path in entry['subtitles'].items():
            assert path.endswith(f'/subtitles.{language}.vtt')
            captions = webvtt.read(str(library.media / path))
            assert len(captions) >= 2
            assert all(0 <= c.start_in_seconds < c.end_in_seconds <= duration for c in captions)
            assert captions[0].start_in_seconds < duration * 0.2 and captions[-1].end_in_seconds > duration * 0.6
            texts[language] = ' '.join(c.text.replace('\n', ' ') for c in captions)
        synopsis = entry.get('synopsis', entry.get('description'))
        assert texts['es'] == synopsis and texts['en'] != texts['es']


def test_cues_fit_short_and_long_videos() -> None:
    text = 'Una frase corta. Y otra bastante más larga que no cabe en una sola línea de subtítulos, así que se parte.'
    for duration in (2.0, 30.0, 3600.0):
        cues = spread_cues(text, duration)
        assert all(0 <= a.start_s < a.end_s <= b.start_s for a, b in zip(cues, cues[1:], strict=False))
        assert cues[-1].end_s <= duration
        assert all(len(line) <= 42 for cue in cues for line in cue.text.split('\n'))
        assert all(cue.text.count('\n') <= 1 for cue in cues)


@pytest.mark.slow
def test_trickplay_sheet_has_a_tile_every_ten_seconds_and_its_facts(library: SimpleNamespace) -> None:
    for entry, duration in all_videos(library):
        trickplay = entry['trickplay']
        facts = json.loads((library.media / trickplay['json']).read_text())
        assert facts == {**{k: v for k, v in trickplay.items() if k not in ('path', 'json')}, 'sprite': 'trickplay.jpg'}
        assert facts['count'] == math.ceil(duration / 10) and facts['interval_s'] == 10
        assert (facts['tile_width'], facts['tile_height']) == (320, 180)
        with Image.open(library.media / trickplay['path']) as sheet:
            assert sheet.format == 'JPEG'
            assert sheet.size == (facts['columns'] * 320, facts['rows'] * 180)
            assert facts['columns'] * facts['rows'] >= facts['count'] > (facts['rows'] - 1) * facts['columns']
            video = library.media / entry['video_sd_path']
            for index, picture in enumerate(frames_at(video, [10.0 * i for i in range(facts['count'])])):
                column, row = index % facts['columns'], index // facts['columns']
                tile = sheet.crop((column * 320, row * 180, column * 320 + 320, row * 180 + 180))
                expected = picture.resize((320, 180))
                assert np.abs(np.asarray(tile, np.float32) - np.asarray(expected, np.float32)).mean() < 12


@pytest.mark.slow
def test_trickplay_from_an_imported_video_decodes_a_frame_every_ten_seconds(
    library: SimpleNamespace, tmp_path: Path
) -> None:
    video = library.media / library.films[0]['video_hd_path']
    sheet = trickplay_from_video(video, tmp_path)
    assert (sheet.count, sheet.columns, sheet.rows, sheet.tile_height) == (2, 2, 1, 180)
    with Image.open(sheet.sprite) as image:
        assert image.size == (640, 180)
    assert json.loads(sheet.facts.read_text())['count'] == 2
    many = make_trickplay([Image.new('RGB', (64, 48), (i, 0, 0)) for i in range(23)], tmp_path / 'many', tile_width=32)
    assert (many.columns, many.rows, many.count, many.tile_height) == (10, 3, 23, 24)


def test_image_sizes_are_webp_and_jpeg_at_each_width(tmp_path: Path) -> None:
    picture = paint.scene((300, 300), FILMS[0].look)  # square: the sizes crop it to 2:3
    sizes = make_image_sizes(picture, tmp_path / 'art', 'poster', [400, 200], aspect=(2, 3))
    assert [(size.width, size.height) for size in sizes] == [(200, 300), (400, 600)]
    for size in sizes:
        for path, kind in ((size.webp, 'WEBP'), (size.jpeg, 'JPEG')):
            with Image.open(path) as image:
                assert image.format == kind and image.size == (size.width, size.height)
                image.load()
    assert sorted(p.name for p in (tmp_path / 'art').iterdir()) == [
        'poster-200.jpg',
        'poster-200.webp',
        'poster-400.jpg',
        'poster-400.webp',
    ]


@pytest.mark.slow
def test_second_run_reuses_the_files(library: SimpleNamespace) -> None:
    files = sorted(p for p in library.media.rglob('*') if p.is_file())
    before = {p: p.stat().st_mtime_ns for p in files}
    messages: list[str] = []
    again = generate_demo_library(
        library.media,
        films=TWO,
        series=[SMALL_SERIES],
        duration_override=FILM_S,
        episode_duration_override=EPISODE_S,
        progress=messages.append,
    )
    assert (again.films, again.series) == (library.films, library.series)
    assert {p: p.stat().st_mtime_ns for p in files if p.name != 'manifest.json'} == {
        p: t for p, t in before.items() if p.name != 'manifest.json'
    }
    assert all('reused from an earlier run' in message for message in messages[:-1])


@pytest.mark.slow
def test_damaged_or_forced_titles_are_made_again(tmp_path: Path) -> None:
    one = FILMS[2:3]
    generate_demo_library(tmp_path, films=one, series=(), duration_override=2, workers=1)
    folder = tmp_path / 'demo' / one[0].slug
    sd = folder / 'sd.mp4'
    sd.write_bytes(sd.read_bytes()[:5000])
    generate_demo_library(tmp_path, films=one, series=(), duration_override=2, workers=1)
    assert probe(sd).duration_s == pytest.approx(2, abs=0.3)
    poster_mtime = (folder / 'poster-400.jpg').stat().st_mtime_ns
    generate_demo_library(tmp_path, films=one, series=(), duration_override=2, workers=1, force=True)
    assert (folder / 'poster-400.jpg').stat().st_mtime_ns != poster_mtime
    assert not list(folder.glob('*.partial'))


@pytest.mark.slow
def test_ensure_demo_catalog_adds_each_film_as_soon_as_it_is_ready(env: SimpleNamespace) -> None:
    added: list[int] = []
    seen_when_added: list[tuple[int, bool]] = []

    def title_added(title_id: int) -> None:
        added.append(title_id)
        second_made = (env.media / 'demo' / TWO[1].slug / '.demo.json').exists()
        seen_when_added.append((len(titles_in_db()), second_made))

    messages: list[str] = []
    count = ensure_demo_catalog(
        messages.append, on_title_added=title_added, films=TWO, series=(), duration_override=2, workers=1
    )
    assert count == 2 and len(added) == 2
    assert seen_when_added == [(1, False), (2, True)]  # committed one by one, the first before the second was made
    rows = titles_in_db()
    assert sorted(r.id for r in rows) == sorted(added)
    assert all((env.media / r.video_hd_path).is_file() and (env.media / r.poster_path).is_file() for r in rows)
    with db.session(write=True) as session:
        assert catalog.featured(session).title == TWO[0].title  # catalog order, whatever finished first
    assert ensure_demo_catalog(messages.append, films=TWO, series=(), duration_override=2, workers=1) == 0
    assert len(titles_in_db()) == 2


@pytest.mark.slow
def test_demo_command_force_replaces_only_demo_titles(
    env: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(demo, 'FILMS', TWO)
    monkeypatch.setattr(demo, 'SERIES', ())
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
    assert 'demo library: all 2 items ready in' in capsys.readouterr().out


# ---------------------------------------------------------------- media tools


@pytest.mark.slow
def test_frame_grab_and_artwork_crops(library: SimpleNamespace, tmp_path: Path) -> None:
    still = frame_at(library.media / library.films[0]['video_hd_path'], 2.0)
    assert still.size == (1280, 720)
    assert np.asarray(still).std() > 10  # a picture, not a blank frame
    [size] = make_image_sizes(still, tmp_path, 'backdrop', [640], aspect=(16, 9))
    assert Image.open(size.jpeg).size == (640, 360)


def test_probe_rejects_what_is_not_a_video(tmp_path: Path) -> None:
    text = tmp_path / 'notas.txt'
    text.write_text('Esto no es un vídeo.\n' * 50)
    empty = tmp_path / 'vacio.mp4'
    empty.write_bytes(b'')
    sound = tmp_path / 'sonido.m4a'
    sound.write_bytes(renditions.silent_track(2.0))
    picture = tmp_path / 'foto.png'
    Image.new('RGB', (64, 48), 'red').save(picture)
    for path in (text, empty, sound, picture, tmp_path / 'no-existe.mp4'):
        with pytest.raises(NotAVideo) as error:
            probe(path)
        assert path.name in str(error.value)


def test_chord_pad_is_gentle() -> None:
    pad = chord_pad(6.0, rate=24_000, root_hz=220.0, minor=True)
    assert pad.shape == (1, 144_000) and pad.dtype == np.float32
    assert 0.1 < float(np.abs(pad).max()) <= 1.0
    assert abs(float(pad[0, 0])) < 1e-3 and abs(float(pad[0, -1])) < 1e-2  # fades in and out
    assert np.abs(np.diff(pad[0])).max() < 0.05  # no clicks


def test_a_long_soundtrack_repeats_its_loop_without_a_click() -> None:
    track = soundtrack(62.0, seed=3, minor=True)
    with av.open(io.BytesIO(track)) as container:
        sound = np.concatenate([frame.to_ndarray()[0] for frame in container.decode(audio=0)])
    pad = chord_pad(62.0, rate=RATE, root_hz=ROOTS_HZ[3], minor=True)[0]
    assert len(sound) == pytest.approx(len(pad), abs=2048)
    # what was encoded once and repeated decodes as the whole pad would: the same samples, within AAC's error
    assert np.abs(sound[: len(pad)] - pad[: len(sound)]).max() < 0.02


def test_artwork_without_system_fonts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paint, 'FONT_DIRS', [])
    paint.font_file.cache_clear()
    paint.font.cache_clear()
    try:
        assert paint.font_file() is None
        assert paint.printable('La última ola') == 'La ultima ola'  # Pillow's own font has no accents
        poster = paint.poster(FILMS[0].look, title='La última ola', year=2023)
        assert poster.size == (400, 600)
    finally:
        paint.font_file.cache_clear()
        paint.font.cache_clear()


def test_posters_paint_no_words_of_either_language() -> None:
    # film or series, genre and rating are the pages' badges, in the viewer's language: a poster has only the title
    # (a name) and the year, so the painters take nothing else
    for painter in (paint.poster, paint.title_over):
        assert set(inspect.signature(painter).parameters) & {'kicker', 'meta', 'genre', 'rating', 'kind'} == set()
    rows = paint.title_over(paint.scene((200, 300), FILMS[0].look), title='La última ola', year=2023)
    assert rows.size == (200, 300)
    heading = paint.heading((400, 600), title='LA ÚLTIMA OLA', facts=['2023'], accent=(200, 40, 40), title_px=60)
    texts = [row[0] for row in heading]
    assert (' '.join(texts[:-1]), texts[-1]) == ('LA ÚLTIMA OLA', '2023')  # the title's lines, then the year


def test_names() -> None:
    assert slugify('La última ola') == 'la-ultima-ola'
    assert slugify('¡¿?!') == 'titulo'
    assert title_from_filename('/videos/mi_viaje-a.Cadiz.mp4') == 'Mi viaje a Cadiz'


# ---------------------------------------------------------------- importing


@pytest.mark.slow
def test_import_adds_one_title_with_both_renditions(env: SimpleNamespace, library: SimpleNamespace) -> None:
    source = library.media / library.films[0]['video_hd_path']
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
    assert row.duration_s == pytest.approx(FILM_S, abs=0.3)
    assert row.video_hd_path.startswith('library/mi-viaje-') and row.video_hd_path.endswith('/hd.mp4')
    sd, hd = probe(env.media / row.video_sd_path), probe(env.media / row.video_hd_path)
    assert (sd.height, hd.height) == (row.sd_height, row.hd_height) == (480, 720)
    assert sd.video_codec == hd.video_codec == 'h264' and sd.audio_codec == hd.audio_codec == 'aac'
    for path in (row.video_sd_path, row.video_hd_path):
        boxes = top_level_boxes(env.media / path)
        assert boxes.index('moov') < boxes.index('mdat')
    assert Image.open(env.media / row.poster_path).size == (400, 600)
    assert Image.open(env.media / row.backdrop_path).size == (1280, 720)
    folder = (env.media / row.video_hd_path).parent
    for name, size in (('poster-200.webp', (200, 300)), ('backdrop-640.webp', (640, 360))):
        with Image.open(folder / name) as image:
            assert image.format == 'WEBP' and image.size == size
    # The sizes are recorded, so that /media/{id}/poster?w=200&f=webp finds them (tests/test_images.py).
    assert [(size['width'], size['webp']) for size in row.images['poster']] == [
        (200, (folder / 'poster-200.webp').relative_to(env.media).as_posix()),
        (400, (folder / 'poster-400.webp').relative_to(env.media).as_posix()),
    ]
    assert [size['width'] for size in row.images['backdrop']] == [640, 1280]
    facts = json.loads((folder / 'trickplay.json').read_text())
    assert (facts['count'], facts['tile_width']) == (2, 320)
    assert Image.open(folder / 'trickplay.jpg').size == (facts['columns'] * 320, facts['rows'] * facts['tile_height'])
    assert any(m.startswith('Codificando:') for m in messages)
    assert not list((env.media / 'library').rglob('*.partial'))


@pytest.mark.slow
def test_import_upscales_a_small_source_to_hd_unless_it_plays_as_it_is(
    env: SimpleNamespace, library: SimpleNamespace, tmp_path: Path
) -> None:
    from tests.clips import make_clip

    small = make_clip(tmp_path / 'pequeño.mkv', size=(320, 180))  # Matroska: not web-ready, so encoded
    import_video(small, title='Pequeño', genre='Otros', year=2024)
    [row] = titles_in_db()
    assert probe(env.media / row.video_hd_path).height == 720
    assert probe(env.media / row.video_sd_path).height == 180
    # A web-ready 480p MP4 plays as it is: no encode, one file for both renditions, fast start kept.
    source = library.media / library.films[1]['video_sd_path']
    import_video(source, title='Tal cual', genre='Otros', year=2024)
    row = next(row for row in titles_in_db() if row.title == 'Tal cual')
    assert row.video_hd_path == row.video_sd_path and row.hd_height == 480
    assert (env.media / row.video_hd_path).read_bytes() == source.read_bytes()


@pytest.mark.slow
def test_import_rejects_non_videos_and_leaves_nothing(
    env: SimpleNamespace, library: SimpleNamespace, tmp_path: Path
) -> None:
    text = tmp_path / 'notas.txt'
    text.write_text('hola\n')
    good = (library.media / library.films[0]['video_hd_path']).read_bytes()
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


@pytest.mark.slow
def test_import_cleans_up_when_saving_fails(
    env: SimpleNamespace, library: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError('disk full')

    monkeypatch.setattr(catalog, 'add_title', broken)
    with pytest.raises(RuntimeError):
        import_video(library.media / library.films[0]['video_sd_path'], title='X', genre='Otros', year=2024)
    assert titles_in_db() == []
    assert not any((env.media / 'library').iterdir())
    with pytest.raises(ValueError):
        import_video(
            library.media / library.films[0]['video_sd_path'], title='X', genre='Otros', year=2024, rating='PG-13'
        )


@pytest.mark.slow
def test_import_command_reports_failures(
    env: SimpleNamespace, library: SimpleNamespace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / 'lista.txt'
    text.write_text('no soy un vídeo')
    good = library.media / library.films[0]['video_sd_path']
    assert importer.main([str(text), str(good), '--genre', 'Drama', '--year', '2020', '--premium']) == 1
    output = capsys.readouterr()
    assert 'lista.txt' in output.err and 'no es un vídeo' in output.err
    [row] = titles_in_db()
    assert (row.title, row.genre, row.year, row.is_premium) == ('Sd', 'Drama', 2020, True)


@pytest.mark.slow
def test_import_command_line_exits_non_zero_for_a_non_video(env: SimpleNamespace, tmp_path: Path) -> None:
    text = tmp_path / 'receta.txt'
    text.write_text('Tortilla de patatas: huevos, patatas, cebolla.\n')
    child_env = {
        **os.environ,
        'BUTACA_DATA_DIR': str(env.data),
        'BUTACA_MEDIA_DIR': str(env.media),
        'BUTACA_DATABASE_URL': env.db_url,
    }
    result = run_command(
        [sys.executable, '-m', 'app.library.importer', str(text), '--title', 'Receta'],
        what='the importer',
        cwd=PROJECT_ROOT,
        env=child_env,
    )
    assert result.returncode == 1
    assert 'receta.txt' in result.stderr and 'no es un vídeo' in result.stderr
    assert 'Traceback' not in result.stderr
    assert titles_in_db() == []
