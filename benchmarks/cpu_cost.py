"""`python -m benchmarks.cpu_cost`: the server's CPU time per progress save and per page load (utime + stime of the
server process from /proc, over a 6 s peak of saves and 20 loads of each page at 10,000 titles and 100,000 history
rows). Steadier than rates on a busy machine: compare two versions by running this alternately in each checkout."""

from __future__ import annotations

import asyncio

from . import stress
from .harness import Server, seed_big_catalog, seed_viewers, signed_in_client, temporary_folder
from .procstat import cpu_seconds

# Page-load limits out of the way: this measures what a page costs, not the limit.
UNLIMITED = {'BUTACA_PAGE_LOADS_PER_SESSION': '0', 'BUTACA_PAGE_LOADS_PER_ADDRESS': '0'}
PAGES = {'home': '/', 'catalog': '/catalog', 'search150': '/catalog?q=e&page=150', 'watch': '/watch/5000'}
PAGES['profile'] = '/profile'


async def measure() -> dict[str, float]:
    """Milliseconds of server CPU per save and per page."""
    out: dict[str, float] = {}
    with temporary_folder('butaca-cpu-saves-') as data_dir:
        seed_viewers(data_dir, viewers=50)
        with Server(data_dir, **UNLIMITED) as server:
            before = cpu_seconds(server.pid)
            result = await stress.measure(server, data_dir, viewers=50, seconds=6, interval=0.0)
            out['save'] = (cpu_seconds(server.pid) - before) / max(1, result['acknowledged']) * 1000
    with temporary_folder('butaca-cpu-pages-') as data_dir:
        seed_big_catalog(data_dir, titles=10_000, history=100_000)
        with Server(data_dir, **UNLIMITED) as server:
            client = await signed_in_client(server.url, 'viewer0')
            for name, path in PAGES.items():
                for _ in range(3):  # warm: caches, imports, the first query plans
                    await client.get(path)
                before = cpu_seconds(server.pid)
                for _ in range(20):
                    response = await client.get(path)
                    assert response.status_code == 200, (path, response.status_code)
                out[name] = (cpu_seconds(server.pid) - before) / 20 * 1000
            await client.aclose()
    return out


def main() -> None:
    figures = asyncio.run(measure())
    print(' '.join(f'{name}={ms:.1f}ms' for name, ms in figures.items()))


if __name__ == '__main__':
    main()
