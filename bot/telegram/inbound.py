"""Telegram updates as the engine's neutral inbound messages."""

from __future__ import annotations

import hashlib

from aiogram.types import CallbackQuery, Message

from bot.dialogue.types import Inbound

CHANNEL = "telegram"


def from_message(message: Message) -> Inbound:
    """A text message (or anything else: stickers and photos arrive without text).

    The id is Telegram's message id in the chat, so a re-delivered update is a
    duplicate for the engine.
    """
    user = message.from_user
    return Inbound(
        channel=CHANNEL,
        chat_id=str(message.chat.id),
        message_id=f"m{message.message_id}",
        text=message.text,
        locale=user.language_code if user else None,
    )


TOGGLE = "tog:"  # a tick in a multiple choice: the message stays, its buttons change


def from_callback(query: CallbackQuery) -> Inbound:
    """A button press. Pressing the same button of the same message twice is one
    message for the engine: the second press changes nothing and sends nothing.
    Except a tick in a multiple choice: its message is updated in place, and a
    second press of the same tick takes it back. Each press of it is its own
    message (Telegram's id for the press; a re-delivered update has the same)."""
    origin = query.message
    # The button's data stands in the id only as a digest: it is an answer ("danger:
    # yes"), and the id is kept for recognising a re-delivery, consent or not.
    pressed = hashlib.sha256((query.data or "").encode()).hexdigest()[:16]
    toggle = (query.data or "").startswith(TOGGLE)
    message_id = (
        f"c{origin.message_id}:{pressed}" if origin is not None and not toggle else f"q{query.id}"
    )
    chat_id = str(origin.chat.id) if origin is not None else str(query.from_user.id)
    return Inbound(
        channel=CHANNEL,
        chat_id=chat_id,
        message_id=message_id[:64],
        payload=query.data or "",
        locale=query.from_user.language_code,
    )
