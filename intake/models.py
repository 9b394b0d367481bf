"""The contact point's records: people who gave consent, and their cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Computed, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.db import Base, JSONDocument, UTCDateTime, utcnow


class Person(Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(String(5))
    consent_version: Mapped[str] = mapped_column(String(20))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    cases: Mapped[list[Case]] = relationship(back_populates="person", lazy="raise")


URGENCY_ORDER = ("emergency", "high", "medium", "low")
# The queue's order before age, kept by the database itself: whoever asked for a
# person first (0–9), then by urgency. An index on it and the age gives the first
# page of the queue without sorting every case.
QUEUE_RANK = (
    "(CASE WHEN human_requested_at IS NULL THEN 10 ELSE 0 END) + (CASE urgency "
    + " ".join(f"WHEN '{u}' THEN {rank}" for rank, u in enumerate(URGENCY_ORDER))
    + " ELSE 9 END)"
)


class Case(Base):
    __tablename__ = "intake_case"
    __table_args__ = (
        Index("ix_intake_case_queue", "queue_rank", "created_at", "id"),
        Index("ix_intake_case_chat", "channel", "chat_id"),  # the cases of one chat
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    # None once the case is anonymised (intake/erasure.py): the person is gone.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    answers: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    result: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    urgency: Mapped[str] = mapped_column(String(10), index=True)
    needs_immediate_attention: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(5))
    source: Mapped[str | None] = mapped_column(String(64))
    # Where in the city the person lives or stays, in their words (for routing).
    district: Mapped[str | None] = mapped_column(String(80))
    # The contact point serving that district (or the main one), for the queue and reports.
    point_id: Mapped[str | None] = mapped_column(String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # Casework (intake/casework.py)
    assigned_to: Mapped[int | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL"), index=True
    )
    outcome: Mapped[str | None] = mapped_column(String(20))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The person asked for a human (/human): the case goes to the top of the queue.
    human_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # The person answered a member of staff and nobody has read it yet.
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # Erasure keeps the case for statistics only; cases of one erased person share a key.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    anonymous_person: Mapped[str | None] = mapped_column(String(16))
    # When this person's intake began in a chat someone else had registered from
    # before (/restart); None for the chat's first person. Splits shared chats.
    intake_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    queue_rank: Mapped[int] = mapped_column(Integer, Computed(QUEUE_RANK, persisted=True))

    person: Mapped[Person | None] = relationship(back_populates="cases", lazy="raise")


class CaseProgram(Base):
    """A programme the triage recommended for a case (one row each, for filters and reports)."""

    __tablename__ = "case_program"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("intake_case.id", ondelete="CASCADE"), primary_key=True
    )
    program: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
