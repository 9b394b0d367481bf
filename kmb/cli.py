"""The ``kmb`` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from intake.contact_point import ContactPointConfigError
from intake.db import Database
from kmb.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kmb", description="KMB Intake")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="bring the database schema up to date (idempotent)")
    chat = commands.add_parser("chat", help="walk through the intake in this terminal")
    chat.add_argument("--lang", choices=["cs", "en", "uk"], help="language of the first reply")
    chat.add_argument("--chat-id", help="continue an earlier terminal conversation")
    return parser


async def _migrate(settings: Settings) -> None:
    from kmb.database import migrate

    db = Database(settings.database_url)
    try:
        await migrate(db)
    finally:
        await db.dispose()


async def _chat(settings: Settings, args: argparse.Namespace) -> None:
    from bot.console.channel import run_console
    from kmb.app import start

    db, engine = await start(settings)
    try:
        await run_console(engine, locale=args.lang, chat_id=args.chat_id)
    finally:
        await db.dispose()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings()
    try:
        if args.command == "migrate":
            asyncio.run(_migrate(settings))
            print("database schema is up to date")
        elif args.command == "chat":
            asyncio.run(_chat(settings, args))
    except ContactPointConfigError as exc:
        print(f"kmb: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
