"""The ``kmb`` command."""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys

from intake.contact_point import ContactPointConfigError
from intake.db import Database
from kmb import kb_commands, logs, staff_commands
from kmb.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kmb", description="KMB Intake")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="bring the database schema up to date (idempotent)")
    chat = commands.add_parser("chat", help="walk through the intake in this terminal")
    chat.add_argument("--lang", choices=["cs", "en", "uk"], help="language of the first reply")
    chat.add_argument("--chat-id", help="continue an earlier terminal conversation")
    commands.add_parser("bot", help="run the Telegram bot with long polling")
    commands.add_parser(
        "worker",
        help="background work without HTTP: appointment reminders and Telegram delivery",
    )
    serve = commands.add_parser(
        "serve", help="run the HTTP service: widget, admin API, Telegram webhook, probes"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="web worker processes (PostgreSQL; on SQLite keep one)",
    )
    commands.add_parser("config-reference", help="print every KMB_* setting as a Markdown table")
    kb_commands.add_parser(commands)
    staff_commands.add_parser(commands)
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

    db, engine, _catalogue, _points = await start(settings)
    try:
        await run_console(engine, locale=args.lang, chat_id=args.chat_id)
    finally:
        await db.dispose()


async def _bot(settings: Settings) -> int:
    from bot.telegram.commands import register_commands
    from kmb.app import running

    if settings.telegram_token is None:
        print("kmb: set KMB_TELEGRAM_TOKEN to run the bot (see README)", file=sys.stderr)
        return 2
    async with running(settings, scheduler=settings.scheduler_in_web) as runtime:
        telegram = runtime.telegram
        assert telegram is not None
        await register_commands(telegram.bot)
        await telegram.bot.delete_webhook()
        worker = asyncio.create_task(telegram.delivery.run())
        try:
            await telegram.dispatcher.start_polling(
                telegram.bot, allowed_updates=["message", "callback_query"]
            )
        finally:
            worker.cancel()
    return 0


async def _worker(settings: Settings) -> int:
    """Reminders on their schedule and, with a token, delivery of queued Telegram messages.
    Any number of workers (and web processes) may run at once."""
    from kmb.app import running

    async with running(settings, scheduler=True) as runtime:
        tasks = [asyncio.Event().wait()]
        if runtime.telegram is not None:
            tasks.append(runtime.telegram.delivery.run())
        await asyncio.gather(*tasks)
    return 0


def listening_socket(host: str, port: int) -> socket.socket:
    """The socket the web workers share. Made with IPPROTO_TCP, unlike uvicorn's own:
    asyncio turns Nagle's algorithm off (TCP_NODELAY) only on connections whose socket
    says it is TCP, and without that every answer on a kept-alive connection waited
    40 ms for the client's delayed ACK (bench/system.py found it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from intake.db import is_sqlite

    if args.workers > 1 and is_sqlite(settings.database_url):
        print(
            "kmb: several web workers need PostgreSQL (KMB_DATABASE_URL); "
            "SQLite has one writer — run one worker",
            file=sys.stderr,
        )
        return 2

    # Each worker process builds the application from the environment (the factory
    # also sets up its logging). Long polls of open widgets would hold a graceful
    # shutdown for up to 25 s.
    config = uvicorn.Config(
        "kmb.web:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=None,
        access_log=False,  # kmb.requests logs each request, with its id
        timeout_graceful_shutdown=3,
    )
    if args.workers == 1:
        uvicorn.Server(config).run()
    else:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[listening_socket(args.host, args.port)]).run()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    logs.configure(settings.log_level, settings.log_format)
    try:
        if args.command == "migrate":
            asyncio.run(_migrate(settings))
            print("database schema is up to date")
        elif args.command == "chat":
            asyncio.run(_chat(settings, args))
        elif args.command == "bot":
            return asyncio.run(_bot(settings))
        elif args.command == "worker":
            return asyncio.run(_worker(settings))
        elif args.command == "serve":
            return _serve(settings, args)
        elif args.command == "config-reference":
            from kmb.config_reference import reference

            print(reference(), end="")
        elif args.command == "kb":
            return asyncio.run(kb_commands.run(settings, args))
        elif args.command == "staff":
            return asyncio.run(staff_commands.run(settings, args))
    except ContactPointConfigError as exc:
        print(f"kmb: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
