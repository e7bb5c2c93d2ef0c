"""One command for every speed measurement: `python -m benchmarks [--quick]`; prints a table.

Starts what it needs on loopback (Butaca in production mode, nginx where installed), measures, and stops all of it.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import time

from .suite import run_all


def main() -> None:
    parser = argparse.ArgumentParser(prog='python -m benchmarks', description=__doc__)
    parser.add_argument('--quick', action='store_true', help='seconds instead of minutes (CI)')
    parser.add_argument('--tiny', action='store_true', help='the smallest sizes: the test suite checks the code runs')
    parser.add_argument(
        '--only', nargs='*', help='some of: video logins pages saves memory pages-load flood burst screens cluster'
    )
    args = parser.parse_args()
    started = time.perf_counter()
    rows = asyncio.run(run_all(quick=args.quick, only=set(args.only or []), tiny=args.tiny))
    print()
    print(
        f'Butaca benchmarks ({"tiny" if args.tiny else "quick" if args.quick else "full"}) on {platform.node()}, '
        f'{platform.processor() or platform.machine()}, Python {platform.python_version()}, '
        f'{time.strftime("%Y-%m-%d")}, {time.perf_counter() - started:.0f} s'
    )
    width = max(len(row[0]) for row in rows)
    print(f'{"measurement":<{width}}  {"result":<52}  target')
    print('-' * (width + 70))
    for name, value, target in rows:
        print(f'{name:<{width}}  {value:<52}  {target}')


if __name__ == '__main__':
    main()
