"""The Telegram delivery worker: sends what the outbox holds, once per row.

- one message per reply, in order per chat; different chats are sent concurrently;
- before a new message goes to a chat, the buttons of its earlier messages are
  removed, so an answered question cannot be pressed again;
- a multiple-choice question asked again with the person's new ticks (Reply.update)
  updates the question's message in place, rather than sending it once per tap;
- HTTP 429 waits ``retry_after``; 5xx and network errors retry with backoff;
- 403 (the person blocked the bot) marks the conversation unreachable and stops.

A round is two short transactions whatever its size: claim (with the chats' open
keyboards), then record every outcome. If the process dies between sending and
recording, the claim's lease runs out and the row is sent again: a rare
duplicate is preferred to a lost message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, Message
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogue.models import Conversation
from bot.dialogue.types import Reply
from bot.telegram import render
from bot.telegram.inbound import CHANNEL
from intake import outbox
from intake.db import Database, utcnow

logger = logging.getLogger(__name__)

# Messages to a person (their newest buttons replace the older ones), unlike staff alerts.
TO_PEOPLE = ("reply", "reminder", "notice")
UNSEND_BATCH = 100  # message ids per deleteMessages

# Failed sends (5xx, network) before a message is given up: with the backoff capped
# at 5 minutes, about two hours of Telegram being away. Being told to wait (429) or
# the bot's token being refused is not the message's failure and is not counted.
MAX_ATTEMPTS = 30
NOT_OURS_TO_FIX_SECONDS = 60
FINISH_ROUND_SECONDS = 25  # on stopping: a send in flight times out in 20 s
MAX_BACKOFF_SECONDS = 300


def backoff(attempts: int, unit: float = 1.0) -> timedelta:
    """1, 2, 4, … units after the 1st, 2nd, 3rd … failed attempt, at most 5 minutes."""
    return timedelta(seconds=min(unit * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    chat_id: str
    kind: str
    body: dict
    attempts: int
    open_keyboards: tuple[outbox.OpenKeyboard, ...] = ()  # the chat's, oldest first
    newest_sent: int | None = None  # the outbox id of the chat's newest message


@dataclass
class Result:
    """What happened to one item; recorded with the others in one transaction."""

    item: Item
    attempted_at: datetime = field(default_factory=utcnow)
    sent_id: str | None = None
    keyboard: bool = False
    retry_in: timedelta | None = None
    counted: bool = True  # False: the attempt is not held against the message
    unreachable: bool = False
    error: str | None = None
    closed: list[int] = field(default_factory=list)


class TelegramDelivery:
    def __init__(
        self,
        bot: Bot,
        db: Database,
        *,
        clock: Callable[[], datetime] = utcnow,
        batch: int = 100,
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
        self._paused_until = 0.0

    def pause(self, wait: timedelta) -> None:
        """Send nothing more for a while (Telegram asked us to wait)."""
        self._paused_until = max(self._paused_until, time.monotonic() + wait.total_seconds())

    def notify(self) -> None:
        """Something was written to the outbox: deliver it now rather than at the next tick."""
        self._wakeup.set()

    async def run(self) -> None:
        """Deliver until cancelled; a round in progress is finished first."""
        while True:
            if (wait := self._paused_until - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            running = asyncio.ensure_future(self.deliver_due())
            try:
                delivered = await asyncio.shield(running)
            except asyncio.CancelledError:
                # Stopping (a deploy, a restart): let the round record what it sent,
                # or those messages would be sent again by whoever starts next.
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(running, FINISH_ROUND_SECONDS)
                raise
            except Exception as exc:  # the database may be down for a moment
                logger.error("telegram delivery round failed: %s", type(exc).__name__)
                delivered = 0
            if delivered == 0:
                self._wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self.idle_seconds)

    async def deliver_due(self) -> int:
        """One round: claim what is due and first in line in its chat, send, record."""
        async with self.db.transaction() as session:
            rows = await outbox.claim_due(
                session, channel=CHANNEL, now=self.clock(), limit=self.batch
            )
            people = {r.chat_id for r in rows if r.kind in TO_PEOPLE}
            keyboards = await outbox.open_keyboards(session, channel=CHANNEL, chat_ids=people)
            newest = await outbox.newest_sent(session, channel=CHANNEL, chat_ids=people)
            items = [
                Item(
                    r.id,
                    r.chat_id,
                    r.kind,
                    r.body,
                    r.attempts,
                    tuple(keyboards.get(r.chat_id, ())) if r.kind in TO_PEOPLE else (),
                    newest.get(r.chat_id) if r.kind in TO_PEOPLE else None,
                )
                for r in rows
            ]
        if not items:
            return 0
        results = await asyncio.gather(*(self._deliver(item) for item in items))
        async with self.db.transaction() as session:
            for result in results:
                await self._record(session, result)
        return len(items)

    async def _deliver(self, item: Item) -> Result:
        """Send one item; whatever happens, say what happened (never raise: the other
        items of the round were sent, and their results must be recorded)."""
        result = Result(item, attempted_at=self.clock())
        try:
            if item.kind == outbox.UNSEND:
                await self._unsend(item)
                result.sent_id = ""  # taken back: done
                return result
            reply = render.numbered(Reply.from_dict(item.body))
            markup = render.keyboard(reply)
            updated = await self._update_in_place(item, reply, markup)
            if updated is not None:
                result.closed = [updated.row_id]  # the new row holds its buttons now
                result.sent_id, result.keyboard = updated.message_id, True
                return result
            result.closed = await self._close_keyboards(item)
            sent = await self._send(int(item.chat_id), reply, markup)
        except TelegramRetryAfter as error:
            result.retry_in, result.error = timedelta(seconds=error.retry_after), "429"
            result.counted = False
            self.pause(result.retry_in)  # the limit is the bot's, not this chat's
        except (TelegramUnauthorizedError, TelegramConflictError) as error:
            # The token was revoked, or another process uses it: no message can go
            # until someone mends the configuration; keep them all and say so.
            result.retry_in = timedelta(seconds=NOT_OURS_TO_FIX_SECONDS)
            result.error, result.counted = type(error).__name__, False
            self.pause(result.retry_in)
            logger.error("telegram refused the bot (%s): check KMB_TELEGRAM_TOKEN", result.error)
        except TelegramEntityTooLarge as error:  # sending it again will not make it smaller
            result.error = type(error).__name__
            logger.warning("telegram message %s failed for good: %s", item.id, result.error)
        except TelegramForbiddenError:
            result.unreachable, result.error = True, "403 forbidden"
        except (TelegramServerError, TelegramNetworkError, TimeoutError, OSError) as error:
            result.retry_in = backoff(item.attempts, self.backoff_unit)
            result.error = type(error).__name__
        except TelegramAPIError as error:  # 400 and the like: sending again will not help
            result.error = type(error).__name__
            logger.warning("telegram message %s failed for good: %s", item.id, result.error)
        except Exception as error:  # e.g. an answer that is not JSON, a row we cannot read
            result.retry_in = backoff(item.attempts, self.backoff_unit)
            result.error = type(error).__name__
            logger.error("telegram message %s could not be sent: %s", item.id, result.error)
        else:
            result.sent_id, result.keyboard = str(sent.message_id), markup is not None
        return result

    async def _send(
        self, chat_id: int, reply: Reply, markup: InlineKeyboardMarkup | None
    ) -> Message:
        """One API call per outbox row, so that a retry cannot send half of it twice:
        a reply with a file goes as the file with the text as its caption."""
        document = reply.document
        if document is not None and len(reply.text) <= render.CAPTION_LIMIT:
            return await self.bot.send_document(
                chat_id=chat_id,
                document=BufferedInputFile(document.content.encode("utf-8"), document.filename),
                caption=reply.text,
                reply_markup=markup,
            )
        return await self.bot.send_message(
            chat_id=chat_id, text=render.text(reply), reply_markup=markup
        )

    async def _unsend(self, item: Item) -> None:
        """Delete the messages of a private chat, the bot's and the person's (they deleted
        their data): Telegram lets a bot do it for 48 hours, 100 at a time. The person's
        messages are known by the engine's ids for them ("m123", see inbound)."""
        theirs = [i[1:] for i in item.body.get("received_ids", []) if i.startswith("m")]
        # A message updated in place is one message for several rows: delete it once.
        ids = sorted({int(i) for i in [*item.body.get("message_ids", []), *theirs] if i.isdigit()})
        for start in range(0, len(ids), UNSEND_BATCH):
            with contextlib.suppress(TelegramBadRequest):  # too old, or gone already
                await self.bot.delete_messages(
                    chat_id=int(item.chat_id), message_ids=ids[start : start + UNSEND_BATCH]
                )

    async def _update_in_place(
        self, item: Item, reply: Reply, markup: InlineKeyboardMarkup | None
    ) -> outbox.OpenKeyboard | None:
        """The chat's newest message with buttons, updated to ``reply`` when ``reply``
        asks the same question with other buttons ticked; None when it does not, or
        when Telegram will not edit the message (deleted, say): then it is sent anew."""
        # An edit cannot carry a file, nor turn a file into a text.
        if not (reply.update and markup is not None and item.open_keyboards) or reply.document:
            return None
        newest = item.open_keyboards[-1]
        shown = Reply.from_dict(newest.body)
        if (
            newest.row_id != item.newest_sent  # something was said below it since
            or shown.text != Reply.from_dict(item.body).text  # another question
            or not shown.choices
            or shown.document
        ):
            return None
        chat_id, message_id = int(item.chat_id), int(newest.message_id or 0)
        try:
            if render.text(render.numbered(shown)) == render.text(reply):
                await self.bot.edit_message_reply_markup(
                    chat_id=chat_id, message_id=message_id, reply_markup=markup
                )
            else:  # the ticks are in the text too (answers listed by number)
                await self.bot.edit_message_text(
                    chat_id=chat_id,
                    message_id=message_id,
                    text=render.text(reply),
                    reply_markup=markup,
                )
        except TelegramBadRequest as error:
            if "not modified" not in str(error):  # "not modified": it shows this already
                return None
        except TelegramNotFound:
            return None
        return newest

    async def _close_keyboards(self, item: Item) -> list[int]:
        """Remove the buttons of messages already answered (best effort)."""
        closed = []
        for keyboard in item.open_keyboards:
            row_id, message_id = keyboard.row_id, keyboard.message_id
            try:
                await self.bot.edit_message_reply_markup(
                    chat_id=int(item.chat_id), message_id=int(message_id or 0), reply_markup=None
                )
            except (TelegramBadRequest, TelegramNotFound):
                pass  # too old, already gone or unchanged: nothing left to press
            except (TelegramRetryAfter, TelegramServerError, TelegramNetworkError):
                continue  # try again before the next message
            closed.append(row_id)
        return closed

    async def _record(self, session: AsyncSession, result: Result) -> None:
        item, now = result.item, self.clock()
        await outbox.close_keyboards(session, result.closed)
        if result.sent_id is not None:
            await outbox.mark_sent(
                session,
                item.id,
                attempts=item.attempts,
                external_id=result.sent_id,
                keyboard=result.keyboard,
                now=now,
            )
        elif result.unreachable:
            if item.kind == "staff_alert":  # nobody else would notice: say it loudly
                logger.error("the staff chat refused an alert (is the bot still in it?)")
            await outbox.drop_chat(
                session,
                channel=CHANNEL,
                chat_id=item.chat_id,
                up_to=item.id,
                error=result.error or "",
            )
            await session.execute(
                update(Conversation)
                .where(
                    Conversation.channel == CHANNEL,
                    Conversation.chat_id == item.chat_id,
                    # unless they wrote to us since (and so unblocked the bot)
                    Conversation.updated_at <= result.attempted_at,
                )
                .values(unreachable_at=now)
            )
        elif result.retry_in is not None and (not result.counted or item.attempts < MAX_ATTEMPTS):
            await outbox.retry_later(
                session,
                item.id,
                attempts=item.attempts,
                at=now + result.retry_in,
                error=result.error or "",
                counted=result.counted,
            )
        else:
            await outbox.give_up(
                session, item.id, attempts=item.attempts, error=result.error or "unknown"
            )
