"""Booking, changing and cancelling appointments; the services both the chat and the
staff call. Each works inside the caller's transaction and only flushes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from appointments import reminders
from appointments.models import (
    BOOKED,
    CANCELLED,
    CANCELLED_BY_POINT,
    HOLDS_SEAT,
    Appointment,
    BlockedTime,
)
from appointments.slots import PRAGUE, Slot, free_slots, is_closed, slots_of_day
from intake.contact_point import ContactPoint
from intake.models import Person

ALTERNATIVES = 3  # free slots offered when the chosen one is gone


class BookingError(Exception):
    """Why a booking could not be made; ``alternatives`` are free slots to offer instead."""

    reason = "error"

    def __init__(self, alternatives: Sequence[Slot] = ()) -> None:
        super().__init__(self.reason)
        self.alternatives = list(alternatives)


class SlotTaken(BookingError):
    reason = "taken"


class NotOffered(BookingError):
    """Not a slot of the point: past, too soon, too far, closed or blocked."""

    reason = "not_offered"


class AlreadyBooked(BookingError):
    """The person has as many future appointments as allowed; the first one is named."""

    reason = "already_booked"

    def __init__(self, existing: Appointment) -> None:
        super().__init__()
        # Plain values: the error outlives the transaction the appointment was read in.
        self.existing_id = existing.id
        self.point_id = existing.point_id
        self.starts_at = existing.starts_at


async def booked_counts(
    session: AsyncSession, point_id: str, *, since: datetime
) -> dict[datetime, int]:
    """How many seats are held in each slot of the point from ``since`` on."""
    rows = await session.execute(
        select(Appointment.starts_at, func.count())
        .where(
            Appointment.point_id == point_id,
            Appointment.starts_at >= since,
            Appointment.status.in_(HOLDS_SEAT),
        )
        .group_by(Appointment.starts_at)
    )
    return {start: count for start, count in rows}


async def blocked_times(
    session: AsyncSession, point_id: str, *, since: datetime
) -> list[tuple[datetime, datetime]]:
    rows = await session.execute(
        select(BlockedTime.starts_at, BlockedTime.ends_at).where(
            BlockedTime.point_id == point_id, BlockedTime.ends_at > since
        )
    )
    return [(start, end) for start, end in rows]


async def free(
    session: AsyncSession,
    point: ContactPoint,
    *,
    now: datetime,
    limit: int | None = None,
    after: datetime | None = None,
) -> list[Slot]:
    """The point's free slots, earliest first (from ``after`` on, when given)."""
    return free_slots(
        point,
        now=now,
        booked=await booked_counts(session, point.id, since=now),
        blocked=await blocked_times(session, point.id, since=now),
        wanted=(lambda slot: slot.start >= after) if after else (lambda slot: True),
        limit=limit,
    )


async def _alternatives(
    session: AsyncSession, point: ContactPoint, *, now: datetime, after: datetime
) -> list[Slot]:
    """The next free slots after the one asked for, or else the earliest ones."""
    return await free(session, point, now=now, limit=ALTERNATIVES, after=after) or await free(
        session, point, now=now, limit=ALTERNATIVES
    )


def _offered(point: ContactPoint, start: datetime, now: datetime) -> Slot | None:
    """The slot of the point that begins at ``start``, if the point offers it now."""
    day = start.astimezone(PRAGUE).date()
    if start < now + timedelta(hours=point.lead_time_hours) or is_closed(point, day):
        return None
    if day > now.astimezone(PRAGUE).date() + timedelta(days=point.horizon_days):
        return None
    return next((s for s in slots_of_day(point, day) if s.start == start), None)


async def future_appointments(
    session: AsyncSession, person_id: int, *, now: datetime
) -> list[Appointment]:
    rows = await session.scalars(
        select(Appointment)
        .where(
            Appointment.person_id == person_id,
            Appointment.status == BOOKED,
            Appointment.starts_at > now,
        )
        .order_by(Appointment.starts_at)
    )
    return list(rows)


async def book(
    session: AsyncSession,
    *,
    point: ContactPoint,
    start: datetime,
    person_id: int,
    case_id: int | None,
    locale: str,
    booked_by: str,
    now: datetime,
    max_future: int = 1,
    replacing: Appointment | None = None,
    reminder_hours: Sequence[int] = (),
) -> Appointment:
    """Book the slot of ``point`` that begins at ``start``, or raise a BookingError
    that carries the next free slots. ``replacing`` is cancelled in the same
    transaction (a change of time)."""
    if session.bind.dialect.name == "postgresql":
        # One booking at a time per person: two taps on two slots cannot both win.
        await session.execute(select(Person.id).where(Person.id == person_id).with_for_update())
    future = [
        a
        for a in await future_appointments(session, person_id, now=now)
        if replacing is None or a.id != replacing.id
    ]
    if len(future) >= max_future:
        raise AlreadyBooked(existing=future[0])
    slot = _offered(point, start, now)
    blocked = await blocked_times(session, point.id, since=now)
    if slot is None or any(a < slot.end and slot.start < b for a, b in blocked):
        raise NotOffered(await _alternatives(session, point, now=now, after=start))
    for _attempt in range(point.capacity):
        held = set(
            await session.scalars(
                select(Appointment.seat).where(
                    Appointment.point_id == point.id,
                    Appointment.starts_at == slot.start,
                    Appointment.status.in_(HOLDS_SEAT),
                )
            )
        )
        seats = [seat for seat in range(1, point.capacity + 1) if seat not in held]
        if not seats:
            break
        appointment = Appointment(
            point_id=point.id,
            starts_at=slot.start,
            ends_at=slot.end,
            seat=seats[0],
            status=BOOKED,
            person_id=person_id,
            case_id=case_id,
            locale=locale,
            booked_by=booked_by,
            created_at=now,
        )
        try:
            async with session.begin_nested():
                session.add(appointment)
        except IntegrityError:
            continue  # someone else took that seat a moment ago: look again
        if replacing is not None:
            await cancel(session, replacing, by_point=False, now=now)
        reminders.plan(session, appointment, hours=reminder_hours, now=now)
        await session.flush()
        return appointment
    raise SlotTaken(await _alternatives(session, point, now=now, after=start))


async def cancel(
    session: AsyncSession, appointment: Appointment, *, by_point: bool, now: datetime
) -> None:
    """Free the appointment's seat and drop its reminders."""
    appointment.status = CANCELLED_BY_POINT if by_point else CANCELLED
    appointment.changed_at = now
    await reminders.drop_pending(session, appointment.id, now=now)
