"""Administrators: the first account (loopback or the one-time setup token), `butaca-admin promote`, refusals for
viewers on every /admin route (pages redirect with a message, HTTP answers 403, NiceGUI's uploads too), the log of
every action, and the users page (plan, role, sign out everywhere, disable, one-time reset link)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from nicegui.testing import User
from sqlmodel import select

from app import admin_cli, db
from app.i18n import translate
from app.models import PasswordReset, Plan, SetupToken
from app.services import accounts, admin, admin_users
from app.services.errors import ValidationError

from .helpers import make_account, should_see, sign_in, signed_in

pytestmark = pytest.mark.every_database

ADMIN_PAGES = ('/admin', '/admin/users', '/admin/log', '/admin/library', '/admin/jobs')


def register(name: str, **how: object):
    return accounts.register(username=name, password='secreto123', confirm='secreto123', rounds=4, **how)


def test_the_first_account_from_this_machine_is_the_administrator_and_only_it() -> None:
    first = register('ana', local=True)
    second = register('bruno', local=True)
    assert first.is_admin and not second.is_admin
    [entry] = admin.log()
    assert (entry.actor, entry.action, entry.target, entry.detail) == ('ana', 'first_admin', 'ana', 'loopback')


def test_the_first_account_from_elsewhere_needs_the_one_time_setup_token() -> None:
    token = admin.new_setup_token()
    assert token and len(token) >= 24
    with db.session() as session:  # kept hashed, never as it is
        assert session.exec(select(SetupToken.token_hash)).all() == [admin.token_hash(token)]
    assert not register('intruso', setup_token='wrong-token').is_admin
    assert register('ana', setup_token=token).is_admin is False  # not the first account any more


def test_a_setup_token_makes_the_first_account_administrator_once() -> None:
    token = admin.new_setup_token()
    assert register('ana', setup_token=token).is_admin
    with db.session() as session:
        assert session.exec(select(SetupToken)).all() == []  # used up
    assert admin.new_setup_token() is None  # there is an administrator: no more tokens


def test_butaca_admin_promotes_and_demotes_by_name_and_the_log_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    make_account('bruno')
    assert admin_cli.main(['promote', 'Bruno']) == 0
    assert 'bruno is an administrator now' in capsys.readouterr().out
    assert accounts.find_by_username(username='bruno').is_admin
    assert admin_cli.main(['demote', 'bruno']) == 1  # the last administrator stays
    assert 'at least one administrator' in capsys.readouterr().err
    assert admin_cli.main(['promote', 'nadie']) == 1
    entries = admin.log()
    assert [(e.actor, e.action, e.target) for e in entries] == [('butaca-admin', 'promote', 'bruno')]


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end() -> None:
    boss = register('jefa', local=True)
    viewer = make_account('bruno')
    token = accounts.start_session(user_id=viewer.id)
    admin_users.set_disabled(actor=boss, user_id=viewer.id, disabled=True)
    assert accounts.user_for_session(token) is None
    with pytest.raises(ValidationError) as refused:
        accounts.authenticate(username='bruno', password='secreto123', rounds=4)
    assert refused.value.key == 'login.disabled'
    with pytest.raises(ValidationError):
        admin_users.set_disabled(actor=boss, user_id=boss.id, disabled=True)  # never oneself
    admin_users.set_disabled(actor=boss, user_id=viewer.id, disabled=False)
    assert accounts.authenticate(username='bruno', password='secreto123', rounds=4).id == viewer.id
    assert [e.action for e in admin.log()] == ['enable', 'disable', 'first_admin']


def test_a_reset_link_works_once_within_the_hour_and_ends_the_sessions() -> None:
    boss = register('jefa', local=True)
    viewer = make_account('bruno')
    token = accounts.start_session(user_id=viewer.id)
    path = admin_users.make_reset_link(actor=boss, user_id=viewer.id)
    reset = path.split('token=', 1)[1]
    assert admin_users.reset_target(reset) == 'bruno'
    assert admin_users.reset_password(token=reset, password='nueva1234', confirm='nueva1234', rounds=4) == 'bruno'
    assert accounts.user_for_session(token) is None
    assert accounts.authenticate(username='bruno', password='nueva1234', rounds=4).id == viewer.id
    with pytest.raises(ValidationError):
        admin_users.reset_password(token=reset, password='otra12345', confirm='otra12345', rounds=4)
    late = admin_users.make_reset_link(actor=boss, user_id=viewer.id).split('token=', 1)[1]
    with db.session(write=True) as session:
        row = session.get(PasswordReset, admin.token_hash(late))
        row.expires_at = row.expires_at - timedelta(hours=1, seconds=1)
    assert admin_users.reset_target(late) is None


def test_the_users_list_shows_plan_role_activity_and_screens() -> None:
    boss = register('jefa', local=True)
    viewer = make_account('bruno', plan=Plan.PREMIUM)
    accounts.start_session(user_id=viewer.id)
    rows, total = admin_users.list_users()
    assert total == 2
    by_name = {row.username: row for row in rows}
    assert by_name['jefa'].is_admin and by_name['jefa'].last_active is None
    assert by_name['bruno'].plan == Plan.PREMIUM and by_name['bruno'].sessions == 1
    assert by_name['bruno'].last_active is not None and by_name['bruno'].screens == 0
    admin_users.set_plan(actor=boss, user_id=viewer.id, plan=Plan.FREE)
    assert accounts.find_by_username(username='bruno').subscription_type == Plan.FREE
    assert admin_users.list_users(query='BRU')[1] == 1


# ---------------------------------------------------------------- pages and HTTP


async def test_a_viewer_is_refused_on_every_admin_route(user: User) -> None:
    register('jefa', local=True)
    await signed_in(user, 'bruno')
    for path in ADMIN_PAGES:
        response = await user.http_client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers['location'].startswith('/flash?m='), path
    for method, path in (
        ('POST', '/admin/upload'),
        ('GET', '/admin/api/jobs'),
        ('POST', '/admin/api/scan'),
        ('POST', '/_nicegui/client/abc/upload/12'),
    ):
        response = await user.http_client.request(method, path, content=b'x' * 10)
        assert response.status_code == 403, (method, path)
    await user.open('/admin/users')
    await should_see(user, translate('es', 'admin.refused'))
    assert user.client.request.url.path == '/'
    assert 'href="/admin"' not in user.find(marker='header').elements.pop().content


async def test_without_a_session_uploads_are_refused_and_admin_pages_ask_to_sign_in(user: User) -> None:
    assert (await user.http_client.post('/_nicegui/client/abc/upload/1', content=b'x')).status_code == 403
    assert (await user.http_client.post('/admin/upload', content=b'x')).status_code == 403
    response = await user.http_client.get('/admin/log', follow_redirects=False)
    assert response.status_code == 303 and response.headers['location'].startswith('/login?redirect_to=')


async def test_the_register_page_with_the_setup_token_makes_the_administrator(user: User) -> None:
    token = admin.new_setup_token()
    await user.open(f'/register?setup={token}')
    await should_see(user, marker='setup-notice')
    user.find(marker='username').type('jefa')
    user.find(marker='password').type('secreto123')
    user.find(marker='confirm').type('secreto123')
    user.find(marker='submit').click()
    await should_see(user, marker='header', content='href="/admin"')
    assert accounts.find_by_username(username='jefa').is_admin


async def test_the_administrator_manages_users_and_every_action_is_in_the_log(user: User) -> None:
    register('jefa', local=True)
    bruno = make_account('bruno')
    await sign_in(user, 'jefa')
    await should_see(user, marker='header', content='href="/admin"')
    await user.open('/admin')
    await should_see(user, marker='stat-accounts')
    await user.open('/admin/users')
    await should_see(user, marker='user-bruno')
    user.find(marker='user-make_premium-bruno').click()
    await should_see(user, marker='user-make_free-bruno')  # the list is drawn again with the new plan
    assert accounts.find_by_username(username='bruno').subscription_type == Plan.PREMIUM
    user.find(marker='user-make_admin-bruno').click()
    await should_see(user, marker='user-make_viewer-bruno')
    assert accounts.find_by_username(username='bruno').is_admin
    user.find(marker='user-reset-bruno').click()
    await should_see(user, marker='reset-link')
    link = user.find(marker='reset-link').elements.pop().value
    assert '/reset?token=' in link
    user.find(marker='reset-close').click()
    user.find(marker='user-disable-bruno').click()
    await should_see(user, marker='user-enable-bruno')
    await user.open('/admin/log')
    for action in ('set_plan', 'promote', 'reset_link', 'disable', 'first_admin'):
        await should_see(user, translate('es', f'admin.action.{action}'))
    await should_see(user, 'Gratis → Premium')  # the plan change's detail, in the reader's language
    assert {e.target for e in admin.log()} == {'bruno', 'jefa'}
    assert accounts.user_for_session(accounts.start_session(user_id=bruno.id)) is None  # disabled


SCANNED = 'added 3, changed 0, missing 1, refused 2'  # as app/services/library.py writes it


@pytest.mark.parametrize(
    ('language', 'action', 'detail', 'expected'),
    [
        ('es', 'scan', SCANNED, '3 nuevos, 0 cambiados, 1 desaparecidos, 2 rechazados'),
        ('en', 'scan', SCANNED, '3 added, 0 changed, 1 missing, 2 refused'),
        ('es', 'set_plan', 'PREMIUM -> FREE', 'Premium → Gratis'),
        ('es', 'sign_out_everywhere', '1', '1 sesión cerrada'),
        ('en', 'sign_out_everywhere', '4', '4 sessions ended'),
        ('es', 'edit_title', 'was La ola', 'antes «La ola»'),
        ('en', 'edit_title', 'new backdrop', 'new backdrop'),
        ('es', 'edit_title', 'new poster', 'nuevo póster'),
        ('es', 'upload', 'ola.mp4 · job #12', 'ola.mp4 · tarea n.º 12'),
        ('es', 'upload', 'anything else', 'anything else'),  # a form it does not know: shown as written
        ('es', 'scan', 'added x', 'added x'),
    ],
)
def test_the_log_details_read_in_the_readers_language(language, action, detail, expected, monkeypatch) -> None:
    from app.pages.admin import detail_text

    monkeypatch.setenv('BUTACA_DEFAULT_LANGUAGE', language)  # outside a page: the configured language
    assert detail_text(action, detail) == expected


async def test_a_reset_link_opens_a_page_that_sets_the_password(user: User) -> None:
    boss = register('jefa', local=True)
    viewer = make_account('bruno')
    path = admin_users.make_reset_link(actor=boss, user_id=viewer.id)
    await user.open(path)
    await should_see(user, marker='reset-for')
    user.find(marker='password').type('nueva1234')
    user.find(marker='confirm').type('nueva1234')
    user.find(marker='submit').click()
    await should_see(user, translate('es', 'reset.done'))
    await user.open(path)
    await should_see(user, marker='reset-invalid')
    assert accounts.authenticate(username='bruno', password='nueva1234', rounds=4).username == 'bruno'


# ---------------------------------------------------------------- titles


def test_editing_a_series_carries_its_plan_and_genre_to_its_episodes_and_deleting_removes_its_files(
    butaca_env: Path,
) -> None:
    from app.models import Kind, Title
    from app.services import admin_titles, catalog

    boss = register('jefa', local=True)
    media = butaca_env / 'media'
    (media / 'library' / 'serie-1' / 's01e001').mkdir(parents=True)
    with db.session(write=True) as session:
        series = catalog.add_series(
            session,
            title='Serie',
            genre='Drama',
            year=2020,
            poster_path='library/serie-1/poster-400.jpg',
            backdrop_path='library/serie-1/backdrop-1280.jpg',
        )
        catalog.add_episode(
            session,
            series=series,
            season_number=1,
            episode_number=1,
            title='Uno',
            duration_s=10,
            video_sd_path='library/serie-1/s01e001/sd.mp4',
            video_hd_path='library/serie-1/s01e001/hd.mp4',
            sd_height=480,
            hd_height=720,
        )
        series_id = series.id
    heard: list[dict] = []
    from app import events

    class Bus:
        def send(self, topic: str, data: dict) -> None:
            heard.append({'topic': topic, **data})

        def close(self) -> None:
            pass

    events.set_bus(Bus())
    try:
        admin_titles.edit_title(
            actor=boss,
            title_id=series_id,
            title='Serie nueva',
            description='Otra sinopsis',
            genre='Comedia',
            year=2021,
            rating='12',
            is_premium=True,
        )
        with db.session() as session:
            episode = session.exec(select(Title).where(Title.kind == Kind.EPISODE.value)).one()
            assert (episode.genre, episode.year, episode.rating, episode.is_premium) == ('Comedia', 2021, '12', True)
            assert catalog.get_title(session, title_id=series_id).title == 'Serie nueva'
        assert any(m['topic'] == 'catalog' and series_id in m['title_ids'] for m in heard)
        with pytest.raises(ValidationError):
            admin_titles.edit_title(
                actor=boss, title_id=series_id, title='', description='', genre='x', year=2020, rating='TP',
                is_premium=False,
            )  # fmt: skip
        admin_titles.delete_title(actor=boss, title_id=series_id)
    finally:
        events.set_bus(None)
    with db.session() as session:
        assert session.exec(select(Title)).all() == []
    assert not (media / 'library' / 'serie-1').exists()
    assert [e.action for e in admin.log()][:3] == ['delete_title', 'edit_title', 'first_admin']


async def test_a_title_edited_by_the_administrator_changes_on_a_viewers_open_home_page(create_user) -> None:
    from .helpers import seed_titles

    register('jefa', local=True)
    make_account('bruno')
    [title_id] = seed_titles(1, names=['Clip viejo'])
    viewer, boss = create_user(), create_user()
    await sign_in(viewer, 'bruno')
    await should_see(viewer, 'Clip viejo')
    await sign_in(boss, 'jefa')
    await should_see(boss, marker='header', content='href="/admin"')
    await boss.open('/admin/titles')
    await should_see(boss, marker=f'title-{title_id}')
    boss.find(marker=f'edit-{title_id}').click()
    await should_see(boss, marker='edit-name')
    boss.find(marker='edit-name').clear().type('Clip nuevo')
    boss.find(marker='edit-save').click()
    await should_see(boss, translate('es', 'titles.saved'))
    await should_see(viewer, 'Clip nuevo')  # no reload: the `catalog` news redrew it
