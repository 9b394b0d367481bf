"""Widget sessions: an unguessable token per browser tab, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import String, delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from intake.db import Base, UTCDateTime

CHANNEL = "web"


class WebSession(Base):
    __tablename__ = "web_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(session: AsyncSession, *, now: datetime) -> tuple[str, WebSession]:
    """A new session; the token is returned once and only its hash is kept."""
    token = secrets.token_urlsafe(32)
    web_session = WebSession(
        token_hash=_hash(token),
        chat_id=f"w{secrets.token_hex(12)}",
        created_at=now,
        last_seen_at=now,
    )
    session.add(web_session)
    return token, web_session


async def resolve(
    session: AsyncSession, token: str, *, now: datetime, idle: timedelta
) -> WebSession | None:
    """The live session of a token (None when unknown or idle for too long)."""
    if not token or len(token) > 100:
        return None
    found = await session.get(WebSession, _hash(token))
    if found is None or now - found.last_seen_at > idle:
        return None
    return found


async def end(session: AsyncSession, *, chat_id: str) -> None:
    await session.execute(delete(WebSession).where(WebSession.chat_id == chat_id))


async def touch(session: AsyncSession, token_hash: str, *, now: datetime) -> None:
    await session.execute(
        update(WebSession).where(WebSession.token_hash == token_hash).values(last_seen_at=now)
    )
