"""Erasing a person while keeping anonymous statistics.

A person who asks to be forgotten (in the chat, or through staff), and every person
whose cases were closed longer ago than the retention period, is erased: the person
row goes, and so do their name, phone, free-text answers, staff notes and the chat
identifier. Their cases stay, *anonymised*, so that the contact point's indicators
for past periods do not change: the date, contact point, channel, language, urgency,
ETHOS category, recommended programmes, household size and outcome — nothing that
points back to someone. The case reference is dropped too: a reference written on
a piece of paper must not lead to what the person said.

Cases of one erased person share a random group key, so "unique people" in the
reports still counts them as one person.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from appointments.booking import cancel, future_appointments
from appointments.models import Appointment
from intake import outbox
from intake.casework import CaseNote
from intake.consent import withdraw
from intake.models import Case, Person

# What an anonymised case keeps of the answers and of the triage result.
KEPT_ANSWERS = ("situation", "sleeping_place_tonight", "adults", "children")
KEPT_RESULT = ("ethos", "urgency", "programs")


def anonymous_answers(answers: dict[str, Any]) -> dict[str, Any]:
    return {key: answers[key] for key in KEPT_ANSWERS if key in answers}


def anonymous_result(result: dict[str, Any]) -> dict[str, Any]:
    return {key: result[key] for key in KEPT_RESULT if key in result}


async def anonymise_cases(
    session: AsyncSession, case_ids: list[int], *, group: str, now: datetime
) -> None:
    """Strip the cases to their anonymous statistics (idempotent)."""
    if not case_ids:
        return
    cases = list(await session.scalars(select(Case).where(Case.id.in_(case_ids))))
    # The staff chat was told of the case by its reference: that goes too.
    await outbox.forget_alerts(
        session, [c.reference for c in cases if c.reference and c.anonymised_at is None]
    )
    for case in cases:
        if case.anonymised_at is not None:
            continue
        case.answers = anonymous_answers(case.answers)
        case.result = anonymous_result(case.result)
        case.reference = None
        case.chat_id = ""
        case.district = None
        case.person_id = None
        case.anonymous_person = group
        case.human_requested_at = None
        case.replied_at = None
        case.anonymised_at = now
    await session.execute(delete(CaseNote).where(CaseNote.case_id.in_(case_ids)))
    await session.execute(
        update(Appointment).where(Appointment.case_id.in_(case_ids)).values(note=None)
    )


async def erase_person(session: AsyncSession, person_id: int, *, now: datetime) -> None:
    """Remove the person and anonymise every case of theirs; their future appointments
    are cancelled, past ones stay in the statistics. Flush only.

    Safe to run twice, or from two processes at once: the second finds nothing left.
    """
    case_ids = list(await session.scalars(select(Case.id).where(Case.person_id == person_id)))
    for appointment in await future_appointments(session, person_id, now=now):
        await cancel(session, appointment, by_point=False, now=now)  # frees the seat
    await anonymise_cases(session, case_ids, group=secrets.token_hex(8), now=now)
    await session.execute(
        update(Appointment)
        .where(Appointment.person_id == person_id)
        .values(person_id=None, note=None)
    )
    await withdraw(session, person_id=person_id, now=now)
    await session.execute(delete(Person).where(Person.id == person_id))
    await session.flush()
