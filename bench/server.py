"""The server side of the HTTP benchmarks, run in its own process.

python bench/server.py echo PORT API_BASE        # a bare aiogram echo bot
python bench/server.py kmb PORT API_BASE DBURL   # `kmb serve`'s app, plus a bare
                                                 # FastAPI endpoint POST /bench/bare
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message
from fastapi import FastAPI

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.telegram import webhook  # noqa: E402
from kmb.settings import Settings  # noqa: E402
from kmb.web import create_app  # noqa: E402

TOKEN = "123456:BENCH-token"
SECRET = "bench-secret"


def echo_app(api_base: str) -> FastAPI:
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)))
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
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

    return app


if __name__ == "__main__":
    mode, port, api_base = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    app = echo_app(api_base) if mode == "echo" else kmb_app(api_base, sys.argv[4])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
