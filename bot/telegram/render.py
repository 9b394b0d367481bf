"""Replies as Telegram messages: plain text (never parsed as HTML) and inline keyboards."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.dialogue.types import Choice, Reply

SHORT_LABEL = 4  # labels this short (numbers, "Ano") share a row
CAPTION_LIMIT = 1024  # Telegram's limit for the text under a file


def _button(choice: Choice) -> InlineKeyboardButton:
    label = f"✓ {choice.label}" if choice.selected else choice.label
    return InlineKeyboardButton(text=label, callback_data=choice.payload[:64])


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Answers one per row (short ones side by side), then Skip/Back in one row."""
    answers = [
        c
        for c in reply.choices
        if not c.payload.startswith("nav:")
        or c.payload in ("nav:done", "nav:confirm", "nav:delete_confirm")
    ]
    navigation = [c for c in reply.choices if c not in answers]
    rows: list[list[InlineKeyboardButton]] = []
    short: list[InlineKeyboardButton] = []
    for choice in answers:
        if len(choice.label) <= SHORT_LABEL:
            short.append(_button(choice))
        else:
            rows.append([_button(choice)])
    if short:
        rows.insert(0, short)
    links = [
        [InlineKeyboardButton(text=link.label, url=link.url)]
        for link in reply.links
        if link.url.startswith(("https://", "http://"))
    ]
    rows += links
    if navigation:
        rows.append([_button(c) for c in navigation])
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def text(reply: Reply) -> str:
    """Telegram shows phone numbers in the text as links; tel: links add nothing."""
    return reply.text[:4096]
