"""The widget's HTTP API: sessions, messages, long polling, erasure, bad input."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.dialogue.models import Conversation, Message
from bot.web import api
from intake.db import Database
from intake.models import Case
from kmb.settings import Settings
from kmb.web import create_app
from tests.bot.test_intake_conversations import EXAMPLES

DATA = Path(__file__).parents[1] / "data"


def settings_for(database_url: str, **extra: object) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        contact_points_file=DATA / "contact-points.toml",
        **extra,
    )


@pytest.fixture
async def client(database_url: str, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings_for(database_url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kmb.test") as c:
            yield c


async def start(client: httpx.AsyncClient, locale: str = "en") -> tuple[dict, dict]:
    response = await client.post("/widget/api/sessions", json={"locale": locale})
    assert response.status_code == 201, response.text
    body = response.json()
    return body, {"Authorization": f"Bearer {body['token']}"}


async def test_a_session_starts_with_the_language_question(client: httpx.AsyncClient) -> None:
    body, _ = await start(client, "uk")
    assert len(body["token"]) >= 40
    [first] = body["messages"]
    assert [c["payload"] for c in first["choices"]] == ["lang:cs", "lang:en", "lang:uk"]
    assert first["choices"][2]["selected"] is True
    assert body["cursor"] == first["id"] and body["locale"] == "uk"


async def test_a_resent_message_is_processed_once(client: httpx.AsyncClient, db: Database) -> None:
    body, auth = await start(client)
    message = {"id": "client-1", "payload": "lang:en", "after": body["cursor"]}
    first = (await client.post("/widget/api/messages", json=message, headers=auth)).json()
    again = (await client.post("/widget/api/messages", json=message, headers=auth)).json()
    assert first["messages"] and again["messages"] == first["messages"]
    async with db.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(Message).where(Message.external_id == "client-1")
        )
        conversation = await session.scalar(select(Conversation))
    assert count == 1 and conversation.step == "immediate_danger"


async def test_long_polling_returns_when_something_arrives(client: httpx.AsyncClient) -> None:
    body, auth = await start(client)
    cursor = body["cursor"]
    waiting = asyncio.create_task(
        client.get(f"/widget/api/messages?after={cursor}&wait=10", headers=auth)
    )
    await asyncio.sleep(0.3)
    assert not waiting.done()
    await client.post(
        "/widget/api/messages", headers=auth, json={"id": "m2", "payload": "lang:en", "after": 0}
    )
    response = await asyncio.wait_for(waiting, 5)
    assert response.json()["messages"][0]["id"] > cursor
    empty = await client.get(f"/widget/api/messages?after={10**9}&wait=0", headers=auth)
    assert empty.json()["messages"] == []


# A whole intake in Czech by the widget's requests: (field, value) of each message.
WHOLE_INTAKE: list[tuple[str, str]] = [
    *[
        ("payload", p)
        for p in (
            "lang:cs",
            "ans:immediate_danger:no",
            "ans:consent:agree",
            "ans:housing_group:home",
            "ans:situation:housed_stable",
            "ans:sleeping_place_tonight:safe",
            "ans:adults:1",
            "ans:children:0",
            "ans:vulnerabilities:none",
        )
    ],
    ("text", "19 000"),
    ("text", "5 000"),
    *[
        ("payload", p)
        for p in (
            "ans:rent_arrears:no",
            "ans:debt_to_city_czk:zero",
            "ans:eviction_notice:no",
            "ans:has_valid_id:yes",
            "ans:willing_to_cooperate:yes",
            "nav:skip",
            "nav:skip",
            "nav:skip",
            "nav:confirm",
        )
    ],
]


async def test_a_whole_intake_over_http(client: httpx.AsyncClient, db: Database) -> None:
    body, auth = await start(client, "cs")
    cursor = body["cursor"]
    steps = WHOLE_INTAKE
    for number, (kind, value) in enumerate(steps):
        response = await client.post(
            "/widget/api/messages",
            headers=auth,
            json={"id": f"s{number}", kind: value, "after": cursor},
        )
        assert response.status_code == 200, response.text
        cursor = response.json()["cursor"]
    last = response.json()["messages"][-1]["text"]
    async with db.sessions() as session:
        case = await session.scalar(select(Case))
    assert case.reference in last and case.channel == "web"
    assert case.result == EXAMPLES[6]["result"]


async def test_ending_the_session_erases_it(client: httpx.AsyncClient, db: Database) -> None:
    _, auth = await start(client)
    assert (await client.delete("/widget/api/session", headers=auth)).status_code == 204
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Conversation)) == 0
    after = await client.get("/widget/api/messages", headers=auth)
    assert after.status_code == 401


@pytest.mark.parametrize("token", ["", "forged", "x" * 500])
async def test_forged_tokens_get_a_localized_problem(client: httpx.AsyncClient, token: str) -> None:
    response = await client.post(
        "/widget/api/messages",
        json={"id": "a", "text": "hi"},
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "uk-UA,uk;q=0.9"},
    )
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 401 and "розмову" in problem["detail"].lower()


async def test_an_idle_session_expires(database_url: str, db: Database) -> None:
    app = create_app(settings_for(database_url, widget_session_idle_minutes=1))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kmb.test") as client:
            _, auth = await start(client)
            from datetime import timedelta

            from bot.web.sessions import WebSession

            async with db.transaction() as session:
                found = await session.scalar(select(WebSession))
                found.last_seen_at -= timedelta(minutes=5)
            response = await client.get("/widget/api/messages", headers=auth)
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b'{"id": "a"}', 422),
        (b'{"id": "a", "text": "x", "payload": "nav:back"}', 422),
        (b'{"id": "a", "payload": "<script>"}', 422),
        (b'{"id": "a", "text": "x", "admin": true}', 422),
        (b'{"id": "../etc", "text": "x"}', 422),
        (b"[1, 2]", 422),
    ],
)
async def test_malformed_requests_get_a_problem_not_a_500(
    client: httpx.AsyncClient, body: bytes, status: int
) -> None:
    _, auth = await start(client)
    response = await client.post(
        "/widget/api/messages", content=body, headers={**auth, "Content-Type": "application/json"}
    )
    assert response.status_code == status, response.text
    assert response.json()["detail"]


async def test_oversized_requests_are_refused(client: httpx.AsyncClient) -> None:
    _, auth = await start(client)
    huge = {"id": "big", "text": "x" * 9000 + "ž" * 5000}
    response = await client.post("/widget/api/messages", json=huge, headers=auth)
    assert response.status_code == 413
    assert response.json()["detail"]

    async def streamed() -> AsyncIterator[bytes]:  # no Content-Length to go by
        yield b'{"id": "big2", "text": "'
        for _ in range(20):
            yield b"x" * 1000
        yield b'"}'

    response = await client.post(
        "/widget/api/messages",
        content=streamed(),
        headers={**auth, "Content-Type": "application/json", "Accept-Language": "en"},
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "That message is too large to send."


async def test_html_is_stored_and_returned_as_plain_text(client: httpx.AsyncClient) -> None:
    body, auth = await start(client)
    response = await client.post(
        "/widget/api/messages",
        headers=auth,
        json={"id": "x1", "text": "<img src=x onerror=alert(1)>", "after": body["cursor"]},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")


async def test_rate_limits_answer_with_a_clear_message(database_url: str, db: Database) -> None:
    app = create_app(settings_for(database_url, widget_rate_per_session="3/minute"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kmb.test") as client:
            _, auth = await start(client)
            statuses = []
            for number in range(5):
                response = await client.post(
                    "/widget/api/messages", headers=auth, json={"id": f"r{number}", "text": "ahoj"}
                )
                statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429, 429]
    assert "Retry-After" in response.headers and response.json()["detail"]


async def test_cors_only_for_configured_origins(
    database_url: str, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    city = "https://www.lipova.example"
    app = create_app(
        settings_for(database_url, widget_allowed_origins=city, widget_rate_per_session="1/minute")
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kmb.test") as client:

            def preflight(origin: str) -> httpx.Response:
                return client.options(
                    "/widget/api/sessions",
                    headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
                )

            allowed = await preflight(city)
            refused = await preflight("https://evil.example")
            # What the city's page must be able to read: a rate limit's Retry-After,
            # and even a crash's 500 (else the browser reports a lost connection).
            body, auth = await start(client)
            headers = {**auth, "Origin": city}
            for number in range(2):
                message = {"id": f"m{number}", "payload": "lang:en", "after": body["cursor"]}
                limited = await client.post("/widget/api/messages", json=message, headers=headers)

            async def broken(*args: object, **kwargs: object) -> None:
                raise RuntimeError("a bug")

            monkeypatch.setattr(api, "_messages", broken)
            crashed = await client.get("/widget/api/messages", headers=headers)
    assert allowed.headers.get("access-control-allow-origin") == city
    assert "access-control-allow-origin" not in refused.headers
    assert limited.status_code == 429 and limited.headers["retry-after"]
    assert "retry-after" in limited.headers["access-control-expose-headers"].lower()
    assert crashed.status_code == 500
    assert crashed.headers.get("access-control-allow-origin") == city


async def test_the_widget_files_and_the_demo_page(client: httpx.AsyncClient) -> None:
    import gzip

    script = await client.get("/widget.js")
    style = await client.get("/widget.css")
    page = await client.get("/")
    assert script.status_code == style.status_code == page.status_code == 200
    assert "Rychlý odchod" in script.text and "Швидкий вихід" in script.text
    assert '<script src="/widget.js" defer' in page.text
    size = len(gzip.compress(script.content)) + len(gzip.compress(style.content))
    assert size <= 30 * 1024
    assert "http://" not in script.text.replace("http://www.w3.org", "")


async def test_the_buttons_under_a_catalogue_answer_work_over_http(
    client: httpx.AsyncClient,
) -> None:
    body, auth = await start(client)
    send = {"id": "w1", "payload": "lang:en", "after": body["cursor"]}
    cursor = (await client.post("/widget/api/messages", json=send, headers=auth)).json()["cursor"]
    asked = {"id": "w2", "text": "what documents should I bring?", "after": cursor}
    answer = (await client.post("/widget/api/messages", json=asked, headers=auth)).json()
    payloads = [c["payload"] for m in answer["messages"] for c in m["choices"]]
    more = next(p for p in payloads if p.startswith("kb:more:"))
    pressed = {"id": "w3", "payload": more, "after": answer["cursor"]}
    response = await client.post("/widget/api/messages", json=pressed, headers=auth)
    assert response.status_code == 200, response.text
    assert response.json()["messages"][0]["text"].endswith("Did this help?")


async def test_a_fault_of_ours_is_said_once_and_not_worth_resending(
    database_url: str, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug (not a database that is away) gets a 500 with the apology in the person's
    language and no Retry-After, so the widget does not resend it forever."""
    app = create_app(settings_for(database_url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kmb.test") as client:
            body, auth = await start(client, "uk")

            async def broken(*args: object, **kwargs: object) -> None:
                raise RuntimeError("a bug")

            monkeypatch.setattr(app.state.runtime.engine.flow, "respond", broken)
            refused = await client.post(
                "/widget/api/sessions", json={"locale": "uk"}, headers={"Accept-Language": "uk"}
            )
            assert refused.status_code == 500 and "Вибачте" in refused.json()["detail"]
            message = {"id": "m1", "payload": "lang:uk", "after": body["cursor"]}
            headers = {**auth, "Accept-Language": "uk"}  # as widget.js sends it
            response = await client.post("/widget/api/messages", json=message, headers=headers)
    assert response.status_code == 500 and "retry-after" not in response.headers
    assert response.headers["content-type"] == "application/problem+json"
    assert "Вибачте" in response.json()["detail"]


async def test_a_nul_character_anywhere_is_refused_clearly(
    client: httpx.AsyncClient, db: Database
) -> None:
    """PostgreSQL cannot store NUL: it is refused at the door with a 400 in the
    person's language, not a failure deep in a transaction."""
    body, auth = await start(client)
    headers = {**auth, "Accept-Language": "cs"}
    for request in (
        client.post(
            "/widget/api/messages",
            json={"id": "n1", "text": "ahoj\x00", "after": body["cursor"]},
            headers=headers,
        ),
        client.post(
            "/widget/api/messages",
            json={"id": "n\x002", "payload": "lang:en", "after": body["cursor"]},
            headers=headers,
        ),
        client.get("/widget/api/messages?after=0%00", headers=headers),
        client.post("/admin/api/auth/token", data={"username": "a\x00b", "password": "x"}),
        client.get("/admin/api/cases?district=%00"),
    ):
        refused = await request
        assert refused.status_code == 400, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
    assert "NUL" in refused.json()["detail"]
    async with db.sessions() as session:
        stored = await session.scalar(
            select(func.count()).select_from(Message).where(Message.external_id.like("n%"))
        )
    assert stored == 0
    # "%00" typed in a message is just text (only URLs and forms encode NUL so).
    fine = await client.post(
        "/widget/api/messages",
        json={"id": "n3", "text": "sleva 50%00 a víc", "after": body["cursor"]},
        headers=headers,
    )
    assert fine.status_code == 200


async def test_long_polls_that_ended_leave_nothing_behind() -> None:
    """Every chat whose long poll timed out or was answered is forgotten by the process
    (else a busy server would keep one entry per chat it ever saw)."""
    notifier = api.Notifier()
    await asyncio.gather(*(notifier.wait(f"chat-{n}", 0.01) for n in range(50)))
    assert len(notifier) == 0
    first = asyncio.create_task(notifier.wait("one", 5))
    second = asyncio.create_task(notifier.wait("one", 5))
    await asyncio.sleep(0.05)
    assert len(notifier) == 1
    notifier.notify("one")
    await asyncio.wait_for(asyncio.gather(first, second), 1)  # both woken at once
    assert len(notifier) == 0
