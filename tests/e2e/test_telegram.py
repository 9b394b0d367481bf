"""The intake in Telegram: real aiogram, real HTTP, a local Bot API server."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from bot.dialogue.engine import Engine
from bot.dialogue.models import Conversation, Message
from bot.telegram.delivery import TelegramDelivery
from intake import outbox
from intake.db import Database, utcnow
from intake.models import Case, Person
from intake.outbox import OutboxMessage
from tests.admin_api.conftest import PASSWORD, make_staff
from tests.bot.test_intake_conversations import EXAMPLES, walk_through
from tests.e2e.bot_api import BotApiServer, Call
from tests.e2e.conftest import STAFF_CHAT, RunningBot, bot_for
from tests.e2e.telegram_user import TelegramUser, wait_until


@dataclass
class TelegramChat:
    """The engine-test conversation interface, spoken through Telegram."""

    user: TelegramUser
    running: RunningBot
    last_messages: list[Call] | None = None

    async def press(self, payload: str) -> None:
        target = self.user.last_keyboard()
        offered = [b["callback_data"] for b in target.buttons]
        assert payload in offered, f"{payload!r} not among {offered}"
        self.last_messages = await self.user.press_data(payload, target)

    async def type(self, text: str) -> None:
        self.last_messages = await self.user.send(text)

    @property
    def text(self) -> str:
        return "\n".join(
            c.params.get("text") or c.params.get("caption", "") for c in self.last_messages or []
        )

    async def conversation(self) -> Conversation:
        async with self.running.db.sessions() as session:
            found = await session.scalar(
                select(Conversation).where(
                    Conversation.channel == "telegram",
                    Conversation.chat_id == str(self.user.chat_id),
                )
            )
            assert found is not None
            return found

    async def step(self) -> str:
        return (await self.conversation()).step


async def cases(running: RunningBot) -> list[Case]:
    async with running.db.sessions() as session:
        return list((await session.scalars(select(Case).order_by(Case.id))).all())


@pytest.mark.parametrize("example", [EXAMPLES[1], EXAMPLES[5]], ids=["hostel", "eviction"])
async def test_intake_in_czech_with_long_polling(polling_bot: RunningBot, example: dict) -> None:
    user = polling_bot.user(chat_id=5001, language_code="cs")
    first = await user.send("/start qr-poster-3")
    assert "Dobrý den" in first[0].params["text"] or "asistent" in first[0].params["text"]
    assert [b["text"] for b in first[-1].buttons][:3] == ["✓ Čeština", "English", "Українська"]

    chat = TelegramChat(user, polling_bot)
    await walk_through(chat, example["answers"], language="cs")
    await chat.press("nav:confirm")
    assert "KMB-2026-" in chat.text
    [case] = await cases(polling_bot)
    assert case.result == example["result"]
    assert (case.channel, case.chat_id, case.locale, case.source) == (
        "telegram",
        "5001",
        "cs",
        "qr-poster-3",
    )
    # every answered question lost its buttons
    edited = {
        int(c.params["message_id"]) for c in polling_bot.server.sent(5001, "editMessageReplyMarkup")
    }
    with_buttons = [c.result["message_id"] for c in user.received() if c.buttons]
    assert set(with_buttons[:-1]) <= edited


async def test_booking_sends_the_confirmation_with_a_calendar_file(
    webhook_bot: RunningBot,
) -> None:
    user = webhook_bot.user(chat_id=6101, language_code="cs")
    await user.send("/start")
    chat = TelegramChat(user, webhook_bot)
    await walk_through(chat, EXAMPLES[2]["answers"], language="cs")
    await chat.press("nav:confirm")
    await chat.press("bk:start:n")
    await chat.press("bk:p:centrum:n")
    days = [b["callback_data"] for b in user.last_keyboard().buttons]
    await chat.press(next(d for d in days if d.startswith("bk:d:")))
    times = [b["callback_data"] for b in user.last_keyboard().buttons]
    await chat.press(next(t for t in times if t.startswith("bk:t:")))
    (confirmation,) = chat.last_messages or []
    assert confirmation.method == "sendDocument"
    assert confirmation.params["caption"].startswith("Máte objednaný termín:")
    assert confirmation.params["document"] == "appointment.ics"
    assert "BEGIN:VCALENDAR" in confirmation.params["document_content"]
    assert "bk:cancel" in [b.get("callback_data") for b in confirmation.buttons]


async def test_intake_in_ukrainian_through_the_webhook(webhook_bot: RunningBot) -> None:
    user = webhook_bot.user(chat_id=6001, language_code="uk")
    first = await user.send("/start")
    assert "✓ Українська" in [b["text"] for b in first[-1].buttons]
    chat = TelegramChat(user, webhook_bot)
    example = EXAMPLES[0]
    await walk_through(chat, example["answers"], language="uk")
    assert "Будь ласка" in chat.text or "відповіді" in chat.text  # the summary, in Ukrainian
    await chat.press("nav:confirm")
    [case] = await cases(webhook_bot)
    assert case.result == example["result"] and case.locale == "uk"
    assert case.reference in chat.text

    calls = webhook_bot.server.calls
    webhook = [c for c in calls if c.method == "setWebhook"]
    assert webhook and webhook[0].params["url"] == "https://kmb.example/telegram/webhook"
    assert webhook[0].params["secret_token"]
    menus = {
        c.params.get("language_code"): c.params["commands"]
        for c in calls
        if c.method == "setMyCommands"
    }
    assert set(menus) == {"cs", "en", "uk", None}
    assert {c["command"] for c in menus["uk"]} >= {
        "start",
        "help",
        "language",
        "restart",
        "mydata",
        "delete",
        "human",
        "book",
    }
    assert menus["uk"][0]["description"] != menus["en"][0]["description"]


async def test_a_press_too_old_to_answer_still_gets_its_reply(webhook_bot: RunningBot) -> None:
    """After downtime Telegram refuses to answer an old button press (400): the
    webhook still says 200 (no endless re-delivery) and the reply goes out."""
    user = webhook_bot.user(chat_id=6002, language_code="en")
    await user.send("/start")
    webhook_bot.server.fail_next("answerCallbackQuery", 400)
    replies = await user.press("English")  # the fixture's post asserts 200
    assert replies and "danger" in replies[-1].params["text"].lower()


async def test_the_webhook_refuses_a_wrong_secret(webhook_bot: RunningBot) -> None:
    client = webhook_bot.client  # type: ignore[attr-defined]
    response = await client.post(
        "/telegram/webhook",
        json={"update_id": 1},
        headers={"X-Telegram-Bot-Api-Secret-Token": "guess"},
    )
    assert response.status_code == 403
    response = await client.post(
        "/telegram/webhook",
        content=b"{not json",
        headers={"X-Telegram-Bot-Api-Secret-Token": "guess"},
    )
    assert response.status_code == 403


async def test_redelivered_updates_and_double_presses_send_nothing_twice(
    webhook_bot: RunningBot,
) -> None:
    user = webhook_bot.user(chat_id=6002, language_code="en")
    await user.send("/start")
    assert await user.redeliver() == []
    language = user.last_keyboard()
    await user.press("English", on=language)
    again = await user.press("English", on=language, expect_reply=False)
    assert again == []
    answers = webhook_bot.server.sent(method="answerCallbackQuery")
    assert len(answers) == 2 and answers[-1].params.get("text")  # "already answered" toast

    chat = TelegramChat(user, webhook_bot)
    await walk_through(chat, EXAMPLES[6]["answers"], language="en")
    summary = user.last_keyboard()
    await user.press_data("nav:confirm", summary)
    await user.press_data("nav:confirm", summary, expect_reply=False)
    await user.redeliver()
    assert len(await cases(webhook_bot)) == 1


async def test_a_stale_button_is_answered_politely(polling_bot: RunningBot) -> None:
    user = polling_bot.user(chat_id=5002, language_code="en")
    await user.send("/start")
    await user.press("English")
    safety = user.last_keyboard()
    await user.press_data("ans:immediate_danger:no", safety)
    reply = await user.press_data("ans:immediate_danger:yes", safety)
    assert "already answered" in reply[0].params["text"]
    async with polling_bot.db.sessions() as session:
        conversation = await session.scalar(select(Conversation))
    assert conversation.answers["immediate_danger"] is False


async def test_a_multiple_choice_is_one_message_ticked_in_place(polling_bot: RunningBot) -> None:
    """Ticking options updates the question's buttons rather than sending it once per
    tap, and tapping a tick again takes it back."""
    user = polling_bot.user(chat_id=5003, language_code="en")
    chat = TelegramChat(user, polling_bot)
    await walk_through(chat, EXAMPLES[1]["answers"], "en", until="vulnerabilities")
    question = user.last_keyboard()
    sent_before = len(user.received())
    await chat.press("tog:vulnerabilities:disability")
    await chat.press("tog:vulnerabilities:pregnancy")
    await chat.press("tog:vulnerabilities:pregnancy")  # and off again
    assert len(user.received()) == sent_before  # no new message: the same one, updated
    # Its answers are too long for buttons: they are listed by number, ticks and all.
    ticked = [b["text"] for b in user.buttons_now(question) if b["text"].startswith("✓")]
    assert ticked == ["✓ 1"]
    listed = [line for line in user.text_now(question).splitlines() if line.startswith("✓")]
    assert len(listed) == 1 and listed[0].startswith("✓ 1.") and "isabilit" in listed[0]
    assert not any(
        c.params.get("text") for c in polling_bot.server.sent(method="answerCallbackQuery")
    )
    await chat.press("nav:done")
    assert (await chat.conversation()).answers["vulnerabilities"] == ["disability"]
    # the next question is a new message, and the ticked one lost its buttons
    assert user.last_keyboard() is not question
    assert user.buttons_now(question) == []


async def test_a_tick_is_sent_anew_when_the_question_cannot_be_updated(
    polling_bot: RunningBot,
) -> None:
    """A message too old to edit is sent again; and after anything else was said, the
    question comes again below it, not above."""
    user = polling_bot.user(chat_id=5004, language_code="en")
    chat = TelegramChat(user, polling_bot)
    await walk_through(chat, EXAMPLES[1]["answers"], "en", until="vulnerabilities")
    question = user.last_keyboard()
    polling_bot.server.fail_next("editMessageText", 400)  # e.g. "message can't be edited"
    before = len(user.received())
    await user.press_data("tog:vulnerabilities:disability", question, expect_reply=False)
    await wait_until(lambda: len(user.received()) > before)
    again = user.last_keyboard()
    assert again is not question and "✓ 1" in [b["text"] for b in again.buttons]
    await chat.type("what is this")  # not an answer: the question comes again below
    assert user.last_keyboard() is not again
    await chat.press("tog:vulnerabilities:pregnancy")
    await chat.press("nav:done")
    assert sorted((await chat.conversation()).answers["vulnerabilities"]) == [
        "disability",
        "pregnancy",
    ]


async def test_a_tick_after_a_message_below_the_question_asks_it_again_below(
    polling_bot: RunningBot,
) -> None:
    """A reminder went out after the question, and taking the question's buttons away
    failed for a moment: the question is still open, but no longer the newest message.
    A tick then sends the question again below the reminder, not above it."""
    user = polling_bot.user(chat_id=5005, language_code="en")
    chat = TelegramChat(user, polling_bot)
    await walk_through(chat, EXAMPLES[1]["answers"], "en", until="vulnerabilities")
    question = user.last_keyboard()
    polling_bot.server.fail_next("editMessageReplyMarkup", 500)
    before = len(user.received())
    async with polling_bot.db.transaction() as session:
        outbox.enqueue(
            session,
            channel="telegram",
            chat_id=str(user.chat_id),
            body={"text": "Reminder: your appointment is tomorrow."},
            kind="reminder",
            now=utcnow(),
        )
    assert polling_bot.delivery is not None
    polling_bot.delivery.notify()
    await wait_until(lambda: len(user.received()) > before)
    assert polling_bot.server.sent(user.chat_id, "editMessageReplyMarkup!500")
    edits, before = len(user.edits()), len(user.received())
    await user.press_data("tog:vulnerabilities:disability", question, expect_reply=False)
    await wait_until(lambda: len(user.received()) > before)
    assert not any(c.buttons for c in user.edits()[edits:])  # nothing ticked in place...
    again = user.last_keyboard()
    assert again is not question  # ...the question came again, below the reminder
    assert "✓ 1" in [b["text"] for b in again.buttons]


async def test_429_and_500_are_retried_and_every_message_arrives_once(
    polling_bot: RunningBot,
) -> None:
    server = polling_bot.server
    server.fail_next("sendMessage", 429, retry_after=1)
    user = polling_bot.user(chat_id=5003, language_code="en")
    await user.send("/start")
    server.fail_next("sendMessage", 500, times=3)
    await user.press("English")
    await wait_until(lambda: len(user.received()) == 2)
    texts = [c.params["text"] for c in user.received()]
    assert len(texts) == len(set(texts)) == 2
    failed = [c.method for c in server.calls if c.method.startswith("sendMessage!")]
    assert failed == ["sendMessage!429"] + ["sendMessage!500"] * 3
    async with polling_bot.db.sessions() as session:
        rows = (
            await session.execute(
                select(OutboxMessage.status, OutboxMessage.attempts).order_by(OutboxMessage.id)
            )
        ).all()
    assert {status for status, _ in rows} == {"sent"}
    # Being told to wait is not the message's failure; each 500 is.
    assert [attempts for _, attempts in rows] == [1, 4]


async def test_an_answer_that_is_not_json_is_retried_and_sends_nothing_twice(
    polling_bot: RunningBot,
) -> None:
    """A proxy's HTML error page for one message of a round: that message is tried
    again, and the others of the round are recorded as sent, not sent again."""
    server = polling_bot.server
    server.fail_next_with_page("sendMessage")
    users = [polling_bot.user(chat_id=5010 + n, language_code="en") for n in range(3)]
    await asyncio.gather(*(user.send("/start") for user in users))
    await wait_until(lambda: all(len(user.received()) == 1 for user in users))
    await polling_bot.delivery.deliver_due()  # type: ignore[union-attr]
    assert [len(user.received()) for user in users] == [1, 1, 1]
    assert [c.method for c in server.calls if c.method.startswith("sendMessage!")] == [
        "sendMessage!502"
    ]
    async with polling_bot.db.sessions() as session:
        statuses = (await session.scalars(select(OutboxMessage.status))).all()
    assert set(statuses) == {"sent"}


async def test_stopping_during_a_send_records_it_so_it_is_not_sent_again(
    bot_api: BotApiServer, db: Database
) -> None:
    """A deploy stops the worker while Telegram is answering: the round is finished and
    recorded, so the next worker does not send the message a second time."""
    async with db.transaction() as session:
        outbox.enqueue(
            session, channel="telegram", chat_id="5020", body={"text": "hi"}, now=utcnow()
        )
    bot_api.slow["sendMessage"] = 0.5
    bot = bot_for(bot_api)
    try:
        worker = asyncio.create_task(TelegramDelivery(bot, db, idle_seconds=0.05).run())
        await wait_until(lambda: bool(bot_api.sent(method="sendMessage")))
        worker.cancel()  # mid-send
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        async with db.sessions() as session:
            status = await session.scalar(select(OutboxMessage.status))
        assert status == "sent"
        assert await TelegramDelivery(bot, db).deliver_due() == 0  # the next worker
    finally:
        await bot.session.close()
    assert len(bot_api.sent(method="sendMessage")) == 1


async def test_taking_back_messages_too_old_to_delete_is_done_not_retried(
    db: Database, bot_api: BotApiServer
) -> None:
    """Telegram refuses to delete a bot's messages older than 48 hours (400): nothing
    more can be done, and the next message to the chat is not held up behind it."""
    async with db.transaction() as session:
        outbox.enqueue(
            session,
            channel="telegram",
            chat_id="5021",
            kind=outbox.UNSEND,
            body={"text": "", "message_ids": [str(n) for n in range(1, 151)]},
            now=utcnow(),
        )
        outbox.enqueue(
            session, channel="telegram", chat_id="5021", body={"text": "after"}, now=utcnow()
        )
    bot_api.fail_next("deleteMessages", 400)
    bot = bot_for(bot_api)
    try:
        delivery = TelegramDelivery(bot, db)
        assert await delivery.deliver_due() == 1
        assert await delivery.deliver_due() == 1
    finally:
        await bot.session.close()
    batches = [c.params["message_ids"] for c in bot_api.calls if c.method == "deleteMessages"]
    assert [len(b) for b in batches] == [50]  # the first hundred refused, the rest taken
    assert [c.params["text"] for c in bot_api.sent(5021)] == ["after"]
    async with db.sessions() as session:
        assert set((await session.scalars(select(OutboxMessage.status))).all()) == {"sent"}


async def test_a_blocked_bot_stops_retrying_and_marks_the_person_unreachable(
    polling_bot: RunningBot,
) -> None:
    server = polling_bot.server
    server.fail_next("sendMessage", 403)
    user = polling_bot.user(chat_id=5004, language_code="en")
    await user.send("/start", expect_reply=False)
    await wait_until(lambda: any(c.method == "sendMessage!403" for c in server.calls))
    await polling_bot.delivery.deliver_due()  # type: ignore[union-attr]
    attempts = [
        c
        for c in server.calls
        if c.method.startswith("sendMessage") and int(c.params["chat_id"]) == 5004
    ]
    assert len(attempts) == 1
    async with polling_bot.db.sessions() as session:
        conversation = await session.scalar(select(Conversation))
        statuses = (await session.scalars(select(OutboxMessage.status))).all()
    assert conversation.unreachable_at is not None
    assert set(statuses) == {"undeliverable"}


async def test_the_staff_alert_for_an_emergency_carries_no_personal_data(
    polling_bot: RunningBot,
) -> None:
    user = polling_bot.user(chat_id=5005, language_code="cs")
    await user.send("/start")
    chat = TelegramChat(user, polling_bot)
    await walk_through(chat, EXAMPLES[2]["answers"], language="cs")
    await chat.press("nav:confirm")
    [case] = await cases(polling_bot)
    assert case.urgency == "emergency"
    await wait_until(lambda: bool(polling_bot.server.sent(STAFF_CHAT)))
    [alert] = polling_bot.server.sent(STAFF_CHAT)
    text = alert.params["text"]
    assert case.reference in text
    assert f"https://kmb.example/cases/{case.reference}" in text
    # The person's own words for where they live are not repeated ("Poruba" is no
    # district of the test city: it could as well have been a street and a number).
    assert case.district == "Poruba" and "Poruba" not in text and "neuvedeno" in text
    for private in ("Jana", "777", "násil", "violence", "partner"):
        assert private not in text
    # Erasing the person empties the alert too: its reference led to them.
    await user.send("/delete")
    await user.press("Ano, smazat")
    async with polling_bot.db.sessions() as session:
        alerts = (
            await session.scalars(
                select(OutboxMessage.body).where(OutboxMessage.kind == "staff_alert")
            )
        ).all()
    assert alerts and all(case.reference not in str(body) for body in alerts)


async def test_a_high_urgency_case_sends_no_alert_by_default(polling_bot: RunningBot) -> None:
    user = polling_bot.user(chat_id=5006, language_code="cs")
    await user.send("/start")
    chat = TelegramChat(user, polling_bot)
    await walk_through(chat, EXAMPLES[0]["answers"], language="cs")
    await chat.press("nav:confirm")
    assert (await cases(polling_bot))[0].urgency == "high"
    assert polling_bot.server.sent(STAFF_CHAT) == []


STICKER = {
    "sticker": {
        "file_id": "s1",
        "file_unique_id": "u1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
}
PHOTO = {"photo": [{"file_id": "p1", "file_unique_id": "pu1", "width": 90, "height": 90}]}


async def test_junk_gets_a_clear_answer_and_the_bot_keeps_running(
    polling_bot: RunningBot,
) -> None:
    user = polling_bot.user(chat_id=5007, language_code="en")
    await user.send("/start")
    await user.press("English")
    assert "too long" in (await user.send("x" * 10_000))[0].params["text"]
    assert "empty message" in (await user.send("\x00\x01\x02\u200b"))[0].params["text"]
    assert "only read text" in (await user.send(None, extra=STICKER))[0].params["text"]
    assert "only read text" in (await user.send(None, extra=PHOTO))[0].params["text"]
    unknown = await user.press_data("nav:self-destruct", user.last_keyboard())
    assert "did not understand" in unknown[0].params["text"]
    markup = await user.send("<b>hi</b>")
    assert "parse_mode" not in markup[0].params  # always plain text, never HTML
    reply = await user.send("/language")
    assert [b["callback_data"] for b in reply[-1].buttons][:3] == ["lang:cs", "lang:en", "lang:uk"]
    async with polling_bot.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Conversation)) == 1


async def test_delete_erases_the_data_and_explains_how_to_clear_the_chat(
    polling_bot: RunningBot,
) -> None:
    user = polling_bot.user(chat_id=5008, language_code="en")
    await user.send("/start")
    chat = TelegramChat(user, polling_bot)
    await walk_through(chat, EXAMPLES[6]["answers"], language="en")
    await chat.press("nav:confirm")
    privacy = await user.send("/mydata")
    [with_delete] = [m for m in privacy if "nav:delete" in [b["callback_data"] for b in m.buttons]]
    assert "Jana" in with_delete.params["text"]
    await user.press_data("nav:delete", with_delete)
    done = await user.press_data("nav:delete_confirm", user.last_keyboard())
    assert "delete this chat" in done[0].params["text"]
    # The messages of both sides are taken back from the chat (Telegram allows it in a
    # private chat): the bot's that showed the data, and what the person typed; the
    # confirmation, sent after, stays.
    [taken_back] = polling_bot.server.sent(5008, "deleteMessages")
    removed = set(taken_back.params["message_ids"])
    named = [c for c in polling_bot.server.sent(5008) if "Jana" in c.params.get("text", "")]
    assert len(named) >= 2 and {c.result["message_id"] for c in named} <= removed
    assert done[0].result["message_id"] not in removed
    async with polling_bot.db.reading() as session:
        received = (
            await session.scalars(select(Message.external_id).where(Message.direction == "in"))
        ).all()
    typed = {int(i[1:]) for i in received if i.startswith("m")}
    assert len(typed) >= 3 and typed <= removed  # "/start", the name, the phone, …
    # Which buttons were pressed is not kept even in the ids that recognise a re-delivery.
    pressed = [i for i in received if i.startswith("c")]
    assert pressed and not any("ans:" in i or "nav:" in i for i in pressed)
    [kept] = await cases(polling_bot)  # only as an anonymous statistic
    assert (kept.reference, kept.person_id, kept.chat_id) == (None, None, "")
    async with polling_bot.db.reading() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 0


async def test_kmb_serve_polls_when_no_webhook_url_is_set(webhook_settings, bot_api) -> None:
    from kmb.web import create_app

    settings = webhook_settings.model_copy(update={"telegram_webhook_url": None})
    app = create_app(settings)
    async with app.router.lifespan_context(app):

        async def push(update: dict) -> None:
            bot_api.push({k: v for k, v in update.items() if k != "update_id"})

        user = TelegramUser(bot_api, push, chat_id=7001, language_code="en")
        reply = await user.send("/start")
        assert "Which language" in reply[-1].params["text"]
    methods = [c.method for c in bot_api.calls]
    assert "deleteWebhook" in methods and "getUpdates" in methods
    assert "setWebhook" not in methods


async def test_kmb_serve_starts_while_telegram_is_away_and_registers_later(
    webhook_settings, bot_api
) -> None:
    """Telegram answers 500 for a while: the widget and the admin API start anyway,
    and the command menu and the webhook are registered once Telegram is back."""
    import httpx

    from kmb.web import create_app

    # The first tries fail whenever they come (an outage timed from here could be over
    # before a slow start-up first calls Telegram).
    bot_api.fail_next("setMyCommands", 500, times=2)
    app = create_app(webhook_settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kmb.test") as client:
            started = await client.post("/widget/api/sessions", json={"locale": "en"})
            assert started.status_code == 201  # while Telegram is still away
        await wait_until(lambda: any(c.method == "setWebhook" for c in bot_api.calls), 20)
    failed = [c for c in bot_api.calls if c.method == "setMyCommands!500"]
    assert failed and any(c.method == "setMyCommands" for c in bot_api.calls)


async def test_a_caseworker_writes_to_a_telegram_person_and_gets_the_reply(
    webhook_bot: RunningBot,
) -> None:
    user = webhook_bot.user(chat_id=6201, language_code="cs")
    await user.send("/start")
    chat = TelegramChat(user, webhook_bot)
    await walk_through(chat, EXAMPLES[5]["answers"], language="cs")
    await chat.press("nav:confirm")
    await make_staff(webhook_bot.db)
    client = webhook_bot.client  # type: ignore[attr-defined]
    signed_in = await client.post(
        "/admin/api/auth/token", data={"username": "caseworker", "password": PASSWORD}
    )
    staff = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    [case] = await cases(webhook_bot)
    before = len(user.received())
    sent = await client.post(
        f"/admin/api/cases/{case.reference}/messages",
        json={"text": "Dobrý den, zavolejte nám prosím."},
        headers=staff,
    )
    assert sent.status_code == 201, sent.text
    await wait_until(lambda: len(user.received()) > before)
    delivered = user.received()[-1].params["text"]
    assert delivered == "Zpráva z kontaktního místa:\nDobrý den, zavolejte nám prosím."
    await chat.type("Zavolám zítra ráno.")
    assert chat.text == "Děkujeme. Vaši zprávu jsme předali kontaktnímu místu."
    detail = (await client.get(f"/admin/api/cases/{case.reference}", headers=staff)).json()
    assert detail["transcript"][-1]["text"] == "Zavolám zítra ráno." and detail["replied_at"]


async def test_when_nothing_can_be_stored_the_person_is_asked_to_send_again(
    polling_bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine could not store the message (here: it fails inside), so the outbox
    has nothing to deliver: the bot apologises directly, in the person's language."""

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database is away")

    monkeypatch.setattr(Engine, "_handle", broken)
    user = polling_bot.user(chat_id=5077, language_code="en")
    [apology] = await user.send("Hello")
    assert "send your message again" in apology.params["text"]
    monkeypatch.undo()
    [welcome, *_] = await user.send("Hello")  # the same words again: now they count
    assert "send your message again" not in welcome.params["text"]
    async with polling_bot.db.reading() as session:
        assert await session.scalar(select(func.count()).select_from(Conversation)) == 1
