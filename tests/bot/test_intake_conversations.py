"""Whole intake conversations through the engine, answered as a person would."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.dialogue.engine import Engine
from bot.dialogue.models import Conversation, Message
from bot.dialogue.script import BY_KEY, GROUPS, answers_document
from intake.models import Case, Person
from intake.triage.model import Thresholds
from tests.chat import Chat

EXAMPLES = json.loads((Path(__file__).parents[1] / "data" / "triage-examples.json").read_text())
YES_NO_FIELDS = {
    "immediate_danger",
    "rent_arrears",
    "eviction_notice",
    "has_valid_id",
    "willing_to_cooperate",
}
AMOUNT_FIELDS = {"monthly_income_czk", "monthly_housing_cost_czk", "debt_to_city_czk"}


def typed_amount(value: int) -> str:
    """The ways people write sums: "21 000 Kč", "14000", "4 tisíce"."""
    if value % 1000 == 0 and value < 10000:
        return f"{value // 1000} tisíce"
    if value % 2:
        return str(value)
    return f"{value:,} Kč".replace(",", " ")


async def answer_step(
    chat: Chat, step: str, answers: dict, asked: set[str], language: str = "cs"
) -> None:
    asked.add(step)
    if step == "language":
        await chat.press(f"lang:{language}")
    elif step == "consent":
        await chat.press("ans:consent:agree")
    elif step == "housing_group":
        group = next(
            g
            for g, options in GROUPS.items()
            if any(o.value == answers["situation"] for o in options)
        )
        await chat.press(f"ans:housing_group:{group}")
    elif step == "immediate_danger":
        await chat.press("ans:immediate_danger:" + ("yes" if answers.get(step) else "no"))
    elif step not in answers or answers[step] is None:
        if step == "vulnerabilities":
            await chat.press("ans:vulnerabilities:none")
        else:
            await chat.press("nav:skip")
    elif step in ("situation", "sleeping_place_tonight"):
        await chat.press(f"ans:{step}:{answers[step]}")
    elif step in YES_NO_FIELDS:
        await chat.press(f"ans:{step}:" + ("yes" if answers[step] else "no"))
    elif step == "vulnerabilities":
        for key in answers[step]:
            await chat.press(f"tog:vulnerabilities:{key}")
        await chat.press("nav:done")
    elif step in AMOUNT_FIELDS:
        if answers[step] == 0:
            await chat.press(f"ans:{step}:zero")
        else:
            await chat.type(typed_amount(answers[step]))
    elif step in ("adults", "children"):
        await chat.type({1: "jeden", 2: "dva"}.get(answers[step], str(answers[step])))
    elif step == "days_until_move_out":
        await chat.type(f"{answers[step]} dní")
    else:
        raise AssertionError(f"unexpected step {step}")


async def walk_through(
    chat: Chat,
    answers: dict,
    language: str = "cs",
    *,
    district: str = "Poruba",
    until: str = "summary",
) -> set[str]:
    """Answer every question until the summary (or ``until``); return the steps asked."""
    asked: set[str] = set()
    await chat.type("/start")
    for _ in range(40):
        step = await chat.step()
        if step == until:
            return asked
        if step == "name":
            await chat.type("Jana")
            continue
        if step == "district":
            await chat.type(district)
            continue
        if step == "phone":
            await chat.type("777 123 456")
            continue
        before = await chat.conversation()
        await answer_step(chat, step, answers, asked, language)
        after = await chat.conversation()
        assert (after.step, after.answers) != (before.step, before.answers), chat.text
    raise AssertionError("the conversation did not reach the summary")


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["case"] for e in EXAMPLES])
async def test_examples_end_in_the_expected_triage(chat: Chat, example: dict) -> None:
    answers = example["answers"]
    asked = await walk_through(chat, answers)
    missed = set(answers) - asked
    assert not missed, f"the script never asked for {missed}"

    assert "Jana" in chat.text and "+420777123456" in chat.text  # the summary shows answers
    await chat.press("nav:confirm")
    reference = chat.last.case_reference
    assert reference and reference.startswith("KMB-2026-")
    assert reference in chat.text

    async with chat.engine.db.sessions() as session:
        case = await session.scalar(select(Case).where(Case.reference == reference))
        person = await session.get(Person, case.person_id)
    assert case.result == example["result"]
    assert case.urgency == example["result"]["urgency"]
    assert case.needs_immediate_attention is (example["result"]["urgency"] == "emergency")
    assert (case.channel, case.chat_id, case.locale) == ("test", chat.chat_id, "cs")
    assert (person.display_name, person.phone) == ("Jana", "+420777123456")
    assert person.consent_version == chat.engine.config.consent_version
    if "emergency_help" in example["result"]["programs"]:
        assert "112" in chat.text


async def registered_case(chat: Chat) -> Case:
    await chat.press("nav:confirm")
    async with chat.engine.db.sessions() as session:
        return await session.scalar(select(Case).where(Case.reference == chat.last.case_reference))


@pytest.mark.parametrize("situation", ["commercial_hostel", "homeless_hostel", "womens_shelter"])
async def test_a_hostel_or_shelter_without_a_notice_is_asked_when_they_must_leave(
    chat: Chat, situation: str
) -> None:
    """Told to leave an ubytovna (or a shelter's stay ending) in ten days, without a
    formal notice: the move-out date is asked, and it makes the case urgent."""
    answers = {**EXAMPLES[1]["answers"], "situation": situation, "days_until_move_out": 10}
    answers.pop("eviction_notice", None)
    asked = await walk_through(chat, answers)
    assert "days_until_move_out" in asked
    case = await registered_case(chat)
    assert case.urgency in ("high", "emergency") and "crisis_housing" in case.result["programs"]


def test_the_move_out_buttons_never_record_a_later_day_than_meant() -> None:
    """Each button's range ends on a limit of the triage: someone leaving in 10 days
    who taps "within 2 weeks" is recorded as urgent, not as a month away."""
    limits = Thresholds()
    values = [o.value for o in BY_KEY["days_until_move_out"].options if isinstance(o.value, int)]
    assert values[:2] == [limits.urgent_move_out_days, limits.soon_move_out_days]
    assert values[2] > limits.soon_move_out_days


@pytest.mark.parametrize(("channel", "warned"), [("web", True), ("test", False)])
async def test_the_web_chat_says_it_cannot_be_reached_once_closed(
    db, config, channel: str, warned: bool
) -> None:
    """Skipping the phone number means "we will write to you here" — which the web
    chat, kept only in one browser tab, cannot promise."""
    web = Engine(db, dataclasses.replace(config, fetch_channels=frozenset({"web"})))
    chat = Chat(web, channel=channel)
    await walk_through(chat, EXAMPLES[1]["answers"], "en", until="phone")
    assert ("once you close it" in chat.replies[-1].text) is warned


async def test_a_skipped_question_is_stored_as_not_answered(chat: Chat) -> None:
    """The triage reads a skipped "did you get a notice?" as no; the case keeps that the
    person did not say, so staff do not read "no" as their answer."""
    asked = await walk_through(chat, EXAMPLES[1]["answers"])
    assert {"eviction_notice", "rent_arrears"} <= asked  # asked, and skipped
    case = await registered_case(chat)
    assert "eviction_notice" not in case.answers and "rent_arrears" not in case.answers
    assert case.answers["has_valid_id"] is True
    assert (case.answers["adults"], case.answers["children"]) == (1, 2)


async def test_registration_explains_the_result_without_promises(chat: Chat) -> None:
    await walk_through(chat, EXAMPLES[0]["answers"])
    await chat.press("nav:confirm")
    text = chat.text
    assert "Krizové bydlení" in text or "krizové bydlení" in text.lower()
    assert "Úřad práce" in text  # says who decides about benefits
    assert "Masarykovo náměstí 12" in text  # where to go next


async def test_restart_of_the_engine_continues_the_same_question(chat: Chat) -> None:
    answers = EXAMPLES[1]["answers"]
    await chat.type("/start")
    for _ in range(8):
        await answer_step(chat, await chat.step(), answers, set())
    before = await chat.conversation()
    assert before.step == "vulnerabilities"

    fresh_engine = Engine(chat.engine.db, chat.engine.config, clock=chat.engine.clock)
    resumed = Chat(fresh_engine, chat_id=chat.chat_id)
    await resumed.type("/start")
    assert "Otázka 6 z " in resumed.text
    after = await resumed.conversation()
    assert (after.step, after.answers) == (before.step, before.answers)
    await walk_through(resumed, answers)
    await resumed.press("nav:confirm")
    assert resumed.last.case_reference


async def test_a_redelivered_message_is_processed_once(chat: Chat) -> None:
    await chat.type("/start")
    await chat.press("lang:cs")
    first = await chat.deliver(payload="ans:immediate_danger:no", message_id="same")
    again = await chat.deliver(payload="ans:immediate_danger:no", message_id="same")
    assert again.duplicate and not first.duplicate
    assert again.replies == first.replies
    conversation = await chat.conversation()
    assert conversation.step == "consent"
    assert conversation.history == ["language", "immediate_danger"]
    async with chat.engine.db.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(Message).where(Message.external_id == "same")
        )
    assert count == 1


async def test_the_same_chat_id_on_another_channel_is_another_conversation(
    engine: Engine,
) -> None:
    one, other = Chat(engine, chat_id="42", channel="telegram"), Chat(engine, chat_id="42")
    await one.type("/start")
    await one.press("lang:uk")
    await other.type("/start")
    assert (await other.step(), await one.step()) == ("language", "immediate_danger")


async def test_a_registered_conversation_starts_again_on_request(chat: Chat) -> None:
    await walk_through(chat, EXAMPLES[6]["answers"])
    await chat.press("nav:confirm")
    first = chat.last.case_reference
    await chat.type("ahoj")
    assert first in chat.text
    await chat.press("nav:restart")
    assert first in chat.text and "nav:delete" in [c.payload for c in chat.choices]
    await chat.press("nav:restart_confirm")  # start again, the registration stays
    await walk_through(chat, EXAMPLES[6]["answers"])
    await chat.press("nav:confirm")
    assert chat.last.case_reference not in (None, first)
    async with chat.engine.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Conversation)) == 1


async def test_starting_again_after_registering_asks_first(chat: Chat) -> None:
    """A tap on "Start again" after registering does not quietly leave the case out of
    reach of /delete: it asks, offers deletion instead, and can be cancelled."""
    await walk_through(chat, EXAMPLES[6]["answers"])
    await chat.press("nav:confirm")
    reference = chat.last.case_reference
    await chat.press("nav:restart")
    await chat.press("nav:keep")  # cancel
    conversation = await chat.conversation()
    assert conversation.case_id is not None and conversation.step == "done"
    await chat.type("/restart")
    await chat.press("nav:delete")
    await chat.press("nav:delete_confirm")
    async with chat.engine.db.sessions() as session:
        case = await session.scalar(select(Case))
    assert case.reference is None and reference not in repr(case.answers)  # anonymised
    await chat.press("lang:en")
    await chat.press("ans:immediate_danger:no")
    before = await chat.conversation()
    await chat.deliver(payload="nav:restart_confirm")  # an old button: nothing happens
    assert "already answered" in chat.text
    after = await chat.conversation()
    assert (after.step, after.answers) == (before.step, before.answers)


async def test_concurrent_redeliveries_are_processed_once(chat: Chat) -> None:
    import asyncio

    await chat.type("/start")
    await chat.press("lang:en")
    outcomes = await asyncio.gather(
        *(chat.deliver(payload="ans:immediate_danger:yes", message_id="twice") for _ in range(8))
    )
    assert sum(not o.duplicate for o in outcomes) == 1
    assert len({o.replies for o in outcomes}) == 1
    conversation = await chat.conversation()
    assert conversation.history == ["language", "immediate_danger"]


async def test_many_new_conversations_at_once_each_get_one_row(engine: Engine) -> None:
    import asyncio

    chats = [Chat(engine, chat_id=f"burst-{i}") for i in range(30)]
    await asyncio.gather(*(c.type("/start") for c in chats))
    await asyncio.gather(*(c.type("/start") for c in chats))
    async with engine.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Conversation)) == 30


def test_a_choice_that_no_longer_applies_is_not_sent_to_the_triage() -> None:
    """Children corrected to none: "I raise my children alone" chosen before goes."""
    chosen = ["single_parent", "senior"]
    document = answers_document(
        {"situation": "housed_stable", "children": 0, "vulnerabilities": chosen}
    )
    assert document["vulnerabilities"] == ["senior"]


@pytest.mark.parametrize("tonight", ["none", "unsafe"])
async def test_someone_with_nowhere_safe_to_sleep_hears_of_the_night_shelters_at_once(
    chat: Chat, tonight: str
) -> None:
    await chat.type("/start")
    await chat.press("lang:en")
    await chat.press("ans:immediate_danger:no")
    await chat.press("ans:consent:agree")
    await chat.press("ans:housing_group:street")
    await chat.press("ans:situation:rough_sleeping")
    await chat.press(f"ans:sleeping_place_tonight:{tonight}")
    assert "Noclehárna Naděje, Nádražní 45" in chat.text and "19:00–07:00" in chat.text
    assert await chat.step() != "sleeping_place_tonight"  # and the questions go on


async def test_the_catalogue_names_the_city_s_night_shelters(chat: Chat) -> None:
    await chat.type("/start")
    await chat.press("lang:en")
    await chat.type("I have nowhere to sleep tonight, where can I go?")
    assert "+420 596 000 210" in chat.text  # from the contact points file
    assert "{{" not in chat.text
