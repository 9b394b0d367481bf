"""What a person can do with their own data from the chat: see it and delete it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogue import render
from bot.dialogue.models import Conversation, Message, case_window, conversation_of
from bot.dialogue.script import LANGUAGE, N_
from bot.dialogue.translator import Translator
from bot.dialogue.types import Reply
from intake import consent, outbox
from intake.db import Window, within
from intake.erasure import erase_person
from intake.models import Case
from knowledge_base import questions


async def my_data(session: AsyncSession, conversation: Conversation, t: Translator) -> Reply:
    """Everything stored about the person in this conversation, in plain words."""
    if conversation.consent_at is None and not conversation.case_id:
        return render.notice(t, N_("I do not store any of your answers."))
    lines = [t.gettext("What I store about you:"), render.answers_text(t, conversation.answers)]
    if conversation.case_id:
        reference = await session.scalar(
            select(Case.reference).where(Case.id == conversation.case_id)
        )
        lines.append(t.gettext("Case number: %(reference)s", reference=reference))
    return Reply(
        text="\n".join(lines),
        # Its own buttons, not followed by the current question again: the widget
        # offers only the last message's buttons, and "delete" would be gone at once.
        choices=(
            render.button(t, N_("Delete my data"), "nav:delete"),
            render.button(t, N_("Continue"), "nav:resume"),
        ),
    )


async def delete_personal_data(
    session: AsyncSession, conversation: Conversation, *, now: datetime, take_back: bool = False
) -> None:
    """Erase the person of this conversation — whoever uses the chat now — and their
    stretch of it: answers, the words of the transcript and of their questions, what
    was said to them. Their cases stay only as anonymous statistics. An earlier person
    of a shared chat (/restart, then a new intake) keeps their stretch.

    ``take_back``: also ask the channel to delete the stretch's messages, both sides,
    from the chat itself (Telegram allows it; the web widget clears itself)."""
    window = (conversation.intake_started_at, None)
    messages: dict[str, object] = {}
    if take_back:  # their ids, before the stretch is forgotten
        messages = {
            "text": "",
            "message_ids": await outbox.sent_ids(
                session, channel=conversation.channel, chat_id=conversation.chat_id, window=window
            ),
            "received_ids": await received_ids(session, conversation, window),
        }
    if conversation.case_id:
        person_id = await session.scalar(
            select(Case.person_id).where(Case.id == conversation.case_id)
        )
        conversation.case_id = None
        await session.flush()
        if person_id is not None:
            await erase_person(session, person_id, now=now)
    await consent.withdraw(session, conversation_id=conversation.id, now=now)
    await forget_stretch(session, conversation, window)
    if messages:  # queued after forget_stretch, which would blank its ids
        outbox.enqueue(
            session,
            channel=conversation.channel,
            chat_id=conversation.chat_id,
            kind=outbox.UNSEND,
            body=messages,
            now=now,
            conversation_id=conversation.id,
        )
    conversation.answers, conversation.history = {}, []
    conversation.editing = False
    conversation.consent_at = None
    conversation.consent_version = None
    conversation.source = None
    conversation.handoff_to = None
    conversation.step = LANGUAGE  # whoever writes next starts afresh


async def received_ids(
    session: AsyncSession, conversation: Conversation, window: Window
) -> list[str]:
    """The channel's ids of what the person sent in a stretch of the chat (for taking
    their messages back from the chat too, where the channel allows it)."""
    found = await session.scalars(
        select(Message.external_id)
        .where(
            Message.conversation_id == conversation.id,
            Message.direction == "in",
            Message.external_id.is_not(None),
            within(Message.created_at, window),
        )
        .order_by(Message.id)
    )
    return [external_id for external_id in found if external_id]


async def forget_stretch(session: AsyncSession, conversation: Conversation, window: Window) -> None:
    """Blank the words of a stretch of a chat: the transcript (button presses are
    answers too), the questions and what was said to the chat."""
    await session.execute(
        update(Message)
        .where(Message.conversation_id == conversation.id, within(Message.created_at, window))
        .values(text=None, replies=None, payload=None)
    )
    await questions.forget_texts(session, conversation_id=conversation.id, window=window)
    await outbox.forget_bodies(
        session, channel=conversation.channel, chat_id=conversation.chat_id, window=window
    )


async def forget_conversation(
    session: AsyncSession, conversation: Conversation, *, now: datetime
) -> None:
    """Erase the person of a conversation and then the conversation itself, with its
    transcript and every message sent to the chat, so that the chat's identifier (a
    Telegram account, a widget session) is not kept either. Whoever writes from that
    chat again starts a new conversation."""
    await delete_personal_data(session, conversation, now=now)
    await outbox.forget_chat(session, channel=conversation.channel, chat_id=conversation.chat_id)
    await session.execute(delete(Message).where(Message.conversation_id == conversation.id))
    await session.delete(conversation)
    await session.flush()


async def erase_person_everywhere(session: AsyncSession, person_id: int, *, now: datetime) -> None:
    """Erase a person found by staff or by the retention job, and their cases are kept
    only anonymised. A chat that was only theirs is forgotten whole (they are not in
    it now, so nothing of it needs to stay); of a chat others used too, their stretch
    is blanked, the others' stays."""
    cases = list(await session.scalars(select(Case).where(Case.person_id == person_id)))
    for case in cases:
        conversation = await conversation_of(session, case)
        if conversation is None:
            continue
        since, until = await case_window(session, conversation, case)
        now_used_by = (
            await session.scalar(select(Case.person_id).where(Case.id == conversation.case_id))
            if conversation.case_id
            else person_id
        )
        if until is None and now_used_by != person_id:
            continue  # someone else's chat now, with no recorded boundary: not ours to empty
        if since is None and until is None:
            await forget_conversation(session, conversation, now=now)
        elif until is None:  # theirs is the chat's current stretch
            await delete_personal_data(session, conversation, now=now)
        else:
            await forget_stretch(session, conversation, (since, until))
    await erase_person(session, person_id, now=now)
