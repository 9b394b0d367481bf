"""The case queue: find, open, take and move cases; internal notes. Every read and
change of a case is written to the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from admin_api import audit
from admin_api.accounts import CASEWORKER, StaffAccount
from admin_api.params import IsoDateTime, Page, Reference
from admin_api.problems import CONFLICT, NOT_FOUND, AdminProblem
from admin_api.security import ContextDep, Staff, StaffDep, allowed
from appointments.models import Appointment
from bot.dialogue import followup
from bot.dialogue.models import Message, case_window, conversation_of
from intake import casework
from intake.db import utcnow, within
from intake.models import URGENCY_ORDER, Case, CaseProgram, Person

CaseStatus = Literal["new", "in_progress", "waiting", "referred", "closed"]
Urgency = Literal["emergency", "high", "medium", "low"]
Outcome = Literal["housed", "housing_kept", "referred_elsewhere", "no_contact", "withdrew"]
assert get_args(CaseStatus) == casework.STATUSES and get_args(Urgency) == URGENCY_ORDER
assert get_args(Outcome) == casework.OUTCOMES

router = APIRouter(prefix="/admin/api/cases", tags=["cases"], responses={**NOT_FOUND, **CONFLICT})
CASEWORKERS = allowed(CASEWORKER)


CASE_SUMMARY_EXAMPLE: dict[str, Any] = {
    "reference": "KMB-2026-000123",
    "status": "in_progress",
    "urgency": "high",
    "programs": ["debt_counselling", "housing_loss_prevention"],
    "point_id": "centrum",
    "district": "Střed",
    "channel": "telegram",
    "assigned_to": "jnovakova",
    "created_at": "2026-11-23T08:14:05Z",
    "human_requested_at": "2026-11-23T08:16:40Z",
    "replied_at": None,
    "outcome": None,
}


class CaseSummary(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CASE_SUMMARY_EXAMPLE]})

    reference: str
    status: str
    urgency: str
    programs: list[str]
    point_id: str | None
    district: str | None
    channel: str
    assigned_to: str | None
    created_at: datetime
    human_requested_at: datetime | None
    replied_at: datetime | None
    outcome: str | None


class CasePage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [CASE_SUMMARY_EXAMPLE], "total": 1, "page": 1, "per_page": 25}]
        }
    )

    items: list[CaseSummary]
    total: int
    page: int
    per_page: int


class PersonOut(BaseModel):
    name: str | None
    phone: str | None
    locale: str
    consent_version: str
    consent_at: datetime


class MessageOut(BaseModel):
    direction: str
    text: str | None
    payload: str | None
    created_at: datetime


class NoteOut(BaseModel):
    author: str
    text: str
    created_at: datetime


class EventOut(BaseModel):
    actor: str
    kind: str
    detail: dict[str, Any]
    created_at: datetime


class AppointmentOut(BaseModel):
    id: int
    point_id: str
    starts_at: datetime
    status: str


class CaseDetail(CaseSummary):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **CASE_SUMMARY_EXAMPLE,
                    "person": {
                        "name": "Petra",
                        "phone": None,
                        "locale": "cs",
                        "consent_version": "2026-11",
                        "consent_at": "2026-11-23T08:10:12Z",
                    },
                    "answers": {
                        "situation": "eviction_threat",
                        "adults": 1,
                        "children": 2,
                        "vulnerabilities": ["single_parent"],
                        "monthly_income_czk": 26000,
                        "monthly_housing_cost_czk": 15500,
                        "rent_arrears": True,
                        "eviction_notice": True,
                        "days_until_move_out": 12,
                    },
                    "result": {
                        "ethos": {"code": 9, "category": "insecure"},
                        "urgency": "high",
                        "programs": ["housing_loss_prevention", "debt_counselling"],
                        "flags": ["cost_overburden", "children_in_household"],
                        "cost_ratio": 0.6,
                    },
                    "transcript": [
                        {
                            "direction": "in",
                            "text": None,
                            "payload": "ans:situation:eviction_threat",
                            "created_at": "2026-11-23T08:11:30Z",
                        },
                        {
                            "direction": "in",
                            "text": "Chci mluvit s člověkem, do dvou týdnů se musíme vystěhovat.",
                            "payload": None,
                            "created_at": "2026-11-23T08:16:40Z",
                        },
                    ],
                    "appointments": [
                        {
                            "id": 42,
                            "point_id": "centrum",
                            "starts_at": "2026-11-30T08:00:00Z",
                            "status": "booked",
                        }
                    ],
                    "notes": [
                        {
                            "author": "jnovakova",
                            "text": "Volala jsem, v pondělí přinese výpověď a nájemní smlouvu.",
                            "created_at": "2026-11-23T09:05:00Z",
                        }
                    ],
                    "history": [
                        {
                            "actor": "person",
                            "kind": "human_requested",
                            "detail": {},
                            "created_at": "2026-11-23T08:16:40Z",
                        },
                        {
                            "actor": "jnovakova",
                            "kind": "assigned",
                            "detail": {"to": 7},
                            "created_at": "2026-11-23T08:42:19Z",
                        },
                    ],
                }
            ]
        }
    )

    person: PersonOut
    answers: dict[str, Any]
    result: dict[str, Any]
    transcript: list[MessageOut]
    appointments: list[AppointmentOut]
    notes: list[NoteOut]
    history: list[EventOut]


class AssignIn(BaseModel):
    username: str | None = Field(
        description="null puts the case back in the shared queue", examples=["jnovakova"]
    )


class StatusIn(BaseModel):
    status: CaseStatus = Field(examples=["closed"])
    outcome: Outcome | None = Field(None, examples=["housing_kept"], description="when closing")


class MessageIn(BaseModel):
    """Free text (sent as written) or a template (sent in the person's language)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"template": "call_us"},
                {"text": "Dobrý den, v pondělí v 9:00 máte termín na Masarykově náměstí 12."},
            ]
        }
    )

    text: str | None = Field(None, min_length=1, max_length=2000)
    template: str | None = Field(None, examples=["call_us"])


class NoteIn(BaseModel):
    text: str = Field(
        min_length=1,
        max_length=5000,
        examples=["Volala jsem, v pondělí přinese výpověď a nájemní smlouvu."],
    )


async def _summaries(session: AsyncSession, cases: list[Case]) -> list[CaseSummary]:
    ids = [c.id for c in cases]
    programs: dict[int, list[str]] = {}
    for case_id, program in await session.execute(
        select(CaseProgram.case_id, CaseProgram.program).where(CaseProgram.case_id.in_(ids))
    ):
        programs.setdefault(case_id, []).append(program)
    staff_ids = {c.assigned_to for c in cases if c.assigned_to}
    names = dict(
        (
            await session.execute(
                select(StaffAccount.id, StaffAccount.username).where(StaffAccount.id.in_(staff_ids))
            )
        ).all()
    )
    return [
        CaseSummary(
            reference=c.reference or "",
            status=c.status,
            urgency=c.urgency,
            programs=sorted(programs.get(c.id, [])),
            point_id=c.point_id,
            district=c.district,
            channel=c.channel,
            assigned_to=names.get(c.assigned_to) if c.assigned_to else None,
            created_at=c.created_at,
            human_requested_at=c.human_requested_at,
            replied_at=c.replied_at,
            outcome=c.outcome,
        )
        for c in cases
    ]


@router.get("", **CASEWORKERS)
async def case_queue(
    request: Request,
    staff: StaffDep,
    context: ContextDep,
    status: Annotated[list[CaseStatus] | None, Query(examples=[["new"]])] = None,
    urgency: Annotated[list[Urgency] | None, Query(examples=[["emergency", "high"]])] = None,
    program: str | None = None,
    point: str | None = None,
    district: str | None = None,
    assigned: Annotated[str | None, Query(description="me, none, or a username")] = None,
    created_from: IsoDateTime | None = None,
    created_to: IsoDateTime | None = None,
    replied: bool = False,
    page: Page = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 25,
) -> CasePage:
    """Cases whose person asked for a member of staff first, then by urgency, then the
    oldest; filtered as asked."""
    async with context.db.transaction() as session:
        assigned_to = None
        if assigned == "me":
            assigned_to = staff.id
        elif assigned not in (None, "none"):
            assigned_to = await session.scalar(
                select(StaffAccount.id).where(StaffAccount.username == assigned)
            )
            if assigned_to is None:
                raise AdminProblem(404, "Not found", f"There is no staff member {assigned}.")
        where = casework.QueueFilter(
            statuses=tuple(status or ()),
            urgencies=tuple(urgency or ()),
            program=program,
            point_id=point,
            district=district,
            assigned_to=assigned_to,
            unassigned=assigned == "none",
            created_from=created_from,
            created_to=created_to,
            replied=replied,
        )
        cases, total = await casework.queue(
            session, where, limit=per_page, offset=(page - 1) * per_page
        )
        audit.record(
            session,
            request,
            staff=staff.username,
            action="cases.list",
            target="queue",
        )
        items = await _summaries(session, cases)
    return CasePage(items=items, total=total, page=page, per_page=per_page)


async def _case(session: AsyncSession, reference: str) -> Case:
    try:
        return await casework.by_reference(session, reference)
    except casework.CaseNotFound as error:
        raise AdminProblem(404, "Not found", str(error)) from error


@router.get("/{reference}", **CASEWORKERS)
async def case_detail(
    reference: Reference, request: Request, staff: StaffDep, context: ContextDep
) -> CaseDetail:
    """Everything about a case: the person, the answers, the triage result and its
    reasons, the conversation, appointments, notes and history. The read is audited."""
    async with context.db.transaction() as session:
        found = await _case(session, reference)
        person = await session.get(Person, found.person_id)
        assert person is not None
        conversation = await conversation_of(session, found)
        messages = (
            list(
                await session.scalars(
                    select(Message)
                    .where(
                        Message.conversation_id == conversation.id,
                        # a chat shared by several people: only this case's stretch
                        within(Message.created_at, await case_window(session, conversation, found)),
                    )
                    .order_by(Message.id)
                )
            )
            if conversation
            else []
        )
        appointments = list(
            await session.scalars(
                select(Appointment)
                .where(Appointment.case_id == found.id)
                .order_by(Appointment.starts_at)
            )
        )
        notes, history = await casework.notes_and_history(session, found.id)
        audit.record(
            session,
            request,
            staff=staff.username,
            action="case.read",
            target=reference,
        )
        (summary,) = await _summaries(session, [found])
    return CaseDetail(
        **summary.model_dump(),
        person=PersonOut(
            name=person.display_name,
            phone=person.phone,
            locale=person.locale,
            consent_version=person.consent_version,
            consent_at=person.consent_at,
        ),
        answers=found.answers,
        result=found.result,
        transcript=[MessageOut.model_validate(m, from_attributes=True) for m in messages],
        appointments=[AppointmentOut.model_validate(a, from_attributes=True) for a in appointments],
        notes=[NoteOut.model_validate(n, from_attributes=True) for n in notes],
        history=[EventOut.model_validate(e, from_attributes=True) for e in history],
    )


async def _change(
    reference: str, request: Request, staff: Staff, context: ContextDep, action: str, change: Any
) -> CaseSummary:
    """Apply a change to a case in one transaction, audited; refusals are 409s."""
    now = utcnow()
    try:
        async with context.db.transaction() as session:
            found = await _case(session, reference)
            await change(session, found, now)
            audit.record(
                session,
                request,
                staff=staff.username,
                action=action,
                target=reference,
                at=now,
            )
            (summary,) = await _summaries(session, [found])
            return summary
    except casework.CaseworkError as error:
        raise AdminProblem(409, "Not possible", str(error)) from error


@router.post("/{reference}/claim", **CASEWORKERS)
async def claim(
    reference: Reference, request: Request, staff: StaffDep, context: ContextDep
) -> CaseSummary:
    """Take the case: it is assigned to you and in progress."""

    async def change(session: AsyncSession, found: Case, now: datetime) -> None:
        await casework.assign(session, found, to=staff.id, actor=staff.username, now=now)

    return await _change(reference, request, staff, context, "case.claim", change)


@router.post("/{reference}/assign", **CASEWORKERS)
async def assign(
    reference: Reference, body: AssignIn, request: Request, staff: StaffDep, context: ContextDep
) -> CaseSummary:
    """Give the case to a colleague, or (username null) back to the shared queue."""

    async def change(session: AsyncSession, found: Case, now: datetime) -> None:
        to = None
        if body.username is not None:
            to = await session.scalar(
                select(StaffAccount.id).where(
                    StaffAccount.username == body.username, StaffAccount.active.is_(True)
                )
            )
            if to is None:
                raise casework.CaseworkError(f"There is no active staff member {body.username}.")
        await casework.assign(session, found, to=to, actor=staff.username, now=now)

    return await _change(reference, request, staff, context, "case.assign", change)


@router.post("/{reference}/status", **CASEWORKERS)
async def change_status(
    reference: Reference, body: StatusIn, request: Request, staff: StaffDep, context: ContextDep
) -> CaseSummary:
    """Move the case on; closing needs an outcome (so housing retention can be measured)."""

    async def change(session: AsyncSession, found: Case, now: datetime) -> None:
        await casework.change_status(
            session, found, body.status, outcome=body.outcome, actor=staff.username, now=now
        )

    return await _change(reference, request, staff, context, "case.status", change)


@router.post("/{reference}/notes", status_code=201, **CASEWORKERS)
async def add_note(
    reference: Reference, body: NoteIn, request: Request, staff: StaffDep, context: ContextDep
) -> CaseSummary:
    """An internal note, never shown to the person."""

    async def change(session: AsyncSession, found: Case, now: datetime) -> None:
        await casework.add_note(session, found, text=body.text, author=staff.username, now=now)

    return await _change(reference, request, staff, context, "case.note", change)


@router.post("/{reference}/messages", status_code=201, **CASEWORKERS)
async def write_to_person(
    reference: Reference, body: MessageIn, request: Request, staff: StaffDep, context: ContextDep
) -> CaseSummary:
    """Write to the person in their own chat. Until you hand the conversation back, the
    assistant asks nothing of its own and their messages come to this case."""

    async def change(session: AsyncSession, found: Case, now: datetime) -> None:
        try:
            await followup.send(
                session,
                context.config,
                found,
                text=body.text,
                template=body.template,
                staff=staff.username,
                now=now,
            )
        except followup.FollowUpError as error:
            raise casework.CaseworkError(str(error)) from error

    return await _change(reference, request, staff, context, "case.message", change)


@router.post("/{reference}/handback", **CASEWORKERS)
async def hand_back(
    reference: Reference, request: Request, staff: StaffDep, context: ContextDep
) -> CaseSummary:
    """The assistant takes the conversation over again."""

    async def change(session: AsyncSession, found: Case, now: datetime) -> None:
        await followup.hand_back(session, found, staff=staff.username, now=now)

    return await _change(reference, request, staff, context, "case.handback", change)


templates_router = APIRouter(prefix="/admin/api", tags=["cases"])

TEMPLATES_RESPONSES: dict[int | str, Any] = {
    200: {
        "description": "Each template's key, with its text in each language",
        "content": {
            "application/json": {
                "example": {
                    "call_us": {
                        "cs": "Zavolejte nám prosím, až budete moci, na +420 596 000 123.",
                        "en": "Please call us at +420 596 000 123 when you can.",
                        "uk": "Будь ласка, зателефонуйте нам, коли зможете, на +420 596 000 123.",
                    }
                }
            }
        },
    }
}


@templates_router.get("/templates", **allowed(CASEWORKER, responses=TEMPLATES_RESPONSES))
async def templates(context: ContextDep) -> dict[str, dict[str, str]]:
    """The canned messages, in Czech, English and Ukrainian."""
    return followup.template_texts(context.config)
