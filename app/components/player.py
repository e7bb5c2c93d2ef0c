"""The player: a thin Python handle on the client-side component in app/static/player.js (+ player.css, butaca/*.js).

Why a NiceGUI custom element (a Vue component) rather than a script that finds a <video>: the page gets a typed
handle with props and methods, the component is loaded as an ES module before it mounts (no waiting for a deferred
script), and its state (paused, menus, messages) is Vue data drawn by one template that a Python developer can read
top to bottom. Everything it draws is inside one wrapper, which is also what goes fullscreen: Quasar's dialogs and
`ui.notify` attach to <body> and would not be seen there.

Two steps, so that opening the page changes nothing on the server:

1. ``Player(shell)`` at page build: poster, title, back button and a spinner, and every text it may show.
2. Once the page's websocket is up: ``player.start(playback)`` with a playback config, or ``player.refuse(...)``.
   From then on the component needs no websocket; it talks HTTP to the URLs of its config only.

The shell (``shell_for`` builds it)::

    {title, episodeLabel: str | None, poster: url | None,
     backUrl (no history in this tab), browseUrl, upgradeUrl: url | None,
     messages: {key: text}}               # every player.* and watch.* string, unformatted ({placeholders} kept)

The playback config (``start``)::

    {id: str,                              # unique per playback; the same id sent again is ignored
     mediaKey: str,                        # what is played ('title:12'): a reload resumes where this tab was
     sources: {SD: url, HD: url | None}, quality: 'SD' | 'HD', hdLocked: bool,
     qualityLabels: {SD: 'SD · 480p', HD: 'HD · 720p'} | None,
     audio: [{lang, label, sources: {SD, HD}}] | None,   # one rendition per language, when a file has several
     resume: seconds, autoplay: bool (default true),
     progress: {url, token: str | None, everySeconds: 10},   # see "Progress reports" below
     subtitles: [{lang, label, url}], subtitleLang: 'es' | 'en' | None (omit: this device's last choice),
     preferencesUrl: url | None,           # POST {"subtitles": lang | null} when the viewer picks
     trickplay: {url | urls: [...], interval, width, height, columns, rows, count} | None,
     markers: {introStart, introEnd, creditsStart} | None,   # seconds, each may be None
     next: {label, title, url, still} | None, stillWatchingAfter: 3,
     moreLikeThis: [{title, url, poster}], stopOthersUrl: url | None}

Who calls what: the page sets ``start(playback)`` / ``refuse(key, text)`` (the props ``playback`` and ``refusal``)
and may call ``stop(key, text)`` at any time (the component's method, over the websocket); the component emits
``stopOthers`` (``on_stop_others``) when the viewer asks to stop the other screens and no stopOthersUrl was given.
Everything else it does by itself, over HTTP, to the URLs of its config.

Progress reports: POST to progress.url, body text/plain JSON {position: seconds | null, ended, leaving, seq[, token]}
(position null until the resume seek is done; seq counts this playback's reports, so that a server can keep the
newest when two cross; leaving only from pagehide, by sendBeacon). Every everySeconds, playing or paused (the
heartbeat that keeps the screen), and on pause, seek and end; by beacon when the page is hidden or left.
Answers it understands: 2xx saved; 403 {"detail": key, "stop": true} (key: watch.stopped_elsewhere,
watch.stopped_plan, watch.screens_full, watch.session_ended) stops it with that message; 401 and 404 end the session;
5xx and no answer are kept in localStorage and sent again with backoff, the newest winning.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from ..i18n import TEXTS, translate
from ..lang import current_language

ESM = {'butaca': '../static/butaca'}  # the component's modules, imported as 'butaca/<name>.js'
MESSAGE_PREFIXES = ('player.', 'watch.')


class Player(ui.element, component='../static/player.js', esm=ESM):
    def __init__(self, shell: dict[str, Any], *, full_page: bool = True) -> None:
        super().__init__()
        ui.add_head_html('<link rel="stylesheet" href="/static/player.css">')
        self._props['shell'] = shell
        self._props['playback'] = None
        self._props['refusal'] = None
        if full_page:
            self.classes('bp-fullpage')

    @property
    def playback(self) -> dict[str, Any] | None:
        return self._props['playback']

    @property
    def refusal(self) -> dict[str, Any] | None:
        return self._props['refusal']

    def start(self, playback: dict[str, Any]) -> None:
        """Hand over a playback config: the component sets its video and plays (see the module docstring)."""
        self._props['refusal'] = None
        self._props['playback'] = playback
        self.update()

    def refuse(self, key: str, text: str, *, stop_others_url: str | None = None) -> None:
        """Show why no playback was started (`key` picks the actions, e.g. watch.screens_full: Stop the others)."""
        self._props['refusal'] = {'key': key, 'text': text, 'stopOthersUrl': stop_others_url}
        self.update()

    def stop(self, key: str, text: str | None = None) -> None:
        """Stop at once (over the websocket) and show the message `key` over the video, inside fullscreen."""
        self.run_method('stop', key, text)

    def on_stop_others(self, handler: Callable[..., Any]) -> None:
        """Called when the viewer asks to stop the other screens and no stopOthersUrl was given."""
        self.on('stopOthers', handler)


def shell_for(
    *,
    title: str,
    poster: str | None,
    back_url: str,
    browse_url: str = '/',
    upgrade_url: str | None = None,
    episode_label: str | None = None,
) -> dict[str, Any]:
    """The shell of a player in the viewer's language."""
    return {
        'title': title,
        'episodeLabel': episode_label,
        'poster': poster,
        'backUrl': back_url,
        'browseUrl': browse_url,
        'upgradeUrl': upgrade_url,
        'messages': player_messages(current_language()),
    }


def player_messages(language: str) -> dict[str, str]:
    """Every text the player may show, unformatted: the component fills the {placeholders}."""
    return {key: translate(language, key) for key in TEXTS['es'] if key.startswith(MESSAGE_PREFIXES)}
