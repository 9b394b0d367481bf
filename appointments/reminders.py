"""Reminders of appointments: planned with the booking, sent exactly once.

Each reminder is a row, written in the same transaction as the booking, so a booking
never lacks its reminders and a cancelled appointment never keeps one. Whoever sends
reminders (a scheduler in any number of processes) *claims* the due rows in its own
transaction — ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the single writer on SQLite —
and queues the message in that same transaction, so each reminder goes out once.

After downtime a reminder that is due late is still sent while the appointment is
ahead; when several reminders of one appointment are due at once only the latest is
sent (one message, not two); reminders of appointments that have started are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from appointments.models import BOOKED, Appointment
from intake.db import Base, UTCDateTime

PENDING, SENT, DROPPED = "pending", "sent", "dropped"


class AppointmentReminder(Base):
    __tablename__ = "appointment_reminder"
    __table_args__ = (UniqueConstraint("appointment_id", "hours_before"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointment.id", ondelete="CASCADE"), index=True
    )
    hours_before: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def plan(
    session: AsyncSession, appointment: Appointment, *, hours: Sequence[int], now: datetime
) -> None:
    """Reminders ``hours`` before the appointment, those still in the future."""
    for before in sorted(set(hours), reverse=True):
        due = appointment.starts_at - timedelta(hours=before)
        if due > now:
            session.add(
                AppointmentReminder(
                    appointment_id=appointment.id, hours_before=before, due_at=due, status=PENDING
                )
            )


async def drop_pending(session: AsyncSession, appointment_id: int, *, now: datetime) -> None:
    await session.execute(
        update(AppointmentReminder)
        .where(
            AppointmentReminder.appointment_id == appointment_id,
            AppointmentReminder.status == PENDING,
        )
        .values(status=DROPPED, done_at=now)
    )


@dataclass(frozen=True, slots=True)
class DueReminder:
    reminder: AppointmentReminder
    appointment: Appointment


async def claim_due(session: AsyncSession, *, now: datetime, limit: int = 100) -> list[DueReminder]:
    """Take the due reminders for this transaction: the ones to send are marked sent,
    the useless ones dropped. Another process running this at the same moment skips
    the rows this one holds."""
    query = (
        select(AppointmentReminder)
        .where(AppointmentReminder.status == PENDING, AppointmentReminder.due_at <= now)
        .order_by(AppointmentReminder.due_at)
        .limit(limit)
    )
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    due = list(await session.scalars(query))
    if not due:
        return []
    ids = {r.appointment_id for r in due}
    booked = select(Appointment).where(Appointment.id.in_(ids))
    if session.bind.dialect.name == "postgresql":
        # An appointment being changed right now (a cancellation not yet committed) is
        # skipped, its reminders left for the next run — not sent for a cancelled time.
        booked = booked.with_for_update(skip_locked=True)
    appointments = {a.id: a for a in await session.scalars(booked)}
    # After downtime only the latest due reminder of an appointment goes, even when its
    # earlier ones fell into this batch and the latest into the next.
    last_due = dict(
        (
            await session.execute(
                select(AppointmentReminder.appointment_id, func.max(AppointmentReminder.due_at))
                .where(
                    AppointmentReminder.appointment_id.in_(ids),
                    AppointmentReminder.status == PENDING,
                    AppointmentReminder.due_at <= now,
                )
                .group_by(AppointmentReminder.appointment_id)
            )
        ).all()
    )
    latest: dict[int, AppointmentReminder] = {}
    for reminder in due:  # ordered by due time: the last one of an appointment wins
        latest[reminder.appointment_id] = reminder
    claimed = []
    for reminder in due:
        appointment = appointments.get(reminder.appointment_id)
        if appointment is None:
            continue  # locked by a change in progress: the next run decides
        useful = (
            appointment.status == BOOKED
            and appointment.starts_at > now
            and latest[appointment.id] is reminder
            and reminder.due_at >= last_due[appointment.id]
        )
        reminder.status, reminder.done_at = (SENT if useful else DROPPED), now
        if useful:
            claimed.append(DueReminder(reminder, appointment))
    await session.flush()
    return claimed
