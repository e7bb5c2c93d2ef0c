"""Titles for administrators (/admin/titles): search, edit the facts, replace the poster or backdrop (a picture, or a
frame of the video), delete with confirmation. Viewers' open pages follow on `catalog`."""

from __future__ import annotations

from nicegui import context, events, ui
from starlette.responses import RedirectResponse

from .. import auth, work
from ..components.admin_frame import admin_frame, refused
from ..components.cards import poster_url
from ..components.forms import show_error
from ..lang import t
from ..library import artwork
from ..models import TitleCard, UserPublic
from ..services import admin_titles

RATINGS = admin_titles.RATINGS


async def admin_titles_page(q: str = '') -> RedirectResponse | None:
    if (away := refused()) is not None:
        return away
    user: UserPublic = context.client.request.state.user
    found = await work.run(admin_titles.titles_page, query=q[:100])
    with admin_frame(user, section='titles'):
        with ui.row().classes('items-center gap-3'):
            search = ui.input(t('titles.search'), value=q).props('outlined dark dense clearable').mark('titles-search')
            search.on('keydown.enter', lambda: ui.navigate.to(f'/admin/titles?q={search.value or ""}'))
        ui.label(t('titles.count', count=found.total)).classes('bt-muted')
        with ui.column().classes('w-full gap-2').mark('titles'):
            for card in found.items:
                title_row(card)
    return None


def title_row(card: TitleCard) -> None:
    with (
        ui.row()
        .classes('bt-panel w-full items-center gap-4 no-wrap')
        .style('padding: 10px 16px !important')
        .mark(f'title-{card.id}')
    ):
        ui.image(poster_url(card.id)).classes('w-10 h-[60px] rounded').props(f'alt="{card.title}" no-spinner')
        with ui.column().classes('gap-0 grow'):
            ui.label(card.title).classes('font-semibold')
            ui.label(f'{card.year} · {card.genre} · {t(f"kind.{card.kind}")}').classes('bt-muted text-sm')
        ui.button(t('titles.edit'), icon='edit', on_click=lambda: edit_dialog(card.id)).props('flat no-caps').mark(
            f'edit-{card.id}'
        )


async def edit_dialog(title_id: int) -> None:
    if await auth.require_admin() is None:
        return
    facts = await work.run(admin_titles.title_facts, title_id)
    with context.client.layout, ui.dialog() as dialog, ui.card().classes('bt-panel gap-3 w-[640px] max-w-full'):
        ui.label(t('titles.edit_title', title=facts.title)).classes('text-xl font-bold')
        name = ui.input(t('titles.title'), value=facts.title).props('outlined dark maxlength=200').mark('edit-name')
        description = (
            ui.textarea(t('titles.description'), value=facts.description)
            .props('outlined dark maxlength=2000')
            .mark('edit-description')
        )
        with ui.row().classes('gap-3 w-full'):
            genre = (
                ui.input(t('titles.genre'), value=facts.genre).props('outlined dark maxlength=40').mark('edit-genre')
            )
            year = (
                ui.number(t('titles.year'), value=facts.year, min=1888, max=2100, precision=0)
                .props('outlined dark')
                .mark('edit-year')
            )
            rating = ui.select(list(RATINGS), value=facts.rating, label=t('titles.rating')).props('outlined dark')
            rating.mark('edit-rating')
        premium = ui.switch(t('titles.premium'), value=facts.is_premium).mark('edit-premium')

        async def save() -> None:
            actor = await auth.require_admin()
            if actor is None:
                return
            try:
                await work.run(
                    admin_titles.edit_title,
                    actor=actor,
                    title_id=title_id,
                    title=name.value or '',
                    description=description.value or '',
                    genre=genre.value or '',
                    year=int(year.value or 0),
                    rating=rating.value or 'TP',
                    is_premium=bool(premium.value),
                )
            except Exception as error:  # show_error logs anything that is not a domain error
                show_error(error)
                return
            ui.notify(t('titles.saved'), type='positive', position='top')
            dialog.close()
            ui.navigate.reload()

        ui.label(t('titles.artwork')).classes('font-bold mt-2')
        with ui.row().classes('gap-3 items-end w-full'):
            for kind in ('poster', 'backdrop'):
                ui.upload(
                    label=t(f'titles.upload_{kind}'),
                    auto_upload=True,
                    max_file_size=20_000_000,
                    on_upload=lambda event, kind=kind: replace(title_id, kind, event),
                ).props('accept="image/*" flat bordered dark').classes('w-56').mark(f'upload-{kind}')
        if facts.kind != 'series':
            with ui.row().classes('gap-3 items-center'):
                at = ui.number(t('titles.frame_at'), value=round(facts.duration_s / 10, 1), min=0, precision=1)
                at.props('outlined dark dense').classes('w-40').mark('frame-at')
                for kind in ('poster', 'backdrop'):
                    ui.button(
                        t(f'titles.frame_{kind}'), on_click=lambda kind=kind: replace(title_id, kind, None, at.value)
                    ).props('flat no-caps').mark(f'frame-{kind}')
        with ui.row().classes('w-full justify-between mt-2'):
            ui.button(t('titles.delete'), icon='delete', on_click=lambda: confirm_delete(title_id, facts.title)).props(
                'flat no-caps color=negative'
            ).mark('delete-title')
            with ui.row().classes('gap-2'):
                ui.button(t('admin.close'), on_click=dialog.close).props('flat no-caps').mark('edit-cancel')
                ui.button(t('titles.save'), icon='save', on_click=save).props('no-caps').mark('edit-save')
    dialog.open()


async def replace(
    title_id: int, kind: str, event: events.UploadEventArguments | None, at_s: float | None = None
) -> None:
    actor = await auth.require_admin()
    if actor is None:
        return
    try:
        picture = artwork.picture_from_bytes(await event.file.read()) if event is not None else None
        await work.run(artwork.replace_artwork, title_id=title_id, kind=kind, picture=picture, at_s=at_s)
        await work.run(admin_titles.artwork_replaced, actor=actor, title_id=title_id, kind=kind)
    except artwork.NotAPicture:
        ui.notify(t('titles.not_a_picture'), type='negative', position='top')
        return
    except Exception as error:  # show_error logs anything that is not a domain error
        show_error(error)
        return
    ui.notify(t(f'titles.{kind}_replaced'), type='positive', position='top')


async def confirm_delete(title_id: int, name: str) -> None:
    with context.client.layout, ui.dialog() as dialog, ui.card().classes('bt-panel gap-3 max-w-[480px]'):
        ui.label(t('titles.delete_question', title=name)).classes('text-lg font-bold')
        ui.label(t('titles.delete_warning')).classes('bt-muted')

        async def delete() -> None:
            actor = await auth.require_admin()
            if actor is None:
                return
            await work.run(admin_titles.delete_title, actor=actor, title_id=title_id)
            dialog.close()
            ui.navigate.to('/admin/titles')

        with ui.row().classes('gap-2 justify-end w-full'):
            ui.button(t('admin.close'), on_click=dialog.close).props('flat no-caps').mark('delete-cancel')
            ui.button(t('titles.delete_confirm'), icon='delete', on_click=delete).props('color=negative no-caps').mark(
                'delete-confirm'
            )
    dialog.open()
