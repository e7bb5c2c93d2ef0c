"""The profile (/profile): account facts, plan change, password change, account deletion, watch history. Live: the
history redraws when this account's progress changes (a title played here a moment ago, or on another screen)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from nicegui import context, ui

from .. import auth, live, work
from ..components.buttons import button_html, focus, icon_html, on_actions
from ..components.cards import episode_code, format_clock
from ..components.forms import password_input, show_error
from ..components.frame import frame
from ..components.landmarks import heading
from ..components.plans import ask, comparison_html, plan_change_icon, plan_change_label
from ..lang import day, t, when
from ..models import HistoryEntry, Plan, UserPublic
from ..services import accounts, playback
from ..services.errors import DomainError

HISTORY_PAGE = 20  # a page of history rows; the rest is one click away
# A panel that is all markup: a card's look (Quasar's classes, as ui.card has them) without a card element around it.
PANEL = 'q-card q-card--dark bt-panel w-full'


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

    facts = (
        (t('profile.username'), user.username),
        (t('profile.plan'), t(f'plan.{user.subscription_type}')),
        (t('profile.member_since'), day(user.created_at)),
    )
    # One element of markup, the panel itself (a description list and its button), rather than a card, a row and
    # two labels per fact.
    markup = (
        ui.html(
            '<dl class="bt-facts">'
            + ''.join(f'<div><dt>{escape(label)}</dt><dd>{escape(value)}</dd></div>' for label, value in facts)
            + '</dl>'
            + button_html(t('profile.sign_out_everywhere'), action='everywhere', icon='devices_other'),
            sanitize=False,
        )
        .classes(PANEL)
        .mark('profile-facts')
    )
    on_actions(markup, {'everywhere': sign_out_everywhere})


def plan_card(user: UserPublic) -> None:
    target = Plan.FREE if user.subscription_type == Plan.PREMIUM else Plan.PREMIUM
    kind = 'primary' if target == Plan.PREMIUM else 'outline'
    change = button_html(plan_change_label(target), action='plan', icon=plan_change_icon(target), kind=kind)
    markup = (
        ui.html(
            f'<h2 class="bt-heading bt-card-heading">{escape(t("plan.compare"))}</h2>{comparison_html()}'
            f'<div class="bt-actions">{change}</div>',
            sanitize=False,
        )
        .classes(PANEL)
        .mark('plan-comparison')
    )
    on_actions(markup, {'plan': lambda: ask(target)})


def history_card(entries: list[HistoryEntry]) -> None:
    with ui.card().classes('bt-panel w-full gap-3').mark('history') as card:
        # The whole card is one element of markup whatever the number of rows (a row of elements cost about three
        # NiceGUI elements, and a page of them was most of the profile's cost): heading, rows, and real <button>s
        # (clear, show more, each row's remove, carrying its entry's id), with one click listener.
        listing = ui.html('', sanitize=False).classes('w-full').mark('history-list')
    shown: list[HistoryEntry] = []  # the rows on the page (loaded minus removed): the next page starts after them
    more_left = [False]  # whether the last page loaded was full (there may be more)
    loading = [False]  # a page is on its way: a second click on Show more would load it twice

    def draw() -> None:
        listing.set_content(history_card_markup(shown, more=more_left[0] and not loading[0]))

    def add(page: list[HistoryEntry]) -> None:
        shown.extend(page)
        more_left[0] = len(page) == HISTORY_PAGE
        draw()

    async def more() -> None:
        if loading[0]:
            return
        loading[0] = True
        first_new = len(shown)
        try:
            user = await auth.require_user()
            if user is not None:
                add(await work.run(playback.history, user_id=user.id, limit=HISTORY_PAGE, offset=len(shown)))
        finally:
            loading[0] = False
            draw()
        if len(shown) > first_new:  # the keyboard goes on where the new rows begin
            focus(f'#history-{shown[first_new].id} a')

    async def remove(entry_id: int) -> None:
        if all(entry.id != entry_id for entry in shown):
            return  # not a row of this page (a stale or made-up click): nothing to do
        user = await auth.require_user()
        if user is None:
            return
        try:
            await work.run(playback.remove_history_entry, user_id=user.id, entry_id=entry_id)
        except DomainError as error:
            show_error(error)
            return
        index = next((i for i, entry in enumerate(shown) if entry.id == entry_id), None)
        if index is None:
            return  # a redraw meanwhile took it out already
        del shown[index]
        draw()
        # The keyboard stays in the list: on the row that took the removed one's place (the heading when none).
        focus(f'[data-entry="{shown[min(index, len(shown) - 1)].id}"]' if shown else '#bt-history-heading')

    asked: list[ui.dialog] = []  # the question, once it has been asked on this page

    async def clear() -> None:
        asked[0].close()
        user = await auth.require_user()
        if user is None:
            return
        await work.run(playback.clear_history, user_id=user.id)
        shown.clear()
        more_left[0] = False
        draw()
        focus('#bt-history-heading')
        ui.notify(t('profile.history_cleared'), position='top')

    def ask_to_clear() -> None:
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

    on_actions(listing, {'clear': ask_to_clear, 'more': more}, entry=remove)
    add(entries)


def history_card_markup(entries: list[HistoryEntry], *, more: bool) -> str:
    """The history card's content: its heading (with Clear while there are rows), the rows or the empty message,
    and Show more while there may be more."""
    clear = button_html(t('profile.history_clear'), action='clear', icon='delete_sweep') if entries else ''
    rows = history_markup(entries) or f'<p class="bt-muted bt-history-empty">{escape(t("profile.history_empty"))}</p>'
    show_more = button_html(t('profile.history_more'), action='more', icon='expand_more') if more else ''
    return (
        f'<div class="bt-card-head"><h2 class="bt-heading bt-card-heading" id="bt-history-heading" tabindex="-1">'
        f'{escape(t("profile.history"))}</h2>{clear}</div>{rows}{show_more}'
    )


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
            f' aria-label="{hint}: {escape(name)}">{icon_html("close")}</button></li>'
        )
    return f'<ul class="bt-history">{"".join(items)}</ul>' if items else ''


def on_request(card: ui.card, head: str, label: str, icon: str, build: Callable[[], ui.input]) -> ui.html:
    """The card's `head` markup and a button that builds the card's form when asked, and puts the keyboard in its
    first field: most visits to the profile change no password and delete no account, and password fields (each with
    its eye button) are among the costliest elements to build."""

    def open_form() -> None:
        intro.set_content(head)  # the button goes: the form takes its place
        with card:
            first = build()
        first.run_method('focus')

    with card:
        intro = ui.html(head + button_html(label, action='open', icon=icon, kind='outline'), sanitize=False)
    on_actions(intro, {'open': open_form})
    return intro


def password_card() -> None:
    card = ui.card().classes('bt-panel w-full gap-3').mark('password-card')
    head = f'<h2 class="bt-heading bt-card-heading">{escape(t("profile.change_password"))}</h2>'

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

    on_request(card, head, t('profile.password_open'), 'key', form).mark('password-open')


def delete_card() -> None:
    card = ui.card().classes('bt-panel w-full gap-3').mark('delete-card')
    head = (
        f'<h2 class="bt-heading bt-card-heading bt-danger">{escape(t("profile.delete_account"))}</h2>'
        f'<p class="bt-muted bt-card-text">{escape(t("profile.delete_warning"))}</p>'
    )

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

    on_request(card, head, t('profile.delete_open'), 'delete_outline', form).mark('delete-open')
