"""The outbox's claims: a worker whose lease ran out (its send hung) and whose row
another worker took over cannot undo the other's result when it finally answers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intake import outbox
from intake.db import Database
from intake.outbox import OutboxMessage

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


async def claim(db: Database, at: datetime) -> tuple[int, int]:
    async with db.transaction() as session:
        [row] = await outbox.claim_due(
            session, channel="telegram", now=at, lease=timedelta(seconds=60)
        )
        return row.id, row.attempts


async def test_a_late_result_of_an_expired_claim_changes_nothing(db: Database) -> None:
    async with db.transaction() as session:
        outbox.enqueue(session, channel="telegram", chat_id="1", body={"text": "hi"}, now=NOW)
    first = await claim(db, NOW)
    second = await claim(db, NOW + timedelta(seconds=61))  # the first lease ran out
    assert first[0] == second[0] and second[1] == first[1] + 1
    async with db.transaction() as session:  # the second worker sent it
        await outbox.mark_sent(
            session, second[0], attempts=second[1], external_id="77", keyboard=False, now=NOW
        )
    async with db.transaction() as session:  # the first one's send finally failed
        await outbox.retry_later(
            session, first[0], attempts=first[1], at=NOW + timedelta(seconds=5), error="timeout"
        )
        await outbox.give_up(session, first[0], attempts=first[1], error="timeout")
    async with db.reading() as session:
        row = await session.scalar(select(OutboxMessage))
    assert (row.status, row.external_id) == ("sent", "77")  # not pending again: not resent


async def fetched(db: Database, chat_id: str, after: int) -> list[tuple[int, str]]:
    async with db.reading() as session:
        rows = await outbox.messages_after(session, channel="web", chat_id=chat_id, after=after)
    return [(row.place, row.body["text"]) for row in rows]


def queue(session: AsyncSession, text: str, chat_id: str = "w1") -> None:
    outbox.enqueue(
        session, channel="web", chat_id=chat_id, body={"text": text}, now=NOW, fetched=True
    )


async def test_fetched_messages_are_read_in_the_order_they_were_committed(
    db: Database,
) -> None:
    async with db.transaction() as session:
        queue(session, "one")
        queue(session, "two")
        queue(session, "elsewhere", chat_id="w2")
    async with db.transaction() as session:
        queue(session, "three")
    everything = await fetched(db, "w1", 0)
    assert [text for _, text in everything] == ["one", "two", "three"]
    assert [place for place, _ in everything] == sorted({place for place, _ in everything})
    assert await fetched(db, "w1", everything[1][0]) == everything[2:]
    assert [text for _, text in await fetched(db, "w2", 0)] == ["elsewhere"]


async def test_a_slower_transaction_to_the_same_chat_is_not_skipped(db: Database) -> None:
    """Staff write to a chat while the person's own message is being answered: the
    answer took its row id first but commits second. A reader that already saw the
    staff message must still get the answer after it (PostgreSQL runs the two at
    once; SQLite writes one transaction at a time)."""
    if db.sqlite:
        pytest.skip("PostgreSQL only: SQLite has one writer")
    answer_stored, staff_committed = asyncio.Event(), asyncio.Event()

    async def answer() -> None:
        async with db.transaction() as session:
            queue(session, "answer")
            await session.flush()  # its row id is taken now
            answer_stored.set()
            await staff_committed.wait()

    async def staff() -> None:
        await answer_stored.wait()
        async with db.transaction() as session:
            queue(session, "from staff")
        staff_committed.set()

    slow = asyncio.create_task(answer())
    await staff()
    seen = await fetched(db, "w1", 0)
    assert [text for _, text in seen] == ["from staff"]
    await slow
    assert [text for _, text in await fetched(db, "w1", seen[-1][0])] == ["answer"]


async def test_positions_are_given_at_the_commit_not_at_a_savepoint(db: Database) -> None:
    """A savepoint inside the transaction does not take the chat's lock early (held
    until commit, it could then wait on another transaction's rows: a deadlock)."""
    if db.sqlite:
        pytest.skip("PostgreSQL only: SQLite's ids stand for positions")
    async with db.transaction() as session:
        queue(session, "first")
        async with session.begin_nested():
            queue(session, "second")
        unplaced = await session.scalars(select(OutboxMessage.position))
        assert set(unplaced) == {None}
    assert [text for _, text in await fetched(db, "w1", 0)] == ["first", "second"]
