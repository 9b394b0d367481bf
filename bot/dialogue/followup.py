"""Staff writing to a person from their case, in the person's own channel and language,
and the hand-off: while a member of staff talks with the person, the assistant does not
ask its own questions; the person's messages go to the case."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogue.appointment_notices import queue_for_person
from bot.dialogue.config import EngineConfig
from bot.dialogue.models import Message, conversation_of
from bot.dialogue.script import N_
from bot.dialogue.translator import Translator
from bot.dialogue.types import Reply
from intake import casework
from intake.models import Case

# Canned messages staff can send, translated like every other text of the assistant.
TEMPLATES: dict[str, str] = {
    "call_us": N_("Please call us at %(phone)s when you can."),
    "bring_documents": N_(
        "Please bring your identity document, your rental contract and any letters "
        "about your housing or debts."
    ),
    "need_answer": N_("We need a short answer from you to continue. Please reply here."),
    "appointment_offer": N_("We would like to meet you. Write /book to choose a time."),
}


FROM_STAFF = N_("From the contact point:")


class FollowUpError(ValueError):
    pass


def template_texts(config: EngineConfig) -> dict[str, dict[str, str]]:
    """Every template in every language, as staff choose from them."""
    phone = config.contact_point.phone
    return {
        key: {
            locale: Translator(locale).gettext(text, phone=phone)
            if "%(phone)s" in text
            else Translator(locale).gettext(text)
            for locale in ("cs", "en", "uk")
        }
        for key, text in TEMPLATES.items()
    }


async def send(
    session: AsyncSession,
    config: EngineConfig,
    found: Case,
    *,
    text: str | None,
    template: str | None,
    staff: str,
    now: datetime,
) -> None:
    """Queue the message for the person and hand the conversation to ``staff``."""
    if (text is None) == (template is None):
        raise FollowUpError("Send either a text or a template.")
    if template is not None and template not in TEMPLATES:
        raise FollowUpError(f"There is no template {template}.")
    conversation = await conversation_of(session, found)
    if conversation is None:
        raise FollowUpError("The person's conversation no longer exists.")
    if conversation.case_id != found.id:
        raise FollowUpError(
            "Someone else uses the person's chat now (they started again): "
            "reach the person another way."
        )

    def build(t: Translator) -> Reply:
        body = text or t.gettext(TEMPLATES[template or ""], phone=config.contact_point.phone)
        return Reply(text=t.gettext(FROM_STAFF) + "\n" + body)

    sent = await queue_for_person(
        session,
        config,
        case_id=found.id,
        fallback_locale=found.locale,
        build=build,
        now=now,
        kind="notice",
    )
    if not sent:
        raise FollowUpError("The person cannot be reached in a chat.")
    session.add(
        Message(
            conversation_id=conversation.id,
            direction="out",
            text=build(Translator(conversation.locale)).text,
            created_at=now,
        )
    )
    conversation.handoff_to = staff
    found.replied_at = None
    casework.record(session, found.id, actor=staff, kind="message_sent", now=now)
    await session.flush()


async def hand_back(session: AsyncSession, found: Case, *, staff: str, now: datetime) -> None:
    conversation = await conversation_of(session, found)
    if conversation is not None:
        conversation.handoff_to = None
    casework.record(session, found.id, actor=staff, kind="handed_back", now=now)
    await session.flush()


async def person_replied(session: AsyncSession, case_id: int, *, now: datetime) -> None:
    found = await session.get(Case, case_id)
    if found is None:
        return
    found.replied_at = now
    casework.record(session, case_id, actor="person", kind="replied", now=now)
