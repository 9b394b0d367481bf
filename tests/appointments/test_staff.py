"""Staff and the calendar: a point's days, booking for someone, blocked time, outcomes,
and a cancellation by the point that the person hears about with new times to choose."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from appointments import staff
from appointments.models import ATTENDED, BOOKED, CANCELLED_BY_POINT, NO_SHOW, Appointment
from appointments.reminders import DROPPED, AppointmentReminder
from bot.dialogue.appointment_notices import AppointmentNotices
from intake.models import Case
from intake.outbox import OutboxMessage
from tests.appointments.test_booking import at
from tests.bot.test_booking_in_chat import book_first_free, register
from tests.chat import Chat
from tests.conftest import NOW

TUESDAY = date(2026, 11, 24)


def centrum(engine):
    return engine.config.contact_points.get("centrum")


async def notices(engine, chat: Chat) -> list[dict]:
    async with engine.db.reading() as session:
        rows = await session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.kind == "notice", OutboxMessage.chat_id == chat.chat_id)
            .order_by(OutboxMessage.id)
        )
        return list(rows)


async def test_the_calendar_shows_slots_appointments_blocked_time_and_closed_days(
    chat: Chat, engine
) -> None:
    await register(chat)
    await chat.press("bk:start:n")
    await book_first_free(chat)  # Monday 23 November, 13:00
    async with engine.db.transaction() as session:
        await staff.block_time(
            session,
            point=centrum(engine),
            start=at(TUESDAY, 8),
            end=at(TUESDAY, 10),
            reason="training",
            staff="eva",
            now=NOW,
        )
        days = await staff.calendar(session, centrum(engine), first=date(2026, 11, 23), days=7)
    monday, tuesday = days[0], days[1]
    assert [a.starts_at for a in monday.appointments] == [at(date(2026, 11, 23), 13)]
    assert len(monday.slots) == 12 and len(tuesday.slots) == 8
    assert [b.reason for b in tuesday.blocked] == ["training"]
    saturday = days[5]
    assert saturday.slots == [] and not saturday.closed
    async with engine.db.reading() as session:
        christmas = await staff.calendar(session, centrum(engine), first=date(2026, 12, 24), days=1)
    assert christmas[0].closed


async def test_staff_book_for_a_person_who_is_told_in_their_chat(chat: Chat, engine) -> None:
    await register(chat, language="cs")
    async with engine.db.transaction() as session:
        case = await session.scalar(select(Case))
        appointment = await staff.book_for(
            session,
            point=centrum(engine),
            start=at(TUESDAY, 9),
            case_id=case.id,
            staff="eva",
            now=NOW,
        )
        assert await AppointmentNotices(engine.config).booked_by_staff(
            session, appointment, now=NOW
        )
    assert appointment.booked_by == "eva"
    (notice,) = await notices(engine, chat)
    assert notice["text"].startswith("Kontaktní místo vám objednalo termín:")
    assert "úterý 24. listopadu 2026" in notice["text"] and notice["document"]


async def test_blocking_time_reports_the_appointments_in_it(chat: Chat, engine) -> None:
    await register(chat)
    await chat.press("bk:start:n")
    await book_first_free(chat)
    async with engine.db.transaction() as session:
        blocked, clashes = await staff.block_time(
            session,
            point=centrum(engine),
            start=at(date(2026, 11, 23), 12),
            end=at(date(2026, 11, 23), 17),
            reason=None,
            staff="eva",
            now=NOW,
        )
        assert [a.starts_at for a in clashes] == [at(date(2026, 11, 23), 13)]
        with pytest.raises(staff.CalendarError):
            await staff.block_time(
                session,
                point=centrum(engine),
                start=at(TUESDAY, 9),
                end=at(TUESDAY, 9),
                reason=None,
                staff="eva",
                now=NOW,
            )
    await chat.press("bk:start:c")
    await chat.press("bk:p:centrum:c")
    assert "bk:d:centrum:20261123:c" not in [c.payload for c in chat.choices]  # blocked
    await chat.deliver(payload="bk:d:centrum:20261123:c")  # an older button for that day
    assert "That day is full now" in chat.text
    async with engine.db.transaction() as session:
        await staff.unblock(session, blocked.id)


async def test_outcomes_are_recorded_once_the_appointment_has_begun(chat: Chat, engine) -> None:
    await register(chat)
    await chat.press("bk:start:n")
    await book_first_free(chat)
    async with engine.db.transaction() as session:
        appointment = await session.scalar(select(Appointment))
        with pytest.raises(staff.CalendarError, match="not begun"):
            await staff.record_outcome(session, appointment.id, ATTENDED, staff="eva", now=NOW)
        with pytest.raises(staff.CalendarError, match="outcome"):
            await staff.record_outcome(
                session, appointment.id, "late", staff="eva", now=NOW + timedelta(hours=4)
            )
        done = await staff.record_outcome(
            session, appointment.id, NO_SHOW, staff="eva", now=NOW + timedelta(hours=4)
        )
    assert done.status == NO_SHOW


async def test_a_cancellation_by_the_point_tells_the_person_and_offers_new_times(
    chat: Chat, engine
) -> None:
    await register(chat)
    await chat.press("bk:start:n")
    await book_first_free(chat)
    async with engine.db.transaction() as session:
        appointment = await session.scalar(select(Appointment))
        cancelled = await staff.cancel_by_point(session, appointment.id, staff="eva", now=NOW)
        await AppointmentNotices(engine.config).cancelled_by_point(session, cancelled, now=NOW)
        reminders = list(await session.scalars(select(AppointmentReminder.status)))
    assert cancelled.status == CANCELLED_BY_POINT and set(reminders) == {DROPPED}
    (notice,) = await notices(engine, chat)
    assert notice["text"].startswith("We are sorry: the contact point had to cancel")
    offered = [c["payload"] for c in notice["choices"] if c["payload"].startswith("bk:t:")]
    assert len(offered) == 3
    await chat.deliver(payload=offered[0])  # the person picks one of them
    assert "appointment_booked" in chat.last.events
    async with engine.db.reading() as session:
        statuses = list(await session.scalars(select(Appointment.status).order_by(Appointment.id)))
    assert statuses == [CANCELLED_BY_POINT, BOOKED]
    with pytest.raises(staff.CalendarError):
        async with engine.db.transaction() as session:
            await staff.cancel_by_point(session, appointment.id, staff="eva", now=NOW)
