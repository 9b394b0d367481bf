"""Registering a person and their case after they confirmed their answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from intake.models import Case, CaseProgram, Person
from intake.triage import Answers, Result, Thresholds, triage


@dataclass(frozen=True, slots=True)
class Registration:
    answers: Answers
    channel: str
    chat_id: str
    locale: str
    consent_version: str
    consent_at: datetime
    display_name: str | None = None
    phone: str | None = None
    source: str | None = None
    district: str | None = None
    point_id: str | None = None


def case_reference(case_id: int, created_at: datetime) -> str:
    """A reference people can read out on the phone: KMB-2026-000123."""
    return f"KMB-{created_at.year}-{case_id:06d}"


async def register_case(
    session: AsyncSession, *, registration: Registration, thresholds: Thresholds
) -> tuple[Case, Result]:
    """Store the person and the triaged case; flush only (the caller commits)."""
    result = triage(registration.answers, thresholds)
    person = Person(
        display_name=registration.display_name,
        phone=registration.phone,
        locale=registration.locale,
        consent_version=registration.consent_version,
        consent_at=registration.consent_at,
    )
    case = Case(
        person=person,
        # What the person answered: a question they skipped stays out (staff would read
        # the triage's default "no" as their answer); the household counts always go in.
        answers=registration.answers.model_dump(mode="json", exclude_unset=True)
        | registration.answers.model_dump(mode="json", include={"adults", "children"}),
        result=result.to_document(),
        urgency=result.urgency,
        needs_immediate_attention=result.urgency == "emergency",
        channel=registration.channel,
        chat_id=registration.chat_id,
        locale=registration.locale,
        source=registration.source,
        district=registration.district,
        point_id=registration.point_id,
        created_at=registration.consent_at,
    )
    session.add_all([person, case])
    await session.flush()
    session.add_all(CaseProgram(case_id=case.id, program=p) for p in result.programs)
    case.reference = case_reference(case.id, case.created_at)
    await session.flush()
    return case, result
