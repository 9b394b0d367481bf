"""Sending the due appointment reminders into each person's own channel and language."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from appointments.reminders import claim_due
from bot.dialogue.booking import Booking
from bot.dialogue.config import EngineConfig
from bot.dialogue.models import Conversation
from bot.dialogue.translator import Translator
from intake import outbox
from intake.db import Database
from intake.models import Case

logger = logging.getLogger(__name__)


class ReminderSender:
    def __init__(self, db: Database, config: EngineConfig) -> None:
        self.db = db
        self.config = config
        self.booking = Booking(config)

    async def send_due(self, now: datetime) -> int:
        """Queue every due reminder once, in the transaction that claims it."""
        async with self.db.transaction() as session:
            due = await claim_due(session, now=now)
            for item in due:
                appointment = item.appointment
                case = await session.get(Case, appointment.case_id) if appointment.case_id else None
                if case is None:
                    continue  # booked by staff for someone without a chat: nowhere to send
                conversation = await session.scalar(
                    select(Conversation).where(
                        Conversation.channel == case.channel, Conversation.chat_id == case.chat_id
                    )
                )
                locale = conversation.locale if conversation else appointment.locale
                reply = self.booking.reminder(appointment, Translator(locale))
                outbox.enqueue(
                    session,
                    channel=case.channel,
                    chat_id=case.chat_id,
                    body=reply.to_dict(),
                    now=now,
                    kind="reminder",
                    conversation_id=conversation.id if conversation else None,
                    # Channels that fetch their messages find it stored; the others'
                    # workers deliver it.
                    fetched=case.channel not in self.config.outbox_channels,
                )
        if due:
            logger.info("appointment reminders queued: %d", len(due))
        return len(due)
