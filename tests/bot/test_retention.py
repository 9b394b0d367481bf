"""The retention period: people whose cases were closed long ago are erased, with their
cases kept as anonymous statistics; conversations without a case are
forgotten after some silent days; nothing else is touched, and running twice (or two
runs at once) changes nothing more."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogue.engine import Engine, EngineConfig
from bot.dialogue.models import Conversation, Message, case_window, conversation_of
from bot.dialogue.privacy import erase_person_everywhere
from bot.dialogue.retention import RetentionJob
from intake.db import Database, within
from intake.models import Case, Person
from intake.outbox import OutboxMessage
from tests.bot.test_intake_conversations import EXAMPLES, walk_through
from tests.chat import Chat

CLOSED_DAYS, UNREGISTERED_DAYS = 365, 30


def job(db: Database) -> RetentionJob:
    return RetentionJob(db, closed_days=CLOSED_DAYS, unregistered_days=UNREGISTERED_DAYS)


async def registered(engine: Engine, example: int = 1) -> Chat:
    chat = Chat(engine)
    chat.locale = "en"
    await walk_through(chat, EXAMPLES[example]["answers"], language="en")
    await chat.press("nav:confirm")
    return chat


async def close(db: Database, chat: Chat, *, days_ago: float) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(Case)
            .where(Case.chat_id == chat.chat_id)
            .values(status="closed", outcome="housed", closed_at=NOW - timedelta(days=days_ago))
        )


NOW = datetime.now(UTC)


async def stored_of_chat(session: AsyncSession, chat_id: str) -> tuple[int, int]:
    """How many conversations and messages sent still name this chat."""
    conversations = await session.scalar(
        select(func.count()).where(Conversation.chat_id == chat_id)
    )
    sent = await session.scalar(select(func.count()).where(OutboxMessage.chat_id == chat_id))
    return conversations or 0, sent or 0


async def people(db: Database) -> int:
    async with db.reading() as session:
        return await session.scalar(select(func.count()).select_from(Person)) or 0


async def test_people_closed_past_the_period_are_erased_and_nobody_else(
    db: Database, engine: Engine
) -> None:
    old = await registered(engine)
    recent = await registered(engine)
    still_open = await registered(engine)
    await close(db, old, days_ago=CLOSED_DAYS + 1)
    await close(db, recent, days_ago=CLOSED_DAYS - 1)
    assert await people(db) == 3

    erased = await job(db).run(NOW)

    assert (erased.people, erased.conversations) == (1, 0)
    assert await people(db) == 2
    async with db.reading() as session:
        cases = {c.anonymised_at is not None: c for c in await session.scalars(select(Case))}
        chat_left = await stored_of_chat(session, old.chat_id)
    anonymous = cases[True]
    assert (anonymous.reference, anonymous.person_id, anonymous.outcome) == (None, None, "housed")
    assert chat_left == (0, 0)  # not even the chat's identifier is kept
    assert (await job(db).run(NOW)).people == 0  # nothing more to do
    # The person who wrote before can start afresh.
    await old.type("/start")
    assert (await old.conversation()).case_id is None
    for kept in (recent, still_open):
        assert (await kept.conversation()).case_id is not None


async def test_a_person_with_an_open_case_is_kept(db: Database, engine: Engine) -> None:
    chat = await registered(engine)
    await close(db, chat, days_ago=CLOSED_DAYS + 10)
    async with db.transaction() as session:
        person_id = await session.scalar(select(Person.id))
        first = await session.scalar(select(Case).where(Case.person_id == person_id))
        session.add(
            Case(
                person_id=person_id,
                answers=first.answers,
                result=first.result,
                urgency="low",
                channel="test",
                chat_id="elsewhere",
                locale="en",
            )
        )
    assert (await job(db).run(NOW)).people == 0
    assert await people(db) == 1


async def test_silent_conversations_without_a_case_are_forgotten(
    db: Database, engine: Engine
) -> None:
    """Consented but never confirmed, never consented, or emptied by /delete: after the
    silent days nothing of the chat is kept; a chat still talking is untouched."""
    consented, anonymous, deleted, talking = (Chat(engine) for _ in range(4))
    for chat in (consented, talking):
        chat.locale = "en"
        await walk_through(chat, EXAMPLES[1]["answers"], language="en")  # never confirmed
    await anonymous.type("/start")
    await anonymous.press("lang:en")
    await deleted.type("/start")
    await deleted.type("/delete")
    await deleted.press("nav:delete_confirm")
    silent = (consented, anonymous, deleted)
    async with db.transaction() as session:
        for chat in silent:
            assert (await stored_of_chat(session, chat.chat_id))[0] == 1
        await session.execute(
            update(Conversation)
            .where(Conversation.chat_id.in_([c.chat_id for c in silent]))
            .values(updated_at=NOW - timedelta(days=UNREGISTERED_DAYS + 1))
        )

    erased = await job(db).run(NOW)

    assert (erased.people, erased.conversations) == (0, 3)
    async with db.reading() as session:
        for chat in silent:
            assert await stored_of_chat(session, chat.chat_id) == (0, 0)
        words = await session.scalar(select(func.count()).select_from(Message))
    untouched = await talking.conversation()
    assert untouched.answers and untouched.consent_at is not None and words
    # Writing again from a forgotten chat starts afresh.
    await anonymous.type("/start")
    assert (await anonymous.conversation()).answers == {}


async def test_runs_at_the_same_time_erase_each_person_once(
    database_url: str, db: Database, engine: Engine
) -> None:
    chats = [await registered(engine, i % 3) for i in range(6)]
    for chat in chats:
        await close(db, chat, days_ago=CLOSED_DAYS + 1)
    other = Database(database_url)
    try:
        jobs = [
            RetentionJob(d, closed_days=CLOSED_DAYS, unregistered_days=UNREGISTERED_DAYS, batch=2)
            for d in (db, other, db, other)
        ]
        runs = await asyncio.gather(*(j.run(NOW) for j in jobs))
    finally:
        await other.dispose()
    assert sum(r.people for r in runs) == 6
    assert await people(db) == 0
    async with db.reading() as session:
        groups = set(await session.scalars(select(Case.anonymous_person)))
    assert len(groups) == 6  # each erased person still counts once


async def test_someone_who_registered_later_from_the_same_chat_is_kept(
    db: Database, config: EngineConfig
) -> None:
    """An old case closed long ago, then /restart and a new registration from the same
    chat: erasing the first person leaves the second one and their conversation whole."""
    seconds = itertools.count()  # time goes on between messages, as it does in a chat
    engine = Engine(
        db, config, clock=lambda: NOW - timedelta(hours=1) + timedelta(seconds=next(seconds))
    )
    chat = await registered(engine)
    await chat.type("Where can Alfons sleep tonight?")  # the first person's own words
    await close(db, chat, days_ago=CLOSED_DAYS + 1)
    await chat.type("/restart")
    await chat.press("nav:restart_confirm")  # the registration stays
    await walk_through(chat, EXAMPLES[2]["answers"], language="en")
    await chat.press("nav:confirm")
    second = chat.last.case_reference

    assert (await job(db).run(NOW)).people == 1

    async with db.reading() as session:
        texts = [t for t in await session.scalars(select(Message.text)) if t]
    assert not any("Alfons" in t for t in texts)  # the first person's words are gone
    assert texts  # the second person's stay

    assert await people(db) == 1
    conversation = await chat.conversation()
    async with db.reading() as session:
        current = await session.get(Case, conversation.case_id)
    assert current is not None and current.reference == second and current.person_id
    assert conversation.answers and conversation.consent_at is not None


async def test_a_backlog_is_taken_up_over_several_runs(db: Database, engine: Engine) -> None:
    """One run does a bounded share (here 2 batches of 1), the next run goes on."""
    chats = [Chat(engine) for _ in range(3)]
    for chat in chats:
        await chat.type("/start")
    async with db.transaction() as session:
        await session.execute(
            update(Conversation).values(updated_at=NOW - timedelta(days=UNREGISTERED_DAYS + 1))
        )
    bounded = RetentionJob(
        db,
        closed_days=CLOSED_DAYS,
        unregistered_days=UNREGISTERED_DAYS,
        batch=1,
        batches_per_run=2,
    )
    assert (await bounded.run(NOW)).conversations == 2
    assert (await bounded.run(NOW)).conversations == 1
    assert (await bounded.run(NOW)).conversations == 0


async def test_a_chat_three_people_used_one_after_another(
    db: Database, config: EngineConfig
) -> None:
    """A shared phone: A registers, then B, then C (each after /restart). Each case
    sees only its own stretch; erasing A or C's /delete leaves the others' words."""
    seconds = itertools.count()
    engine = Engine(
        db, config, clock=lambda: NOW - timedelta(hours=1) + timedelta(seconds=next(seconds))
    )
    chat = Chat(engine)
    chat.locale = "en"
    names = ("Alfons", "Bohdana", "Cyril")
    for number, name in enumerate(names):
        if number:
            await chat.type("/restart")
            await chat.press("nav:restart_confirm")  # the registration stays
            mine = await chat.type("/mydata")
            assert "KMB-" not in mine.replies[0].text  # the earlier person's case is not theirs
        await walk_through(chat, EXAMPLES[number]["answers"], language="en")
        await chat.press("nav:confirm")
        await chat.type(f"Where can {name} sleep tonight?")

    async def words_of_each_case() -> list[str]:
        async with db.reading() as session:
            cases = list(await session.scalars(select(Case).order_by(Case.id)))
            conversation = await session.scalar(select(Conversation))
            found = []
            for case in cases:
                window = await case_window(session, conversation, case)
                texts = await session.scalars(
                    select(Message.text).where(
                        Message.text.is_not(None), within(Message.created_at, window)
                    )
                )
                found.append(" ".join(texts))
            return found

    stretches = await words_of_each_case()
    for number, name in enumerate(names):
        assert name in stretches[number]
        assert all(other not in stretches[number] for other in names if other != name)

    async with db.transaction() as session:
        first = await session.scalar(select(Case.person_id).order_by(Case.id))
        await erase_person_everywhere(session, first, now=NOW)
    await chat.type("/delete")
    await chat.press("nav:delete_confirm")  # C, who uses the chat now

    async with db.reading() as session:
        texts = " ".join(t for t in await session.scalars(select(Message.text)) if t)
        left = await session.scalar(select(func.count()).select_from(Person))
    assert "Alfons" not in texts and "Cyril" not in texts
    assert "Bohdana" in texts and left == 1  # B is untouched


async def test_a_restarted_chat_of_an_open_case_is_kept(db: Database, engine: Engine) -> None:
    """After /restart the chat is no case's current one, yet the earlier person's open
    case still reaches them there: silence does not make it forgettable."""
    chat = await registered(engine)
    await chat.type("/restart")
    await chat.press("nav:restart_confirm")  # the registration stays
    async with db.transaction() as session:
        await session.execute(
            update(Conversation).values(updated_at=NOW - timedelta(days=UNREGISTERED_DAYS + 1))
        )
    assert (await job(db).run(NOW)).conversations == 0
    async with db.reading() as session:
        case = await session.scalar(select(Case))
        assert await conversation_of(session, case) is not None


async def test_an_abandoned_intake_after_restart_is_emptied(db: Database, engine: Engine) -> None:
    """Someone starts again in a chat an earlier person registered from, gives a name
    and leaves: after the silent days their answers go; the chat stays for the case."""
    chat = await registered(engine)
    await chat.type("/restart")
    await chat.press("nav:restart_confirm")  # the registration stays
    await walk_through(chat, EXAMPLES[2]["answers"], language="en")  # never confirmed
    assert (await chat.conversation()).answers
    async with db.transaction() as session:
        await session.execute(
            update(Conversation).values(updated_at=NOW - timedelta(days=UNREGISTERED_DAYS + 1))
        )
    assert (await job(db).run(NOW)).conversations == 1
    emptied = await chat.conversation()
    assert emptied.answers == {} and emptied.consent_at is None
    assert (await job(db).run(NOW)).conversations == 0  # once


async def test_a_chat_shared_before_boundaries_were_recorded_keeps_its_current_person(
    db: Database, engine: Engine
) -> None:
    """Erasing the earlier person of a chat whose stretches are unknown (shared before
    they were recorded) must not touch the person who uses it now."""
    chat = await registered(engine)
    await chat.type("/restart")
    await chat.press("nav:restart_confirm")  # the registration stays
    await walk_through(chat, EXAMPLES[2]["answers"], language="en")
    await chat.press("nav:confirm")
    async with db.transaction() as session:
        await session.execute(update(Conversation).values(intake_started_at=None))
        await session.execute(update(Case).values(intake_started_at=None))
        first = await session.scalar(select(Case.person_id).order_by(Case.id))
        await erase_person_everywhere(session, first, now=NOW)
    assert await people(db) == 1
    assert (await chat.conversation()).answers  # the second person's intake is whole
