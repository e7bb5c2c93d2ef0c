"""Small helpers shared by the UI tests: make an account, sign in through the form."""

from __future__ import annotations

from nicegui.testing import User

from app import db
from app.models import Plan, UserPublic
from app.services import accounts


def make_account(username: str = 'ana', password: str = 'secreto123', plan: Plan = Plan.FREE) -> UserPublic:
    user = db.call(accounts.register, username=username, password=password, confirm=password, rounds=4)
    if plan != Plan.FREE:
        user = db.call(accounts.set_plan, user_id=user.id, plan=plan)
    return user


async def signed_in(user: User, username: str = 'ana', plan: Plan = Plan.FREE, *, create: bool = True) -> int:
    """Sign in through the login form (making the account first unless `create` is False); returns the user id."""
    if create:
        make_account(username, plan=plan)
    await sign_in(user, username)
    # Up to 3 s, not should_see's 0.3 s: sign-in is a bcrypt check and a write in worker threads, which on a busy
    # shared machine (two suites, or a second run of the page tests on PostgreSQL) can take longer.
    await user.should_see(marker='logout', retries=30)
    return db.call(accounts.find_by_username, username=username).id


async def sign_in(user: User, username: str = 'ana', password: str = 'secreto123', path: str = '/login') -> None:
    await user.open(path)
    user.find(marker='username').type(username)
    user.find(marker='password').type(password)
    user.find(marker='submit').click()


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
    from app.services import catalog

    media = get_settings().media_dir
    ids = []
    with db.session_scope() as session:
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
