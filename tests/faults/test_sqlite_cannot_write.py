"""SQLite that cannot write — a read-only database, or a full disk — while people are
in the middle of a conversation: every refused request gets a clear 503 with
Retry-After (never a 500), nothing is stored half-way, and when writing works again
the file is intact and the conversations go on, a resent message processed once.

The faults are made the way SQLite itself reports them: ``PRAGMA query_only`` (what
a read-only file gives: "attempt to write a readonly database") and
``PRAGMA max_page_count`` at the current size (what a full disk gives: "database or
disk is full") — chmod would not stop the tests' root user, and mounting a tiny disk
needs privileges the test machine does not have."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select, text

from bot.dialogue.models import Conversation, Message
from intake.db import Database
from kmb.web import create_app
from tests.bot.test_widget_api import settings_for, start


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Any]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'kmb.sqlite3'}"
    application = create_app(
        settings_for(url, scheduler_in_web=False, widget_sessions_per_address="10000/minute")
    )
    async with application.router.lifespan_context(application):
        yield application


async def cannot_write(db: Database, pragma: str | None) -> None:
    """Reconnect the writer with ``pragma`` set (or without any)."""
    engine = db.engine.sync_engine
    for listener in list(getattr(db, "_fault_listeners", [])):
        event.remove(engine, "connect", listener)
    db._fault_listeners = []  # type: ignore[attr-defined]
    if pragma is not None:

        def apply(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        event.listen(engine, "connect", apply)
        db._fault_listeners = [apply]  # type: ignore[attr-defined]
    await db.engine.dispose()


async def send(client: httpx.AsyncClient, auth: dict, number: int, payload: str, after: int):
    return await client.post(
        "/widget/api/messages",
        headers=auth,
        json={"id": f"m{number}", "payload": payload, "after": after},
    )


APOLOGY = "Omlouváme se, u nás se něco pokazilo. Pošlete prosím zprávu za chvíli znovu."


def clear_refusal(response: httpx.Response) -> bool:
    """503, Retry-After, and a sentence in the person's language asking to send again
    (the widget keeps the message and does so by itself)."""
    return (
        response.status_code == 503
        and response.headers.get("retry-after") == "5"
        and response.json()["detail"] == APOLOGY
    )


@pytest.mark.parametrize("fault", ["read-only", "full disk"])
async def test_a_database_that_cannot_write_is_refused_clearly_and_stays_intact(
    app: Any, fault: str
) -> None:
    db: Database = app.state.runtime.db
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kmb.test") as client:
        body, auth = await start(client, "cs")
        first = await send(client, auth, 1, "lang:cs", body["cursor"])
        assert first.status_code == 200
        cursor = first.json()["cursor"]
        async with db.reading() as session:
            pages = await session.scalar(text("PRAGMA page_count"))
        if fault == "read-only":
            await cannot_write(db, "query_only = ON")
        else:
            await cannot_write(db, f"max_page_count = {pages}")
            for _ in range(2000):  # other people start conversations until the disk is full
                started = await client.post("/widget/api/sessions", json={"locale": "cs"})
                assert started.status_code in (201, 503), started.text  # never a 500
                if started.status_code == 503:
                    break
            assert started.status_code == 503 and clear_refusal(started)
        refused = await send(client, auth, 2, "ans:immediate_danger:no", cursor)
        assert clear_refusal(refused), refused.text

        await cannot_write(db, None)
        async with db.reading() as session:
            assert await session.scalar(text("PRAGMA integrity_check")) == "ok"
            assert (
                await session.scalar(select(func.count()).where(Message.external_id == "m2")) == 0
            )
        # The conversation goes on; the refused answer is sent again and counts once.
        again = await send(client, auth, 2, "ans:immediate_danger:no", cursor)
        twice = await send(client, auth, 2, "ans:immediate_danger:no", cursor)
        assert again.status_code == twice.status_code == 200
    async with db.reading() as session:
        stored = await session.scalar(select(func.count()).where(Message.external_id == "m2"))
        answered = await session.scalars(select(Conversation.answers))
    assert stored == 1
    assert any(a.get("immediate_danger") is False for a in answered)
