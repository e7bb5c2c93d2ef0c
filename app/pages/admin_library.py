"""The library page (/admin/library): upload a video, add server folders from the configured roots, scan them now
(they rescan by themselves when files change), and read each folder's last scan report."""

from __future__ import annotations

import json

from nicegui import context, ui
from starlette.responses import RedirectResponse

from .. import auth, work
from ..components.admin_frame import admin_frame, refused, when
from ..components.forms import show_error
from ..lang import t
from ..library import roots
from ..library.scan import ScanBusy, scan_folder
from ..models import UserPublic
from ..services import library

REPORT_LINES = 20  # per kind in a folder's report; the rest is counted


async def admin_library_page(path: str = '') -> RedirectResponse | None:
    if (away := refused()) is not None:
        return away
    user: UserPublic = context.client.request.state.user
    folders = await work.run(library.folders)
    configured = roots.roots()
    with admin_frame(user, section='library'):
        upload_card()
        ui.label(t('library.folders')).classes('text-xl font-bold').props('role=heading aria-level=2')
        if not configured:
            ui.label(t('library.no_roots')).classes('bt-muted').mark('no-roots')
        for folder in folders:
            folder_card(folder)
        if configured:
            await browser_card(path)
    return None


def upload_card() -> None:
    with ui.card().classes('bt-panel w-full gap-3').mark('upload-card'):
        ui.label(t('upload.title')).classes('text-xl font-bold').props('role=heading aria-level=2')
        ui.label(t('upload.hint')).classes('bt-muted text-sm')
        picker = (
            ui.element('input')
            .props(f'type=file accept="video/*,.mkv,.mp4,.mov,.avi,.webm" aria-label="{t("upload.file")}"')
            .classes('bt-upload-file')
            .mark('upload-file')
        )
        with ui.row().classes('gap-3 items-center'):
            genre = ui.input(t('upload.genre')).props('outlined dark dense maxlength=40').mark('upload-genre')
            premium = ui.checkbox(t('upload.premium')).mark('upload-premium')
        bar = ui.element('progress').props('max=1 value=0').classes('bt-upload-progress').mark('upload-progress')
        status = ui.label('').classes('bt-muted text-sm').mark('upload-status')

        async def send() -> None:
            if await auth.require_admin() is None:
                return
            query = json.dumps({'genre': genre.value or '', 'premium': '1' if premium.value else ''})
            status.text = t('upload.sending')
            answer = await ui.run_javascript(_UPLOAD_JS % (picker.id, query, bar.id), timeout=6 * 3600)
            code = int((answer or {}).get('status', -1))
            if code == 202:
                job_id = json.loads(answer['body'])['job_id']
                status.text = t('upload.queued', job=job_id)
                ui.notify(t('upload.queued', job=job_id), type='positive', position='top')
            elif code == 0:
                status.text = t('upload.choose')
            else:
                status.text = t({413: 'upload.too_large', 415: 'upload.not_video'}.get(code, 'upload.failed'))

        ui.button(t('upload.send'), icon='upload', on_click=send).props('no-caps').mark('upload-send')


# The file goes to our own streaming route (the server checks the role first and the size while reading); its
# progress is drawn in the <progress> element as the browser sends it.
_UPLOAD_JS = """
return await new Promise((resolve) => {
  const input = getHtmlElement(%s);
  const file = input && input.files && input.files[0];
  if (!file) { resolve({status: 0}); return; }
  const extra = %s;
  const query = new URLSearchParams({name: file.name, ...extra});
  const bar = getHtmlElement(%s);
  const xhr = new XMLHttpRequest();
  xhr.open('POST', '/admin/upload?' + query.toString());
  xhr.upload.onprogress = (e) => { if (e.lengthComputable && bar) bar.value = e.loaded / e.total; };
  xhr.onload = () => resolve({status: xhr.status, body: xhr.responseText});
  xhr.onerror = () => resolve({status: -1});
  xhr.send(file);
});
"""


def folder_card(folder: library.FolderRow) -> None:
    report = folder.report or {}

    async def scan() -> None:
        actor = await auth.require_admin()
        if actor is None:
            return
        try:
            found = await work.run(scan_folder, folder.id, actor=actor)
        except ScanBusy:
            ui.notify(t('library.busy'), type='warning', position='top')
            return
        except Exception as error:  # show_error logs anything that is not a domain error
            show_error(error)
            return
        counts = {key: len(found[key]) for key in ('added', 'changed', 'missing', 'refused')}
        ui.notify(t('library.scanned', **counts), type='positive', position='top')
        ui.navigate.reload()

    async def remove() -> None:
        actor = await auth.require_admin()
        if actor is not None:
            await work.run(library.remove_folder, actor=actor, folder_id=folder.id)
            ui.navigate.reload()

    with ui.card().classes('bt-panel w-full gap-2').mark(f'folder-{folder.id}'):
        with ui.row().classes('w-full items-center gap-3'):
            ui.icon('folder').classes('text-2xl')
            ui.label(folder.path).classes('text-lg font-semibold grow break-all')
            ui.button(t('library.scan'), icon='sync', on_click=scan).props('no-caps').mark(f'scan-{folder.id}')
            ui.button(icon='delete', on_click=remove).props(
                f'flat round color=white aria-label="{t("library.remove")}"'
            ).tooltip(t('library.remove')).mark(f'remove-folder-{folder.id}')
        scanned = when(folder.scanned_at) if folder.scanned_at else t('library.never')
        ui.label(t('library.last_scan', when=scanned, unchanged=report.get('unchanged', 0))).classes('bt-muted')
        for key in ('added', 'changed', 'missing', 'refused'):
            items = report.get(key) or []
            if not items:
                continue
            with (
                ui.expansion(f'{t(f"library.report.{key}")}: {len(items)}')
                .classes('w-full')
                .mark(f'report-{key}-{folder.id}')
            ):
                for item in items[:REPORT_LINES]:
                    text = f'{item["path"]} — {item["why"]}' if isinstance(item, dict) else str(item)
                    ui.label(text).classes('text-sm break-all')
                if len(items) > REPORT_LINES:
                    ui.label(t('library.more', count=len(items) - REPORT_LINES)).classes('bt-muted text-sm')


async def browser_card(path: str) -> None:
    """Folders inside the roots, one level at a time; the one shown can be added to the library."""
    try:
        here = roots.confine(path) if path else None
    except roots.OutsideRoots:
        here = None
    listing = await work.run(roots.subfolders, here) if here else list(roots.roots())

    async def add() -> None:
        actor = await auth.require_admin()
        if actor is None or here is None:
            return
        try:
            await work.run(library.add_folder, actor=actor, path=str(roots.confine(here)))
        except Exception as error:  # show_error logs anything that is not a domain error
            show_error(error)
            return
        ui.navigate.to('/admin/library')

    with ui.card().classes('bt-panel w-full gap-2').mark('folder-browser'):
        ui.label(t('library.add_title')).classes('text-lg font-bold').props('role=heading aria-level=2')
        if here is not None:
            with ui.row().classes('items-center gap-3 w-full'):
                ui.label(str(here)).classes('font-mono text-sm grow break-all').mark('browser-here')
                ui.button(t('library.add_here'), icon='add', on_click=add).props('no-caps').mark('add-folder')
            parent = here.parent
            up = f'/admin/library?path={parent}' if here not in roots.roots() else '/admin/library'
            ui.link(t('library.up'), up).mark('browser-up')
        for child in listing:
            ui.link(f'{child.name or child}/', f'/admin/library?path={child}').mark(f'browse-{child.name}')
