"""The library's name parser, as a table: films, series' episodes, season folders and sidecars named the way
Jellyfin and Plex expect."""

from __future__ import annotations

import pytest

from app.library.naming import (
    EpisodeName,
    Sidecar,
    TitleYear,
    is_video,
    parse_episode,
    parse_film,
    season_of_folder,
    series_of,
    sidecar,
    title_and_year,
)

FILMS = [
    ('Films/La última ola (2019).mp4', TitleYear('La última ola', 2019)),
    ('Films/La última ola (2019)/La última ola (2019).mkv', TitleYear('La última ola', 2019)),
    ('Films/Blade Runner (1982)/movie.mkv', TitleYear('Blade Runner', 1982)),  # the folder names it
    ('Films/Alien (1979) [1080p] {imdb-tt0078748}.mkv', TitleYear('Alien', 1979)),
    ('Films/The.Matrix.1999.1080p.BluRay.mkv', TitleYear('The Matrix', 1999)),
    ('Films/2001 A Space Odyssey (1968).mp4', TitleYear('2001 A Space Odyssey', 1968)),
    ('Films/Vacaciones en casa.mp4', TitleYear('Vacaciones en casa', None)),
    ('Films/(2020).mp4', TitleYear('(2020)', None)),  # a year alone is no title
]


@pytest.mark.parametrize(('path', 'expected'), FILMS)
def test_film_names(path: str, expected: TitleYear) -> None:
    assert parse_film(path) == expected


EPISODES = [
    ('Show Name (2020)/Season 01/Show Name S01E02 - Episode Title.mkv', EpisodeName(1, 2, 'Episode Title')),
    ('Show Name (2020)/Season 01/Show Name - s01e02 - Episode Title.mkv', EpisodeName(1, 2, 'Episode Title')),
    ('Show/Season 1/Show 1x02 - El faro.mp4', EpisodeName(1, 2, 'El faro')),
    ('Show/Season 01/Show.01x02.El.faro.720p.mkv', EpisodeName(1, 2, 'El faro')),
    ('Show/Season 12/Show S12E105 - Long running.mkv', EpisodeName(12, 105, 'Long running')),  # multi-digit
    ('Show/Season 2024/Show S2024E01.mkv', EpisodeName(2024, 1, '')),
    ('Show/Specials/Show S00E01 - Christmas.mkv', EpisodeName(0, 1, 'Christmas')),
    ('Show/Specials/Episode 3 - Behind the scenes.mkv', EpisodeName(0, 3, 'Behind the scenes')),  # season: folder
    ('Show/Season 02/E05.mkv', EpisodeName(2, 5, '')),
    ('Show/Season 02/Show S02E05E06 - Double.mkv', EpisodeName(2, 5, 'Double', last_episode=6)),
    ('Show/Season 02/Show S02E05-E06 - Double.mkv', EpisodeName(2, 5, 'Double', last_episode=6)),
    ('Show/Season 02/Show [1080p] S02E07 - Tags {tvdb-1}.mkv', EpisodeName(2, 7, 'Tags')),
    ('Show/Season 1/Show - S01E01 - Pilot (part 1).mkv', EpisodeName(1, 1, 'Pilot (part 1)')),
    ('Show/Temporada 3/Serie S03E04 - Capítulo.mkv', EpisodeName(3, 4, 'Capítulo')),
    ('Films/Alien (1979).mkv', None),
    ('Films/1917 (2019).mkv', None),  # a year is no 19x17
    ('Show/Extras/E05.mkv', None),  # a bare number needs a season folder
    ('Films/Apollo 13 (1995).mkv', None),
]


@pytest.mark.parametrize(('path', 'expected'), EPISODES)
def test_episode_names(path: str, expected: EpisodeName | None) -> None:
    assert parse_episode(path) == expected


SERIES = [
    ('TV/Show Name (2020)/Season 01/Show Name S01E02 - Title.mkv', TitleYear('Show Name', 2020)),
    ('TV/Show Name (2020)/Show Name S01E02 - Title.mkv', TitleYear('Show Name', 2020)),  # no season folders
    ('TV/Show Name/Specials/Show Name S00E01.mkv', TitleYear('Show Name', None)),
    ('TV/Show.Name.S01E02.720p.mkv', TitleYear('Show Name', None)),  # loose in the library root
]


@pytest.mark.parametrize(('path', 'expected'), SERIES)
def test_series_of_an_episode(path: str, expected: TitleYear) -> None:
    assert series_of(path, root='TV') == expected


SEASON_FOLDERS = [
    ('Season 01', 1),
    ('Season 1', 1),
    ('season 10', 10),
    ('Temporada 2', 2),
    ('S03', 3),
    ('Specials', 0),
    ('Season 00', 0),
    ('Extras', None),
    ('Show Name (2020)', None),
]


@pytest.mark.parametrize(('name', 'expected'), SEASON_FOLDERS)
def test_season_folders(name: str, expected: int | None) -> None:
    assert season_of_folder(name) == expected


SIDECARS = [
    ('poster.jpg', Sidecar('poster', '')),
    ('folder.png', Sidecar('poster', '')),
    ('fanart.jpg', Sidecar('backdrop', '')),
    ('backdrop.webp', Sidecar('backdrop', '')),
    ('Alien (1979)-poster.jpg', Sidecar('poster', 'Alien (1979)')),
    ('Alien (1979)-fanart.jpg', Sidecar('backdrop', 'Alien (1979)')),
    ('Show S01E02 - Title-thumb.jpg', Sidecar('still', 'Show S01E02 - Title')),
    ('film.es.srt', Sidecar('subtitle', 'film', 'es')),
    ('film.en.vtt', Sidecar('subtitle', 'film', 'en')),
    ('film.spa.srt', Sidecar('subtitle', 'film', 'es')),
    ('film.en.forced.srt', Sidecar('subtitle', 'film', 'en')),
    ('film.srt', Sidecar('subtitle', 'film', 'und')),
    ('The.Film.2020.srt', Sidecar('subtitle', 'The.Film.2020', 'und')),
    ('Show S01E02 - Title.es.srt', Sidecar('subtitle', 'Show S01E02 - Title', 'es')),
    ('holiday.jpg', None),
    ('film.nfo', None),
    ('film.mkv', None),
]


@pytest.mark.parametrize(('name', 'expected'), SIDECARS)
def test_sidecars(name: str, expected: Sidecar | None) -> None:
    assert sidecar(name) == expected


def test_videos_are_known_by_their_suffix() -> None:
    assert is_video('a/b.MKV') and is_video('b.mp4') and is_video('c.webm')
    assert not is_video('poster.jpg') and not is_video('film.srt') and not is_video('tvshow.nfo')


def test_title_and_year_drop_tags_and_keep_inner_parentheses() -> None:
    assert title_and_year('Amélie (2001) {tmdb-194}') == TitleYear('Amélie', 2001)
    assert title_and_year('Cosmos (A Personal Voyage) (1980)') == TitleYear('Cosmos (A Personal Voyage)', 1980)


def test_nfo_files_give_their_facts_and_hostile_or_foreign_ones_none(tmp_path) -> None:
    from app.library.nfo import NfoFacts, read_nfo

    good = tmp_path / 'movie.nfo'
    good.write_text(
        '<?xml version="1.0"?><movie><title>Alien</title><plot>En el espacio.</plot><year>1979</year>'
        '<genre>Terror</genre><genre>Ciencia ficción</genre></movie>',
        encoding='utf-8',
    )
    assert read_nfo(good) == NfoFacts('Alien', 'En el espacio.', 1979, ['Terror', 'Ciencia ficción'])
    episode = tmp_path / 'e.nfo'
    episode.write_text('<episodedetails><title>Uno</title><season>2</season><episode>3</episode>'
                       '<aired>2020-05-01</aired></episodedetails>')  # fmt: skip
    assert (read_nfo(episode).season, read_nfo(episode).episode, read_nfo(episode).year) == (2, 3, 2020)
    bomb = tmp_path / 'bomb.nfo'
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
                    '<movie><title>&lol2;</title></movie>')  # fmt: skip
    link = tmp_path / 'imdb.nfo'
    link.write_text('https://www.imdb.com/title/tt0078748/')
    other = tmp_path / 'other.nfo'
    other.write_text('<html><title>x</title></html>')
    for path in (bomb, link, other, tmp_path / 'missing.nfo'):
        assert read_nfo(path) == NfoFacts()
