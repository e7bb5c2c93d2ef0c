"""The encode child process: ``python -m app.worker.encode PARAMS_JSON``, started by the runner for one job.

It lowers its own priority (viewers come first), dies with its parent (Linux: PR_SET_PDEATHSIG), cleans up on
SIGTERM (the import's own clean-up runs), and speaks to the runner in JSON lines on standard output:
``{"message", "progress"}`` while it works, then ``{"title_id"}`` or ``{"error"}``.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import signal
import sys

NICENESS = 10
_OF = re.compile(r'^\[(\d+)/(\d+)\]')
_PERCENT = re.compile(r'(\d{1,3}) %')


def progress_of(message: str) -> float | None:
    """How far an import is, from its progress line: '[2/4] S01E02 «x»: Codificando: 50 %' -> 0.25 + 0.5 / 4."""
    part = _OF.match(message)
    done, total = (int(part[1]) - 1, int(part[2])) if part else (0, 1)
    percent = _PERCENT.search(message)
    if percent is None:
        return done / max(total, 1) if part else None
    return (done + min(int(percent[1]), 100) / 100 * 0.95) / max(total, 1)


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL('libc.so.6', use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _say(**data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + '\n')
    sys.stdout.flush()


def _stop(_signum: int, _frame: object) -> None:
    raise SystemExit(143)  # through the import's `except BaseException` clean-up


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _stop)
    _die_with_parent()
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    params = json.loads(argv[0])
    from ..library.importer import import_video, reencode_title
    from ..library.probe import NotAVideo
    from ..library.series_import import ImportRefused, import_series

    def report(message: str) -> None:
        _say(message=message, progress=progress_of(message))

    try:
        if params['kind'] == 'reencode':
            title_id = reencode_title(
                params['path'],
                title_id=int(params['title_id']),
                progress=report,
                staging_tag=params.get('staging_tag', ''),
            )
        elif params['kind'] == 'series':
            title_id = import_series(
                params['path'],
                genre=params.get('genre'),
                year=params.get('year'),
                premium=bool(params.get('premium')),
                rating=params.get('rating', 'TP'),
                description=params.get('description', ''),
                progress=report,
                staging_tag=params.get('staging_tag', ''),
                only=params.get('only'),
            )
        else:
            title_id = import_video(
                params['path'],
                title=params['title'],
                genre=params.get('genre') or 'Otros',
                year=int(params['year']),
                premium=bool(params.get('premium')),
                rating=params.get('rating', 'TP'),
                description=params.get('description', ''),
                progress=report,
                staging_tag=params.get('staging_tag', ''),
                poster=params.get('poster'),
                backdrop_image=params.get('backdrop_image'),
                subtitles=params.get('subtitles') or {},
            )
    except (NotAVideo, ImportRefused, ValueError) as error:
        _say(error=str(error))
        return 2
    _say(title_id=title_id)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
