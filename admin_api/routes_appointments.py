"""The contact points' calendars: appointments, booking for someone, blocked time,
outcomes and cancellations (the person is told in their own chat)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from admin_api import audit
from admin_api.accounts import CASEWORKER
from admin_api.params import AwareIsoDateTime, IsoDate, PointId, RowId
from admin_api.problems import CONFLICT, NOT_FOUND, AdminProblem
from admin_api.security import ContextDep, StaffDep, allowed
from appointments import booking, staff
from appointments.models import Appointment
from appointments.slots import PRAGUE
from bot.dialogue.appointment_notices import AppointmentNotices
from intake.contact_point import ContactPoint
from intake.db import utcnow
from intake.models import Case

router = APIRouter(prefix="/admin/api", tags=["appointments"], responses={**NOT_FOUND, **CONFLICT})
CASEWORKERS = allowed(CASEWORKER)


POINT_EXAMPLE: dict[str, Any] = {
    "id": "centrum",
    "name": "Kontaktní místo pro bydlení Lipová",
    "address": "Masarykovo náměstí 12, 701 00 Lipová",
    "phone": "+420 596 000 123",
    "email": "bydleni@lipova.example",
    "capacity": 2,
    "slot_minutes": 30,
    "languages": ["cs", "en", "uk"],
    "interpreter": True,
}


class PointOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [POINT_EXAMPLE]})

    id: str
    name: str
    address: str
    phone: str
    email: str
    capacity: int
    slot_minutes: int
    languages: list[str]
    interpreter: bool


APPOINTMENT_EXAMPLE: dict[str, Any] = {
    "id": 42,
    "point_id": "centrum",
    "starts_at": "2026-11-30T08:00:00Z",
    "ends_at": "2026-11-30T08:30:00Z",
    "seat": 1,
    "status": "booked",
    "case_id": 123,
    "booked_by": "jnovakova",
    "confirmed_at": None,
}


class AppointmentOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [APPOINTMENT_EXAMPLE]})

    id: int
    point_id: str
    starts_at: datetime
    ends_at: datetime
    seat: int
    status: str
    case_id: int | None
    booked_by: str
    confirmed_at: datetime | None


BLOCKED_EXAMPLE: dict[str, Any] = {
    "id": 7,
    "starts_at": "2026-12-02T12:00:00Z",
    "ends_at": "2026-12-02T16:00:00Z",
    "reason": "team training",
    "created_by": "jnovakova",
}


class BlockedOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [BLOCKED_EXAMPLE]})

    id: int
    starts_at: datetime
    ends_at: datetime
    reason: str | None
    created_by: str


class SlotOut(BaseModel):
    starts_at: datetime
    ends_at: datetime
    free_seats: int


class DayOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "day": "2026-11-30",
                    "closed": False,
                    "slots": [
                        {
                            "starts_at": "2026-11-30T08:00:00Z",
                            "ends_at": "2026-11-30T08:30:00Z",
                            "free_seats": 1,
                        }
                    ],
                    "appointments": [APPOINTMENT_EXAMPLE],
                    "blocked": [],
                }
            ]
        }
    )

    day: date
    closed: bool
    slots: list[SlotOut]
    appointments: list[AppointmentOut]
    blocked: list[BlockedOut]


class BookIn(BaseModel):
    case_reference: str = Field(examples=["KMB-2026-000123"])
    starts_at: AwareIsoDateTime = Field(examples=["2026-11-30T09:00:00+01:00"])


class BlockIn(BaseModel):
    starts_at: AwareIsoDateTime = Field(examples=["2026-12-02T13:00:00+01:00"])
    ends_at: AwareIsoDateTime = Field(examples=["2026-12-02T17:00:00+01:00"])
    reason: str | None = Field(None, max_length=200, examples=["team training"])


class Blocked(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "blocked": BLOCKED_EXAMPLE,
                    "appointments_in_it": [
                        {
                            **APPOINTMENT_EXAMPLE,
                            "id": 57,
                            "starts_at": "2026-12-02T13:00:00Z",
                            "ends_at": "2026-12-02T13:30:00Z",
                        }
                    ],
                }
            ]
        }
    )

    blocked: BlockedOut
    appointments_in_it: list[AppointmentOut]


class OutcomeIn(BaseModel):
    outcome: str = Field(pattern="^(attended|no_show)$", examples=["attended"])


def _point(context: ContextDep, point_id: str) -> ContactPoint:
    assert context.config.contact_points is not None
    point = context.config.contact_points.get(point_id)
    if point is None:
        raise AdminProblem(404, "Not found", f"There is no contact point {point_id}.")
    return point


def _out(appointment: Appointment) -> AppointmentOut:
    return AppointmentOut.model_validate(appointment, from_attributes=True)


@router.get("/points", **CASEWORKERS)
async def points(context: ContextDep) -> list[PointOut]:
    """Every contact point: address, contacts, capacity and languages."""
    assert context.config.contact_points is not None
    return [
        PointOut.model_validate(p, from_attributes=True)
        for p in context.config.contact_points.points
    ]


@router.get("/points/{point_id}/calendar", **CASEWORKERS)
async def calendar(
    point_id: PointId,
    context: ContextDep,
    first: IsoDate | None = None,
    days: Annotated[int, Query(ge=1, le=62)] = 7,
) -> list[DayOut]:
    """The point's days: every slot with its free seats, the appointments, blocked time."""
    point = _point(context, point_id)
    start = first or utcnow().date()
    async with context.db.reading() as session:
        found = await staff.calendar(session, point, first=start, days=days)
        taken = await booking.booked_counts(
            session, point.id, since=datetime.combine(start, time.min, tzinfo=PRAGUE)
        )
    return [
        DayOut(
            day=d.day,
            closed=d.closed,
            slots=[
                SlotOut(
                    starts_at=s.start,
                    ends_at=s.end,
                    free_seats=max(0, point.capacity - taken.get(s.start, 0)),
                )
                for s in d.slots
            ],
            appointments=[_out(a) for a in d.appointments],
            blocked=[BlockedOut.model_validate(b, from_attributes=True) for b in d.blocked],
        )
        for d in found
    ]


@router.post("/points/{point_id}/appointments", status_code=201, **CASEWORKERS)
async def book_for(
    point_id: PointId, body: BookIn, member: StaffDep, context: ContextDep, request: Request
) -> AppointmentOut:
    """Book for the person of a case (on the phone or at the desk); they are told in
    their chat, with the calendar file."""
    point = _point(context, point_id)
    now = utcnow()
    try:
        async with context.db.transaction() as session:
            case_id = await session.scalar(
                select(Case.id).where(Case.reference == body.case_reference)
            )
            if case_id is None:
                raise AdminProblem(404, "Not found", f"There is no case {body.case_reference}.")
            appointment = await staff.book_for(
                session,
                point=point,
                start=body.starts_at,
                case_id=case_id,
                staff=member.username,
                now=now,
                reminder_hours=context.config.reminder_hours,
                max_future=context.config.max_future_appointments,
            )
            await AppointmentNotices(context.config).booked_by_staff(session, appointment, now=now)
            audit.record(
                session,
                request,
                staff=member.username,
                action="appointment.book",
                target=body.case_reference,
            )
            return _out(appointment)
    except booking.AlreadyBooked as error:
        raise AdminProblem(
            409, "Already booked", f"The person already has an appointment ({error.starts_at})."
        ) from error
    except booking.BookingError as error:
        free = ", ".join(s.start.isoformat() for s in error.alternatives)
        raise AdminProblem(409, "Time not free", f"That time is not free. Free: {free}") from error


@router.post("/points/{point_id}/blocked", status_code=201, **CASEWORKERS)
async def block(point_id: PointId, body: BlockIn, member: StaffDep, context: ContextDep) -> Blocked:
    """Take time out of the calendar; the appointments already in it are listed."""
    point = _point(context, point_id)
    try:
        async with context.db.transaction() as session:
            blocked, clashes = await staff.block_time(
                session,
                point=point,
                start=body.starts_at,
                end=body.ends_at,
                reason=body.reason,
                staff=member.username,
                now=utcnow(),
            )
            return Blocked(
                blocked=BlockedOut.model_validate(blocked, from_attributes=True),
                appointments_in_it=[_out(a) for a in clashes],
            )
    except staff.CalendarError as error:
        raise AdminProblem(422, "Invalid time", str(error)) from error


@router.delete("/blocked/{blocked_id}", status_code=204, **CASEWORKERS)
async def unblock(blocked_id: RowId, context: ContextDep) -> Response:
    """Give blocked time back to the calendar."""
    try:
        async with context.db.transaction() as session:
            await staff.unblock(session, blocked_id)
    except staff.CalendarError as error:
        raise AdminProblem(404, "Not found", str(error)) from error
    return Response(status_code=204)


@router.post("/appointments/{appointment_id}/outcome", **CASEWORKERS)
async def outcome(
    appointment_id: RowId,
    body: OutcomeIn,
    member: StaffDep,
    context: ContextDep,
    request: Request,
) -> AppointmentOut:
    """Attended or no-show."""
    try:
        async with context.db.transaction() as session:
            done = await staff.record_outcome(
                session, appointment_id, body.outcome, staff=member.username, now=utcnow()
            )
            reference = await _reference(session, done)
            audit.record(
                session,
                request,
                staff=member.username,
                action=f"appointment.{body.outcome}",
                target=reference,
            )
            return _out(done)
    except staff.CalendarError as error:
        raise AdminProblem(409, "Not possible", str(error)) from error


@router.post("/appointments/{appointment_id}/cancel", **CASEWORKERS)
async def cancel(
    appointment_id: RowId, member: StaffDep, context: ContextDep, request: Request
) -> AppointmentOut:
    """Cancel for the contact point; the person is told and offered the next free times."""
    now = utcnow()
    try:
        async with context.db.transaction() as session:
            cancelled = await staff.cancel_by_point(
                session, appointment_id, staff=member.username, now=now
            )
            await AppointmentNotices(context.config).cancelled_by_point(session, cancelled, now=now)
            reference = await _reference(session, cancelled)
            audit.record(
                session,
                request,
                staff=member.username,
                action="appointment.cancel",
                target=reference,
            )
            return _out(cancelled)
    except staff.CalendarError as error:
        raise AdminProblem(404, "Not found", str(error)) from error


async def _reference(session: AsyncSession, appointment: Appointment) -> str:
    """The case an appointment belongs to, as the audit log names it."""
    found = await session.scalar(select(Case.reference).where(Case.id == appointment.case_id))
    return found or f"appointment {appointment.id}"
