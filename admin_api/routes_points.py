"""A contact point's hours and closures: read by caseworkers, changed by admins.

A change is laid over the configuration file's values and reaches every process
within ``KMB_KB_REFRESH_SECONDS`` (this one at once). Appointments already booked at
times the new hours no longer offer are listed, for staff to move or cancel them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict

from admin_api.accounts import CASEWORKER
from admin_api.params import IsoDate, PointId
from admin_api.problems import NOT_FOUND, AdminProblem
from admin_api.routes_appointments import (
    APPOINTMENT_EXAMPLE,
    POINT_EXAMPLE,
    AppointmentOut,
    PointOut,
)
from admin_api.security import ContextDep, StaffDep, allowed
from appointments import point_schedules
from appointments.point_schedules import ScheduleChange, ScheduleError
from intake.contact_point import ContactPoint, WeekHours
from intake.db import utcnow

router = APIRouter(prefix="/admin/api/points", tags=["contact points"], responses=NOT_FOUND)

CHANGE_EXAMPLE: dict[str, Any] = {
    "opening_hours": {"mon": ["08:00-12:00", "13:00-17:00"], "wed": ["08:00-12:00"]},
    "appointment_hours": {"mon": ["10:00-12:00", "13:00-16:00"], "wed": ["09:00-12:00"]},
    "closed_days": ["2026-12-24", "2026-12-31"],
}


# The point after the change above: the file's walk-in hours, the rest as changed.
POINT_DETAIL_EXAMPLE: dict[str, Any] = {
    **POINT_EXAMPLE,
    **CHANGE_EXAMPLE,
    "walk_in_hours": {"mon": ["08:00-10:00"], "wed": ["08:00-10:00"]},
    "public_holidays": True,
    "changed_by": "lsvobodova",
    "changed_at": "2026-11-20T10:15:00Z",
}


class ScheduleChangeIn(ScheduleChange):
    """What staff send, with the closed days as ISO 8601 text: a bare number is
    refused rather than read as seconds since 1970."""

    closed_days: list[IsoDate] | None = None


class PointDetail(PointOut):
    model_config = ConfigDict(json_schema_extra={"examples": [POINT_DETAIL_EXAMPLE]})

    opening_hours: dict[str, list[str]]
    walk_in_hours: dict[str, list[str]]
    appointment_hours: dict[str, list[str]]
    closed_days: list[date]
    public_holidays: bool
    changed_by: str | None  # None: the configuration file's values
    changed_at: datetime | None


class ScheduleResult(BaseModel):
    # The Monday 9:00 appointment is outside the new appointment hours (from 10:00).
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"point": POINT_DETAIL_EXAMPLE, "appointments_outside_hours": [APPOINTMENT_EXAMPLE]}
            ]
        }
    )

    point: PointDetail
    appointments_outside_hours: list[AppointmentOut]


def _hours(week: WeekHours) -> dict[str, list[str]]:
    return {day: [f"{a:%H:%M}-{b:%H:%M}" for a, b in spans] for day, spans in week.items()}


def _detail(point: ContactPoint, row: point_schedules.PointSchedule | None) -> PointDetail:
    return PointDetail(
        **PointOut.model_validate(point, from_attributes=True).model_dump(),
        opening_hours=_hours(point.opening_hours),
        walk_in_hours=_hours(point.walk_in_hours),
        appointment_hours=_hours(point.appointment_hours),
        closed_days=list(point.closed_days),
        public_holidays=point.public_holidays,
        changed_by=row.changed_by if row else None,
        changed_at=row.changed_at if row else None,
    )


def _configured(context: ContextDep, point_id: str) -> ContactPoint:
    point = context.points.configured.get(point_id)
    if point is None:
        raise AdminProblem(404, "Not found", f"There is no contact point {point_id}.")
    return point


async def _result(context: ContextDep, point_id: str) -> ScheduleResult:
    """The point as every process will now see it, and what no longer fits its hours."""
    await context.points.refresh()
    point = context.points.directory.get(point_id)
    assert point is not None
    async with context.db.reading() as session:
        row = await session.get(point_schedules.PointSchedule, point_id)
        outside = await point_schedules.outside_hours(session, point, now=utcnow())
    return ScheduleResult(
        point=_detail(point, row),
        appointments_outside_hours=[
            AppointmentOut.model_validate(a, from_attributes=True) for a in outside
        ],
    )


@router.get("/{point_id}", **allowed(CASEWORKER))
async def point_detail(point_id: PointId, context: ContextDep) -> PointDetail:
    """The point with its hours and closures as they are now."""
    _configured(context, point_id)
    return (await _result(context, point_id)).point


@router.put("/{point_id}/schedule", **allowed())
async def change_schedule(
    point_id: PointId,
    change: Annotated[
        ScheduleChangeIn, Body(openapi_examples={"winter": {"value": CHANGE_EXAMPLE}})
    ],
    member: StaffDep,
    context: ContextDep,
) -> ScheduleResult:
    """Change any of the opening, walk-in and appointment hours (each a whole week:
    a day left out is closed) and the point's own closed days; what is not sent stays.
    Appointment hours must lie within the opening hours."""
    configured = _configured(context, point_id)
    try:
        async with context.db.transaction() as session:
            await point_schedules.save(
                session, configured, change, staff=member.username, now=utcnow()
            )
    except ScheduleError as error:
        raise AdminProblem(422, "Invalid hours", str(error)) from error
    return await _result(context, point_id)


@router.delete("/{point_id}/schedule", **allowed())
async def reset_schedule(point_id: PointId, context: ContextDep) -> ScheduleResult:
    """Back to the hours and closures of the configuration file."""
    _configured(context, point_id)
    async with context.db.transaction() as session:
        await point_schedules.reset(session, point_id)
    return await _result(context, point_id)
