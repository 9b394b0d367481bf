"""``kmb staff create|disable|reset-password``: accounts for the admin API.

The password is read from standard input (one line), or asked for when standard
input is a terminal; ``--generate`` makes a strong one and prints it once.
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys

from admin_api import accounts
from intake.db import Database, utcnow
from kmb.database import migrate
from kmb.settings import Settings


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    staff = commands.add_parser("staff", help="staff accounts of the admin API")
    actions = staff.add_subparsers(dest="staff_command", required=True)
    create = actions.add_parser("create", help="a new account")
    create.add_argument("username")
    create.add_argument("--role", choices=accounts.ROLES, required=True)
    create.add_argument("--name", default="", help="the name colleagues know")
    create.add_argument("--generate", action="store_true", help="generate the password")
    disable = actions.add_parser("disable", help="sign an account out and keep it out")
    disable.add_argument("username")
    reset = actions.add_parser("reset-password", help="a new password; unlocks the account")
    reset.add_argument("username")
    reset.add_argument("--generate", action="store_true", help="generate the password")


def _password(generate: bool) -> str:
    if generate:
        password = secrets.token_urlsafe(18)
        print(f"password (shown once): {password}")
        return password
    if sys.stdin.isatty():
        return getpass.getpass("password: ")
    return sys.stdin.readline().rstrip("\n")


async def run(settings: Settings, args: argparse.Namespace) -> int:
    db = Database(settings.database_url)
    try:
        if settings.migrate_on_start:
            await migrate(db)
        async with db.transaction() as session:
            if args.staff_command == "create":
                account = await accounts.create_account(
                    session,
                    username=args.username,
                    role=args.role,
                    password=_password(args.generate),
                    name=args.name,
                    now=utcnow(),
                )
                print(f"created {account.username} ({account.role})")
            elif args.staff_command == "disable":
                await accounts.disable(session, args.username)
                print(f"disabled {args.username}")
            else:
                await accounts.reset_password(
                    session, args.username, password=_password(args.generate), now=utcnow()
                )
                print(f"new password set for {args.username}")
    except accounts.AccountError as error:
        print(f"kmb staff: {error}", file=sys.stderr)
        return 2
    finally:
        await db.dispose()
    return 0
