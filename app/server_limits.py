"""What the app's own server needs from the operating system that `ui.run` cannot set: enough open files for its
connection bound (BUTACA_MAX_CONNECTIONS). Standard library only."""

from __future__ import annotations

import logging
import resource

# Beyond the connections: the database, the log, media files being sent, the event bus, NiceGUI's own files.
RESERVE = 256
log = logging.getLogger('butaca')


def open_files_for(connections: int) -> int:
    """Raise this process's soft limit of open files so that `connections` fit with RESERVE to spare (never past
    the hard limit); returns the soft limit now.

    Debian's default soft limit is 1,024: with it, a thousand half-sent requests hold every descriptor and the server
    accepts nothing more, its health check included, long before the connection bound is reached.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + RESERVE
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        soft = wanted
    if soft != resource.RLIM_INFINITY and soft < connections + RESERVE:
        log.warning(
            'only %d open files are allowed (ulimit -n): fewer than BUTACA_MAX_CONNECTIONS=%d needs', soft, connections
        )
    return soft
