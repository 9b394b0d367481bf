"""A caseworker writes to a person from the case: the message reaches the person's own
chat in their language; while staff talk with them the assistant stays quiet and their
replies land in the case; handing back lets the assistant take over again."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from bot.web.sessions import WebSession
from tests.admin_api.conftest import Admin
from tests.bot.test_intake_conversations import EXAMPLES, walk_through
from tests.bot.test_widget_api import start
from tests.chat import Chat


async def widget_person(admin: Admin) -> tuple[Chat, dict]:
    """Someone who opened the widget and registered (driven through the engine)."""
    body, auth = await start(admin.client, "uk")
    token_hash = hashlib.sha256(body["token"].encode()).hexdigest()
    async with admin.db.reading() as session:
        chat_id = await session.scalar(
            select(WebSession.chat_id).where(WebSession.token_hash == token_hash)
        )
    chat = Chat(admin.app.state.runtime.engine, chat_id=chat_id, channel="web", locale="uk")
    await walk_through(chat, EXAMPLES[5]["answers"], language="uk")
    await chat.press("nav:confirm")
    return chat, auth


async def test_a_message_from_staff_reaches_the_widget_and_the_reply_reaches_the_case(
    admin: Admin,
) -> None:
    chat, widget = await widget_person(admin)
    staff = await admin.headers("caseworker")
    reference = (await admin.client.get("/admin/api/cases", headers=staff)).json()["items"][0][
        "reference"
    ]
    case = f"/admin/api/cases/{reference}"
    templates = (await admin.client.get("/admin/api/templates", headers=staff)).json()
    assert set(templates["call_us"]) == {"cs", "en", "uk"}
    assert "+420 596 000 123" in templates["call_us"]["uk"]
    sent = await admin.client.post(f"{case}/messages", json={"template": "call_us"}, headers=staff)
    assert sent.status_code == 201, sent.text
    fetched = (await admin.client.get("/widget/api/messages?after=0", headers=widget)).json()
    last = fetched["messages"][-1]["text"]
    assert last.startswith("Повідомлення від контактного пункту:") and "+420 596 000 123" in last

    await chat.type("Добре, зателефоную завтра")
    assert "passed_to_staff" in chat.last.events
    assert chat.text == "Дякуємо. Ваше повідомлення передано контактному пункту."
    replied = (await admin.client.get("/admin/api/cases?replied=true", headers=staff)).json()
    assert replied["total"] == 1 and replied["items"][0]["replied_at"]
    detail = (await admin.client.get(case, headers=staff)).json()
    texts = [m["text"] for m in detail["transcript"]]
    assert texts[-2].startswith("Повідомлення від контактного пункту:")
    assert texts[-1] == "Добре, зателефоную завтра"
    assert [e["kind"] for e in detail["history"]][-2:] == ["message_sent", "replied"]

    free = await admin.client.post(
        f"{case}/messages", json={"text": "Dobrý den, ozveme se zítra."}, headers=staff
    )
    assert free.status_code == 201
    assert (await admin.client.get("/admin/api/cases?replied=true", headers=staff)).json()[
        "total"
    ] == 0  # a new message from staff: nothing unread
    both = await admin.client.post(
        f"{case}/messages", json={"text": "x", "template": "call_us"}, headers=staff
    )
    assert both.status_code == 409
    unknown = await admin.client.post(f"{case}/messages", json={"template": "no"}, headers=staff)
    assert unknown.status_code == 409

    await admin.client.post(f"{case}/handback", headers=staff)
    await chat.type("де можна переночувати сьогодні?")
    assert "passed_to_staff" not in chat.last.events  # the assistant answers again
    assert "answered" in chat.last.events


async def test_staff_do_not_write_into_a_chat_someone_else_uses_now(admin: Admin) -> None:
    """The person registered, then someone started again in the same chat (a shared
    phone): a message for the first person would be read by the other. Refused."""
    chat, _ = await widget_person(admin)
    await chat.type("/restart")
    await chat.press("nav:restart_confirm")  # the registration stays
    staff = await admin.headers("caseworker")
    reference = (await admin.client.get("/admin/api/cases", headers=staff)).json()["items"][0][
        "reference"
    ]
    refused = await admin.client.post(
        f"/admin/api/cases/{reference}/messages", json={"template": "call_us"}, headers=staff
    )
    assert refused.status_code == 409 and "Someone else uses" in refused.json()["detail"]
