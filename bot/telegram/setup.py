"""Telling Telegram about the bot when `kmb serve` starts: the command menu, and the
webhook (or, without a public URL, long polling from this process).

It runs in the background and is retried until Telegram answers: a Telegram outage,
or a 429 because several web workers start at once, must not keep the widget and
the admin API from starting. Updates pushed to the webhook meanwhile are handled.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot, Dispatcher

from bot.telegram.commands import register_commands

logger = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
MAX_DELAY_SECONDS = 300.0


async def set_up(
    bot: Bot,
    dispatcher: Dispatcher,
    *,
    webhook_url: str | None,
    secret: str,
    first_delay: float = 1.0,
) -> None:
    delay = first_delay
    while True:
        try:
            await register_commands(bot)
            if webhook_url:
                await bot.set_webhook(
                    webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES
                )
            else:
                await bot.delete_webhook()
            break
        except Exception as error:  # Telegram away, refusing, or too busy for us
            logger.error(
                "telegram setup failed (%s); trying again in %.0f s", type(error).__name__, delay
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_DELAY_SECONDS)
    if not webhook_url:
        await dispatcher.start_polling(bot, handle_signals=False, allowed_updates=ALLOWED_UPDATES)
