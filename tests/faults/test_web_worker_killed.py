"""kill -9 of the web worker while 100 people are in the middle of their intake in the
widget. Each simulated widget does what widget.js does: it keeps a message until the
server answers, and sends it again with the same id when the connection breaks or
the server says 503. After the restart every conversation goes on to a registered
case: no answer committed before the kill is lost, no message counts twice, and no
person receives a reply twice."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from bot.dialogue.models import Conversation, Message
from intake.db import Database
from intake.models import Case
from intake.outbox import OutboxMessage
from tests.bot.test_widget_api import WHOLE_INTAKE
from tests.served import UNLIMITED, Served, kmb_serve

PEOPLE = 100


@pytest.fixture(params=["postgresql"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    with kmb_serve(
        request,
        tmp_path_factory,
        request.param,
        **UNLIMITED,
        scheduler_in_web="false",
    ) as served:
        yield served


class Widget:
    """One person's widget: its cursor, and every message it was shown."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.shown: list[dict] = []
        self.cursor = 0
        self.auth: dict[str, str] = {}

    async def request(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        """Again and again until the server answers (it may be down or restarting)."""
        while True:
            try:
                response = await self.client.request(method, path, **kwargs)
            except httpx.TransportError:
                await asyncio.sleep(0.2)
                continue
            if response.status_code == 503:
                await asyncio.sleep(0.2)
                continue
            return response

    def show(self, body: dict) -> None:
        self.shown += body["messages"]
        self.cursor = body["cursor"]

    async def intake(self) -> None:
        started = await self.request("POST", "/widget/api/sessions", json={"locale": "cs"})
        assert started.status_code == 201, started.text
        self.auth = {"Authorization": f"Bearer {started.json()['token']}"}
        self.show(started.json())
        for number, (field, value) in enumerate(WHOLE_INTAKE):
            message = {"id": f"s{number}", field: value, "after": self.cursor}
            answered = await self.request(
                "POST", "/widget/api/messages", headers=self.auth, json=message
            )
            assert answered.status_code == 200, answered.text
            self.show(answered.json())


async def test_a_killed_worker_loses_nothing_and_doubles_nothing(served: Served) -> None:
    limits = httpx.Limits(max_connections=PEOPLE)
    async with httpx.AsyncClient(base_url=served.base, timeout=20, limits=limits) as client:
        widgets = [Widget(client) for _ in range(PEOPLE)]
        running = [asyncio.create_task(w.intake()) for w in widgets]
        await asyncio.sleep(2.0)  # well into the conversations
        served.kill()
        finished_before = sum(task.done() for task in running)
        shown_before = sum(len(w.shown) for w in widgets)
        killed_at = time.monotonic()
        await asyncio.to_thread(served.start)
        restarted_in = time.monotonic() - killed_at
        await asyncio.wait_for(asyncio.gather(*running), timeout=240)

    assert restarted_in < 60
    assert finished_before < PEOPLE and shown_before > 0  # killed in the middle
    for widget in widgets:
        ids = [m["id"] for m in widget.shown]
        assert len(ids) == len(set(ids)), "a message shown twice"
        assert "KMB-" in widget.shown[-1]["text"]  # every conversation reached its case
    db = Database(served.database_url)
    try:
        async with db.reading() as session:
            cases = list(await session.scalars(select(Case)))
            inbound = Counter(
                conversation_id
                for (conversation_id,) in await session.execute(
                    select(Message.conversation_id).where(Message.direction == "in")
                )
            )
            conversations = list(await session.scalars(select(Conversation)))
            replies = [  # what the widgets were given: the outbox rows, in order
                (conversation_id, body.get("text"))
                for conversation_id, body in await session.execute(
                    select(OutboxMessage.conversation_id, OutboxMessage.body).order_by(
                        OutboxMessage.id
                    )
                )
            ]
    finally:
        await db.dispose()
    assert len(cases) == PEOPLE  # nothing lost, nothing registered twice
    assert all(c.answers["monthly_income_czk"] == 19_000 for c in cases)
    registered = [c for c in conversations if c.case_id is not None]
    assert len(registered) == PEOPLE and {c.step for c in registered} == {"done"}
    # Each answer stored once (and the session's opening); a session whose opening
    # answer the kill cut off was started again by its widget and left at its start.
    assert {inbound[c.id] for c in registered} == {len(WHOLE_INTAKE) + 1}
    assert {inbound[c.id] for c in conversations if c.case_id is None} <= {1}
    assert len(replies) > PEOPLE * len(WHOLE_INTAKE)
    previous: dict[int, str | None] = {}
    for conversation_id, text in replies:  # no reply queued (and so shown) twice in a row
        assert previous.get(conversation_id) != text, text
        previous[conversation_id] = text
