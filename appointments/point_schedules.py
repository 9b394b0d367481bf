"""Staff's changes to a contact point's hours and closures, kept in the database.

The configuration file (``KMB_CONTACT_POINTS_FILE``) describes the points; what
changes week by week — opening, walk-in and appointment hours, and the days a point
is closed — staff change over the admin API. A change is stored per point and laid
over the file's values, in every process (``kmb/live_points.py``); removing it
returns the point to the file's values.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import String, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from appointments.models import BOOKED, Appointment
from appointments.slots import PRAGUE, is_closed, slots_of_day
from intake.contact_point import ContactPoint, ContactPoints, Weekday
from intake.db import Base, JSONDocument, UTCDateTime, insert_unless_present

EDITABLE = ("opening_hours", "walk_in_hours", "appointment_hours", "closed_days")


class ScheduleError(ValueError):
    """The new hours do not make a valid point (e.g. appointments outside opening hours)."""


class PointSchedule(Base):
    __tablename__ = "point_schedule"

    point_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # The changed fields only, as in the file: {"opening_hours": {"mon": ["08:00-12:00"]}}
    document: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    changed_by: Mapped[str] = mapped_column(String(60))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ScheduleChange(BaseModel):
    """What staff send: any of the four, in the file's notation; the rest stays."""

    model_config = ConfigDict(extra="forbid")

    opening_hours: dict[Weekday, list[str]] | None = None
    walk_in_hours: dict[Weekday, list[str]] | None = None
    appointment_hours: dict[Weekday, list[str]] | None = None
    closed_days: list[date] | None = None

    def document(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def _problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}".removeprefix(": ")


def apply(point: ContactPoint, document: dict[str, Any]) -> ContactPoint:
    """The point with the changed fields laid over it (validated as a whole)."""
    try:
        return ContactPoint.model_validate({**point.model_dump(), **document})
    except ValidationError as error:
        raise ScheduleError(_problem(error)) from error


async def effective(session: AsyncSession, configured: ContactPoints) -> ContactPoints:
    """The configured points with staff's changes. A stored change that no longer fits
    the file (after an edit of the file) is skipped rather than stopping the product."""
    changes = {row.point_id: row.document for row in await session.scalars(select(PointSchedule))}
    points = []
    for point in configured.points:
        try:
            points.append(apply(point, changes[point.id]) if point.id in changes else point)
        except ScheduleError:
            points.append(point)
    return ContactPoints(point=tuple(points))


async def revision(session: AsyncSession) -> tuple[tuple[str, datetime], ...]:
    """Changes whenever any point's schedule changes (cheap to compare)."""
    rows = await session.execute(
        select(PointSchedule.point_id, PointSchedule.changed_at).order_by(PointSchedule.point_id)
    )
    return tuple((point_id, at) for point_id, at in rows)


async def save(
    session: AsyncSession,
    configured: ContactPoint,
    change: ScheduleChange,
    *,
    staff: str,
    now: datetime,
) -> ContactPoint:
    """Store the change (on top of earlier ones) and return the point as it now is."""
    # Two staff saving at once: the row exists first, then each takes its lock in
    # turn, so the second change lands on top of the first instead of failing.
    await session.execute(
        insert_unless_present(
            session,
            PointSchedule,
            ["point_id"],
            point_id=configured.id,
            document={},
            changed_by=staff,
            changed_at=now,
        )
    )
    row = await session.scalar(
        select(PointSchedule)
        .where(PointSchedule.point_id == configured.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert row is not None
    document = {**row.document, **change.document()}
    point = apply(configured, document)  # a wrong change raises: nothing is stored
    row.document, row.changed_by, row.changed_at = document, staff, now
    await session.flush()
    return point


async def reset(session: AsyncSession, point_id: str) -> None:
    """Back to the file's hours and closures."""
    await session.execute(delete(PointSchedule).where(PointSchedule.point_id == point_id))


async def outside_hours(
    session: AsyncSession, point: ContactPoint, *, now: datetime
) -> list[Appointment]:
    """Booked future appointments the point's hours no longer offer: staff move or
    cancel them (the person is told when they cancel)."""
    booked = await session.scalars(
        select(Appointment)
        .where(
            Appointment.point_id == point.id,
            Appointment.status == BOOKED,
            Appointment.starts_at > now,
        )
        .order_by(Appointment.starts_at)
    )
    return [a for a in booked if not _still_offered(point, a.starts_at)]


def _still_offered(point: ContactPoint, start: datetime) -> bool:
    day = start.astimezone(PRAGUE).date()
    if is_closed(point, day):
        return False
    return any(slot.start == start for slot in slots_of_day(point, day))
