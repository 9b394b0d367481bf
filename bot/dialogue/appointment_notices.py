"""Messages to a person that no message of theirs caused: reminders, and what staff
changed about their appointment. Queued in the caller's transaction, in the person's
own channel and language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from appointments import booking
from appointments.models import Appointment
from bot.dialogue.booking import NEW, Booking
from bot.dialogue.config import EngineConfig
from bot.dialogue.models import conversation_of
from bot.dialogue.script import N_
from bot.dialogue.translator import Translator
from bot.dialogue.types import Choice, Reply
from intake import outbox
from intake.models import Case


async def queue_for_person(
    session: AsyncSession,
    config: EngineConfig,
    *,
    case_id: int | None,
    fallback_locale: str,
    build: Callable[[Translator], Reply],
    now: datetime,
    kind: str,
) -> bool:
    """Queue a message for the person of a case; False when they have no chat."""
    case = await session.get(Case, case_id) if case_id else None
    if case is None:
        return False
    conversation = await conversation_of(session, case)
    if conversation is not None and conversation.case_id != case.id:
        return False  # someone else uses that chat now (they started again): not theirs to read
    locale = conversation.locale if conversation else fallback_locale
    outbox.enqueue(
        session,
        channel=case.channel,
        chat_id=case.chat_id,
        body=build(Translator(locale)).to_dict(),
        now=now,
        kind=kind,
        conversation_id=conversation.id if conversation else None,
        # Channels that fetch their messages find it stored; the others' workers send it.
        fetched=case.channel not in config.outbox_channels,
    )
    return True


class AppointmentNotices:
    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.booking = Booking(config)

    async def booked_by_staff(
        self, session: AsyncSession, appointment: Appointment, *, now: datetime
    ) -> bool:
        return await queue_for_person(
            session,
            self.config,
            case_id=appointment.case_id,
            fallback_locale=appointment.locale,
            build=lambda t: self.booking.confirmation(
                appointment, t, heading=N_("The contact point booked a time for you:"), now=now
            ),
            now=now,
            kind="notice",
        )

    async def cancelled_by_point(
        self, session: AsyncSession, appointment: Appointment, *, now: datetime
    ) -> bool:
        """Say sorry and offer the next free times at the same place."""
        point = self.booking.points.get(appointment.point_id) or self.booking.points.main
        free = await booking.free(session, point, now=now, limit=3)

        def build(t: Translator) -> Reply:
            return Reply(
                text=t.gettext(
                    N_(
                        "We are sorry: the contact point had to cancel your appointment on "
                        "%(when)s. Please choose a new time:"
                    ),
                    when=self.booking.when(appointment.starts_at, t),
                ),
                choices=(
                    *(self.booking.time_choice(slot, t, NEW, with_day=True) for slot in free),
                    Choice(t.gettext(N_("Another day")), f"bk:p:{point.id}:{NEW}"),
                ),
            )

        return await queue_for_person(
            session,
            self.config,
            case_id=appointment.case_id,
            fallback_locale=appointment.locale,
            build=build,
            now=now,
            kind="notice",
        )
