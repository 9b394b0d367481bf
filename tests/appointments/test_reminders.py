"""Reminders: planned with the booking, dropped with it, sent once — also by two
workers at the same time, and sensibly after downtime."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text

from appointments import booking
from appointments.models import Appointment
from appointments.reminders import DROPPED, PENDING, SENT, AppointmentReminder, claim_due
from bot.dialogue.reminders import ReminderSender
from intake.db import Database
from intake.models import Case, Person
from intake.outbox import OutboxMessage
from tests.appointments.test_booking import MONDAY, NOW, at, people
from tests.appointments.test_slots import point
from tests.bot.test_booking_in_chat import book_first_free, register
from tests.chat import Chat
from tests.conftest import DATA

ROOT = Path(__file__).parents[2]


async def reminders_of(db: Database, appointment_id: int | None = None) -> list[tuple]:
    async with db.reading() as session:
        query = select(
            AppointmentReminder.appointment_id,
            AppointmentReminder.hours_before,
            AppointmentReminder.status,
        ).order_by(AppointmentReminder.appointment_id, AppointmentReminder.hours_before.desc())
        if appointment_id is not None:
            query = query.where(AppointmentReminder.appointment_id == appointment_id)
        return [tuple(row) for row in await session.execute(query)]


async def book(db: Database, start: datetime, person: int, **kw) -> Appointment:
    async with db.transaction() as session:
        return await booking.book(
            session,
            point=point(horizon_days=30),
            start=start,
            person_id=person,
            case_id=None,
            locale="cs",
            booked_by="person",
            now=NOW,
            reminder_hours=(24, 2),
            **kw,
        )


async def test_reminders_follow_the_booking_its_change_and_its_cancellation(
    db: Database,
) -> None:
    (person,) = await people(db, 1)
    first = await book(db, at(MONDAY, 9), person)
    assert await reminders_of(db) == [(first.id, 24, PENDING), (first.id, 2, PENDING)]
    async with db.transaction() as session:
        old = await session.get(Appointment, first.id)
        moved = await booking.book(
            session,
            point=point(horizon_days=30),
            start=at(MONDAY, 10),
            person_id=person,
            case_id=None,
            locale="cs",
            booked_by="person",
            now=NOW,
            replacing=old,
            reminder_hours=(24, 2),
        )
    assert await reminders_of(db, first.id) == [(first.id, 24, DROPPED), (first.id, 2, DROPPED)]
    assert await reminders_of(db, moved.id) == [(moved.id, 24, PENDING), (moved.id, 2, PENDING)]
    async with db.transaction() as session:
        await booking.cancel(
            session, await session.get(Appointment, moved.id), by_point=False, now=NOW
        )
    assert {status for *_, status in await reminders_of(db)} == {DROPPED}


async def test_only_reminders_still_ahead_are_planned(db: Database) -> None:
    (person,) = await people(db, 1)
    soon = NOW + timedelta(hours=3)  # Friday 12:00 in Prague: within a day
    friday = point(
        horizon_days=30,
        appointment_hours={"fri": ["08:00-15:00"]},
        opening_hours={"fri": ["08:00-15:00"]},
    )
    async with db.transaction() as session:
        appointment = await booking.book(
            session,
            point=friday,
            start=soon.astimezone(UTC),
            person_id=person,
            case_id=None,
            locale="cs",
            booked_by="person",
            now=NOW,
            reminder_hours=(24, 2),
        )
    assert await reminders_of(db) == [(appointment.id, 2, PENDING)]


async def test_due_reminders_are_claimed_once_and_downtime_is_handled(db: Database) -> None:
    one, two = await people(db, 2)
    first = await book(db, at(MONDAY, 9), one)
    second = await book(db, at(MONDAY, 11), two)
    day_before = at(MONDAY, 9) - timedelta(hours=24)
    async with db.transaction() as session:
        claimed = await claim_due(session, now=day_before)
    assert [(c.appointment.id, c.reminder.hours_before) for c in claimed] == [(first.id, 24)]
    async with db.transaction() as session:
        assert await claim_due(session, now=day_before) == []  # never twice
    # down from Sunday until Monday 10:00: the 2-hour reminder of the 11:00 one is due,
    # and so is its 24-hour one — one message, the later; the 9:00 one has begun
    async with db.transaction() as session:
        claimed = await claim_due(session, now=at(MONDAY, 10))
    assert [(c.appointment.id, c.reminder.hours_before) for c in claimed] == [(second.id, 2)]
    assert await reminders_of(db) == [
        (first.id, 24, SENT),
        (first.id, 2, DROPPED),
        (second.id, 24, DROPPED),
        (second.id, 2, SENT),
    ]


async def test_after_downtime_one_reminder_goes_even_across_batches(db: Database) -> None:
    """The 24-hour and the 2-hour reminder both due, claimed one row per batch: still
    one message, the later one."""
    [one] = await people(db, 1)
    appointment = await book(db, at(MONDAY, 11), one)
    sent = []
    for _ in range(3):
        async with db.transaction() as session:
            sent += await claim_due(session, now=at(MONDAY, 10), limit=1)
    assert [(c.appointment.id, c.reminder.hours_before) for c in sent] == [(appointment.id, 2)]


async def test_a_reminder_reaches_the_person_in_their_language_and_can_be_confirmed(
    chat: Chat, engine
) -> None:
    await register(chat, language="uk")
    await chat.press("bk:start:n")
    await book_first_free(chat)
    async with engine.db.reading() as session:
        appointment = await session.scalar(select(Appointment))
    sender = ReminderSender(engine.db, engine.config)
    assert await sender.send_due(appointment.starts_at - timedelta(hours=2)) == 1
    assert await sender.send_due(appointment.starts_at - timedelta(hours=1)) == 0
    async with engine.db.reading() as session:
        (message,) = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "reminder")
        )
    assert (message.channel, message.chat_id) == ("test", chat.chat_id)
    assert message.body["text"].startswith("Нагадування про вашу зустріч:")
    payloads = [c["payload"] for c in message.body["choices"]]
    assert payloads == [f"bk:confirm:{appointment.id}", "bk:start:c", "bk:cancel"]
    await chat.deliver(payload=payloads[0])
    assert "appointment_confirmed" in chat.last.events
    async with engine.db.reading() as session:
        assert (await session.get(Appointment, appointment.id)).confirmed_at is not None


async def stopped(worker: asyncio.subprocess.Process) -> str:
    """Its error output once it has ended; killed if it does not end in time."""
    try:
        return (await asyncio.wait_for(worker.communicate(), 30))[1].decode()
    except TimeoutError:
        worker.kill()
        return "killed: it did not stop after SIGINT"


async def due_reminders(db: Database, count: int) -> None:
    """``count`` people with an appointment in an hour and a reminder that is due."""
    now = datetime.now(UTC)
    async with db.transaction() as session:
        for index in range(count):
            person = Person(locale="cs", consent_version="t", consent_at=now)
            session.add(person)
            await session.flush()
            case = Case(
                person_id=person.id,
                answers={},
                result={},
                urgency="low",
                channel="web",
                chat_id=f"w{index}",
                locale="cs",
            )
            session.add(case)
            await session.flush()
            appointment = Appointment(
                point_id="centrum",
                starts_at=now + timedelta(hours=1, minutes=index),
                ends_at=now + timedelta(hours=1, minutes=index + 30),
                seat=1,
                person_id=person.id,
                case_id=case.id,
                locale="cs",
                booked_by="person",
                created_at=now,
            )
            session.add(appointment)
            await session.flush()
            session.add(
                AppointmentReminder(
                    appointment_id=appointment.id,
                    hours_before=2,
                    due_at=now - timedelta(hours=1),
                    status=PENDING,
                )
            )


async def test_two_workers_send_every_reminder_exactly_once(
    database_url: str, db: Database
) -> None:
    """Two `kmb worker` processes, each with its scheduler, at the same time."""
    count = 40
    await due_reminders(db, count)
    env = {
        **os.environ,
        "KMB_DATABASE_URL": database_url,
        "KMB_CONTACT_POINTS_FILE": str(DATA / "contact-points.toml"),
        "KMB_REMINDER_CHECK_SECONDS": "0.2",
        "KMB_KB_IMPORT_ON_START": "false",
        "KMB_MIGRATE_ON_START": "false",
    }
    env.pop("KMB_TELEGRAM_TOKEN", None)
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "kmb.cli",
            "worker",
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            async with db.reading() as session:
                pending = await session.scalar(
                    select(func.count()).where(AppointmentReminder.status == PENDING)
                )
            if not pending:
                break
            await asyncio.sleep(0.3)
        await asyncio.sleep(1.0)  # both keep running: nothing more may be sent
        alive = [worker.returncode is None for worker in workers]
    finally:
        for worker in workers:
            if worker.returncode is None:
                worker.send_signal(signal.SIGINT)
        errors = [await stopped(worker) for worker in workers]
    assert pending == 0, errors
    assert alive == [True, True], errors  # both ran the whole time
    # APScheduler may still try to hand a run to its executor while it stops (SIGINT at
    # the end of the test); anything else logged as an error is a failure.
    # (logged by type and frames: "RuntimeError", then indented "file:line" lines)
    shutdown_noise = re.compile(
        r"ERROR apscheduler\.scheduler: Error submitting job[^\n]*\n"
        r"(?:  RuntimeError\n(?:  \S+:\d+ [^\n]*\n)*)?"
    )
    problems = [
        line
        for e in errors
        for line in shutdown_noise.sub("", e).splitlines()
        if "Traceback" in line or "ERROR" in line
    ]
    assert problems == [], errors
    async with db.reading() as session:
        sent = (
            await session.execute(
                select(OutboxMessage.chat_id, func.count())
                .where(OutboxMessage.kind == "reminder")
                .group_by(OutboxMessage.chat_id)
            )
        ).all()
        stored = await session.scalar(text("SELECT count(*) FROM apscheduler_jobs"))
    assert len(sent) == count and all(n == 1 for _, n in sent)
    assert stored == 2  # reminders and retention: the schedule lives in the database


async def test_concurrent_runs_on_sqlite_send_every_reminder_once(
    database_url: str, db: Database, engine
) -> None:
    """On SQLite the single writer is the guarantee: many runs at once, from two
    connections to the file, still send each reminder once."""
    count = 30
    await due_reminders(db, count)
    other = Database(database_url)
    try:
        senders = [ReminderSender(db, engine.config), ReminderSender(other, engine.config)]
        sent = await asyncio.gather(
            *(senders[i % 2].send_due(datetime.now(UTC)) for i in range(10))
        )
    finally:
        await other.dispose()
    assert sum(sent) == count
    async with db.reading() as session:
        per_chat = (
            await session.execute(
                select(OutboxMessage.chat_id, func.count())
                .where(OutboxMessage.kind == "reminder")
                .group_by(OutboxMessage.chat_id)
            )
        ).all()
    assert len(per_chat) == count and all(n == 1 for _, n in per_chat)
