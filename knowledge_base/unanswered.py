"""Questions the catalogue could not answer, kept for staff to improve it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from intake.db import Base, UTCDateTime


class UnansweredQuestion(Base):
    __tablename__ = "unanswered_question"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    locale: Mapped[str] = mapped_column(String(5))
    # The words only when the person consented to storing what they write.
    text: Mapped[str | None] = mapped_column(Text)
    # Set by staff when they link the question to an entry that answers it.
    entry_slug: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


def record(
    session: AsyncSession, *, conversation_id: int, locale: str, text: str | None, now: datetime
) -> None:
    session.add(
        UnansweredQuestion(
            conversation_id=conversation_id, locale=locale, text=text, created_at=now
        )
    )


async def forget_texts(session: AsyncSession, *, conversation_id: int) -> None:
    """Keep the count for the statistics, drop what the person wrote."""
    await session.execute(
        update(UnansweredQuestion)
        .where(UnansweredQuestion.conversation_id == conversation_id)
        .values(text=None)
    )
