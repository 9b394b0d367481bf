"""A person's privacy requests, handled by staff: everything stored about them as JSON,
and erasure (the same as /delete in the chat). Both are written to the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin_api import audit
from admin_api.accounts import CASEWORKER
from admin_api.params import Reference
from admin_api.problems import NOT_FOUND, AdminProblem
from admin_api.security import ContextDep, StaffDep, allowed
from appointments.models import Appointment
from bot.dialogue.models import Message, case_window, conversation_of
from bot.dialogue.privacy import erase_person_everywhere
from intake import casework, consent
from intake.db import Window, utcnow, within
from intake.models import Case, Person
from knowledge_base.questions import AnsweredQuestion, UnansweredQuestion

router = APIRouter(prefix="/admin/api/cases", tags=["privacy"], responses=NOT_FOUND)


def _plain(row: Any, *fields: str) -> dict[str, Any]:
    return {
        field: (value.isoformat() if isinstance(value, datetime) else value)
        for field in fields
        for value in [getattr(row, field)]
    }


async def _person_of(session: AsyncSession, reference: str) -> tuple[Case, Person]:
    try:
        found = await casework.by_reference(session, reference)
    except casework.CaseNotFound as error:
        raise AdminProblem(404, "Not found", str(error)) from error
    person = await session.get(Person, found.person_id)
    assert person is not None
    return found, person


async def _stretches(session: AsyncSession, cases: list[Case]) -> list[tuple[int, Window]]:
    """The chats the person's cases came from, each with the person's stretch of it."""
    found = []
    for case in cases:
        conversation = await conversation_of(session, case)
        if conversation is not None:
            found.append((conversation.id, await case_window(session, conversation, case)))
    return found


def _theirs(table: Any, stretches: list[tuple[int, Window]]) -> Any:
    """Rows of ``table`` written in the person's stretches of their chats."""
    return or_(
        false(),
        *(
            and_(table.conversation_id == conversation_id, within(table.created_at, window))
            for conversation_id, window in stretches
        ),
    )


# Times as stored (UTC), in ISO 8601.
EXPORT_RESPONSES: dict[int | str, Any] = {
    200: {
        "description": "Everything stored about the person, as JSON",
        "content": {
            "application/json": {
                "example": {
                    "person": {
                        "display_name": "Petra",
                        "phone": None,
                        "locale": "cs",
                        "consent_version": "2026-11",
                        "consent_at": "2026-11-23T08:10:12+00:00",
                        "created_at": "2026-11-23T08:09:58+00:00",
                    },
                    "consent": {"version": "2026-11", "given_at": "2026-11-23T08:10:12+00:00"},
                    "consent_records": [
                        {
                            "version": "2026-11",
                            "channel": "telegram",
                            "given_at": "2026-11-23T08:10:12+00:00",
                            "withdrawn_at": None,
                        }
                    ],
                    "cases": [
                        {
                            "reference": "KMB-2026-000123",
                            "answers": {"situation": "eviction_threat", "children": 2},
                            "result": {"urgency": "high", "programs": ["housing_loss_prevention"]},
                            "urgency": "high",
                            "status": "in_progress",
                            "outcome": None,
                            "district": "Střed",
                            "channel": "telegram",
                            "locale": "cs",
                            "created_at": "2026-11-23T08:14:05+00:00",
                            "closed_at": None,
                        }
                    ],
                    "messages": [
                        {
                            "direction": "in",
                            "text": "Do dvou týdnů se musíme vystěhovat.",
                            "payload": None,
                            "created_at": "2026-11-23T08:16:40+00:00",
                        }
                    ],
                    "appointments": [
                        {
                            "point_id": "centrum",
                            "starts_at": "2026-11-30T08:00:00+00:00",
                            "ends_at": "2026-11-30T08:30:00+00:00",
                            "status": "booked",
                            "created_at": "2026-11-23T09:10:00+00:00",
                        }
                    ],
                    "questions": ["Co když nezaplatím nájem včas?"],
                    "staff_notes": [
                        {
                            "author": "jnovakova",
                            "text": "V pondělí přinese výpověď a nájemní smlouvu.",
                            "created_at": "2026-11-23T09:05:00+00:00",
                        }
                    ],
                }
            }
        },
    }
}


@router.get("/{reference}/export", **allowed(CASEWORKER, responses=EXPORT_RESPONSES))
async def export_person(
    reference: Reference, request: Request, staff: StaffDep, context: ContextDep
) -> dict[str, Any]:
    """Everything stored about the person of this case, for a request to see their data."""
    async with context.db.transaction() as session:
        _, person = await _person_of(session, reference)
        cases = list(await session.scalars(select(Case).where(Case.person_id == person.id)))
        stretches = await _stretches(session, cases)
        messages = list(
            await session.scalars(
                select(Message).where(_theirs(Message, stretches)).order_by(Message.id)
            )
        )
        appointments = list(
            await session.scalars(select(Appointment).where(Appointment.person_id == person.id))
        )
        questions = [
            *await session.scalars(
                select(AnsweredQuestion.text).where(_theirs(AnsweredQuestion, stretches))
            ),
            *await session.scalars(
                select(UnansweredQuestion.text).where(_theirs(UnansweredQuestion, stretches))
            ),
        ]
        notes = [
            note
            for case in cases
            for note in (await casework.notes_and_history(session, case.id))[0]
        ]
        audit.record(
            session,
            request,
            staff=staff.username,
            action="person.export",
            target=reference,
        )
        return {
            "person": _plain(
                person,
                "display_name",
                "phone",
                "locale",
                "consent_version",
                "consent_at",
                "created_at",
            ),
            "consent": {
                "version": person.consent_version,
                "given_at": person.consent_at.isoformat(),
            },
            "consent_records": [
                _plain(r, "version", "channel", "given_at", "withdrawn_at")
                for r in await consent.of_person(session, person.id)
            ],
            "cases": [
                _plain(
                    c,
                    "reference",
                    "answers",
                    "result",
                    "urgency",
                    "status",
                    "outcome",
                    "district",
                    "channel",
                    "locale",
                    "created_at",
                    "closed_at",
                )
                for c in cases
            ],
            "messages": [_plain(m, "direction", "text", "payload", "created_at") for m in messages],
            "appointments": [
                _plain(a, "point_id", "starts_at", "ends_at", "status", "created_at")
                for a in appointments
            ],
            "questions": [text for text in questions if text],
            "staff_notes": [_plain(n, "author", "text", "created_at") for n in notes],
        }


@router.post("/{reference}/erase", status_code=204, **allowed())
async def erase_person(
    reference: Reference, request: Request, staff: StaffDep, context: ContextDep
) -> None:
    """Erase the person of this case — as when they write /delete in the chat: their
    name, phone, answers, staff notes, the words of the transcript and of their
    questions. The case stays only as anonymous statistics. It cannot be undone."""
    async with context.db.transaction() as session:
        _, person = await _person_of(session, reference)
        await erase_person_everywhere(session, person.id, now=utcnow())
        audit.record(
            session,
            request,
            staff=staff.username,
            action="person.erase",
            target=reference,
        )


consents_router = APIRouter(prefix="/admin/api/consents", tags=["privacy"])

CONSENTS_RESPONSES: dict[int | str, Any] = {
    200: {
        "description": "Per version of the consent text, the oldest first",
        "content": {
            "application/json": {
                "example": [
                    {
                        "version": "2026-11",
                        "given": 412,
                        "withdrawn": 9,
                        "first_given_at": "2026-11-02T07:58:12+00:00",
                        "last_given_at": "2026-11-30T16:41:03+00:00",
                    }
                ]
            }
        },
    }
}


@consents_router.get("", **allowed(responses=CONSENTS_RESPONSES))
async def consent_versions(staff: StaffDep, context: ContextDep) -> list[dict[str, object]]:
    """Per version of the consent text: how many people agreed and how many withdrew
    (deleted their data, or were erased at the end of the retention period)."""
    async with context.db.reading() as session:
        return await consent.summary(session)
