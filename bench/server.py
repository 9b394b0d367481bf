"""The server side of the HTTP benchmarks, run in its own process.

python bench/server.py echo PORT API_BASE        # a bare aiogram echo bot
python bench/server.py stored-echo PORT API_BASE DBURL
                                                 # the echo bot that first stores
                                                 # each update (one INSERT + COMMIT)
python bench/server.py kmb PORT API_BASE DBURL   # `kmb serve`'s app, plus a bare
                                                 # FastAPI endpoint POST /bench/bare
                                                 # and a storing one POST /bench/store
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import uvicorn
from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message
from fastapi import FastAPI, Request
from sqlalchemy import Column, Integer, MetaData, Table, Text, insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.telegram import webhook  # noqa: E402
from intake.db import Database  # noqa: E402
from kmb.settings import Settings  # noqa: E402
from kmb.web import create_app  # noqa: E402

TOKEN = "123456:BENCH-token"
SECRET = "bench-secret"


class StoreFloor:
    """The least any server that keeps what it is sent does per message: one INSERT
    and COMMIT through the product's own ``Database`` (its SQLite writer, its pool).
    A channel that must not lose or double a message cannot do less before answering."""

    table = Table(
        "bench_store",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("body", Text),
    )

    def __init__(self, db: Database) -> None:
        self.db = db
        self._created = asyncio.Lock()
        self._ready = False

    async def keep(self, body: str) -> None:
        if not self._ready:
            async with self._created:
                async with self.db.engine.begin() as connection:
                    await connection.run_sync(self.table.metadata.create_all)
                self._ready = True
        async with self.db.transaction() as session:
            await session.execute(insert(self.table).values(body=body))


def echo_app(api_base: str, database_url: str | None = None) -> FastAPI:
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)))
    router = Router()
    store = StoreFloor(Database(database_url)) if database_url else None

    @router.message()
    async def echo(message: Message) -> None:
        if store is not None:
            await store.keep(message.model_dump_json())
        await message.answer(message.text or "?")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    app = FastAPI()
    app.state.telegram = webhook.WebhookTarget(dispatcher, bot, SECRET)
    app.include_router(webhook.router)
    return app


def kmb_app(api_base: str, database_url: str) -> FastAPI:
    app = create_app(
        Settings(
            _env_file=None,
            database_url=database_url,
            telegram_token=TOKEN,
            telegram_api_base=api_base,
            telegram_webhook_secret=SECRET,
            telegram_webhook_url="https://kmb.example/telegram/webhook",
            contact_points_file=ROOT / "config/contact-points.toml",
            flood_limit_per_minute=10_000,
            widget_rate_per_address="1000000/minute",
            widget_sessions_per_address="1000000/minute",
            widget_rate_per_session="1000000/minute",
        )
    )

    @app.post("/bench/bare")
    async def bare(body: dict) -> dict:
        """The ceiling: parse the JSON and answer, touching nothing else."""
        return {"messages": [], "cursor": 0, "fields": len(body)}

    stores: list[StoreFloor] = []

    @app.post("/bench/store")
    async def store(body: dict, request: Request) -> dict:
        """The floor of storing: the same, after one INSERT + COMMIT of the body."""
        if not stores:
            stores.append(StoreFloor(request.app.state.runtime.db))
        await stores[0].keep(json.dumps(body))
        return {"messages": [], "cursor": 0, "fields": len(body)}

    return app


if __name__ == "__main__":
    mode, port, api_base = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if mode == "echo":
        app = echo_app(api_base)
    elif mode == "stored-echo":
        app = echo_app(api_base, sys.argv[4])
    else:
        app = kmb_app(api_base, sys.argv[4])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
