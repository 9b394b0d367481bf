"""Replies as Telegram messages: plain text (never parsed as HTML) and inline keyboards."""

from __future__ import annotations

import dataclasses

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.dialogue.types import Choice, Reply

SHORT_LABEL = 4  # labels this short (numbers, "Ano") share a row
SHORT_PER_ROW = 5
CAPTION_LIMIT = 1024  # Telegram's limit for the text under a file
LONG_LABEL = 30  # a phone shows about this much of a button's label, then cuts it


def numbered(reply: Reply) -> Reply:
    """A question whose answers are too long for a button ("In prison, hospital, a
    children's home…") lists them, numbered, in its text; the buttons show the numbers
    (which people may type as well)."""
    answers = [c for c in reply.choices if c.payload.startswith(("ans:", "tog:"))]
    if not any(len(c.label) > LONG_LABEL for c in answers):
        return reply
    lines, choices = [], []
    for choice in reply.choices:
        if choice in answers:
            number = str(len(lines) + 1)
            lines.append(f"{'✓ ' if choice.selected else ''}{number}. {choice.label}")
            choice = dataclasses.replace(choice, label=number)
        choices.append(choice)
    listed = "\n".join(lines)
    return dataclasses.replace(reply, text=f"{reply.text}\n\n{listed}", choices=tuple(choices))


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
    # Short ones side by side, a few to a row (Telegram takes at most 8; thumbs need room).
    rows[:0] = [short[i : i + SHORT_PER_ROW] for i in range(0, len(short), SHORT_PER_ROW)]
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
