"""The Telegram Bot API failing for a while — first 500 for every message, then 429
with retry_after — while twenty people write: afterwards every queued message is
delivered, each exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import select

from intake.outbox import OutboxMessage
from tests.e2e.conftest import RunningBot
from tests.e2e.telegram_user import wait_until

PEOPLE = 20


async def test_after_an_outage_every_message_arrives_exactly_once(
    polling_bot: RunningBot,
) -> None:
    server = polling_bot.server
    server.fail_for("sendMessage", 500, seconds=2)
    server.fail_for("sendMessage", 429, seconds=3, retry_after=1)
    users = [polling_bot.user(chat_id=7100 + n, language_code="en") for n in range(PEOPLE)]
    await asyncio.gather(*(user.send("/start", expect_reply=False) for user in users))
    await wait_until(lambda: all(user.received() for user in users), limit=60)
    await asyncio.sleep(1.5)  # whatever was still queued has time to go out
    async with polling_bot.db.reading() as session:
        rows = (await session.execute(select(OutboxMessage.chat_id, OutboxMessage.status))).all()
    assert {status for _, status in rows} == {"sent"}
    queued = Counter(int(chat_id) for chat_id, _ in rows)
    for user in users:
        texts = [call.params["text"] for call in user.received()]
        assert len(texts) == queued[user.chat_id] >= 1  # all of them, none twice
        assert len(set(texts)) == len(texts)
    failed = Counter(c.method for c in server.calls if "!" in c.method)
    assert failed["sendMessage!500"] >= PEOPLE and failed["sendMessage!429"] >= 1
