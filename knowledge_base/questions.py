"""What people asked the catalogue: questions it answered (and whether the answer
helped) and questions it could not answer, kept for staff to improve it.

The words are stored only when the person consented to storing what they write, and
are forgotten when they delete their data; the counts stay for the statistics.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from intake.db import Base, UTCDateTime, Window, within

MAX_TEXT = 1000


class UnansweredQuestion(Base):
    __tablename__ = "unanswered_question"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # NULL once the conversation is gone: the question stays as an anonymous count.
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"), index=True
    )
    locale: Mapped[str] = mapped_column(String(5))
    text: Mapped[str | None] = mapped_column(Text)
    # Set by staff when they link the question to an entry that answers it.
    entry_slug: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class AnsweredQuestion(Base):
    __tablename__ = "answered_question"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # NULL once the conversation is gone: the question stays as an anonymous count.
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"), index=True
    )
    slug: Mapped[str] = mapped_column(String(60), index=True)
    locale: Mapped[str] = mapped_column(String(5))
    text: Mapped[str | None] = mapped_column(Text)  # None also when a topic button was pressed
    helpful: Mapped[bool | None] = mapped_column(Boolean)  # the answer to "Did this help?"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


def record_unanswered(
    session: AsyncSession, *, conversation_id: int, locale: str, text: str | None, now: datetime
) -> None:
    session.add(
        UnansweredQuestion(
            conversation_id=conversation_id,
            locale=locale,
            text=text[:MAX_TEXT] if text else None,
            created_at=now,
        )
    )


async def record_answered(
    session: AsyncSession,
    *,
    conversation_id: int,
    slug: str,
    locale: str,
    text: str | None,
    now: datetime,
) -> AnsweredQuestion:
    answered = AnsweredQuestion(
        conversation_id=conversation_id,
        slug=slug,
        locale=locale,
        text=text[:MAX_TEXT] if text else None,
        created_at=now,
    )
    session.add(answered)
    await session.flush()  # its id goes into the buttons of the answer
    return answered


async def answered_in(
    session: AsyncSession, answered_id: int, *, conversation_id: int
) -> AnsweredQuestion | None:
    """An answer given in this conversation (buttons of other chats are refused)."""
    answered = await session.get(AnsweredQuestion, answered_id)
    if answered is None or answered.conversation_id != conversation_id:
        return None
    return answered


async def ratings(session: AsyncSession) -> dict[str, tuple[int, int, int]]:
    """Per entry: how often it was shown, and how often it helped or did not."""
    rows = await session.execute(
        select(
            AnsweredQuestion.slug,
            func.count(),
            func.count().filter(AnsweredQuestion.helpful.is_(True)),
            func.count().filter(AnsweredQuestion.helpful.is_(False)),
        ).group_by(AnsweredQuestion.slug)
    )
    return {slug: (shown, helped, not_helped) for slug, shown, helped, not_helped in rows}


async def forget_texts(
    session: AsyncSession,
    *,
    conversation_id: int,
    window: Window = (None, None),
) -> None:
    """Keep the counts for the statistics, drop what the person wrote (in ``window``,
    a stretch of the chat, when given)."""
    for table in (UnansweredQuestion, AnsweredQuestion):
        await session.execute(
            update(table)
            .where(table.conversation_id == conversation_id, within(table.created_at, window))
            .values(text=None)
        )
