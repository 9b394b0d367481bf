"""Consent records: which version of the consent text a person agreed to, when, and
when they withdrew it (by deleting their data, or by the retention period ending).

A record is written when the person agrees in the chat, tied to the conversation; it
is tied to the person when they register. On erasure the record loses both ties but
stays, as anonymous proof that storing was agreed to and for how long.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from intake.db import Base, UTCDateTime


class ConsentRecord(Base):
    __tablename__ = "consent_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(20), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Not a foreign key: the conversation table belongs to the dialogue layer.
    conversation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )


def give(
    session: AsyncSession, *, conversation_id: int, channel: str, version: str, now: datetime
) -> None:
    session.add(
        ConsentRecord(
            version=version, channel=channel, given_at=now, conversation_id=conversation_id
        )
    )


async def attach(session: AsyncSession, *, conversation_id: int, person_id: int) -> None:
    """The person of the conversation registered: the open consent given in it that is
    nobody's yet is theirs (not one an earlier person of the same chat gave)."""
    await session.execute(
        update(ConsentRecord)
        .where(
            ConsentRecord.conversation_id == conversation_id,
            ConsentRecord.withdrawn_at.is_(None),
            ConsentRecord.person_id.is_(None),
        )
        .values(person_id=person_id)
    )


async def withdraw(
    session: AsyncSession,
    *,
    now: datetime,
    person_id: int | None = None,
    conversation_id: int | None = None,
) -> None:
    """End the person's consents, or those given in the conversation that belong to
    nobody yet (an earlier person of the same chat keeps theirs), and cut the ties."""
    for which in (
        ConsentRecord.person_id == person_id if person_id is not None else None,
        and_(ConsentRecord.conversation_id == conversation_id, ConsentRecord.person_id.is_(None))
        if conversation_id is not None
        else None,
    ):
        if which is None:
            continue
        await session.execute(
            update(ConsentRecord)
            .where(which, ConsentRecord.withdrawn_at.is_(None))
            .values(withdrawn_at=now)
        )
        await session.execute(
            update(ConsentRecord).where(which).values(person_id=None, conversation_id=None)
        )


async def of_person(session: AsyncSession, person_id: int) -> list[ConsentRecord]:
    return list(
        await session.scalars(
            select(ConsentRecord)
            .where(ConsentRecord.person_id == person_id)
            .order_by(ConsentRecord.given_at)
        )
    )


async def summary(session: AsyncSession) -> list[dict[str, object]]:
    """Per version of the consent text: how many agreed, and how many of those withdrew."""
    rows = await session.execute(
        select(
            ConsentRecord.version,
            func.count(),
            func.count(ConsentRecord.withdrawn_at),
            func.min(ConsentRecord.given_at),
            func.max(ConsentRecord.given_at),
        )
        .group_by(ConsentRecord.version)
        .order_by(ConsentRecord.version)
    )
    return [
        {
            "version": version,
            "given": given,
            "withdrawn": withdrawn,
            "first_given_at": first.isoformat() if first else None,
            "last_given_at": last.isoformat() if last else None,
        }
        for version, given, withdrawn, first, last in rows
    ]
