"""The import rules of ARCHITECTURE.md, checked on the source: each failure names the file, line and import.

pages -> components -> (actions, auth, work) -> services -> models/db/security -> config. Services know no web
framework and no page; pages and components open no unit of work themselves (they call services through
`app.work.run`); no page imports another page.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / 'app'
WEB = ('nicegui', 'starlette', 'fastapi', 'uvicorn')
EDGE = (
    'app.pages',
    'app.components',
    'app.actions',
    'app.auth',
    'app.work',
    'app.middleware',
    'app.api',
    'app.media',
    'app.playback_http',
    'app.responses',
    'app.wiring',
    'app.lang',
)
DATABASE = ('app.db', 'sqlalchemy', 'sqlmodel')


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix('').parts
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in `path`, relative imports resolved."""
    package = _module_name(path).split('.')
    if path.name != '__init__.py':
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = '.'.join([*base, *([node.module] if node.module else [])])
            yield node.lineno, module
            for alias in node.names:  # `from .. import db` imports the module app.db
                yield node.lineno, f'{module}.{alias.name}'


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + '.') for prefix in prefixes)


def _offences(folder: str, forbidden: tuple[str, ...], *, allow_self: str | None = None) -> list[str]:
    found = []
    for path in sorted((APP / folder).rglob('*.py') if (APP / folder).is_dir() else [APP / folder]):
        own = _module_name(path)
        for line, name in _imports(path):
            if _under(name, forbidden) and not (allow_self and _under(name, (allow_self,)) and name == own):
                found.append(f'{path.relative_to(APP.parent)}:{line} imports {name}')
    return sorted(set(found))


def test_services_import_no_web_framework_and_no_edge_module():
    assert _offences('services', WEB + EDGE) == []


@pytest.mark.parametrize('base', ['models.py', 'db.py', 'config.py', 'security.py', 'i18n'])
def test_the_base_imports_nothing_above_it(base):
    assert _offences(base, WEB + EDGE + ('app.services',)) == []


@pytest.mark.parametrize('folder', ['pages', 'components'])
def test_pages_and_components_open_no_unit_of_work_themselves(folder):
    assert _offences(folder, DATABASE) == []


def test_pages_do_not_import_pages():
    found = []
    for path in sorted((APP / 'pages').glob('*.py')):
        own = _module_name(path)
        found += [
            f'{path.relative_to(APP.parent)}:{line} imports {name}'
            for line, name in _imports(path)
            if _under(name, ('app.pages',)) and name not in {own, 'app.pages'}
        ]
    assert found == []


def test_components_do_not_import_pages():
    assert _offences('components', ('app.pages',)) == []


def test_the_rules_see_imports_as_written(tmp_path):
    # The checker itself: a relative import is resolved to the module it names, and a violation is reported with
    # its file and line (so that each rule above can fail, and says where).
    assert {'app.db', 'app.config'} <= {name for _, name in _imports(APP / 'services' / 'accounts.py')}
    assert _offences('pages', ('app.work',))  # every page uses the work helper: the rule can fire
    assert all(':' in line and ' imports ' in line for line in _offences('pages', ('app.work',)))
