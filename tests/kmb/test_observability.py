"""What the operator sees: JSON log lines with request ids and no personal data, the
Prometheus metrics, and the readiness probe."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text

from intake.db import Database
from intake.outbox import OutboxMessage
from kmb import logs
from kmb.web import create_app
from tests.bot.test_widget_api import settings_for, start

NAME, PHONE, DISTRICT = "Radomíra", "+420 777 888 999", "Sídliště Jih"
INCOME, COST = "23 456", "7 654"
QUESTION = "Kde můžu dnes přespat se psem Alíkem?"
PERSONAL = (NAME, PHONE, "777888999", "777 888 999", DISTRICT, "23456", INCOME, "Alíkem")


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """The process's logging as production sets it up (JSON, here at DEBUG)."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    logs.configure("DEBUG", "json", stream)
    try:
        yield stream
    finally:
        root.handlers[:], root.level = saved


async def intake(client: httpx.AsyncClient) -> None:
    """A whole intake in the widget, with a name, a phone, a district, money and a
    free question."""
    body, auth = await start(client, "cs")
    steps = [
        ("payload", "lang:cs"),
        ("payload", "ans:immediate_danger:no"),
        ("payload", "ans:consent:agree"),
        ("text", QUESTION),
        ("payload", "ans:housing_group:home"),
        ("payload", "ans:situation:housed_stable"),
        ("payload", "ans:sleeping_place_tonight:safe"),
        ("payload", "ans:adults:1"),
        ("payload", "ans:children:0"),
        ("payload", "ans:vulnerabilities:none"),
        ("text", INCOME),
        ("text", COST),
        ("payload", "ans:rent_arrears:no"),
        ("payload", "ans:debt_to_city_czk:zero"),
        ("payload", "ans:eviction_notice:no"),
        ("payload", "ans:has_valid_id:yes"),
        ("payload", "ans:willing_to_cooperate:yes"),
        ("text", DISTRICT),
        ("text", NAME),
        ("text", PHONE),
        ("payload", "nav:confirm"),
    ]
    cursor = body["cursor"]
    for number, (kind, value) in enumerate(steps):
        response = await client.post(
            "/widget/api/messages",
            headers={**auth, "X-Request-ID": f"step-{number}"},
            json={"id": f"s{number}", kind: value, "after": cursor},
        )
        assert response.status_code == 200, response.text
        assert response.headers["x-request-id"] == f"step-{number}"
        cursor = response.json()["cursor"]
    assert "KMB-" in response.json()["messages"][-1]["text"]  # registered


@pytest.fixture
async def client(database_url: str, db: Database) -> Iterator[httpx.AsyncClient]:
    app = create_app(settings_for(database_url, scheduler_in_web=False))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kmb.test") as c:
            yield c


async def test_a_whole_intake_logs_requests_and_no_personal_data(
    json_logs: io.StringIO, client: httpx.AsyncClient, db: Database
) -> None:
    await intake(client)
    async with db.reading() as session:  # the answers were stored …
        stored = await session.scalar(text("SELECT display_name FROM person"))
    assert stored == NAME
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]  # … all JSON
    access = [line for line in lines if line["logger"] == "kmb.access"]
    steps = [line for line in access if line.get("route") == "/widget/api/messages"]
    assert [line["request_id"] for line in steps] == [f"step-{n}" for n in range(21)]
    assert all(line["status"] == 200 and line["duration_ms"] >= 0 for line in steps)
    everything = json_logs.getvalue()
    for personal in PERSONAL:  # … and none of it in the logs
        assert personal not in everything, personal


async def test_metrics_count_what_happened(client: httpx.AsyncClient, db: Database) -> None:
    await intake(client)
    body, auth = await start(client, "cs")  # someone who agreed, then left at a question
    for number, payload in enumerate(("lang:cs", "ans:immediate_danger:no", "ans:consent:agree")):
        message = {"id": f"a{number}", "payload": payload, "after": body["cursor"]}
        assert (await client.post("/widget/api/messages", headers=auth, json=message)).is_success
    async with db.transaction() as session:
        await session.execute(
            text("UPDATE conversation SET updated_at = :then WHERE case_id IS NULL"),
            {"then": datetime.now(UTC) - timedelta(days=2)},
        )
        session.add(
            OutboxMessage(channel="telegram", chat_id="1", body={"text": "waiting"}, kind="reply")
        )
    response = await client.get("/metrics")
    assert response.status_code == 200
    samples = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in response.text.splitlines()
        if line and not line.startswith("#")
    }
    assert samples['kmb_conversations_completed_total{channel="web",urgency="low"}'] == 1
    assert samples['kmb_messages_stored{channel="web",direction="in"}'] >= 21
    assert samples['kmb_questions_total{answered="yes"}'] == 1
    assert samples["kmb_reminder_lag_seconds"] == 0
    assert samples['kmb_conversations_abandoned{step="housing_group"}'] == 1
    assert samples['kmb_outbox_backlog{channel="telegram"}'] == 1
    assert 'kmb_outbox_backlog{channel="web"}' not in samples  # the widget fetches its own
    latency = 'kmb_http_request_duration_seconds_count{method="POST",route="/widget/api/messages"'
    assert any(key.startswith(latency) for key in samples)
    for personal in PERSONAL:
        assert personal not in response.text


async def test_readiness_follows_the_schema(client: httpx.AsyncClient, db: Database) -> None:
    ready = await client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    async with db.transaction() as session:
        await session.execute(text("UPDATE alembic_version SET version_num = '0014'"))
    behind = await client.get("/readyz")
    assert behind.status_code == 503 and behind.headers["retry-after"] == "5"
    assert "kmb migrate" in behind.json()["detail"]
    assert (await client.get("/healthz")).status_code == 200  # alive all the same


async def test_a_crash_answers_500_with_the_request_id_in_answer_and_log(
    client: httpx.AsyncClient, json_logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug nobody caught: the client gets a problem body naming the request, and the
    log line of the exception carries the same id — and not the exception's words."""
    from bot.web import api

    _, auth = await start(client, "cs")

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"{NAME} {PHONE}")

    monkeypatch.setattr(api, "_messages", broken)
    response = await client.get("/widget/api/messages", headers={**auth, "X-Request-ID": "crash-1"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "crash-1"
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["request_id"] == "crash-1"  # to quote to the operator
    assert problem["detail"].startswith("Omlouváme se")  # the person's language (cs)
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    [crash] = [line for line in lines if line["logger"] == "kmb.errors"]
    assert crash["request_id"] == "crash-1" and crash["error"][0] == "RuntimeError"
    assert any(line.get("status") == 500 and line.get("request_id") == "crash-1" for line in lines)
    assert NAME not in json_logs.getvalue() and "777" not in json_logs.getvalue()
