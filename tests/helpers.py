"""Small helpers shared by the UI tests: make an account, sign in through the form, seed titles."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from nicegui import Client
from nicegui.testing import User

from app import db
from app.components.player import Player
from app.models import Plan, UserPublic
from app.services import accounts, catalog

from .waits import WAIT_S, eventually, wait_for_progress


async def should_see(user: User, target: str | None = None, **kwargs: object) -> None:
    """`user.should_see`, waiting up to WAIT_S (NiceGUI's own default gives up after about 0.3 s)."""
    await user.should_see(target, retries=int(WAIT_S / 0.1), **kwargs)


async def should_not_see(user: User, target: str | None = None, **kwargs: object) -> None:
    await user.should_not_see(target, retries=int(WAIT_S / 0.1), **kwargs)


def press(user: User, marker: str, action: str) -> None:
    """Press the button `data-action="{action}"` in the markup marked `marker`: what that markup's click listener
    sends when it is clicked (app/components/frame.py). The button must be there."""
    (element,) = user.find(marker=marker).elements
    assert f'data-action="{action}"' in element.content, f'no {action} button in {marker}'
    user.find(marker=marker).trigger('click', action)


def make_account(username: str = 'ana', password: str = 'secreto123', plan: Plan = Plan.FREE) -> UserPublic:
    user = accounts.register(username=username, password=password, confirm=password, rounds=4)
    if plan != Plan.FREE:
        user = accounts.set_plan(user_id=user.id, plan=plan)
    return user


async def signed_in(user: User, username: str = 'ana', plan: Plan = Plan.FREE, *, create: bool = True) -> int:
    """Sign in through the login form (making the account first unless `create` is False); returns the user id."""
    if create:
        make_account(username, plan=plan)
    await sign_in(user, username)
    await should_see(user, marker='header', content='data-action="logout"')  # a signed-in page's header
    return accounts.find_by_username(username=username).id


async def sign_in(user: User, username: str = 'ana', password: str = 'secreto123', path: str = '/login') -> None:
    await user.open(path)
    user.find(marker='username').type(username)
    user.find(marker='password').type(password)
    user.find(marker='submit').click()


async def script_loads(user: User, path: str, count: int) -> list[Client]:
    """`count` loads of `path` by a script that never opens their websocket (plain GETs): their clients, oldest
    first."""
    before = set(Client.instances)
    for _ in range(count):
        assert (await user.http_client.get(path)).status_code == 200, path
    return [client for client_id, client in Client.instances.items() if client_id not in before]


async def open_watch(user: User, title_id: int, *, timeout: float = WAIT_S) -> Player:
    """Open the watch page and wait until its player was started (or refused): that happens once the page's
    websocket is up, a moment after the GET."""
    await user.open(f'/watch/{title_id}')
    return await started_player(user, timeout=timeout)


async def started_player(user: User, *, timeout: float = WAIT_S) -> Player:
    player = user.find(marker='player').elements.pop()
    assert isinstance(player, Player)
    await eventually(lambda: player.playback or player.refusal, what='the player to start', timeout=timeout)
    return player


async def open_player(user: User, title_id: int) -> tuple[str, str]:
    """Open the watch page; the video URL the player was given and its playback token."""
    playback = (await open_watch(user, title_id)).playback
    assert playback is not None, 'the playback was refused'
    src = playback['sources'][playback['quality']]
    return src, src.split('/')[2]  # /play/{token}/video/{sd|hd}


GENRES = ('Drama', 'Comedia', 'Documental', 'Animación', 'Suspense')


def seed_titles(
    count: int = 6,
    *,
    premium_every: int = 3,
    duration_s: float = 100.0,
    files: bool = True,
    names: list[str] | None = None,
) -> list[int]:
    """Titles with small stand-in media files (bytes with a known pattern, for Range checks)."""
    from app.config import get_settings

    media = get_settings().media_dir
    ids = []
    with db.session(write=True) as session:
        for index in range(count):
            folder = f'seed/t{index}'
            if files:
                (media / folder).mkdir(parents=True, exist_ok=True)
                for name, size in (('poster.jpg', 100), ('backdrop.jpg', 100), ('sd.mp4', 5000), ('hd.mp4', 9000)):
                    (media / folder / name).write_bytes(bytes((i * 7 + index) % 256 for i in range(size)))
            row = catalog.add_title(
                session,
                title=names[index] if names else f'Título {index}',
                genre=GENRES[index % len(GENRES)],
                year=2000 + index,
                duration_s=duration_s,
                poster_path=f'{folder}/poster.jpg',
                backdrop_path=f'{folder}/backdrop.jpg',
                video_sd_path=f'{folder}/sd.mp4',
                video_hd_path=f'{folder}/hd.mp4',
                sd_height=480,
                hd_height=720,
                description=f'Descripción {index}',
                is_premium=premium_every > 0 and index % premium_every == premium_every - 1,
            )
            ids.append(row.id)
    return ids


async def player_token(user: User, title_id: int) -> str:
    """Open the watch page and return the playback token its player was given."""
    _, token = await open_player(user, title_id)
    return token


async def report(user: User, token: str, position: object, **extra: object) -> int:
    """Send a progress report as the player does (text/plain, as navigator.sendBeacon sends it); returns the status."""
    import json

    body = json.dumps({'position': position, **extra})
    response = await user.http_client.post(
        f'/play/{token}/progress', content=body, headers={'Content-Type': 'text/plain'}
    )
    return response.status_code


def watched(user_id: int, title_id: int, position: float = 30.0, *, now=None) -> None:
    """The viewer played `title_id` up to `position` long enough for their history (30 s or 5 %), through the
    same store the player's reports go through."""
    from datetime import timedelta

    from app.models import utcnow
    from app.services import playback_store
    from app.services.playback_rules import Report

    now = now or utcnow()
    device = accounts.start_session(user_id=user_id)
    started = now - timedelta(seconds=position)  # it played all along, from the start
    play = playback_store.start_playback(user_id=user_id, title_id=title_id, device=device, now=started)
    playback_store.save_now(play.token, Report(position, played_s=position), now=now)
    accounts.end_session(token=device)


def seed_series(
    *, title: str = 'Serie de prueba', seasons: int = 2, episodes: int = 3, premium: bool = False, duration_s=100.0
) -> tuple[int, list[list[int]]]:
    """A series with stand-in media files; returns its id and its episodes' ids by season."""
    from app.config import get_settings

    media = get_settings().media_dir
    ids: list[list[int]] = []
    with db.session(write=True) as session:
        folder = media / 'seed' / 'series'
        folder.mkdir(parents=True, exist_ok=True)
        for name in ('poster.jpg', 'backdrop.jpg'):
            (folder / name).write_bytes(b'x' * 100)
        series = catalog.add_series(
            session,
            title=title,
            genre='Drama',
            year=2024,
            description='Una serie.',
            is_premium=premium,
            poster_path='seed/series/poster.jpg',
            backdrop_path='seed/series/backdrop.jpg',
        )
        for season in range(1, seasons + 1):
            ids.append([])
            for number in range(1, episodes + 1):
                stem = f'seed/series/s{season}e{number}'
                for name, size in (('sd.mp4', 5000), ('hd.mp4', 9000), ('still.jpg', 100)):
                    (media / stem).mkdir(parents=True, exist_ok=True)
                    (media / stem / name).write_bytes(bytes((i + season * 10 + number) % 256 for i in range(size)))
                episode = catalog.add_episode(
                    session,
                    series=series,
                    season_number=season,
                    episode_number=number,
                    title=f'Episodio {season}.{number}',
                    description=f'Sinopsis {season}.{number}',
                    duration_s=duration_s,
                    video_sd_path=f'{stem}/sd.mp4',
                    video_hd_path=f'{stem}/hd.mp4',
                    sd_height=480,
                    hd_height=720,
                    still_path=f'{stem}/still.jpg',
                    intro_start_s=2.0,
                    intro_end_s=8.0,
                    credits_start_s=duration_s - 10,
                )
                ids[-1].append(episode.id)
        return series.id, ids


class JobStep(NamedTuple):
    """Where one job stands: what moves while it works (the worker reports its progress every half second)."""

    state: str
    progress: float
    message: str


def job_steps() -> dict[int, JobStep]:
    """Every job's step, by job id."""
    from app.services import jobs

    return {row.id: JobStep(row.state, round(row.progress, 3), row.message) for row in jobs.listing(limit=200)}


def until_jobs(done: Callable[[dict[int, JobStep]], object], *, what: str) -> dict[int, JobStep]:
    """Until `done` of the jobs' steps is true, watched through their progress: an import that takes longer than one
    wait fails only when no job moved for WAIT_S (`waits.watch_progress(job_steps, ...)` on the event loop)."""
    return wait_for_progress(job_steps, done, what=what)


def all_finished(steps: dict[int, JobStep]) -> bool:
    from app.services import jobs

    return all(step.state in jobs.FINISHED for step in steps.values())
