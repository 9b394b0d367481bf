"""The channel-neutral dialogue engine: one inbound message in, typed replies out.

Every inbound message is handled in one database transaction, committed before
the replies are handed back to the channel. A message the channel delivers
twice (same message id) changes nothing and returns the replies it got the
first time.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogue import render
from bot.dialogue.config import EngineConfig
from bot.dialogue.flow import NEW, Flow, Turn
from bot.dialogue.models import Conversation, Message
from bot.dialogue.script import N_
from bot.dialogue.text import clean_text
from bot.dialogue.translator import Translator
from bot.dialogue.types import Inbound, Outcome, Reply
from intake import outbox
from intake.db import Database, insert_unless_present, utcnow
from intake.db_errors import database_away
from locales import supported

__all__ = ["Engine", "EngineConfig"]

logger = logging.getLogger(__name__)


APOLOGY = N_("Sorry, something went wrong on our side. Please send your message again in a moment.")


class Engine:
    def __init__(
        self, db: Database, config: EngineConfig, *, clock: Callable[[], Any] = utcnow
    ) -> None:
        self.db = db
        self.config = config
        self.clock = clock
        self.flow = Flow(config)

    async def handle(self, inbound: Inbound) -> Outcome:
        """Process one inbound message; never raises."""
        try:
            try:
                async with self.db.transaction() as session:
                    return await self._handle(session, inbound)
            except IntegrityError:
                # The same message was committed by a concurrent delivery after our
                # snapshot was taken: run again, and see it as the duplicate it is.
                async with self.db.transaction() as session:
                    return await self._handle(session, inbound)
        except Exception as exc:
            # The exception's text may quote what the person wrote: log its type and
            # where it happened, never its message.
            logger.error(
                "inbound message on %s failed, nothing was stored: %s\n%s",
                inbound.channel,
                type(exc).__name__,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            t = Translator(supported(inbound.locale) or self.config.default_locale)
            apology = render.notice(t, APOLOGY)
            return Outcome(
                replies=(apology,), locale=t.locale, failed=True, retry=database_away(exc)
            )

    async def _handle(self, session: AsyncSession, inbound: Inbound) -> Outcome:
        conversation, previous = await self._locked_conversation(session, inbound)
        if previous is not None:
            stored = tuple(Reply.from_dict(r) for r in previous)
            return Outcome(replies=stored, duplicate=True, locale=conversation.locale)

        turn = Turn(conversation, Translator(conversation.locale), self.clock())
        conversation.unreachable_at = None  # they wrote to us, so they can be reached
        if self._within_flood_limit(turn):
            await self.flow.respond(session, turn, inbound)
        consented = conversation.consent_at is not None
        session.add(
            Message(
                conversation_id=conversation.id,
                direction="in",
                external_id=inbound.message_id,
                text=clean_text(inbound.text)[: self.config.max_message_chars]
                if consented and inbound.text
                else None,
                # A pressed button is an answer too: kept only after consent.
                payload=(inbound.payload or "")[:100] or None if consented else None,
                replies=[r.to_dict() for r in turn.replies],
                created_at=turn.now,
            )
        )
        conversation.updated_at = turn.now
        fetched = inbound.channel in self.config.fetch_channels
        if fetched or inbound.channel in self.config.outbox_channels:
            for reply in turn.replies:
                outbox.enqueue(
                    session,
                    channel=inbound.channel,
                    chat_id=inbound.chat_id,
                    body=reply.to_dict(),
                    now=turn.now,
                    conversation_id=conversation.id,
                    fetched=fetched,
                )
        return Outcome(
            replies=tuple(turn.replies),
            locale=conversation.locale,
            case_reference=turn.case_reference,
            events=tuple(turn.events),
        )

    def _within_flood_limit(self, turn: Turn) -> bool:
        """Count the message in a one-minute window; past the limit say so once, then ignore."""
        conversation, now = turn.conversation, turn.now
        window = conversation.window_started_at
        if window is None or (now - window).total_seconds() >= 60:
            conversation.window_started_at, conversation.window_count = now, 1
            return True
        conversation.window_count += 1
        if conversation.window_count <= self.config.flood_limit_per_minute:
            return True
        if conversation.window_count == self.config.flood_limit_per_minute + 1:
            turn.say(N_("You are sending a lot of messages. Please wait a minute, then carry on."))
        return False

    async def _locked_conversation(
        self, session: AsyncSession, inbound: Inbound
    ) -> tuple[Conversation, list[dict[str, Any]] | None]:
        """The conversation, locked for this transaction, created if new; and the
        replies already given to this very message when it was seen before."""
        query = (
            select(Conversation, Message.id, Message.replies)
            .outerjoin(
                Message,
                and_(
                    Message.conversation_id == Conversation.id,
                    Message.external_id == inbound.message_id,
                ),
            )
            .where(Conversation.channel == inbound.channel, Conversation.chat_id == inbound.chat_id)
            .with_for_update(of=Conversation)
        )
        row = (await session.execute(query)).first()
        if row is None:
            await self._create_conversation(session, inbound)
            row = (await session.execute(query)).one()
        conversation, seen, replies = row
        return conversation, (replies or []) if seen is not None else None

    async def _create_conversation(self, session: AsyncSession, inbound: Inbound) -> None:
        """Insert the conversation unless a concurrent message just did."""
        now = self.clock()
        await session.execute(
            insert_unless_present(
                session,
                Conversation,
                ["channel", "chat_id"],
                channel=inbound.channel,
                chat_id=inbound.chat_id,
                locale=supported(inbound.locale) or self.config.default_locale,
                step=NEW,
                answers={},
                history=[],
                editing=False,
                created_at=now,
                updated_at=now,
            )
        )
