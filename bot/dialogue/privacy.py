"""What a person can do with their own data from the chat: see it and delete it."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogue import render
from bot.dialogue.models import Conversation, Message
from bot.dialogue.script import N_
from bot.dialogue.translator import Translator
from bot.dialogue.types import Reply
from intake import outbox
from intake.models import Case, Person
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
        choices=(render.button(t, N_("Delete my data"), "nav:delete"),),
    )


async def delete_personal_data(session: AsyncSession, conversation: Conversation) -> None:
    """Erase answers, transcript text, the person and their cases of this conversation."""
    if conversation.case_id:
        person_id = await session.scalar(
            select(Case.person_id).where(Case.id == conversation.case_id)
        )
        conversation.case_id = None
        await session.flush()
        if person_id is not None:
            await session.execute(delete(Case).where(Case.person_id == person_id))
            await session.execute(delete(Person).where(Person.id == person_id))
    await questions.forget_texts(session, conversation_id=conversation.id)
    await outbox.forget_bodies(session, channel=conversation.channel, chat_id=conversation.chat_id)
    await session.execute(
        update(Message)
        .where(Message.conversation_id == conversation.id)
        .values(text=None, replies=None)
    )
    conversation.answers, conversation.history = {}, []
    conversation.editing = False
    conversation.consent_at = None
    conversation.consent_version = None
    conversation.source = None
