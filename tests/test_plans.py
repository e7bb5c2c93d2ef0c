"""FREE and PREMIUM, enforced on the server: titles, quality, screens, and the profile that changes them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from nicegui.testing import User
from sqlmodel import func, select

from app import db
from app.i18n import translate
from app.i18n.format import plural
from app.models import Plan, Playback
from app.services import accounts

from .helpers import (
    make_account,
    open_player,
    open_watch,
    press,
    report,
    seed_titles,
    should_not_see,
    should_see,
    sign_in,
    signed_in,
    started_player,
)
from .waits import eventually

pytestmark = pytest.mark.every_database  # once on SQLite, once on PostgreSQL (tests/conftest.py)


async def heartbeat(user: User, token: str, position: float = 30.0) -> int:
    return await report(user, token, position)


def set_plan(username: str, plan: Plan) -> None:
    account = accounts.find_by_username(username=username)
    accounts.set_plan(user_id=account.id, plan=plan)


async def test_free_users_see_the_upgrade_panel_and_no_video_url_for_premium_titles(user: User):
    ids = seed_titles(3, premium_every=3)  # ids[2] is premium
    await signed_in(user)
    await user.open(f'/watch/{ids[2]}')
    await should_see(user, marker='upgrade-panel')
    await should_see(user, marker='plan-comparison')
    await should_not_see(user, marker='player')
    with db.session() as session:  # no playback was started, so no token exists that could fetch its bytes
        assert session.exec(select(func.count()).select_from(Playback)).one() == 0


async def test_free_users_stream_sd_only_even_with_a_valid_token(user: User):
    (title_id,) = seed_titles(1)
    await signed_in(user)
    src, token = await open_player(user, title_id)
    assert src.endswith('/video/sd')
    assert user.find(marker='player').elements.pop().playback['hdLocked']  # HD: a Premium badge, no URL
    assert (await user.http_client.get(src, headers={'Range': 'bytes=0-9'})).status_code == 206
    assert (await user.http_client.get(f'/play/{token}/video/hd')).status_code == 403


async def test_upgrade_in_the_upgrade_panel_then_play_in_hd(user: User):
    ids = seed_titles(3, premium_every=3)
    await signed_in(user)
    await user.open(f'/watch/{ids[2]}')
    user.find(marker='upgrade').click()
    await should_see(user, translate('es', 'plan.no_payment'))
    user.find(marker='confirm-plan').click()
    await should_see(user, marker='player')  # the page reloads with the player
    playback = (await started_player(user)).playback
    src = playback['sources']['HD']
    assert src.endswith('/video/hd') and playback['quality'] == 'HD' and not playback['hdLocked']
    assert playback['qualityLabels']['HD'] == 'HD · 720p'
    assert (await user.http_client.get(src, headers={'Range': 'bytes=0-9'})).status_code == 206


async def test_a_downgrade_mid_playback_refuses_media_and_stops_the_page(user: User):
    ids = seed_titles(3, premium_every=3)
    await signed_in(user, plan=Plan.PREMIUM)
    src, token = await open_player(user, ids[2])
    assert (await user.http_client.get(src, headers={'Range': 'bytes=0-9'})).status_code == 206
    set_plan('ana', Plan.FREE)  # from another tab or device
    assert (await user.http_client.get(src, headers={'Range': 'bytes=10-19'})).status_code == 403
    response = await user.http_client.post(
        f'/play/{token}/progress', content='{"position": 40}', headers={'Content-Type': 'text/plain'}
    )
    assert response.status_code == 403
    assert response.json() == {'detail': 'watch.stopped_plan', 'stop': True}  # the player stops on this


async def test_a_free_title_in_hd_stops_after_a_downgrade_but_sd_goes_on_after_an_upgrade(user: User):
    (title_id,) = seed_titles(1)
    await signed_in(user, plan=Plan.PREMIUM)
    hd_src, hd_token = await open_player(user, title_id)
    set_plan('ana', Plan.FREE)
    assert (await user.http_client.get(hd_src)).status_code == 403
    sd_src, sd_token = await open_player(user, title_id)
    set_plan('ana', Plan.PREMIUM)
    assert (await user.http_client.get(sd_src, headers={'Range': 'bytes=0-9'})).status_code == 206
    assert await heartbeat(user, sd_token) == 204


async def test_a_second_screen_is_refused_on_free_and_can_stop_the_first(create_user: Callable[[], User]):
    (title_id,) = seed_titles(1)
    make_account('ana')
    laptop, phone = create_user(), create_user()
    laptop.http_client.headers['User-Agent'] = WINDOWS_CHROME
    await signed_in(laptop, create=False)
    await signed_in(phone, create=False)
    laptop_src, laptop_token = await open_player(laptop, title_id)
    player = await open_watch(phone, title_id)
    assert player.refusal['text'].startswith(plural('es', 'watch.screens_full', 1, used=1))
    # The other screen, by what it plays, on which browser, and when it was last heard from.
    assert '«Título 0» en Chrome en Windows (activa ahora)' in player.refusal['text']
    assert translate('es', 'watch.screens_premium', screens=4) in player.refusal['text']  # what Premium allows
    assert player.refusal['key'] == 'watch.screens_full' and player.playback is None
    phone.find(marker='player').trigger('stopOthers')  # the player's "Stop the other screens and watch here"
    await eventually(lambda: player.playback)
    assert player.refusal is None
    assert (await laptop.http_client.get(laptop_src)).status_code == 403
    assert await heartbeat(laptop, laptop_token) == 403


async def test_premium_allows_four_screens_and_refuses_the_fifth(create_user: Callable[[], User]):
    (title_id,) = seed_titles(1)
    make_account('ana', plan=Plan.PREMIUM)
    devices = [create_user() for _ in range(5)]
    for device in devices[:4]:
        await signed_in(device, create=False)
        await open_player(device, title_id)
    await signed_in(devices[4], create=False)
    player = await open_watch(devices[4], title_id)
    assert player.refusal['text'].startswith(plural('es', 'watch.screens_full', 4, used=4))
    assert player.refusal['text'].count('«Título 0»') == 4  # each of the other four screens
    assert translate('es', 'watch.screens_premium', screens=4) not in player.refusal['text']  # already Premium


async def test_a_screen_is_freed_when_its_page_is_left(create_user: Callable[[], User]):
    (title_id,) = seed_titles(1)
    make_account('ana')
    laptop, phone = create_user(), create_user()
    await signed_in(laptop, create=False)
    await signed_in(phone, create=False)
    _, token = await open_player(laptop, title_id)
    # pagehide before the video loaded: no position, but the screen is free at once
    assert await report(laptop, token, None, leaving=True) == 204
    await open_player(phone, title_id)


async def test_profile_shows_the_account_and_changes_the_plan_both_ways(user: User):
    await signed_in(user)
    await user.open('/profile')
    await should_see(user, 'ana')
    await should_see(user, marker='plan-comparison', content=translate('es', 'plan.upgrade'))
    press(user, 'plan-comparison', 'plan')
    user.find(marker='confirm-plan').click()
    await should_see(user, translate('es', 'plan.changed', plan='Premium'))
    assert accounts.find_by_username(username='ana').subscription_type == Plan.PREMIUM
    # The toast is the user's; the new page may still be on its way.
    await should_see(user, marker='plan-comparison', content=translate('es', 'plan.downgrade'))
    press(user, 'plan-comparison', 'plan')
    user.find(marker='confirm-plan').click()
    await should_see(user, translate('es', 'plan.changed', plan='Gratis'))
    assert accounts.find_by_username(username='ana').subscription_type == Plan.FREE


async def test_password_change_needs_the_current_one_and_signs_out_the_other_device(create_user):
    make_account('ana')
    laptop, phone = create_user(), create_user()
    await signed_in(laptop, create=False)
    await signed_in(phone, create=False)
    await laptop.open('/profile')
    press(laptop, 'password-open', 'open')  # the form is built when asked for
    laptop.find(marker='current-password').type('equivocada')
    laptop.find(marker='new-password').type('nueva-clave-1')
    laptop.find(marker='confirm-password').type('nueva-clave-1')
    laptop.find(marker='save-password').click()
    await should_see(laptop, translate('es', 'profile.current_wrong'))
    laptop.find(marker='current-password').clear().type('secreto123')
    laptop.find(marker='save-password').click()
    await should_see(laptop, translate('es', 'profile.password_changed'))
    response = await phone.http_client.get('/profile', follow_redirects=False)
    assert response.status_code == 303 and response.headers['location'].startswith('/login')
    assert (await laptop.http_client.get('/profile', follow_redirects=False)).status_code == 200
    await sign_in(phone, 'ana', 'nueva-clave-1')
    await should_see(phone, marker='header', content='data-action="logout"')


async def test_account_deletion_needs_the_password_and_leaves_nothing_behind(user: User):
    from sqlmodel import func, select

    from app.models import AuthSession, Playback, Progress, WatchHistory
    from app.models import User as UserRow

    (title_id,) = seed_titles(1, duration_s=100)
    await signed_in(user)
    _, token = await open_player(user, title_id)
    await heartbeat(user, token, 50)
    await user.open('/profile')
    press(user, 'delete-open', 'open')  # the form is built when asked for
    user.find(marker='delete-password').type('equivocada')
    user.find(marker='delete-account').click()
    await should_see(user, translate('es', 'profile.current_wrong'))
    user.find(marker='delete-password').clear().type('secreto123')
    user.find(marker='delete-account').click()
    await should_see(user, translate('es', 'profile.deleted'))
    with db.session(write=True) as session:
        for table in (UserRow, AuthSession, Playback, Progress, WatchHistory):
            assert session.exec(select(func.count()).select_from(table)).one() == 0, table.__name__


WINDOWS_CHROME = (
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36'
)


@pytest.mark.parametrize(
    ('agent', 'name', 'system'),
    [
        (WINDOWS_CHROME, 'Chrome', 'Windows'),
        (
            'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Safari/604.1',
            'Safari',
            'iPhone',
        ),
        ('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox', 'Linux'),
        (
            'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0',
            'Edge',
            'Windows',
        ),
        ('python-httpx/0.28', None, None),
        (None, None, None),
    ],
)
def test_a_screen_is_named_by_its_browser_and_system(agent, name, system):
    from app.services.devices import parse

    found = parse(agent)
    assert (found.name, found.system) == (name, system)
