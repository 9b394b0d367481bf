"""``POST /telegram/webhook``: updates pushed by Telegram, checked by the secret header."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from fastapi import APIRouter, Header, HTTPException, Request
from pydantic import ValidationError

MAX_UPDATE_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """What the endpoint feeds updates to; kept on ``app.state.telegram``."""

    dispatcher: Dispatcher
    bot: Bot
    secret: str


router = APIRouter()


@router.post("/telegram/webhook", include_in_schema=False)
async def telegram_webhook(
    request: Request,
    x_telegram_bot_api_secret_token: Annotated[str | None, Header()] = None,
) -> dict[str, bool]:
    target: WebhookTarget | None = getattr(request.app.state, "telegram", None)
    if target is None:
        raise HTTPException(status_code=404, detail="the Telegram bot is not configured")
    if not hmac.compare_digest(x_telegram_bot_api_secret_token or "", target.secret):
        raise HTTPException(status_code=403, detail="wrong or missing secret token")
    body = await request.body()
    if len(body) > MAX_UPDATE_BYTES:
        raise HTTPException(status_code=413, detail="update too large")
    try:
        update = Update.model_validate_json(body, context={"bot": target.bot})
    except ValidationError as error:
        raise HTTPException(status_code=400, detail="not a Telegram update") from error
    await target.dispatcher.feed_update(target.bot, update)
    return {"ok": True}
