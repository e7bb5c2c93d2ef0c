"""The profile (/profile): account facts, plan change, password change, account deletion, watch history. Live: the
history redraws when this account's progress changes (a title played here a moment ago, or on another screen)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from nicegui import context, ui
from nicegui.events import GenericEventArguments

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

HISTORY_PAGE = 20  # a page of history rows; the rest is one click away
# A click in the history list that lands on a remove button sends that button's entry id (clicks elsewhere: nothing).
REMOVE_CLICK = '(e) => { const b = e.target.closest("button[data-entry]"); if (b) emit(Number(b.dataset.entry)); }'


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
        facts = (
            (t('profile.username'), user.username),
            (t('profile.plan'), t(f'plan.{user.subscription_type}')),
            (t('profile.member_since'), day(user.created_at)),
        )
        # One element of markup (a description list) rather than a row and two labels per fact.
        ui.html(
            '<dl class="bt-facts">'
            + ''.join(f'<div><dt>{escape(label)}</dt><dd>{escape(value)}</dd></div>' for label, value in facts)
            + '</dl>',
            sanitize=False,
        ).mark('profile-facts')
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
    with ui.card().classes('bt-panel w-full gap-3').mark('history') as card:
        with ui.row().classes('w-full items-center'):
            heading(t('profile.history'), 2).classes('text-xl font-bold')
            ui.space()
            clear_button = (
                ui.button(t('profile.history_clear'), icon='delete_sweep')
                .props('flat color=white no-caps')
                .mark('history-clear')
            )
        empty = ui.label(t('profile.history_empty')).classes('bt-muted').mark('history-empty')
        # The rows are one element of markup whatever their number (a row of elements cost about three NiceGUI
        # elements, and a page of them was most of the profile's cost): each remove button is a real <button>
        # carrying its entry's id, and one click listener on the list sends that id here.
        listing = ui.html('', sanitize=False).classes('w-full').mark('history-list')
        shown: list[HistoryEntry] = []  # the rows on the page (loaded minus removed): the next page starts after them

        def draw() -> None:
            listing.set_content(history_markup(shown))
            empty.set_visibility(not shown and not more_button.visible)
            clear_button.set_visibility(bool(shown))

        def add(page: list[HistoryEntry]) -> None:
            shown.extend(page)
            more_button.set_visibility(len(page) == HISTORY_PAGE)
            draw()

        async def more() -> None:
            more_button.disable()  # a second click while this page loads would load it twice
            try:
                user = await auth.require_user()
                if user is not None:
                    add(await work.run(playback.history, user_id=user.id, limit=HISTORY_PAGE, offset=len(shown)))
            finally:
                more_button.enable()

        async def remove(event: GenericEventArguments) -> None:
            entry_id = event.args
            if not isinstance(entry_id, int) or all(entry.id != entry_id for entry in shown):
                return  # not a row of this page (a stale or made-up click): nothing to do
            user = await auth.require_user()
            if user is None:
                return
            try:
                await work.run(playback.remove_history_entry, user_id=user.id, entry_id=entry_id)
            except DomainError as error:
                show_error(error)
                return
            index = next(i for i, entry in enumerate(shown) if entry.id == entry_id)
            del shown[index]
            draw()
            if shown:  # the keyboard stays in the list: on the row that took the removed one's place
                following = shown[min(index, len(shown) - 1)].id
                ui.run_javascript(f'document.querySelector(\'[data-entry="{following}"]\')?.focus()')

        listing.on('click', remove, js_handler=REMOVE_CLICK)
        more_button = (
            ui.button(t('profile.history_more'), icon='expand_more', on_click=more)
            .props('flat color=white no-caps')
            .mark('history-more')
        )
        add(entries)

    asked: list[ui.dialog] = []  # the question, once it has been asked on this page

    async def clear() -> None:
        asked[0].close()
        user = await auth.require_user()
        if user is None:
            return
        await work.run(playback.clear_history, user_id=user.id)
        shown.clear()
        more_button.set_visibility(False)
        draw()
        ui.notify(t('profile.history_cleared'), position='top')

    def ask() -> None:
        # Clearing cannot be undone: it asks first (the dialog's focus starts on Cancel). The dialog is built the
        # first time it is needed: six elements that most visits to the profile never show.
        if not asked:
            with card, ui.dialog() as dialog, ui.card().classes('bt-panel gap-4').props('role=alertdialog'):
                heading(t('profile.history_clear_ask'), 2).classes('text-lg font-bold')
                ui.label(t('profile.history_clear_warning')).classes('bt-muted')
                with ui.row().classes('justify-end w-full'):
                    ui.button(t('common.cancel'), on_click=dialog.close).props('flat color=white autofocus')
                    ui.button(t('profile.history_clear'), icon='delete_sweep', on_click=clear).props(
                        'color=red-8'
                    ).mark('history-clear-confirm')
            asked.append(dialog)
        asked[0].open()

    clear_button.on_click(ask)


def history_markup(entries: list[HistoryEntry]) -> str:
    """The history rows as one escaped list: poster, name and facts as a link to the title, and a remove button."""
    hint = escape(t('profile.history_remove'))
    items = []
    for entry in entries:
        watched = t('profile.history_watched_at', date=when(entry.watched_at))
        facts = f'{watched} · {format_clock(entry.position_s)} / {format_clock(entry.duration_s)} · {entry.quality}'
        name = entry.card.title
        if entry.episode is not None:  # 'Series · S1:E3 · Episode title'
            name = f'{name} · {episode_code(entry.episode.season, entry.episode.number)} · {entry.episode.title}'
        target = entry.episode.id if entry.episode is not None else entry.card.id
        items.append(
            f'<li id="history-{entry.id}"><a href="/title/{target}" class="bt-history-item">'
            f'<img src="/media/{entry.card.id}/poster" alt="">'
            f'<span><b>{escape(name)}</b><small>{escape(facts)}</small></span></a>'
            f'<button type="button" class="bt-history-remove" data-entry="{entry.id}" title="{hint}"'
            f' aria-label="{hint}: {escape(name)}"><i class="q-icon notranslate material-icons" aria-hidden="true">'
            'close</i></button></li>'
        )
    return f'<ul class="bt-history">{"".join(items)}</ul>' if items else ''


def on_request(card: ui.card, label: str, icon: str, mark: str, build: Callable[[], ui.input]) -> None:
    """A button that builds the card's form when asked, and puts the keyboard in its first field: most visits to the
    profile change no password and delete no account, and password fields (each with its eye button) are among the
    costliest elements to build."""

    def open_form() -> None:
        opener.delete()
        with card:
            first = build()
        first.run_method('focus')

    with card:
        opener = ui.button(label, icon=icon, on_click=open_form).props('outline color=white no-caps').mark(mark)


def password_card() -> None:
    with ui.card().classes('bt-panel w-full gap-3').mark('password-card') as card:
        heading(t('profile.change_password'), 2).classes('text-xl font-bold')

    def form() -> ui.input:
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
        return current

    on_request(card, t('profile.password_open'), 'key', 'password-open', form)


def delete_card() -> None:
    with ui.card().classes('bt-panel w-full gap-3').mark('delete-card') as card:
        heading(t('profile.delete_account'), 2).classes('text-xl font-bold text-red-400')
        ui.label(t('profile.delete_warning')).classes('bt-muted')

    def form() -> ui.input:
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
        return password

    on_request(card, t('profile.delete_open'), 'delete_outline', 'delete-open', form)
