"""Booking: seats per slot, one future appointment per person, never a double booking."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from appointments import booking
from appointments.models import BOOKED, CANCELLED, Appointment, BlockedTime
from appointments.slots import PRAGUE
from intake.contact_point import ContactPoint
from intake.db import Database
from intake.models import Person
from tests.appointments.test_slots import point

MONDAY = date(2026, 11, 30)
NOW = datetime.combine(MONDAY - timedelta(days=3), time(9), tzinfo=PRAGUE)  # a Friday


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PRAGUE)


async def people(db: Database, count: int) -> list[int]:
    async with db.transaction() as session:
        persons = [Person(locale="cs", consent_version="t", consent_at=NOW) for _ in range(count)]
        session.add_all(persons)
        await session.flush()
        return [p.id for p in persons]


async def book(db: Database, p: ContactPoint, start: datetime, person_id: int, **kw) -> Appointment:
    async with db.transaction() as session:
        return await booking.book(
            session,
            point=p,
            start=start,
            person_id=person_id,
            case_id=None,
            locale="cs",
            booked_by="person",
            now=NOW,
            **kw,
        )


async def test_a_slot_takes_as_many_people_as_the_point_has_desks(db: Database) -> None:
    p = point(capacity=2)
    first, second, third = await people(db, 3)
    one = await book(db, p, at(MONDAY, 8), first)
    two = await book(db, p, at(MONDAY, 8), second)
    assert (one.seat, two.seat) == (1, 2)
    with pytest.raises(booking.SlotTaken) as taken:
        await book(db, p, at(MONDAY, 8), third)
    assert [s.start for s in taken.value.alternatives] == [
        at(MONDAY, 8, 30),
        at(MONDAY, 9),
        at(MONDAY, 9, 30),
    ]


async def test_one_future_appointment_per_person_and_changing_the_time(db: Database) -> None:
    p = point()
    (person,) = await people(db, 1)
    first = await book(db, p, at(MONDAY, 8), person)
    with pytest.raises(booking.AlreadyBooked) as already:
        await book(db, p, at(MONDAY, 9), person)
    assert (already.value.existing_id, already.value.starts_at) == (first.id, at(MONDAY, 8))
    async with db.transaction() as session:
        old = await session.get(Appointment, first.id)
        moved = await booking.book(
            session,
            point=p,
            start=at(MONDAY, 9),
            person_id=person,
            case_id=None,
            locale="cs",
            booked_by="person",
            now=NOW,
            replacing=old,
        )
    async with db.reading() as session:
        statuses = dict((await session.execute(select(Appointment.id, Appointment.status))).all())
    assert statuses == {first.id: CANCELLED, moved.id: BOOKED}
    # the seat of the cancelled one is free again
    (other,) = await people(db, 1)
    assert (await book(db, p, at(MONDAY, 8), other)).seat == 1


async def test_times_the_point_does_not_offer_are_refused_with_alternatives(
    db: Database,
) -> None:
    p = point(lead_time_hours=2)
    ids = await people(db, 5)
    refused = [
        at(MONDAY, 12),  # the lunch break
        at(MONDAY, 8, 10),  # not a slot boundary
        at(MONDAY - timedelta(days=3), 10),  # within the lead time (and a Friday)
        at(MONDAY + timedelta(days=40), 8),  # beyond the horizon
        at(date(2026, 12, 28), 8),  # a Monday … between the holidays, open
    ]
    for start, person in zip(refused[:4], ids, strict=False):
        with pytest.raises(booking.NotOffered) as caught:
            await book(db, p, start, person)
        assert caught.value.alternatives
    async with db.transaction() as session:
        session.add(
            BlockedTime(
                point_id=p.id,
                starts_at=at(MONDAY, 8),
                ends_at=at(MONDAY, 9),
                created_by="eva",
                created_at=NOW,
            )
        )
    with pytest.raises(booking.NotOffered) as blocked:
        await book(db, p, at(MONDAY, 8, 30), ids[4])
    assert blocked.value.alternatives[0].start == at(MONDAY, 9)


async def test_two_hundred_people_race_for_the_last_place_and_one_gets_it(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = point(capacity=2)
    first, *racers = await people(db, 201)
    await book(db, p, at(MONDAY, 10), first)  # one of the two desks is taken
    processes = [db] + [Database(db.url) for _ in range(3)]
    if not db.sqlite:
        # Let groups of 40 read the free seats at the same moment, so that they all
        # try the last seat together and only the database can tell them apart.
        # (SQLite runs one writer at a time: there is nothing to overlap.)
        barrier = asyncio.Barrier(40)
        read_blocked_times = booking.blocked_times
        arrived: set[asyncio.Task] = set()

        async def together(*args, **kwargs):
            task = asyncio.current_task()
            if task not in arrived:  # the first read of a booking, not its alternatives
                arrived.add(task)
                await barrier.wait()
            return await read_blocked_times(*args, **kwargs)

        monkeypatch.setattr(booking, "blocked_times", together)

    async def attempt(index: int, person: int) -> Appointment | booking.BookingError:
        try:
            return await book(processes[index % 4], p, at(MONDAY, 10), person)
        except booking.SlotTaken as error:
            return error

    try:
        results = await asyncio.gather(*(attempt(i, person) for i, person in enumerate(racers)))
    finally:
        for other in processes[1:]:
            await other.dispose()
    won = [r for r in results if isinstance(r, Appointment)]
    lost = [r for r in results if isinstance(r, booking.SlotTaken)]
    assert len(won) == 1 and len(lost) == 199
    assert all(e.alternatives and e.alternatives[0].start == at(MONDAY, 10, 30) for e in lost)
    async with db.reading() as session:
        held = await session.scalar(
            select(func.count()).where(
                Appointment.starts_at == at(MONDAY, 10), Appointment.status == BOOKED
            )
        )
    assert held == 2
