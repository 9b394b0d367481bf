"""Questions asked in the middle of the intake: answered from the catalogue, then back
to where the person was; "Did this help?" is kept; unknown questions are kept for staff."""

from __future__ import annotations

from sqlalchemy import select

from knowledge_base.questions import AnsweredQuestion, UnansweredQuestion
from tests.bot.test_dialogue_behaviour import INCOME_QUESTION, start_in_english
from tests.chat import Chat


async def answered_rows(chat: Chat) -> list[AnsweredQuestion]:
    async with chat.engine.db.sessions() as session:
        return list(await session.scalars(select(AnsweredQuestion).order_by(AnsweredQuestion.id)))


async def test_a_question_mid_intake_is_answered_and_the_intake_resumes_at_the_same_step(
    chat: Chat,
) -> None:
    await start_in_english(chat)
    for payload in INCOME_QUESTION:
        await chat.press(payload)
    before = await chat.conversation()
    await chat.type("where can I sleep tonight?")
    (answer,) = chat.replies
    assert "sleep" in answer.text.lower() and "+420 596 000 123" in answer.text
    assert "{{" not in answer.text and answer.text.endswith("Did this help?")
    assert "answered" in chat.last.events
    after = await chat.conversation()
    assert (after.step, after.answers) == (before.step, before.answers)
    await chat.press("nav:resume")
    assert "Question 7 of" in chat.text and "money" in chat.text.lower()
    await chat.type("12000")  # the answer to the question it came back to
    assert (await chat.conversation()).answers["monthly_income_czk"] == 12000


async def test_typing_the_answer_after_a_catalogue_answer_goes_on_with_the_intake(
    chat: Chat,
) -> None:
    await start_in_english(chat)
    for payload in INCOME_QUESTION:
        await chat.press(payload)
    await chat.type("how do I apply for a municipal flat?")
    assert "answered" in chat.last.events
    await chat.type("15000")
    assert (await chat.conversation()).answers["monthly_income_czk"] == 15000


async def test_more_and_related_topics_are_offered_as_buttons(chat: Chat) -> None:
    await start_in_english(chat)
    await chat.type("I am behind on my rent, what should I do?")
    labels = {c.payload: c.label for c in chat.choices}
    answer_id = (await answered_rows(chat))[-1].id
    assert {f"kb:yes:{answer_id}", f"kb:no:{answer_id}", f"kb:more:{answer_id}"} <= set(labels)
    related = [p for p in labels if p.startswith("kb:topic:")]
    assert related == ["kb:topic:eviction-notice", "kb:topic:housing-benefits"]
    assert labels["nav:resume"] == "Continue"
    await chat.press(f"kb:more:{answer_id}")
    assert "court" in chat.text  # the longer text of the entry
    assert f"kb:more:{answer_id}" not in {c.payload for c in chat.choices}
    await chat.press("kb:topic:eviction-notice")
    assert chat.text.splitlines()[1] == labels["kb:topic:eviction-notice"]  # after a neutral line
    rows = await answered_rows(chat)
    assert [(r.slug, r.text) for r in rows] == [
        ("rent-arrears", "I am behind on my rent, what should I do?"),
        ("eviction-notice", None),  # a button, not a question
    ]
    assert await chat.step() == "housing_group"


async def test_whether_an_answer_helped_is_kept_and_the_intake_goes_on(chat: Chat) -> None:
    await start_in_english(chat)
    await chat.type("what documents should I bring?")
    answer_id = (await answered_rows(chat))[-1].id
    await chat.press(f"kb:no:{answer_id}")
    assert "other words" in chat.text and "+420 596 000 123" in chat.text
    assert "Question 1 of" in chat.text  # back to the intake
    assert "answer_did_not_help" in chat.last.events
    assert [r.helpful for r in await answered_rows(chat)] == [False]
    await chat.type("what documents should I bring?")
    second = (await answered_rows(chat))[-1].id
    await chat.press(f"kb:yes:{second}")
    assert [r.helpful for r in await answered_rows(chat)] == [False, True]


async def test_answer_buttons_of_another_chat_or_unknown_ones_change_nothing(
    chat: Chat, engine
) -> None:
    other = Chat(engine)
    await start_in_english(other)
    await other.type("what documents should I bring?")
    foreign = (await answered_rows(other))[-1].id
    await start_in_english(chat)
    for payload in (f"kb:yes:{foreign}", "kb:more:x", "kb:topic:no-such-topic", "kb:what:1"):
        await chat.deliver(payload=payload)
        assert "did not understand that button" in chat.text
    assert [r.helpful for r in await answered_rows(chat)] == [None]


async def test_answered_questions_keep_words_only_after_consent(chat: Chat) -> None:
    await start_in_english(chat, consent=False)
    await chat.type("where can I sleep tonight?")
    await chat.press("nav:resume")
    await chat.press("nav:consent")
    await chat.press("ans:immediate_danger:no")  # asked again: declining forgot it
    await chat.press("ans:consent:agree")
    await chat.type("where can I sleep tonight?")
    assert [r.text for r in await answered_rows(chat)] == [None, "where can I sleep tonight?"]
    await chat.type("/delete")
    await chat.press("nav:delete_confirm")
    assert [r.text for r in await answered_rows(chat)] == [None, None]


async def test_an_unknown_question_gets_an_honest_answer_and_is_kept_for_staff(
    chat: Chat,
) -> None:
    chat.locale = "en"
    await chat.type("/start")
    await chat.press("lang:en")
    await chat.type("What time does the football match start?")  # before consent
    assert "do not know" in chat.replies[0].text and "+420 596 000 123" in chat.replies[0].text
    assert "unanswered" in chat.last.events
    await chat.press("ans:immediate_danger:no")
    await chat.press("ans:consent:agree")
    await chat.type("Who won the hockey match yesterday?")
    async with chat.engine.db.sessions() as session:
        texts = (
            await session.scalars(select(UnansweredQuestion.text).order_by(UnansweredQuestion.id))
        ).all()
    assert texts == [None, "Who won the hockey match yesterday?"]
    await chat.type("/delete")
    await chat.press("nav:delete_confirm")
    async with chat.engine.db.sessions() as session:
        texts = (await session.scalars(select(UnansweredQuestion.text))).all()
    assert texts == [None, None]


async def test_a_question_in_another_language_is_answered_in_the_conversations_and_offers_a_switch(
    chat: Chat,
) -> None:
    await start_in_english(chat)
    await chat.type("де можна переночувати сьогодні?")
    answer = chat.replies[0]
    assert "sleep" in answer.text.lower()  # in English
    assert "lang:uk" in [c.payload for c in answer.choices]
    await chat.press("lang:uk")
    assert (await chat.conversation()).locale == "uk"
