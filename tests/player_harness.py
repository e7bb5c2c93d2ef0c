"""A test-only page that mounts the real player with real files made here, for what the app does not have yet
(subtitles, trickplay, markers, next episode, more like this, audio languages).

    python -m tests.player_harness [--port 8790] [--library assets/media/demo]

serves it for looking at the player by hand (and for scripts/screenshots.py): /harness/player, or
/harness/player?preset=subtitles|series; with --library, on a demo title's video and artwork.

`make_media` writes a short H.264/AAC video in two qualities and two audio languages (PyAV, as the demo library
does), a WebVTT file per language and a trickplay sprite sheet. `Harness.install` serves them on /harness/files/,
adds /harness/player (the component, started once the page's websocket is up, as the watch page does) and stand-ins
for the server's player endpoints that record what they receive: progress, preferences, stop-others. A test sets
`harness.answer` to make the progress endpoint refuse (403 with a stop key) or fail (503), and `harness.hold` to
keep its answers on the way until the test lets them go.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import numpy as np
from fastapi import Request
from nicegui import app, context, ui
from PIL import Image, ImageDraw, ImageFont
from starlette.responses import FileResponse, JSONResponse, Response

from app.components.player import Player, shell_for
from app.components.theme import apply_theme
from app.library.placeholder.music import soundtrack
from app.library.probe import frame_at
from app.library.renditions import Rendition, RenditionWriter, max_kbps

from .waits import WAIT_S

DURATION_S = 40
FPS = 10
SD_SIZE = (480, 270)
HD_SIZE = (960, 540)
TILE = (160, 90)
INTERVAL_S = 10
COLUMNS = ROWS = 2
SUBTITLES = {'es': 'Hola', 'en': 'Hello'}


def picture(second: int, size: tuple[int, int] = HD_SIZE) -> Image.Image:
    """What the video shows during `second`: a colour that turns with time and the time written large."""
    hue = (second * 9) % 360
    image = Image.new('HSV', size, (int(hue * 255 / 360), 160, 150)).convert('RGB')
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=size[1] // 4)
    draw.text((size[0] // 2, size[1] // 2), f'{second // 60}:{second % 60:02d}', fill='white', font=font, anchor='mm')
    return image


def make_media(folder: Path) -> dict[str, Path]:
    """Every file the harness serves, by its name under /harness/files/."""
    folder.mkdir(parents=True, exist_ok=True)
    stills = [np.asarray(picture(second)) for second in range(DURATION_S)]
    languages = {'es': 0, 'en': 3}  # two keys: the two audio languages sound different
    for language, seed in languages.items():
        sound = soundtrack(DURATION_S, seed=seed)
        sizes = {'sd': SD_SIZE, 'hd': HD_SIZE} if language == 'es' else {'sd': SD_SIZE}
        renditions = [
            Rendition(folder / f'{quality}-{language}.mp4', *size, max_kbps(*size, FPS), qp=30)
            for quality, size in sizes.items()
        ]
        with RenditionWriter(renditions, fps=FPS, audio=sound, preset='ultrafast') as writer:
            for index in range(DURATION_S * FPS):
                writer.write(av.VideoFrame.from_ndarray(stills[index // FPS], format='rgb24'))
    for language, word in SUBTITLES.items():
        (folder / f'{language}.vtt').write_text(vtt(word), encoding='utf-8')
    sheet = Image.new('RGB', (TILE[0] * COLUMNS, TILE[1] * ROWS))
    for index in range(tile_count()):
        tile = picture(index * INTERVAL_S).resize(TILE)
        sheet.paste(tile, ((index % COLUMNS) * TILE[0], (index // COLUMNS) * TILE[1]))
    sheet.save(folder / 'trickplay.jpg', quality=80)
    picture(0, (400, 600)).save(folder / 'poster.jpg')
    picture(30, (640, 360)).save(folder / 'still.jpg')
    return {path.name: path for path in folder.iterdir() if path.is_file()}


def vtt(word: str) -> str:
    """A cue every two seconds, all through the video: '<word> 0', '<word> 2'..."""
    lines = ['WEBVTT', '']
    for start in range(0, DURATION_S, 2):
        lines += [f'00:00:{start:02d}.000 --> 00:00:{start + 2:02d}.000', f'{word} {start}', '']
    return '\n'.join(lines)


def tile_count() -> int:
    return math.ceil(DURATION_S / INTERVAL_S)


def config(**overrides: Any) -> dict[str, Any]:
    """A full playback config on the harness's files; tests override what they are about."""
    files = '/harness/files'
    base = {
        'id': 'harness-playback-1',
        'mediaKey': 'harness:1',
        'sources': {'SD': f'{files}/sd-es.mp4', 'HD': f'{files}/hd-es.mp4'},
        'quality': 'SD',
        'hdLocked': False,
        'qualityLabels': {'SD': 'SD · 270p', 'HD': 'HD · 540p'},
        'audio': None,
        'resume': 0,
        'progress': {'url': '/harness/progress', 'token': 'harness-token', 'everySeconds': 10},
        'subtitles': [
            {'lang': 'es', 'label': 'Español', 'url': f'{files}/es.vtt'},
            {'lang': 'en', 'label': 'English', 'url': f'{files}/en.vtt'},
        ],
        'subtitleLang': None,
        'preferencesUrl': '/harness/preferences',
        'trickplay': {
            'url': f'{files}/trickplay.jpg',
            'interval': INTERVAL_S,
            'width': TILE[0],
            'height': TILE[1],
            'columns': COLUMNS,
            'rows': ROWS,
            'count': tile_count(),
        },
        'markers': None,
        'next': None,
        'moreLikeThis': [
            {'title': f'Parecida {index}', 'url': f'/harness/more/{index}', 'poster': f'{files}/poster.jpg'}
            for index in range(4)
        ],
        'stopOthersUrl': None,
    }
    return base | overrides


def presets(duration: float = DURATION_S) -> dict[str, dict[str, Any]]:
    """Config overrides picked with ?preset=: subtitles on, or an episode (intro and credits markers, a next one)."""
    episode = {'label': 'T1:E3', 'title': 'El faro', 'url': '/harness/more/next', 'still': '/harness/files/still.jpg'}
    return {
        'subtitles': {'subtitleLang': 'es'},
        'series': {'markers': {'introStart': 2, 'introEnd': 12, 'creditsStart': duration - 10}, 'next': episode},
    }


@dataclass
class Harness:
    files: dict[str, Path]
    config: dict[str, Any] = field(default_factory=config)
    shell: dict[str, Any] = field(default_factory=dict)  # overrides of the shell
    answer: tuple[int, dict] | None = None  # the progress endpoint's answer; None: 200 saved
    hold: threading.Event | None = None  # while set and not yet set off, progress answers wait for it
    unavailable: set[str] = field(default_factory=set)  # files that answer 503 for now
    reports: list[dict] = field(default_factory=list)
    preferences: list[dict] = field(default_factory=list)
    stop_others: int = 0
    players: list[Player] = field(default_factory=list)
    presets: dict[str, dict[str, Any]] = field(default_factory=presets)

    def install(self) -> None:
        """Routes and the page; call in the test, before the first screen.open (routes are reset between tests)."""
        app.get('/harness/files/{name}')(self._file)
        app.post('/harness/progress')(self._progress)
        app.post('/harness/preferences')(self._preferences)
        app.post('/harness/stop-others')(self._stop_others)
        ui.page('/harness/player')(self._page)
        ui.page('/harness/more/{index}')(self._more)

    def _file(self, name: str) -> Response:
        if name in self.unavailable:
            return JSONResponse({'detail': 'unavailable'}, status_code=503)
        path = self.files.get(name)
        return FileResponse(path) if path else JSONResponse({'detail': 'no such file'}, status_code=404)

    async def _progress(self, request: Request) -> JSONResponse:
        self.reports.append(json.loads(await request.body()))
        if self.hold is not None:
            await asyncio.to_thread(self.hold.wait, WAIT_S)
        if self.answer is not None:
            status, body = self.answer
            return JSONResponse(body, status_code=status)
        return JSONResponse({'saved': True})

    async def _preferences(self, request: Request) -> JSONResponse:
        self.preferences.append(json.loads(await request.body()))
        return JSONResponse({'saved': True})

    def _stop_others(self) -> JSONResponse:
        self.stop_others += 1
        self.answer = None
        return JSONResponse({'stopped': 1})

    async def _page(self, preset: str = '') -> None:
        apply_theme()
        shell = shell_for(title='Harness', poster='/harness/files/poster.jpg', back_url='/harness/more/back')
        player = Player(shell | self.shell).mark('player')
        self.players.append(player)
        await context.client.connected(timeout=10)
        player.start(self.config | self.presets.get(preset, {}))

    def _more(self, index: str) -> None:
        ui.label(f'more {index}').mark('more-page')


# ---------------------------------------------------------------- serving it by hand, on a demo title

DIALOGUE = {
    'es': ['—¿Has visto cómo rompe hoy?', '—Como aquel invierno.', '—Esta vez no pienso quedarme mirando.'],
    'en': ['—Have you seen how it breaks today?', '—Like that winter.', '—This time I am not staying on the shore.'],
}


def demo_media(library: Path, folder: Path, *, title: str = 'la-ultima-ola') -> tuple[dict[str, Path], dict]:
    """The harness's files made from a demo title (its video, artwork, subtitles and a real trickplay sheet from
    its frames); also the config that fits them."""
    source = library / title
    manifest = json.loads((source / '.demo.json').read_text())
    duration = int(manifest['duration_s'])
    folder.mkdir(parents=True, exist_ok=True)
    files = {'sd-es.mp4': source / 'sd.mp4', 'hd-es.mp4': source / 'hd.mp4', 'poster.jpg': source / 'poster.jpg'}
    files['still.jpg'] = library / 'el-guardian-del-faro' / 'backdrop.jpg'
    for language, lines in DIALOGUE.items():
        cues = ['WEBVTT', '']
        for start in range(0, duration, 4):
            cues += [f'00:00:{start:02d}.000 --> 00:00:{start + 4:02d}.000', lines[start // 4 % len(lines)], '']
        (folder / f'{language}.vtt').write_text('\n'.join(cues), encoding='utf-8')
        files[f'{language}.vtt'] = folder / f'{language}.vtt'
    tile, columns = (240, 135), 3
    count = math.ceil(duration / INTERVAL_S)
    sheet = Image.new('RGB', (tile[0] * columns, tile[1] * math.ceil(count / columns)))
    for index in range(count):
        picture = frame_at(source / 'sd.mp4', index * INTERVAL_S).resize(tile)
        sheet.paste(picture, ((index % columns) * tile[0], (index // columns) * tile[1]))
    sheet.save(folder / 'trickplay.jpg', quality=82)
    files['trickplay.jpg'] = folder / 'trickplay.jpg'
    others = sorted(path for path in library.iterdir() if path.is_dir() and path.name != title)[:6]
    more = []
    for index, other in enumerate(others):
        files[f'more-{index}.jpg'] = other / 'poster.jpg'
        name = json.loads((other / '.demo.json').read_text())['title']
        more.append({'title': name, 'url': f'/harness/more/{index}', 'poster': f'/harness/files/more-{index}.jpg'})
    trickplay = {'url': '/harness/files/trickplay.jpg', 'interval': INTERVAL_S, 'width': tile[0], 'height': tile[1]}
    overrides = {
        'qualityLabels': {'SD': 'SD · 480p', 'HD': 'HD · 720p'},
        'trickplay': trickplay | {'columns': columns, 'rows': math.ceil(count / columns), 'count': count},
        'moreLikeThis': more,
    }
    return files, {'title': manifest['title'], 'config': overrides, 'duration': duration}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--port', type=int, default=8790)
    parser.add_argument('--library', type=Path, help='a demo library folder (assets/media/demo)')
    parser.add_argument('--work', type=Path, default=Path('data') / 'player-harness')
    args = parser.parse_args()
    title = 'Harness'
    if args.library:
        files, made = demo_media(args.library, args.work)
        harness = Harness(files, config=config(**made['config']), presets=presets(made['duration']))
        title = made['title']
    else:
        harness = Harness(make_media(args.work))
    harness.shell = {'title': title, 'episodeLabel': None, 'browseUrl': '/harness/more/browse'}
    harness.install()
    app.add_static_files('/static', Path(__file__).resolve().parent.parent / 'app' / 'static')
    ui.run(port=args.port, host='127.0.0.1', reload=False, show=False, storage_secret='harness-only-' * 4)


if __name__ in {'__main__', '__mp_main__'}:
    main()
