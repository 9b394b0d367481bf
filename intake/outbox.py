"""The outbox: every message the system sends, written in the same transaction as
the change that caused it, and delivered later by a channel's worker.

Rows of one chat are delivered in order: a row is claimable only when no older
row of the same chat is still waiting. Channels that fetch their messages (the web
widget asks for what came after the last one it has) read them by ``position``,
given at commit so that one chat's positions grow in the order its messages become
visible (see :func:`_place_fetched`); row ids do not, on PostgreSQL, when two
transactions write to one chat at once. A claim is a lease: a worker that dies
while sending leaves the row to be claimed again when the lease runs out (so a
message may, in that rare crash window, be sent twice rather than lost).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    cast,
    delete,
    event,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, SessionTransaction, aliased, mapped_column

from intake.db import Base, JSONDocument, UTCDateTime, Window, utcnow, within

# A row that asks the channel to take back the messages it sent to a chat (their ids in
# the body): the person deleted their data, and the chat should not keep showing it.
UNSEND = "unsend"

PENDING, SENDING, SENT, FAILED, UNDELIVERABLE = (
    "pending",
    "sending",
    "sent",
    "failed",
    "undeliverable",
)


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_due", "channel", "status", "next_attempt_at"),
        Index("ix_outbox_message_chat", "channel", "chat_id", "id"),
        Index("ix_outbox_message_position", "channel", "chat_id", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(20), default="reply")
    body: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    status: Mapped[str] = mapped_column(String(15), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    external_id: Mapped[str | None] = mapped_column(String(64))
    keyboard_open: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Where a fetched message stands in its chat, given at commit (PostgreSQL); None
    # for messages a worker sends, and on SQLite, where the id stands for it.
    position: Mapped[int | None] = mapped_column(BigInteger)

    @property
    def place(self) -> int:
        """Where a fetched message stands in its chat (see ``PLACE``)."""
        return self.position if self.position is not None else self.id


# PostgreSQL hands out positions from the ids' own sequence, so that a row left without
# one (say, written by an older process during a deploy) is read by its id, which lies
# in the same range: at worst the old race, never a row that hides all later ones.
# SQLite writes one transaction at a time, so its ids already grow in commit order and
# stand for positions (left NULL there).
PLACE = func.coalesce(OutboxMessage.position, OutboxMessage.id)
_UNPLACED = "kmb_outbox_unplaced"
_PLACE_IN_ORDER = text(
    "UPDATE outbox_message SET position = placed.position"
    " FROM (SELECT id, nextval(pg_get_serial_sequence('outbox_message', 'id')) AS position"
    "       FROM (SELECT id FROM outbox_message WHERE id = ANY(:ids) ORDER BY id) AS ordered"
    " ) AS placed"
    " WHERE outbox_message.id = placed.id"
)


def enqueue(
    session: AsyncSession,
    *,
    channel: str,
    chat_id: str,
    body: dict[str, Any],
    now: datetime,
    kind: str = "reply",
    conversation_id: int | None = None,
    fetched: bool = False,
) -> OutboxMessage:
    """Queue a message; ``fetched`` for channels that pick their messages up themselves
    (the row is then stored as sent)."""
    message = OutboxMessage(
        channel=channel,
        chat_id=chat_id,
        body=body,
        kind=kind,
        conversation_id=conversation_id,
        status=SENT if fetched else PENDING,
        sent_at=now if fetched else None,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        keyboard_open=False,
    )
    session.add(message)
    if fetched and session.get_bind().dialect.name == "postgresql":
        session.info.setdefault(_UNPLACED, []).append(message)
    return message


@event.listens_for(Session, "after_transaction_end")
def _forget_unplaced(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ended without its commit (rolled back) placed nothing."""
    if transaction.parent is None:
        session.info.pop(_UNPLACED, None)


@event.listens_for(Session, "before_commit")
def _place_fetched(session: Session) -> None:
    """Give this transaction's fetched messages their positions (PostgreSQL), last
    thing before it commits.

    Two transactions can write to one chat at once: the one with the lower ids may
    commit second, and a reader that already moved past the higher id would never see
    it. So each chat's positions are taken under a lock on that chat held until
    commit. Every holder is past all its other work, with nothing left it could wait
    for while holding the lock, so the lock cannot deadlock."""
    if session.in_nested_transaction():
        return  # a savepoint's commit: the transaction goes on; place at its own commit
    messages: list[OutboxMessage] = session.info.pop(_UNPLACED, None) or []
    if not messages:
        return
    session.flush()
    by_chat: dict[str, list[int]] = {}
    for message in messages:
        by_chat.setdefault(f"{message.channel}:{message.chat_id}", []).append(message.id)
    for chat, ids in sorted(by_chat.items()):
        session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(chat, 0))))
        session.execute(_PLACE_IN_ORDER, {"ids": ids})


def _waiting(now: datetime) -> Any:
    """Rows still to deliver: pending, or claimed by a worker whose lease ran out."""
    return or_(
        OutboxMessage.status == PENDING,
        and_(OutboxMessage.status == SENDING, OutboxMessage.lease_until < now),
    )


async def claim_due(
    session: AsyncSession,
    *,
    channel: str,
    now: datetime,
    limit: int = 20,
    lease: timedelta = timedelta(seconds=60),
) -> Sequence[OutboxMessage]:
    """Claim the due rows that are first in line in their chat; mark them as sending."""
    older = aliased(OutboxMessage)
    blocked = (
        select(older.id)
        .where(
            older.channel == OutboxMessage.channel,
            older.chat_id == OutboxMessage.chat_id,
            older.id < OutboxMessage.id,
            older.status.in_((PENDING, SENDING)),
        )
        .exists()
    )
    rows = (
        await session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.channel == channel,
                _waiting(now),
                OutboxMessage.next_attempt_at <= now,
                ~blocked,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for row in rows:
        row.status = SENDING
        row.lease_until = now + lease
        row.attempts += 1
    return rows


def _still_claimed(message_id: int, attempts: int) -> Any:
    """The row as this worker claimed it: if its lease ran out and another worker took
    it over (the attempt count moved on), a late result of the first changes nothing."""
    return and_(
        OutboxMessage.id == message_id,
        OutboxMessage.status == SENDING,
        OutboxMessage.attempts == attempts,
    )


async def mark_sent(
    session: AsyncSession,
    message_id: int,
    *,
    attempts: int,
    external_id: str | None,
    keyboard: bool,
    now: datetime,
) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(_still_claimed(message_id, attempts))
        .values(
            status=SENT,
            external_id=external_id,
            keyboard_open=keyboard,
            sent_at=now,
            lease_until=None,
            last_error=None,
        )
    )


async def retry_later(
    session: AsyncSession,
    message_id: int,
    *,
    attempts: int,
    at: datetime,
    error: str,
    counted: bool = True,
) -> None:
    """Back in line at ``at``; ``counted=False`` when the failure was not the message's
    (Telegram asked to wait): the attempt is then not held against it."""
    await session.execute(
        update(OutboxMessage)
        .where(_still_claimed(message_id, attempts))
        .values(
            status=PENDING,
            next_attempt_at=at,
            lease_until=None,
            last_error=error[:200],
            attempts=attempts if counted else attempts - 1,
        )
    )


async def give_up(session: AsyncSession, message_id: int, *, attempts: int, error: str) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(_still_claimed(message_id, attempts))
        .values(status=FAILED, lease_until=None, last_error=error[:200])
    )


async def drop_chat(
    session: AsyncSession, *, channel: str, chat_id: str, up_to: int, error: str
) -> int:
    """The chat could not be reached (e.g. the person blocked the bot): stop trying the
    messages queued until then (``up_to``, an outbox id). Later ones — the answer to
    a person who unblocked the bot and wrote again — still go."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.id <= up_to,
            OutboxMessage.status.in_((PENDING, SENDING)),
        )
        .values(status=UNDELIVERABLE, lease_until=None, last_error=error[:200])
    )
    return result.rowcount or 0


@dataclass(frozen=True, slots=True)
class OpenKeyboard:
    """A sent message whose buttons can still be pressed."""

    row_id: int  # in the outbox
    message_id: str  # the channel's
    body: dict  # what was sent


async def open_keyboards(
    session: AsyncSession, *, channel: str, chat_ids: Collection[str]
) -> dict[str, list[OpenKeyboard]]:
    """Sent messages of these chats whose buttons can still be pressed, oldest first."""
    found: dict[str, list[OpenKeyboard]] = {}
    if not chat_ids:
        return found
    rows = await session.execute(
        select(
            OutboxMessage.chat_id, OutboxMessage.id, OutboxMessage.external_id, OutboxMessage.body
        )
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.chat_id.in_(list(chat_ids)),
            OutboxMessage.keyboard_open.is_(True),
        )
        .order_by(OutboxMessage.id)
    )
    for chat_id, row_id, external_id, body in rows:
        found.setdefault(chat_id, []).append(OpenKeyboard(row_id, external_id or "", body))
    return found


async def newest_sent(
    session: AsyncSession, *, channel: str, chat_ids: Collection[str]
) -> dict[str, int]:
    """The outbox id of the newest message sent to each of these chats (by id: a
    chat's messages are sent in that order, though on PostgreSQL a row written by a
    slower transaction can have the lower id)."""
    if not chat_ids:
        return {}
    rows = await session.execute(
        select(OutboxMessage.chat_id, func.max(OutboxMessage.id))
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.chat_id.in_(list(chat_ids)),
            OutboxMessage.status == SENT,
        )
        .group_by(OutboxMessage.chat_id)
    )
    return {chat_id: row_id for chat_id, row_id in rows}


async def close_keyboards(session: AsyncSession, ids: Sequence[int]) -> None:
    if ids:
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(keyboard_open=False)
        )


async def messages_after(
    session: AsyncSession,
    *,
    channel: str,
    chat_id: str,
    after: int,
    limit: int = 100,
) -> Sequence[OutboxMessage]:
    """For channels that fetch (the web widget): the chat's messages after a position.
    Their rows are written as sent: storing them is the delivery."""
    rows = (
        await session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.channel == channel,
                OutboxMessage.chat_id == chat_id,
                after < PLACE,
            )
            .order_by(PLACE)
            .limit(limit)
        )
    ).all()
    return rows


ERASED: dict[str, Any] = {"text": "", "choices": [], "links": []}


async def sent_ids(
    session: AsyncSession, *, channel: str, chat_id: str, window: Window = (None, None)
) -> list[str]:
    """The channel's ids of the messages sent to a person in a chat (or a stretch of it)."""
    found = await session.scalars(
        select(OutboxMessage.external_id)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.kind.in_(("reply", "reminder", "notice")),
            OutboxMessage.external_id.is_not(None),
            within(OutboxMessage.created_at, window),
        )
        .order_by(OutboxMessage.id)
    )
    return [external_id for external_id in found if external_id]


async def forget_bodies(
    session: AsyncSession,
    *,
    channel: str,
    chat_id: str,
    window: Window = (None, None),
) -> None:
    """Erase what was said to a chat (the person asked to delete their data), or in a
    stretch of it (``window``); the rows stay, so nothing is sent again and the
    counts remain."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.chat_id == chat_id,
            within(OutboxMessage.created_at, window),
        )
        .values(body=ERASED)
    )


async def forget_alerts(session: AsyncSession, references: Collection[str]) -> None:
    """Empty the staff alerts that name these cases (their people are being erased)."""
    for reference in references:
        await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.kind == "staff_alert",
                cast(OutboxMessage.body, Text).contains(reference),
            )
            .values(body=ERASED)
        )


async def forget_chat(session: AsyncSession, *, channel: str, chat_id: str) -> None:
    """Remove every message to a chat, so its identifier is no longer stored. Pending
    ones go too: whoever they were for has been erased."""
    await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.channel == channel, OutboxMessage.chat_id == chat_id
        )
    )
