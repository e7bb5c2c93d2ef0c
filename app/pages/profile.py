"""The profile (/profile): account facts, plan change, password change, account deletion, watch history. Live: the
history redraws when this account's progress changes (a title played here a moment ago, or on another screen)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from nicegui import context, ui

from .. import auth, live, work
from ..components.cards import episode_code, format_clock
from ..components.forms import password_input, show_error
from ..components.frame import frame
from ..components.landmarks import heading
from ..components.plans import change_plan_button, plan_comparison
from ..lang import day, t, when
from ..models import HistoryEntry, Plan, UserPublic
from ..services import accounts, playback
from ..services.errors import DomainError

HISTORY_PAGE = 20  # a page of history rows: each is a few NiceGUI elements, and the rest is one click away


async def profile_page() -> None:
    user: UserPublic = context.client.request.state.user
    entries = await work.run(playback.history, user_id=user.id, limit=HISTORY_PAGE)

    @ui.refreshable
    def history() -> None:
        history_card(entries)

    with frame(user, title=t('profile.title'), active='/profile'):
        with ui.column().classes('bt-section pt-6 gap-6 max-w-[980px]'):
            heading(t('profile.title')).classes('text-3xl font-extrabold')
            account_card(user)
            plan_card(user)
            history()
            password_card()
            delete_card()
    client = context.client

    async def news(_data: dict) -> None:
        nonlocal entries
        fresh = await work.run(playback.history, user_id=user.id, limit=HISTORY_PAGE)
        if not client.is_deleted:
            entries = fresh
            history.refresh()

    live.listen(f'progress:{user.id}', news)


def account_card(user: UserPublic) -> None:
    async def sign_out_everywhere() -> None:
        current = await auth.require_user()
        if current is None:
            return
        auth.leave_quietly()
        await work.run(accounts.end_all_sessions, user_id=current.id)  # every open page of the account goes
        await auth.complete('sign_out', flash=('profile.signed_out_everywhere', 'info', {}))

    with ui.card().classes('bt-panel w-full gap-2').mark('account'):
        for label, value, mark in (
            (t('profile.username'), user.username, 'profile-username'),
            (t('profile.plan'), t(f'plan.{user.subscription_type}'), 'profile-plan'),
            (t('profile.member_since'), day(user.created_at), 'profile-since'),
        ):
            with ui.row().classes('gap-3 items-baseline'):
                ui.label(label).classes('bt-muted w-40')
                ui.label(value).classes('text-lg font-semibold').mark(mark)
        ui.button(t('profile.sign_out_everywhere'), icon='devices_other', on_click=sign_out_everywhere).props(
            'flat color=white no-caps'
        ).mark('sign-out-everywhere')


def plan_card(user: UserPublic) -> None:
    with ui.card().classes('bt-panel w-full gap-4').mark('plan-card'):
        heading(t('plan.compare'), 2).classes('text-xl font-bold')
        plan_comparison()
        if user.subscription_type == Plan.PREMIUM:
            change_plan_button(Plan.FREE)
        else:
            change_plan_button(Plan.PREMIUM)


def history_card(entries: list[HistoryEntry]) -> None:
    with ui.card().classes('bt-panel w-full gap-3').mark('history'):
        with ui.row().classes('w-full items-center'):
            heading(t('profile.history'), 2).classes('text-xl font-bold')
            ui.space()
            clear_button = (
                ui.button(t('profile.history_clear'), icon='delete_sweep')
                .props('flat color=white no-caps')
                .mark('history-clear')
            )
        empty = ui.label(t('profile.history_empty')).classes('bt-muted').mark('history-empty')
        empty.set_visibility(not entries)
        clear_button.set_visibility(bool(entries))
        rows = ui.column().classes('w-full gap-1')
        shown = {'count': 0}  # rows on the page now (loaded minus removed): where the next page starts

        def add(page: list[HistoryEntry]) -> None:
            with rows:
                for entry in page:
                    history_row(entry, on_removed=lambda: shown.update(count=shown['count'] - 1))
            shown['count'] += len(page)
            more_button.set_visibility(len(page) == HISTORY_PAGE)

        async def more() -> None:
            more_button.disable()  # a second click while this page loads would load it twice
            try:
                user = await auth.require_user()
                if user is not None:
                    add(await work.run(playback.history, user_id=user.id, limit=HISTORY_PAGE, offset=shown['count']))
            finally:
                more_button.enable()

        more_button = (
            ui.button(t('profile.history_more'), icon='expand_more', on_click=more)
            .props('flat color=white no-caps')
            .mark('history-more')
        )
        add(entries)

    async def clear() -> None:
        dialog.close()
        user = await auth.require_user()
        if user is None:
            return
        await work.run(playback.clear_history, user_id=user.id)
        rows.clear()
        shown['count'] = 0
        more_button.set_visibility(False)
        empty.set_visibility(True)
        clear_button.set_visibility(False)
        ui.notify(t('profile.history_cleared'), position='top')

    # Clearing cannot be undone: it asks first (the dialog's focus starts on Cancel).
    with ui.dialog() as dialog, ui.card().classes('bt-panel gap-4').props('role=alertdialog'):
        heading(t('profile.history_clear_ask'), 2).classes('text-lg font-bold')
        ui.label(t('profile.history_clear_warning')).classes('bt-muted')
        with ui.row().classes('justify-end w-full'):
            ui.button(t('common.cancel'), on_click=dialog.close).props('flat color=white autofocus')
            ui.button(t('profile.history_clear'), icon='delete_sweep', on_click=clear).props('color=red-8').mark(
                'history-clear-confirm'
            )
    clear_button.on_click(dialog.open)


def history_row(entry: HistoryEntry, *, on_removed: Callable[[], None]) -> None:
    # The poster, title and facts are one escaped HTML block, and the button's hint is an attribute rather than a
    # tooltip element: a row is three elements, cheap to build and to keep open.
    watched = t('profile.history_watched_at', date=when(entry.watched_at))
    facts = f'{watched} · {format_clock(entry.position_s)} / {format_clock(entry.duration_s)} · {entry.quality}'
    name = entry.card.title
    if entry.episode is not None:  # 'Series · S1:E3 · Episode title'
        name = f'{name} · {episode_code(entry.episode.season, entry.episode.number)} · {entry.episode.title}'
    target = entry.episode.id if entry.episode is not None else entry.card.id
    with ui.row().classes('w-full items-center gap-3 no-wrap').mark(f'history-{entry.id}') as row:
        ui.html(
            f'<a href="/title/{target}" class="bt-history-item">'
            f'<img src="/media/{entry.card.id}/poster" alt="">'
            f'<span><b>{escape(name)}</b><small>{escape(facts)}</small></span></a>',
            sanitize=False,
        ).classes('grow')

        async def remove() -> None:
            user = await auth.require_user()
            if user is None:
                return
            try:
                await work.run(playback.remove_history_entry, user_id=user.id, entry_id=entry.id)
            except DomainError as error:
                show_error(error)
                return
            row.delete()
            on_removed()

        hint = t('profile.history_remove')
        ui.button(icon='close', on_click=remove).props('flat round dense color=white').props(
            f'title="{hint}" aria-label="{hint}"'
        ).mark(f'history-remove-{entry.id}')


def password_card() -> None:
    with ui.card().classes('bt-panel w-full gap-3').mark('password-card'):
        heading(t('profile.change_password'), 2).classes('text-xl font-bold')
        current = password_input(t('profile.current_password'), 'current-password')
        new = password_input(t('profile.new_password'), 'new-password').props('autocomplete=new-password')
        confirm = password_input(t('profile.confirm_password'), 'confirm-password').props('autocomplete=new-password')

        async def save() -> None:
            user = await auth.require_user()
            if user is None:
                return
            keep = auth.page_token()
            try:
                await work.run(
                    accounts.change_password,
                    user_id=user.id,
                    current=current.value or '',
                    new=new.value or '',
                    confirm=confirm.value or '',
                    keep_token=keep,
                )
            except Exception as error:  # show_error logs anything that is not a domain error
                show_error(error)
                return
            # The other sessions' pages went to the login page (accounts published it). This browser gets a new
            # session token too: one copied before the change is worth nothing after it.
            changed = ('profile.password_changed', 'positive', {})
            await auth.complete('rotate', user_id=user.id, target='/profile', flash=changed)

        ui.button(t('profile.save_password'), on_click=save).mark('save-password')


def delete_card() -> None:
    with ui.card().classes('bt-panel w-full gap-3').mark('delete-card'):
        heading(t('profile.delete_account'), 2).classes('text-xl font-bold text-red-400')
        ui.label(t('profile.delete_warning')).classes('bt-muted')
        password = password_input(t('profile.current_password'), 'delete-password')

        async def delete() -> None:
            user = await auth.require_user()
            if user is None:
                return
            auth.leave_quietly()  # the account's other pages go to the login page; this one says why itself
            try:
                await work.run(accounts.delete_account, user_id=user.id, password=password.value or '')
            except Exception as error:  # show_error logs anything that is not a domain error
                auth.remember_page()
                show_error(error)
                return
            await auth.complete('sign_out', flash=('profile.deleted', 'info', {}))

        ui.button(t('profile.delete_confirm'), icon='delete_forever', on_click=delete).props('color=red-8').mark(
            'delete-account'
        )
