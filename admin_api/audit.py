"""The audit log: every read and change of personal data by staff — who, what, when
and from where. Admins read it; nobody edits it."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request
from sqlalchemy import Integer, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from intake.db import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff: Mapped[str] = mapped_column(String(60), index=True)  # the username
    action: Mapped[str] = mapped_column(String(40))  # e.g. "case.read", "case.status"
    target: Mapped[str] = mapped_column(String(60), index=True)  # e.g. a case reference
    address: Mapped[str] = mapped_column(String(64))  # where the request came from
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


def address_of(request: Request) -> str:
    """Where a member of staff acted from."""
    return request.client.host if request.client else "unknown"


def record(
    session: AsyncSession,
    request: Request,
    *,
    staff: str,
    action: str,
    target: str,
    at: datetime | None = None,
) -> None:
    """Log who did what to whom, from where (in the request's transaction)."""
    session.add(
        AuditEntry(
            staff=staff,
            action=action,
            target=target,
            address=address_of(request),
            at=at or utcnow(),
        )
    )


async def entries(
    session: AsyncSession, *, target: str | None, limit: int, offset: int
) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    if target:
        query = query.where(AuditEntry.target == target)
    return list(await session.scalars(query))
