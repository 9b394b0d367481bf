"""What staff do with a contact point's calendar: the services the admin API calls.

Each works inside the caller's transaction and only flushes. Telling the person
about a change is the caller's part (``bot/dialogue/appointment_notices.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appointments import booking
from appointments.models import (
    ATTENDED,
    BOOKED,
    CANCELLED,
    CANCELLED_BY_POINT,
    NO_SHOW,
    Appointment,
    BlockedTime,
)
from appointments.slots import PRAGUE, Slot, is_closed, slots_of_day
from intake.contact_point import ContactPoint
from intake.models import Case


class CalendarError(ValueError):
    pass


@dataclass
class CalendarDay:
    day: date
    closed: bool
    slots: list[Slot] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)
    blocked: list[BlockedTime] = field(default_factory=list)


async def calendar(
    session: AsyncSession, point: ContactPoint, *, first: date, days: int = 7
) -> list[CalendarDay]:
    """The point's days from ``first``: its slots, the appointments and the blocked time."""
    start = datetime.combine(first, datetime.min.time(), tzinfo=PRAGUE)
    end = start + timedelta(days=days)
    appointments = list(
        await session.scalars(
            select(Appointment)
            .where(
                Appointment.point_id == point.id,
                Appointment.starts_at >= start,
                Appointment.starts_at < end,
            )
            .order_by(Appointment.starts_at, Appointment.seat)
        )
    )
    blocked = list(
        await session.scalars(
            select(BlockedTime)
            .where(
                BlockedTime.point_id == point.id,
                BlockedTime.ends_at > start,
                BlockedTime.starts_at < end,
            )
            .order_by(BlockedTime.starts_at)
        )
    )
    result = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        local = [a for a in appointments if a.starts_at.astimezone(PRAGUE).date() == day]
        day_start = datetime.combine(day, datetime.min.time(), tzinfo=PRAGUE)
        day_end = day_start + timedelta(days=1)
        result.append(
            CalendarDay(
                day=day,
                closed=is_closed(point, day),
                slots=list(slots_of_day(point, day)),
                appointments=local,
                blocked=[b for b in blocked if b.starts_at < day_end and b.ends_at > day_start],
            )
        )
    return result


async def book_for(
    session: AsyncSession,
    *,
    point: ContactPoint,
    start: datetime,
    case_id: int,
    staff: str,
    now: datetime,
    reminder_hours: tuple[int, ...] = (24, 2),
    max_future: int = 1,
) -> Appointment:
    """Book on behalf of the person of a case (by phone or at the desk)."""
    case = await session.get(Case, case_id)
    if case is None:
        raise CalendarError(f"no case {case_id}")
    return await booking.book(
        session,
        point=point,
        start=start,
        person_id=case.person_id,
        case_id=case.id,
        locale=case.locale,
        booked_by=staff,
        now=now,
        max_future=max_future,
        reminder_hours=reminder_hours,
    )


async def block_time(
    session: AsyncSession,
    *,
    point: ContactPoint,
    start: datetime,
    end: datetime,
    reason: str | None,
    staff: str,
    now: datetime,
) -> tuple[BlockedTime, list[Appointment]]:
    """Take time out of the calendar; the appointments already booked in it are
    returned for staff to move or cancel (they are not cancelled silently)."""
    if end <= start:
        raise CalendarError("the blocked time must end after it starts")
    blocked = BlockedTime(
        point_id=point.id,
        starts_at=start,
        ends_at=end,
        reason=reason,
        created_by=staff,
        created_at=now,
    )
    session.add(blocked)
    await session.flush()
    clashes = list(
        await session.scalars(
            select(Appointment)
            .where(
                Appointment.point_id == point.id,
                Appointment.status == BOOKED,
                Appointment.starts_at < end,
                Appointment.ends_at > start,
            )
            .order_by(Appointment.starts_at)
        )
    )
    return blocked, clashes


async def unblock(session: AsyncSession, blocked_id: int) -> None:
    blocked = await session.get(BlockedTime, blocked_id)
    if blocked is None:
        raise CalendarError(f"no blocked time {blocked_id}")
    await session.delete(blocked)
    await session.flush()


OUTCOMES = (ATTENDED, NO_SHOW)


async def record_outcome(
    session: AsyncSession, appointment_id: int, outcome: str, *, staff: str, now: datetime
) -> Appointment:
    """Attended or no-show, once the appointment has begun."""
    if outcome not in OUTCOMES:
        raise CalendarError(f"the outcome is one of {', '.join(OUTCOMES)}")
    appointment = await session.get(Appointment, appointment_id)
    if appointment is None:
        raise CalendarError(f"no appointment {appointment_id}")
    if appointment.status in (CANCELLED, CANCELLED_BY_POINT):
        raise CalendarError("the appointment was cancelled")
    if appointment.starts_at > now:
        raise CalendarError("the appointment has not begun yet")
    appointment.status = outcome
    appointment.changed_at = now
    appointment.note = f"{outcome} (recorded by {staff})"
    await session.flush()
    return appointment


async def cancel_by_point(
    session: AsyncSession, appointment_id: int, *, staff: str, now: datetime
) -> Appointment:
    """The point cannot see the person then: free the seat, drop the reminders."""
    appointment = await session.get(Appointment, appointment_id)
    if appointment is None or appointment.status != BOOKED:
        raise CalendarError(f"no booked appointment {appointment_id}")
    await booking.cancel(session, appointment, by_point=True, now=now)
    appointment.note = f"cancelled by the contact point ({staff})"
    await session.flush()
    return appointment
