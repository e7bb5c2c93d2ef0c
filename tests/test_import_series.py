"""`butaca-import` with a series folder named as Jellyfin and Plex expect: the series, its seasons and episodes in
one go, with progress; a broken file, a bad name or a failed commit leaves no folder and no row behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from app import db
from app.library import importer, series_import
from app.library.probe import NotAVideo, probe
from app.library.series_import import ImportRefused, import_series, read_series_folder
from app.models import Season, Title
from app.services import catalog
from tests.clips import broken_copy, make_clip

pytestmark = pytest.mark.slow

SRT = """1
00:00:00,200 --> 00:00:01,000
Hola, faro.
"""
NFO = """<?xml version="1.0" encoding="UTF-8"?>
<tvshow><title>El Faro</title><plot>Una farera y su isla.</plot><year>2020</year><genre>Drama</genre></tvshow>
"""


def series_folder(root: Path) -> Path:
    show = root / 'El Faro (2020)'
    make_clip(show / 'Season 01' / 'El Faro S01E01 - La llegada.mkv', hue=1)
    make_clip(show / 'Season 01' / 'El Faro 1x02 - La tormenta.mp4', hue=2)
    make_clip(show / 'Specials' / 'El Faro S00E01 - Navidad.mkv', hue=3)
    (show / 'Season 01' / 'El Faro S01E01 - La llegada.es.srt').write_text(SRT, encoding='utf-8')
    (show / 'tvshow.nfo').write_text(NFO, encoding='utf-8')
    Image.new('RGB', (300, 450), (10, 120, 200)).save(show / 'poster.jpg')
    return show


def rows() -> tuple[list[Title], list[Season]]:
    with db.session() as session:
        titles = list(session.exec(select(Title).order_by(Title.season_number, Title.episode_number)).all())
        return titles, list(session.exec(select(Season).order_by(Season.number)).all())


def library_leftovers(media: Path) -> list[str]:
    folder = media / 'library'
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_a_series_folder_becomes_a_series_with_seasons_and_episodes(tmp_path: Path, butaca_env: Path) -> None:
    show = series_folder(tmp_path / 'in')
    messages: list[str] = []
    series_id = import_series(show, progress=messages.append)
    titles, seasons = rows()
    series = next(row for row in titles if row.kind == 'series')
    episodes = [row for row in titles if row.kind == 'episode']
    assert series.id == series_id
    assert (series.title, series.year, series.genre, series.description) == (
        'El Faro',
        2020,
        'Drama',
        'Una farera y su isla.',
    )
    assert [(e.season_number, e.episode_number, e.title) for e in episodes] == [
        (0, 1, 'Navidad'),
        (1, 1, 'La llegada'),
        (1, 2, 'La tormenta'),
    ]
    assert [(s.number, s.name) for s in seasons] == [(0, 'Especiales'), (1, 'Temporada 1')]
    media = butaca_env / 'media'
    for episode in episodes:
        assert episode.series_id == series_id and episode.genre == 'Drama'
        hd, sd = probe(media / episode.video_hd_path), probe(media / episode.video_sd_path)
        assert (hd.video_codec, hd.audio_codec) == ('h264', 'aac')
        assert sd.height == 90  # never upscaled
        # The .mp4 is web-ready H.264/AAC: it plays as it is, one file for both; the .mkv ones are encoded.
        as_is = episode.title == 'La tormenta'
        assert hd.height == (90 if as_is else 720)
        assert (episode.video_hd_path == episode.video_sd_path) == as_is
        assert episode.duration_s == pytest.approx(1.5, abs=0.2)
        assert (media / episode.still_path).is_file() and (media / episode.trickplay['path']).is_file()
    pilot = episodes[1]
    assert list(pilot.subtitles) == ['es']
    vtt = (media / pilot.subtitles['es']).read_text(encoding='utf-8')
    assert vtt.startswith('WEBVTT') and '00:00:00.200 --> 00:00:01.000' in vtt and 'Hola, faro.' in vtt
    with Image.open(media / series.poster_path) as poster:  # the folder's poster.jpg, in the sizes pages show
        assert poster.size == (400, 600) and poster.getpixel((200, 300))[2] > 150
    assert library_leftovers(media) == [Path(series.poster_path).parent.name]  # no staging folder
    with db.session() as session:
        assert catalog.count_titles(session) == 1  # the series; its episodes are reached through it
    for label in ('S00E01 «Navidad»', 'S01E01 «La llegada»'):
        assert any(label in message and 'Codificando' in message for message in messages), label
    assert any('S01E02 «La tormenta»' in message and 'tal cual' in message for message in messages)
    assert messages[0].startswith('[1/3] ')


def test_a_broken_file_leaves_no_half_series(tmp_path: Path, butaca_env: Path) -> None:
    show = series_folder(tmp_path / 'in')
    broken_copy(show / 'Season 01' / 'El Faro 1x02 - La tormenta.mp4', show / 'Season 02' / 'El Faro S02E01.mp4')
    with pytest.raises(NotAVideo):
        import_series(show)
    assert rows() == ([], [])
    assert library_leftovers(butaca_env / 'media') == []


def test_a_failure_while_encoding_or_committing_leaves_nothing(
    tmp_path: Path, butaca_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    show = series_folder(tmp_path / 'in')
    real = series_import.make_renditions
    calls = []

    def fails_on_the_second(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError('disco lleno')
        return real(*args, **kwargs)

    monkeypatch.setattr(series_import, 'make_renditions', fails_on_the_second)
    with pytest.raises(RuntimeError, match='disco lleno'):
        import_series(show)
    assert rows() == ([], []) and library_leftovers(butaca_env / 'media') == []

    monkeypatch.setattr(series_import, 'make_renditions', real)
    real_add = catalog.add_episode

    def fails_at_the_last(session: object, **kwargs: object) -> Title:
        if kwargs['season_number'] == 1 and kwargs['episode_number'] == 2:
            raise RuntimeError('la base de datos se fue')
        return real_add(session, **kwargs)

    monkeypatch.setattr(catalog, 'add_episode', fails_at_the_last)
    with pytest.raises(RuntimeError, match='se fue'):
        import_series(show)
    assert rows() == ([], []) and library_leftovers(butaca_env / 'media') == []


def test_names_that_give_no_episode_or_the_same_episode_twice_are_refused_before_encoding(tmp_path: Path) -> None:
    show = tmp_path / 'Serie (2021)'
    make_clip(show / 'Season 01' / 'Serie S01E01.mkv')
    make_clip(show / 'Season 01' / 'making-of.mkv')
    with pytest.raises(ImportRefused, match='making-of.mkv'):
        read_series_folder(show)
    (show / 'Season 01' / 'making-of.mkv').rename(show / 'Season 01' / 'Serie 1x01 - Otra.mkv')
    with pytest.raises(ImportRefused, match='S01E01'):
        read_series_folder(show)
    empty = tmp_path / 'Vacía (2020)'
    empty.mkdir()
    with pytest.raises(ImportRefused, match='ningún episodio'):
        read_series_folder(empty)


def test_importing_the_folder_again_adds_only_the_new_episodes(tmp_path: Path, butaca_env: Path) -> None:
    show = series_folder(tmp_path / 'in')
    first = import_series(show)
    make_clip(show / 'Season 02' / 'El Faro S02E01 - Vuelta.mkv', hue=4)
    messages: list[str] = []
    assert import_series(show, progress=messages.append) == first
    titles, seasons = rows()
    assert [(t.season_number, t.episode_number) for t in titles if t.kind == 'episode'] == [
        (0, 1),
        (1, 1),
        (1, 2),
        (2, 1),
    ]
    assert [s.number for s in seasons] == [0, 1, 2]
    assert messages[0].startswith('[1/1] S02E01 «Vuelta»')
    assert import_series(show) == first  # nothing new: nothing made
    assert len(library_leftovers(butaca_env / 'media')) == 2


def test_the_command_imports_a_folder_and_reports_a_broken_one(
    tmp_path: Path, butaca_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    show = series_folder(tmp_path / 'in')
    bad = tmp_path / 'in' / 'Roto (2019)'
    broken_copy(show / 'Season 01' / 'El Faro 1x02 - La tormenta.mp4', bad / 'Season 01' / 'Roto S01E01.mp4')
    assert importer.main([str(show), str(bad), '--premium']) == 1
    output = capsys.readouterr()
    assert 'Serie añadida al catálogo' in output.out and 'S01E02 «La tormenta»' in output.out
    assert 'Roto (2019): ERROR' in output.err and 'No se ha importado' in output.err
    titles, _ = rows()
    assert {t.title for t in titles if t.kind == 'series'} == {'El Faro'}
    assert all(t.is_premium for t in titles)


def test_a_poster_is_replaced_from_a_picture_or_a_frame_under_new_names(tmp_path: Path, butaca_env: Path) -> None:
    import io

    from app.library import artwork
    from app.library.importer import import_video

    title_id = import_video(make_clip(tmp_path / 'c.mkv', seconds=2.0), title='Clip', genre='Otros', year=2024)
    with db.session() as session:
        old = catalog.get_title_row(session, title_id).poster_path
    media = butaca_env / 'media'
    framed = artwork.replace_artwork(title_id=title_id, kind='poster', at_s=1.0)
    assert framed != old and (media / framed).is_file() and not (media / old).exists()
    buffer = io.BytesIO()
    Image.new('RGB', (800, 450), (0, 200, 0)).save(buffer, 'PNG')
    wide = artwork.replace_artwork(
        title_id=title_id, kind='backdrop', picture=artwork.picture_from_bytes(buffer.getvalue())
    )
    with Image.open(media / wide) as image, db.session() as session:
        assert image.size == (1280, 720) and image.getpixel((640, 360))[1] > 150
        row = catalog.get_title_row(session, title_id)
        assert (row.poster_path, row.backdrop_path) == (framed, wide)
        assert [size['jpeg'] for size in row.images['backdrop']][-1] == wide
    with pytest.raises(artwork.NotAPicture):
        artwork.picture_from_bytes(b'not a picture')
