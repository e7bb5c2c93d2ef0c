"""Names derived from titles and file names: slugs, readable default titles, and what a library path means under
the naming Jellyfin and Plex expect (films, series' episodes, seasons, artwork and subtitle sidecars).

Films: ``Title (Year).ext`` or ``Title (Year)/Title (Year).ext`` (tags such as ``[1080p]`` or ``{imdb-tt123}`` are
ignored). Series: ``Show Name (2020)/Season 01/Show Name S01E02 - Episode Title.mkv``, also ``1x02``, ``S01E02E03``
(a double episode: its first number counts), ``Specials`` (season 0) and numbers of any length. Sidecars:
``poster.jpg`` (also ``folder``/``cover``), ``fanart.jpg``/``backdrop.jpg``/``background.jpg`` (also
``<video>-poster.jpg`` beside a film), ``<video>-thumb.jpg`` (an episode's still), ``<video>.es.srt``/``.vtt``.
Pure functions: no file is opened here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePath

VIDEO_SUFFIXES = frozenset({'.mkv', '.mp4', '.m4v', '.mov', '.avi', '.webm', '.ts', '.m2ts', '.wmv', '.mpg', '.mpeg'})
IMAGE_SUFFIXES = frozenset({'.jpg', '.jpeg', '.png', '.webp'})
SUBTITLE_SUFFIXES = frozenset({'.srt', '.vtt'})
POSTER_NAMES = frozenset({'poster', 'folder', 'cover'})
BACKDROP_NAMES = frozenset({'fanart', 'backdrop', 'background', 'art'})
# ISO 639-2 codes as Plex and Jellyfin accept them, to the two-letter codes the player uses
LANGUAGES = {'spa': 'es', 'esp': 'es', 'eng': 'en', 'fre': 'fr', 'fra': 'fr', 'ger': 'de', 'deu': 'de', 'ita': 'it'}
LANGUAGES |= {'por': 'pt', 'cat': 'ca', 'glg': 'gl', 'eus': 'eu', 'baq': 'eu', 'jpn': 'ja'}
TWO_LETTER = frozenset({'ar', 'da', 'fi', 'he', 'hu', 'ko', 'nl', 'no', 'pl', 'ro', 'ru', 'sv', 'tr', 'uk', 'zh'})
SUBTITLE_FLAGS = frozenset({'forced', 'default', 'sdh', 'cc', 'hi'})

_YEAR = r'(?:19|20)\d{2}'
_TAGS = re.compile(r'\s*(\[[^\]]*\]|\{[^}]*\})')  # [1080p], {imdb-tt0111161}, {tmdb-123}, {edition-Director's Cut}
_TITLE_YEAR = re.compile(rf'^(?P<title>.*?)[\s._]*\((?P<year>{_YEAR})\)\s*$')
_SCENE_YEAR = re.compile(rf'^(?P<title>.+?)[\s._]+(?P<year>{_YEAR})(?:[\s._].*)?$')  # Title.2020.1080p
_SXXEYY = re.compile(
    r'(?<![a-z0-9])s(?P<season>\d{1,4})[\s._-]*e(?P<episode>\d{1,4})(?:[\s._-]*e?(?P<end>\d{1,4}))?', re.I
)
_NXNN = re.compile(
    r'(?<![a-z0-9])(?P<season>\d{1,2})x(?P<episode>\d{1,4})(?:[\s._-]*x?(?P<end>\d{1,4}))?(?![0-9])', re.I
)
_EPISODE_ONLY = re.compile(r'(?<![a-z0-9])(?:e|ep|episode|episodio)[\s._-]*(?P<episode>\d{1,4})(?![0-9])', re.I)
_SEASON_FOLDER = re.compile(r'^(?:season|temporada|series|saison|staffel|s)[\s._-]*(?P<season>\d{1,4})$', re.I)
_SPECIALS = frozenset({'specials', 'special', 'especiales', 'extras especiales', 'season 0', 'season 00'})


def slugify(text: str, *, max_length: int = 60) -> str:
    """'La última ola' -> 'la-ultima-ola': ASCII, lower case, words joined by hyphens ('titulo' if nothing is left)."""
    decomposed = unicodedata.normalize('NFKD', text)
    ascii_text = decomposed.encode('ascii', 'ignore').decode('ascii').lower()
    slug = re.sub(r'[^a-z0-9]+', '-', ascii_text).strip('-')
    return slug[:max_length].rstrip('-') or 'titulo'


def title_from_filename(path: str | Path) -> str:
    """'mi_viaje-a.Cadiz.mp4' -> 'Mi viaje a Cadiz': the file name's stem with separators turned into spaces."""
    words = re.sub(r'[_.\-]+', ' ', Path(path).stem).split()
    text = ' '.join(words) or Path(path).stem or 'Sin título'
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------- what a name says


@dataclass(frozen=True)
class TitleYear:
    """A film's or a series' name: ``'Show Name (2020)'`` -> ('Show Name', 2020); year None when not given."""

    title: str
    year: int | None


@dataclass(frozen=True)
class EpisodeName:
    """What an episode's file name (and its season folder) say."""

    season: int
    episode: int
    title: str  # '' when the name gives none
    last_episode: int | None = None  # S01E02E03: a double episode ends at 3


@dataclass(frozen=True)
class Sidecar:
    """A file that belongs to a video or a folder: artwork ('poster', 'backdrop', 'still') or a subtitle."""

    kind: str  # 'poster', 'backdrop', 'still' or 'subtitle'
    owner: str  # the video stem it belongs to, or '' for the folder (film, series or season)
    language: str = ''  # subtitles: the two-letter code ('und' when the name gives none)


def _clean(text: str) -> str:
    """Separators to spaces, runs of spaces to one, no dangling dashes."""
    text = re.sub(r'[._]+', ' ', text)
    return re.sub(r'\s+', ' ', text).strip(' -–—')


def title_and_year(name: str) -> TitleYear:
    """'Show Name (2020)' -> ('Show Name', 2020); 'Film.2019.1080p' -> ('Film', 2019); tags in [] and {} dropped."""
    name = _TAGS.sub('', name).strip()
    match = _TITLE_YEAR.match(name)
    if match and match['title'].strip(' ._-'):
        return TitleYear(_clean(match['title']), int(match['year']))
    match = _SCENE_YEAR.match(name)
    if match and '.' in name and match['title'].strip(' ._-'):
        return TitleYear(_clean(match['title']), int(match['year']))
    return TitleYear(_clean(name) or name, None)


def season_of_folder(name: str) -> int | None:
    """'Season 01' -> 1, 'Temporada 2' -> 2, 'S3' -> 3, 'Specials' -> 0; None for any other folder name."""
    name = name.strip()
    if name.lower() in _SPECIALS:
        return 0
    match = _SEASON_FOLDER.match(name)
    return int(match['season']) if match else None


def parse_episode(path: str | PurePath) -> EpisodeName | None:
    """The season and episode a video's path gives, or None when it names no episode.

    The file name decides (``S01E02``, ``1x02``); a bare ``E05`` or ``Episode 5`` takes its season from the
    folder (``Season 01``, ``Specials``). The title is what follows the numbers after a dash, if anything.
    """
    path = PurePath(path)
    stem = _TAGS.sub('', path.stem)
    folder_season = season_of_folder(path.parent.name) if path.parent.name else None
    match = _SXXEYY.search(stem) or _NXNN.search(stem)
    if match:
        season = int(match['season'])
    else:
        match = _EPISODE_ONLY.search(stem)
        if match is None or folder_season is None:
            return None
        season = folder_season
    episode = int(match['episode'])
    end = int(match['end']) if match.groupdict().get('end') else None
    last = end if end is not None and end > episode else None
    return EpisodeName(season, episode, _episode_title(stem[match.end() :]), last)


def _episode_title(rest: str) -> str:
    rest = re.sub(r'^[\s._]*[-–—][\s._]*', '', rest)  # 'S01E02 - Title' or 'S01E02.-.Title'
    rest = re.sub(r'\b(?:480|576|720|1080|2160)[pi]\b.*$', '', rest, flags=re.I)  # quality tags end the title
    return _clean(rest)


def series_of(path: str | PurePath, root: str | PurePath | None = None) -> TitleYear:
    """The series an episode belongs to: its show folder (the season folder's parent, or its own folder), or, for a
    loose file, the words before its ``S01E02``."""
    path = PurePath(path)
    folder = path.parent
    if season_of_folder(folder.name) is not None:
        folder = folder.parent
    if folder.name and (root is None or PurePath(folder) != PurePath(root)):
        return title_and_year(folder.name)
    stem = _TAGS.sub('', path.stem)
    match = _SXXEYY.search(stem) or _NXNN.search(stem)
    return title_and_year(stem[: match.start()] if match else stem)


def parse_film(path: str | PurePath) -> TitleYear:
    """A film's title and year: from its file name, or from its folder when the file name gives no year
    (``Title (Year)/movie.mkv``)."""
    path = PurePath(path)
    named = title_and_year(path.stem)
    if named.year is None and path.parent.name:
        folder = title_and_year(path.parent.name)
        if folder.year is not None:
            return folder
    return named


def is_video(path: str | PurePath) -> bool:
    return PurePath(path).suffix.lower() in VIDEO_SUFFIXES


def sidecar(path: str | PurePath) -> Sidecar | None:
    """What an image or subtitle file next to videos is; None for anything else (videos, .nfo, unknown images)."""
    path = PurePath(path)
    suffix, stem = path.suffix.lower(), path.stem
    if suffix in IMAGE_SUFFIXES:
        lowered = stem.lower()
        if lowered in POSTER_NAMES:
            return Sidecar('poster', '')
        if lowered in BACKDROP_NAMES:
            return Sidecar('backdrop', '')
        owner, _, role = stem.rpartition('-')
        role = role.lower()
        if owner and role in POSTER_NAMES:
            return Sidecar('poster', owner)
        if owner and role in BACKDROP_NAMES:
            return Sidecar('backdrop', owner)
        if owner and role == 'thumb':
            return Sidecar('still', owner)
        return None
    if suffix in SUBTITLE_SUFFIXES:
        parts = stem.split('.')
        language = 'und'
        while len(parts) > 1 and parts[-1].lower() in SUBTITLE_FLAGS:
            parts.pop()
        if len(parts) > 1 and _language(parts[-1]):
            language = _language(parts.pop())
        return Sidecar('subtitle', '.'.join(parts), language)
    return None


def _language(code: str) -> str:
    code = code.lower()
    if code in LANGUAGES.values() or code in TWO_LETTER:
        return code
    return LANGUAGES.get(code, '')
