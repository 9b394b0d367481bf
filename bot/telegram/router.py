"""aiogram routers, built by a factory (a Router attaches to one Dispatcher only)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message

from bot.dialogue.engine import Engine
from bot.dialogue.script import N_
from bot.dialogue.translator import Translator
from bot.telegram import inbound, render


def build_router(engine: Engine, *, notify: Callable[[], None]) -> Router:
    """Hand private messages and button presses to the engine; the replies it writes
    to the outbox are sent by the delivery worker, which ``notify`` wakes up."""
    router = Router(name="intake")

    @router.message(F.chat.type == "private")
    async def on_message(message: Message) -> None:
        outcome = await engine.handle(inbound.from_message(message))
        if outcome.failed:  # nothing reached the outbox: apologise directly
            await message.answer(render.text(outcome.replies[0]))
        notify()

    @router.callback_query()
    async def on_button(query: CallbackQuery) -> None:
        outcome = await engine.handle(inbound.from_callback(query))
        toast = None
        if outcome.duplicate:
            toast = Translator(outcome.locale).gettext(N_("That question is already answered."))
        elif outcome.failed:
            toast = render.text(outcome.replies[0])
        notify()  # the replies are in the outbox whatever happens to the toast
        # Always answer, or the person's button keeps spinning. Telegram refuses an
        # answer to a press that waited too long (after downtime): nothing to mend.
        with contextlib.suppress(TelegramBadRequest):
            await query.answer(text=toast)

    return router
