"""How the engine treats people: safety first, consent, navigation, languages, bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.dialogue.models import Conversation, Message
from intake.consent import ConsentRecord
from intake.models import Case, Person
from tests.bot.test_intake_conversations import EXAMPLES, walk_through
from tests.chat import Chat

INCOME_QUESTION = (
    "ans:housing_group:home",
    "ans:situation:housed_unaffordable",
    "ans:sleeping_place_tonight:safe",
    "ans:adults:1",
    "ans:children:0",
    "ans:vulnerabilities:none",
)


async def start_in_english(chat: Chat, *, danger: bool = False, consent: bool = True) -> None:
    chat.locale = "en"
    await chat.type("/start")
    await chat.press("lang:en")
    await chat.press("ans:immediate_danger:" + ("yes" if danger else "no"))
    await chat.press("ans:consent:" + ("agree" if consent else "decline"))


async def test_the_first_reply_offers_the_languages_with_the_channel_locale_preselected(
    chat: Chat,
) -> None:
    chat.locale = "uk-UA"
    await chat.type("/start")
    assert [(c.payload, c.selected) for c in chat.choices] == [
        ("lang:cs", False),
        ("lang:en", False),
        ("lang:uk", True),
    ]
    assert (await chat.conversation()).locale == "uk"


@pytest.mark.parametrize(
    ("question", "language", "expected"),
    [
        ("Добрий день, нас виселяють з гуртожитку, що робити?", "uk", "мовою"),
        ("Hello, we got an eviction notice from our landlord, what now?", "en", "language"),
    ],
)
async def test_a_question_before_the_language_is_chosen_is_answered_in_its_language(
    chat: Chat, question: str, language: str, expected: str
) -> None:
    """The conversation's language was only the page's default: someone who writes in
    Ukrainian first gets the answer, and then the language question, in Ukrainian."""
    await chat.type("/start")  # Czech by default
    await chat.type(question)
    conversation = await chat.conversation()
    assert conversation.locale == language
    answer = chat.replies[0]
    assert not any(c.payload.startswith("lang:") for c in answer.choices)  # no offer: done
    await chat.press("nav:resume")
    [asked] = chat.replies
    assert [c.payload for c in asked.choices if c.selected] == [f"lang:{language}"]
    assert expected.lower() in asked.text.lower()


async def test_czech_words_that_match_an_english_entry_do_not_switch_the_language(
    chat: Chat,
) -> None:
    await chat.type("/start")
    await chat.type("hostel cena za noc")
    await chat.type("mam dluh a exekuci a do mesice musim pryc, co to je")
    assert (await chat.conversation()).locale == "cs"


async def test_an_unsupported_channel_locale_falls_back_to_czech(chat: Chat) -> None:
    chat.locale = "de"
    await chat.type("/start")
    assert (await chat.conversation()).locale == "cs"
    assert [c.selected for c in chat.choices] == [True, False, False]


async def test_safety_comes_first_and_danger_gets_emergency_numbers_at_once(chat: Chat) -> None:
    chat.locale = "en"
    await chat.type("/start")
    await chat.press("lang:en")
    assert "in danger right now" in chat.text
    await chat.press("ans:immediate_danger:yes")
    first = chat.replies[0]
    assert "112" in first.text and "116 006" in first.text
    assert {link.url for link in first.links} >= {"tel:112", "tel:158", "tel:116006"}
    assert "danger" in chat.last.events
    assert await chat.step() == "consent"  # the conversation goes on


async def test_declining_consent_stores_nothing_and_still_helps(chat: Chat) -> None:
    await start_in_english(chat, danger=True, consent=False)
    assert "112" in chat.text and "Masarykovo" in chat.text
    conversation = await chat.conversation()
    assert conversation.answers == {} and conversation.consent_at is None
    await chat.type("I have nowhere to go, my name is Petr")
    async with chat.engine.db.sessions() as session:
        texts = (await session.scalars(select(Message.text))).all()
        assert texts and all(text is None for text in texts)
        # Not even which buttons were pressed: "yes, I am in danger" is an answer too.
        pressed = (await session.scalars(select(Message.payload))).all()
        assert pressed and all(payload is None for payload in pressed)
        assert await session.scalar(select(func.count()).select_from(Person)) == 0
    await chat.press("nav:resume")  # after the answer from the catalogue
    await chat.press("nav:consent")
    # Declining forgot the answers: the safety question comes again before consent,
    # or someone in danger who hesitated once would be registered as safe.
    assert await chat.step() == "immediate_danger"
    await chat.press("ans:immediate_danger:yes")
    assert "112" in chat.text
    await chat.press("ans:consent:agree")
    assert await chat.step() == "housing_group"
    assert (await chat.conversation()).answers["immediate_danger"] is True


async def test_text_is_kept_in_the_transcript_only_after_consent(chat: Chat) -> None:
    await start_in_english(chat)
    await chat.press("ans:housing_group:home")
    await chat.press("ans:situation:housed_unaffordable")
    await chat.press("ans:sleeping_place_tonight:safe")
    await chat.type("2")
    async with chat.engine.db.sessions() as session:
        texts = [t for t in (await session.scalars(select(Message.text))).all() if t]
    assert texts == ["2"]


async def test_progress_back_and_skip(chat: Chat) -> None:
    await start_in_english(chat)
    assert chat.text.startswith("Question 1 of ")
    await chat.press("ans:housing_group:home")
    await chat.press("ans:situation:eviction_threat")
    assert chat.text.startswith("Question 3 of ")
    await chat.press("nav:back")
    assert await chat.step() == "situation"
    await chat.press("ans:situation:housed_stable")
    await chat.press("nav:skip")  # sleeping place tonight is optional
    conversation = await chat.conversation()
    assert conversation.answers["sleeping_place_tonight"] is None
    assert conversation.step == "adults"


async def test_required_questions_cannot_be_skipped(chat: Chat) -> None:
    await start_in_english(chat)
    assert "nav:skip" not in [c.payload for c in chat.choices]
    await chat.type("/skip")
    assert "cannot be skipped" in chat.text
    assert await chat.step() == "housing_group"


async def test_help_says_how_to_call_for_help_now(chat: Chat) -> None:
    """ "pomoc" (help) may be a cry for help, not a question about commands."""
    await start_in_english(chat)
    chat.locale = "cs"
    await chat.type("pomoc")
    [listing, *_] = chat.replies
    assert "/restart" in listing.text and "112" in listing.text and "158" in listing.text
    assert "tel:112" in [link.url for link in listing.links]
    assert "112" not in listing.text.splitlines()[0]


async def test_typed_commands_in_every_language(chat: Chat) -> None:
    await start_in_english(chat)
    await chat.press("ans:housing_group:street")
    await chat.type("zpět")
    assert await chat.step() == "housing_group"
    await chat.press("ans:housing_group:street")
    await chat.type("назад")
    assert await chat.step() == "housing_group"


async def test_switching_language_keeps_every_answer(chat: Chat) -> None:
    await start_in_english(chat)
    await chat.press("ans:housing_group:shelter")
    await chat.press("ans:situation:commercial_hostel")
    before = (await chat.conversation()).answers
    await chat.type("/language")
    await chat.press("lang:uk")
    conversation = await chat.conversation()
    assert conversation.locale == "uk" and conversation.answers == before
    assert conversation.step == "sleeping_place_tonight"
    assert "українською" in chat.replies[0].text
    assert "Питання 3 з" in chat.replies[-1].text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12 000", 12000),
        ("12000 Kč", 12000),
        ("12k", 12000),
        ("12 tisíc", 12000),
        ("около 12000", 12000),
        ("nevím", None),
        ("не знаю", None),
        ("0", 0),
    ],
)
async def test_lenient_amounts(chat: Chat, typed: str, expected: int | None) -> None:
    await start_in_english(chat)
    for payload in INCOME_QUESTION:
        await chat.press(payload)
    assert await chat.step() == "monthly_income_czk"
    await chat.type(typed)
    answers = (await chat.conversation()).answers
    assert answers["monthly_income_czk"] == expected


BAD_INPUTS = [
    ("-500", "cannot be negative"),
    ("99999999999", "too high"),
    ("x" * 10_000, "too long"),
    ("😀🏠", "as a number"),
    ("\x00\x07\u200b\x1b", "empty message"),
    ("<script>alert(1)</script>", "as a number"),
]


@pytest.mark.parametrize(("typed", "message"), BAD_INPUTS, ids=[b[1] for b in BAD_INPUTS])
async def test_bad_input_gets_a_clear_reply_and_stores_nothing(
    chat: Chat, typed: str, message: str
) -> None:
    await start_in_english(chat)
    for payload in INCOME_QUESTION:
        await chat.press(payload)
    before = await chat.conversation()
    await chat.type(typed)
    assert message in chat.replies[0].text
    assert "Question" in chat.replies[-1].text  # the question is asked again
    after = await chat.conversation()
    assert (after.step, after.answers, after.history) == (
        before.step,
        before.answers,
        before.history,
    )


async def test_out_of_range_counts(chat: Chat) -> None:
    await start_in_english(chat)
    for payload in (
        "ans:housing_group:home",
        "ans:situation:overcrowding",
        "ans:sleeping_place_tonight:safe",
    ):
        await chat.press(payload)
    await chat.type("0")
    assert "at least 1" in chat.text
    await chat.type("250")
    assert "up to 20" in chat.text
    assert await chat.step() == "adults"
    await chat.type("tři")
    assert (await chat.conversation()).answers["adults"] == 3


@pytest.mark.parametrize(
    "payload",
    [
        "ans:situation:castle",
        "garbage",
        "nav:fly",
        "lang:de",
        "tog:housing_group:street",
        "x" * 500,
    ],
)
async def test_unknown_buttons_are_refused_politely(chat: Chat, payload: str) -> None:
    await start_in_english(chat)
    before = await chat.conversation()
    await chat.deliver(payload=payload)
    assert "did not understand" in chat.text or "already answered" in chat.text
    after = await chat.conversation()
    assert (after.step, after.answers) == (before.step, before.answers)


async def test_a_stale_button_is_already_answered(chat: Chat) -> None:
    await start_in_english(chat)
    await chat.press("ans:housing_group:home")
    await chat.deliver(payload="ans:housing_group:street")
    assert "already answered" in chat.text
    assert (await chat.conversation()).answers["housing_group"] == "home"


async def test_a_button_for_an_unknown_conversation_starts_afresh(chat: Chat) -> None:
    chat.locale = "en"
    await chat.deliver(payload="ans:situation:rough_sleeping")
    assert "no longer have our earlier conversation" in chat.text
    assert await chat.step() == "language"


async def test_correcting_an_answer_from_the_summary(chat: Chat) -> None:
    chat.locale = "en"
    answers = EXAMPLES[1]["answers"]
    await walk_through(chat, answers, language="en")
    await chat.press("nav:edit")
    await chat.press("edit:housing_group")
    await chat.press("ans:housing_group:street")
    # the situation no longer fits the new group, so it is asked again …
    assert await chat.step() == "situation"
    await chat.press("ans:situation:rough_sleeping")
    # … the questions that now apply and have no answer are asked, then the summary again
    conversation = await chat.conversation()
    assert conversation.step == "summary"
    assert "Outside, in a car" in chat.text
    await chat.press("nav:confirm")
    async with chat.engine.db.sessions() as session:
        case = await session.scalar(select(Case))
    assert case.answers["situation"] == "rough_sleeping"
    assert (
        "monthly_housing_cost_czk" not in case.answers
        or case.answers["monthly_housing_cost_czk"] is None
    )


async def test_people_can_see_and_delete_their_data(chat: Chat) -> None:
    chat.locale = "en"
    await walk_through(chat, EXAMPLES[1]["answers"], language="en")
    await chat.press("nav:confirm")
    reference = chat.last.case_reference
    await chat.type("/mydata")
    assert "Jana" in chat.text and reference in chat.text
    await chat.press("nav:resume")  # the data stays; the conversation goes on
    await chat.type("/mydata")
    await chat.press("nav:delete")  # offered with the data, as the last buttons
    await chat.press("nav:delete_confirm")
    assert "deleted" in chat.text
    async with chat.engine.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 0
        texts = (await session.scalars(select(Message.text))).all()
        assert all(text is None for text in texts)
        conversation = await session.scalar(select(Conversation))
        [case] = (await session.scalars(select(Case))).all()  # kept for the statistics …
        [consent] = (await session.scalars(select(ConsentRecord))).all()
    assert conversation.answers == {} and conversation.consent_at is None
    # … with nothing that leads back to the person
    assert (case.reference, case.person_id, case.chat_id, case.district) == (None, None, "", None)
    assert case.anonymised_at is not None and case.anonymous_person
    assert set(case.answers) <= {"situation", "sleeping_place_tonight", "adults", "children"}
    assert set(case.result) == {"ethos", "urgency", "programs"}
    assert "Jana" not in repr(case.answers) + repr(case.result)
    assert consent.version == "2026-11" and consent.withdrawn_at is not None
    assert (consent.person_id, consent.conversation_id) == (None, None)


async def test_a_failure_inside_the_engine_rolls_back_and_apologises(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await start_in_english(chat)
    before = await chat.conversation()

    personal = "Jana Nováková, +420777123456"

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(personal)

    monkeypatch.setattr(chat.engine.flow, "_record", broken)
    outcome = await chat.press("ans:housing_group:home")
    assert "went wrong" in outcome.replies[0].text
    assert outcome.failed and not outcome.retry  # a bug: sending it again would not help
    assert "RuntimeError" in caplog.text
    assert "Jana" not in caplog.text and "777" not in caplog.text  # no personal data in logs
    after = await chat.conversation()
    assert (after.step, after.answers) == (before.step, before.answers)
    monkeypatch.undo()
    retried = await chat.deliver(payload="ans:housing_group:home")
    assert not retried.duplicate  # the failed attempt left no trace, the retry counts
    assert await chat.step() == "situation"


async def test_a_flood_is_answered_politely_once_then_ignored(db, config) -> None:
    from dataclasses import replace
    from datetime import timedelta

    from bot.dialogue.engine import Engine
    from tests.conftest import NOW

    now = [NOW]
    engine = Engine(db, replace(config, flood_limit_per_minute=5), clock=lambda: now[0])
    chat = Chat(engine)
    chat.locale = "en"
    for _ in range(5):
        await chat.type("/start")
        assert chat.replies
    await chat.type("/start")
    assert "a lot of messages" in chat.text
    for _ in range(3):
        await chat.type("/start")
        assert chat.replies == ()
    now[0] = NOW + timedelta(seconds=61)
    await chat.type("/start")
    assert "Which language" in chat.text


async def test_stickers_and_photos_get_a_clear_answer(chat: Chat) -> None:
    await start_in_english(chat)
    await chat.deliver()  # neither text nor a button
    assert "only read text" in chat.text
    assert await chat.step() == "housing_group"


QUESTIONS = {
    "cs": "manžel mě bije a mám dluhy, co mám dělat?",
    "en": "my husband hits me and I have debts, what can I do?",
    "uk": "чоловік мене б'є і в мене борги, що робити?",
}
SENSITIVE = (
    "danger",
    "violence",
    "násil",
    "nebezpeč",
    "небезпец",
    "насильств",
    "debt",
    "dluh",
    "борг",
    "výpověď",
    "notice",
    "evict",
    "police",
    "polici",
    "поліц",
)


@pytest.mark.parametrize("language", ["cs", "en", "uk"])
async def test_no_first_line_gives_the_situation_away(chat: Chat, language: str) -> None:
    """Phones show a message's first line in notifications, to whoever holds the phone."""
    answers = {**EXAMPLES[2]["answers"], "debt_to_city_czk": 5000, "rent_arrears": True}
    await walk_through(chat, answers, language=language)
    await chat.press("nav:confirm")
    await chat.type("/help")
    await chat.type("/mydata")
    await chat.press("nav:resume")
    await chat.type("/human")
    await chat.type(QUESTIONS[language])  # answered from the catalogue, then "more"
    await chat.press(next(c.payload for c in chat.choices if c.payload.startswith("kb:more")))
    first_lines = [reply.text.splitlines()[0].lower() for reply in chat.received]
    leaks = [line for line in first_lines if any(word in line for word in SENSITIVE)]
    assert not leaks


async def test_numbers_are_still_answers_not_questions(chat: Chat) -> None:
    await start_in_english(chat)
    for payload in INCOME_QUESTION:
        await chat.press(payload)
    await chat.type("12 tisíc korun")
    assert (await chat.conversation()).answers["monthly_income_czk"] == 12000
