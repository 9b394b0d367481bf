"""The Telegram delivery worker: sends what the outbox holds, exactly once per row.

- one message per reply, in order per chat; different chats are sent concurrently;
- before a new message goes to a chat, the buttons of its earlier messages are
  removed, so an answered question cannot be pressed again;
- HTTP 429 waits ``retry_after``; 5xx and network errors retry with backoff;
- 403 (the person blocked the bot) marks the conversation unreachable and stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from sqlalchemy import update

from bot.dialogue.models import Conversation
from bot.dialogue.types import Reply
from bot.telegram import render
from bot.telegram.inbound import CHANNEL
from intake import outbox
from intake.db import Database, utcnow

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
MAX_BACKOFF_SECONDS = 300


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    chat_id: str
    kind: str
    body: dict
    attempts: int


def backoff(attempts: int, unit: float = 1.0) -> timedelta:
    """1, 2, 4, … units after the 1st, 2nd, 3rd … failed attempt, at most 5 minutes."""
    return timedelta(seconds=min(unit * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


class TelegramDelivery:
    def __init__(
        self,
        bot: Bot,
        db: Database,
        *,
        clock: Callable[[], datetime] = utcnow,
        batch: int = 50,
        idle_seconds: float = 1.0,
        backoff_unit: float = 1.0,
    ) -> None:
        self.bot = bot
        self.db = db
        self.clock = clock
        self.batch = batch
        self.idle_seconds = idle_seconds
        self.backoff_unit = backoff_unit
        self._wakeup = asyncio.Event()

    def notify(self) -> None:
        """Something was written to the outbox: deliver it now rather than at the next tick."""
        self._wakeup.set()

    async def run(self) -> None:
        """Deliver until cancelled."""
        while True:
            try:
                delivered = await self.deliver_due()
            except Exception as exc:  # the database may be down for a moment
                logger.error("telegram delivery round failed: %s", type(exc).__name__)
                delivered = 0
            if delivered == 0:
                self._wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self.idle_seconds)

    async def deliver_due(self) -> int:
        """One round: claim what is due and first in line in its chat, send it."""
        async with self.db.transaction() as session:
            rows = await outbox.claim_due(
                session, channel=CHANNEL, now=self.clock(), limit=self.batch
            )
            items = [Item(r.id, r.chat_id, r.kind, r.body, r.attempts) for r in rows]
        await asyncio.gather(*(self._deliver(item) for item in items))
        return len(items)

    async def _deliver(self, item: Item) -> None:
        reply = Reply.from_dict(item.body)
        markup = render.keyboard(reply)
        try:
            if item.kind == "reply":
                await self._close_keyboards(item.chat_id)
            sent = await self.bot.send_message(
                chat_id=int(item.chat_id), text=render.text(reply), reply_markup=markup
            )
        except TelegramRetryAfter as error:
            await self._retry(item, timedelta(seconds=error.retry_after), "429 retry after")
        except TelegramForbiddenError:
            await self._unreachable(item)
        except (TelegramServerError, TelegramNetworkError, TimeoutError, OSError) as error:
            await self._retry(item, backoff(item.attempts, self.backoff_unit), type(error).__name__)
        except TelegramAPIError as error:  # 400 and the like: sending again will not help
            async with self.db.transaction() as session:
                await outbox.give_up(session, item.id, error=type(error).__name__)
            logger.warning("telegram message %s failed for good: %s", item.id, type(error).__name__)
        else:
            async with self.db.transaction() as session:
                await outbox.mark_sent(
                    session,
                    item.id,
                    external_id=str(sent.message_id),
                    keyboard=markup is not None,
                    now=self.clock(),
                )

    async def _retry(self, item: Item, delay: timedelta, error: str) -> None:
        async with self.db.transaction() as session:
            if item.attempts >= MAX_ATTEMPTS:
                await outbox.give_up(session, item.id, error=f"gave up: {error}")
            else:
                await outbox.retry_later(session, item.id, at=self.clock() + delay, error=error)

    async def _unreachable(self, item: Item) -> None:
        async with self.db.transaction() as session:
            await outbox.drop_chat(
                session, channel=CHANNEL, chat_id=item.chat_id, error="403 forbidden"
            )
            await session.execute(
                update(Conversation)
                .where(Conversation.channel == CHANNEL, Conversation.chat_id == item.chat_id)
                .values(unreachable_at=self.clock())
            )

    async def _close_keyboards(self, chat_id: str) -> None:
        """Remove the buttons of messages already answered (best effort)."""
        async with self.db.transaction() as session:
            rows = await outbox.open_keyboards(session, channel=CHANNEL, chat_id=chat_id)
            targets = [(row.id, row.external_id) for row in rows]
        closed = []
        for row_id, message_id in targets:
            try:
                await self.bot.edit_message_reply_markup(
                    chat_id=int(chat_id), message_id=int(message_id or 0), reply_markup=None
                )
            except (TelegramBadRequest, TelegramNotFound, TelegramForbiddenError):
                pass  # too old, already gone or unchanged: nothing left to press
            except TelegramAPIError:
                continue  # try again before the next message
            closed.append(row_id)
        async with self.db.transaction() as session:
            await outbox.close_keyboards(session, closed)
