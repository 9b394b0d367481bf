"""The outbox's claims: a worker whose lease ran out (its send hung) and whose row
another worker took over cannot undo the other's result when it finally answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

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
