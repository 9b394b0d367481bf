"""The real aiogram Bot and Dispatcher against the local Bot API server, in polling
mode (in-process) and in webhook mode (``kmb serve``'s app under uvicorn)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.dialogue.config import EngineConfig, StaffAlerts
from bot.dialogue.engine import Engine
from bot.telegram.delivery import TelegramDelivery
from bot.telegram.router import build_router
from intake.db import Database
from kmb.settings import Settings
from kmb.web import create_app
from tests.e2e.bot_api import BotApiServer
from tests.e2e.telegram_user import Deliver, TelegramUser

STAFF_CHAT = -100777
DATA = Path(__file__).parents[1] / "data"


@pytest.fixture
async def bot_api() -> AsyncIterator[BotApiServer]:
    server = BotApiServer()
    await server.start()
    yield server
    await server.stop()


@dataclass
class RunningBot:
    server: BotApiServer
    db: Database
    deliver: Deliver
    delivery: TelegramDelivery | None = None

    def user(self, chat_id: int, language_code: str = "cs") -> TelegramUser:
        return TelegramUser(self.server, self.deliver, chat_id, language_code)


def bot_for(server: BotApiServer) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(server.base))
    return Bot(server.token, session=session)


@pytest.fixture
async def polling_bot(
    db: Database, config: EngineConfig, bot_api: BotApiServer
) -> AsyncIterator[RunningBot]:
    engine = Engine(
        db,
        replace(
            config,
            outbox_channels=frozenset({"telegram"}),
            staff_alerts=StaffAlerts(
                channel="telegram",
                chat_id=str(STAFF_CHAT),
                case_url="https://kmb.example/cases/{reference}",
            ),
        ),
    )
    bot = bot_for(bot_api)
    delivery = TelegramDelivery(bot, db, idle_seconds=0.05, backoff_unit=0.05)
    dispatcher = Dispatcher()
    dispatcher.include_router(build_router(engine, notify=delivery.notify))
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, polling_timeout=1)
    )
    worker = asyncio.create_task(delivery.run())

    async def push(update: dict[str, Any]) -> None:
        bot_api.push({k: v for k, v in update.items() if k != "update_id"})

    yield RunningBot(bot_api, db, push, delivery)
    await dispatcher.stop_polling()
    worker.cancel()
    for task in (polling, worker):
        with contextlib.suppress(asyncio.CancelledError, RuntimeError):
            await task
    await bot.session.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def webhook_settings(database_url: str, bot_api: BotApiServer) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        contact_points_file=DATA / "contact-points.toml",
        telegram_token=bot_api.token,
        telegram_api_base=bot_api.base,
        telegram_webhook_url="https://kmb.example/telegram/webhook",
        telegram_staff_chat_id=str(STAFF_CHAT),
        staff_case_url="https://kmb.example/cases/{reference}",
        flood_limit_per_minute=1000,
    )


@pytest.fixture
async def webhook_bot(
    webhook_settings: Settings, bot_api: BotApiServer, db: Database
) -> AsyncIterator[RunningBot]:
    """``kmb serve``'s application under uvicorn on a free port, real HTTP."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(webhook_settings),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
        if task.done():
            task.result()
    client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}")
    secret = webhook_settings.webhook_secret()

    async def post(update: dict[str, Any]) -> None:
        response = await client.post(
            "/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
        )
        assert response.status_code == 200, response.text

    running = RunningBot(bot_api, db, post)
    running.client = client  # type: ignore[attr-defined]
    yield running
    await client.aclose()
    server.should_exit = True
    await task
