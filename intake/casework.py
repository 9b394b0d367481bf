"""Casework: the queue staff work from, who has a case, where it stands, notes, and the
history of every change. Services work inside the caller's transaction and flush."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from intake.db import Base, JSONDocument, UTCDateTime
from intake.models import Case, CaseProgram

NEW, IN_PROGRESS, WAITING, REFERRED, CLOSED = (
    "new",
    "in_progress",
    "waiting",
    "referred",
    "closed",
)
STATUSES = (NEW, IN_PROGRESS, WAITING, REFERRED, CLOSED)
NEXT = {
    NEW: {IN_PROGRESS, REFERRED, CLOSED},
    IN_PROGRESS: {WAITING, REFERRED, CLOSED},
    WAITING: {IN_PROGRESS, REFERRED, CLOSED},
    REFERRED: {IN_PROGRESS, CLOSED},
    CLOSED: {IN_PROGRESS},  # reopened
}
OUTCOMES = ("housed", "housing_kept", "referred_elsewhere", "no_contact", "withdrew")


class CaseworkError(ValueError):
    pass


class CaseNotFound(LookupError):
    pass


class CaseNote(Base):
    """An internal note: staff only, never shown to the person."""

    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("intake_case.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseEvent(Base):
    """One change of a case: who, what, when (the case's history)."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("intake_case.id", ondelete="CASCADE"), index=True
    )
    actor: Mapped[str] = mapped_column(String(60))  # a staff username, "person" or "system"
    kind: Mapped[str] = mapped_column(String(30))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


def record(
    session: AsyncSession, case_id: int, *, actor: str, kind: str, now: datetime, **detail: Any
) -> None:
    session.add(CaseEvent(case_id=case_id, actor=actor, kind=kind, detail=detail, created_at=now))


@dataclass(frozen=True, slots=True)
class QueueFilter:
    statuses: tuple[str, ...] = ()
    urgencies: tuple[str, ...] = ()
    program: str | None = None
    point_id: str | None = None
    district: str | None = None
    assigned_to: int | None = None
    unassigned: bool = False
    created_from: datetime | None = None
    created_to: datetime | None = None
    replied: bool = False  # the person answered staff and nobody has looked yet


def _ordered(query: Any) -> Any:
    """Who asked for a person first, then by urgency, then the oldest first."""
    return query.order_by(Case.queue_rank, Case.created_at, Case.id)


async def queue(
    session: AsyncSession, where: QueueFilter, *, limit: int, offset: int
) -> tuple[list[Case], int]:
    query = select(Case).where(Case.anonymised_at.is_(None))  # erased: statistics only
    if where.statuses:
        query = query.where(Case.status.in_(where.statuses))
    if where.urgencies:
        query = query.where(Case.urgency.in_(where.urgencies))
    if where.program:
        query = query.where(
            Case.id.in_(select(CaseProgram.case_id).where(CaseProgram.program == where.program))
        )
    if where.point_id:
        query = query.where(Case.point_id == where.point_id)
    if where.district:
        query = query.where(func.lower(Case.district).contains(where.district.lower()))
    if where.assigned_to is not None:
        query = query.where(Case.assigned_to == where.assigned_to)
    if where.unassigned:
        query = query.where(Case.assigned_to.is_(None))
    if where.created_from:
        query = query.where(Case.created_at >= where.created_from)
    if where.created_to:
        query = query.where(Case.created_at < where.created_to)
    if where.replied:
        query = query.where(Case.replied_at.is_not(None))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(_ordered(query).limit(limit).offset(offset))
    return list(rows), total or 0


async def by_reference(session: AsyncSession, reference: str) -> Case:
    found = await session.scalar(select(Case).where(Case.reference == reference))
    if found is None:
        raise CaseNotFound(f"There is no case {reference}.")
    return found


async def assign(
    session: AsyncSession, found: Case, *, to: int | None, actor: str, now: datetime
) -> None:
    """Give the case to a staff member (None: back to the shared queue)."""
    found.assigned_to = to
    if to is not None and found.status == NEW:
        found.status = IN_PROGRESS
    record(session, found.id, actor=actor, kind="assigned", now=now, to=to)
    await session.flush()


async def change_status(
    session: AsyncSession,
    found: Case,
    status: str,
    *,
    outcome: str | None,
    actor: str,
    now: datetime,
) -> None:
    if status not in STATUSES:
        raise CaseworkError(f"The status is one of {', '.join(STATUSES)}.")
    if status not in NEXT[found.status]:
        raise CaseworkError(f"A case that is {found.status} cannot become {status}.")
    if status == CLOSED and outcome not in OUTCOMES:
        raise CaseworkError(f"Closing needs an outcome: {', '.join(OUTCOMES)}.")
    if status != CLOSED and outcome is not None:
        raise CaseworkError("Only closing has an outcome.")
    previous = found.status
    found.status = status
    found.outcome = outcome
    found.closed_at = now if status == CLOSED else None
    if status == CLOSED:
        found.human_requested_at = None
    record(
        session,
        found.id,
        actor=actor,
        kind="status",
        now=now,
        before=previous,
        after=status,
        outcome=outcome,
    )
    await session.flush()


async def add_note(
    session: AsyncSession, found: Case, *, text: str, author: str, now: datetime
) -> CaseNote:
    if not text.strip():
        raise CaseworkError("A note needs some text.")
    note = CaseNote(case_id=found.id, author=author, text=text.strip(), created_at=now)
    session.add(note)
    record(session, found.id, actor=author, kind="note", now=now)
    await session.flush()
    return note


async def request_human(session: AsyncSession, case_id: int, *, now: datetime) -> None:
    """The person asked to talk to a member of staff: top of the queue."""
    found = await session.get(Case, case_id)
    if found is None or found.human_requested_at is not None:
        return
    found.human_requested_at = now
    if found.status == CLOSED:
        found.status, found.outcome, found.closed_at = IN_PROGRESS, None, None
    record(session, case_id, actor="person", kind="human_requested", now=now)
    await session.flush()


async def notes_and_history(
    session: AsyncSession, case_id: int
) -> tuple[list[CaseNote], list[CaseEvent]]:
    notes = await session.scalars(
        select(CaseNote).where(CaseNote.case_id == case_id).order_by(CaseNote.id)
    )
    events = await session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
    )
    return list(notes), list(events)
