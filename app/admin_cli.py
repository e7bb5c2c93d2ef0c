"""`butaca-admin`: administrators from the command line (promote, demote, a new setup token, the log)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='butaca-admin', description="Butaca's administrators.")
    commands = parser.add_subparsers(dest='command', required=True)
    commands.add_parser('promote', help='make an account an administrator').add_argument('name')
    commands.add_parser('demote', help='take the administrator role from an account').add_argument('name')
    commands.add_parser('setup-token', help='a new one-time setup token (only while there is no administrator)')
    commands.add_parser('log', help='the last administrative actions')
    args = parser.parse_args(argv)

    from .db import init_db
    from .services import admin, admin_users
    from .services.errors import DomainError

    init_db()
    try:
        if args.command in {'promote', 'demote'}:
            user = admin_users.set_admin(username=args.name, is_admin=args.command == 'promote', actor=None)
            role = 'an administrator' if user.is_admin else 'a viewer'
            sys.stdout.write(f'{user.username} is {role} now.\n')
        elif args.command == 'setup-token':
            token = admin.new_setup_token()
            if token is None:
                sys.stderr.write('There is an administrator already: no setup token.\n')
                return 1
            sys.stdout.write(f'{token}\n')
        else:
            for entry in reversed(admin.log(limit=50)):
                sys.stdout.write(f'{entry.at:%Y-%m-%d %H:%M:%S} {entry.actor} {entry.action} {entry.target} ')
                sys.stdout.write(f'{entry.detail}\n')
    except DomainError as error:
        from .i18n import translate

        sys.stderr.write(translate('en', error.key, **error.params) + '\n')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
