"""Conversation state and transcript, kept in the database (not in a channel's memory)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from intake.db import Base, JSONDocument, UTCDateTime, Window, utcnow
from intake.models import Case


class Conversation(Base):
    __tablename__ = "conversation"
    __table_args__ = (UniqueConstraint("channel", "chat_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(5))
    step: Mapped[str] = mapped_column(String(40))
    answers: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    history: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    editing: Mapped[bool] = mapped_column(default=False)
    consent_version: Mapped[str | None] = mapped_column(String(20))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    source: Mapped[str | None] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("intake_case.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # The channel could not deliver to this chat (e.g. the person blocked the bot).
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A member of staff is talking with the person: the assistant asks nothing of its
    # own until they hand the conversation back.
    handoff_to: Mapped[str | None] = mapped_column(String(60))
    # When the intake of whoever uses the chat now began, if someone registered from
    # it before (/restart): what came earlier is the earlier person's.
    intake_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Flood limit: messages counted in the current one-minute window.
    window_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    window_count: Mapped[int] = mapped_column(default=0)


class Message(Base):
    """One inbound or outbound message. Inbound ones carry the channel's message id,
    which makes a re-delivered message a no-op; their text is kept only after consent."""

    __tablename__ = "conversation_message"
    __table_args__ = (UniqueConstraint("conversation_id", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))  # "in" or "out"
    external_id: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[str | None] = mapped_column(String(100))
    replies: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


async def case_window(session: AsyncSession, conversation: Conversation, case: Case) -> Window:
    """The stretch of a chat that is this case's person's, as (from, until): a chat used
    by one person after another (/restart, then a new intake) is split where each
    intake began. None: from the chat's beginning, or until now."""
    since = case.intake_started_at
    later = [
        started
        for started in await session.scalars(
            select(Case.intake_started_at).where(
                Case.channel == case.channel,
                Case.chat_id == case.chat_id,
                Case.id != case.id,
                Case.intake_started_at.is_not(None),
            )
        )
        if since is None or started > since
    ]
    current = conversation.intake_started_at  # someone may be in the middle of one
    if current is not None and (since is None or current > since):
        later.append(current)
    return since, min(later, default=None)


async def conversation_of(session: AsyncSession, case: Case) -> Conversation | None:
    """The chat a case was registered from (None once the person deleted it)."""
    return await session.scalar(
        select(Conversation).where(
            Conversation.channel == case.channel, Conversation.chat_id == case.chat_id
        )
    )
