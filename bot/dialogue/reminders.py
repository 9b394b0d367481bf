"""Sending the due appointment reminders into each person's own channel and language."""

from __future__ import annotations

import logging
from datetime import datetime

from appointments.reminders import claim_due
from bot.dialogue.appointment_notices import queue_for_person
from bot.dialogue.booking import Booking
from bot.dialogue.config import EngineConfig
from intake.db import Database

logger = logging.getLogger(__name__)


class ReminderSender:
    job_id = "appointment-reminders"

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
                await queue_for_person(
                    session,
                    self.config,
                    case_id=appointment.case_id,
                    fallback_locale=appointment.locale,
                    build=lambda t, a=appointment: self.booking.reminder(a, t),
                    now=now,
                    kind="reminder",
                )
        if due:
            logger.info("appointment reminders queued: %d", len(due))
        return len(due)

    async def run(self, now: datetime) -> int:
        return await self.send_due(now)
