"""Appointments and blocked time in the database.

A booked appointment holds a *seat* of its slot (1 … the point's capacity). A partial
unique index on (point, start, seat) over the appointments that hold their seat is
what makes double booking impossible, whatever the number of processes: of two
people taking the last seat at the same moment, the database lets one in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from intake.db import Base, UTCDateTime

BOOKED = "booked"
ATTENDED = "attended"
NO_SHOW = "no_show"
CANCELLED = "cancelled"  # by the person
CANCELLED_BY_POINT = "cancelled_by_point"
HOLDS_SEAT = (BOOKED, ATTENDED, NO_SHOW)
_HOLDS_SEAT_SQL = "status IN ('booked', 'attended', 'no_show')"


class Appointment(Base):
    __tablename__ = "appointment"
    __table_args__ = (
        Index(
            "uq_appointment_seat",
            "point_id",
            "starts_at",
            "seat",
            unique=True,
            sqlite_where=text(_HOLDS_SEAT_SQL),
            postgresql_where=text(_HOLDS_SEAT_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    point_id: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seat: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=BOOKED, index=True)
    # None once the person is erased: the appointment stays in the statistics.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("intake_case.id", ondelete="SET NULL"), index=True
    )
    locale: Mapped[str] = mapped_column(String(5))
    booked_by: Mapped[str] = mapped_column(String(100))  # "person" or a staff member
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # "I will come"
    note: Mapped[str | None] = mapped_column(Text)  # staff's, never shown to the person


class BlockedTime(Base):
    """Time staff took out of a point's calendar (training, a meeting, illness)."""

    __tablename__ = "blocked_time"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    point_id: Mapped[str] = mapped_column(String(40), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
