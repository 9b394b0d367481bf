"""The console channel: prints replies, numbers the buttons, reads one line at a time."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

from bot.dialogue.engine import Engine
from bot.dialogue.text import fold
from bot.dialogue.types import Choice, Inbound, Reply

CHANNEL = "console"


def render(reply: Reply) -> str:
    lines = [reply.text]
    for number, choice in enumerate(reply.choices, start=1):
        mark = " ✓" if choice.selected else ""
        lines.append(f"  {number}) {choice.label}{mark}")
    lines += [f"  → {link.label}: {link.url}" for link in reply.links]
    return "\n".join(lines)


def pick(choices: tuple[Choice, ...], typed: str) -> Choice | None:
    """The button a typed line means: its label, or its number when no label is a number."""
    folded = fold(typed).strip()
    for choice in choices:
        if fold(choice.label) == folded:
            return choice
    numeric_labels = any(c.label.isdigit() for c in choices)
    if folded.isdigit() and not numeric_labels and 1 <= int(folded) <= len(choices):
        return choices[int(folded) - 1]
    return None


async def run_console(
    engine: Engine,
    *,
    locale: str | None,
    chat_id: str | None = None,
    read_line: Callable[[], str] = input,
    write: Callable[[str], None] = print,
) -> None:
    """Chat until end of input (Ctrl-D) or an empty line after "/quit"."""
    chat = chat_id or f"console-{uuid.uuid4().hex[:12]}"
    choices: tuple[Choice, ...] = ()
    line = "/start"
    while True:
        chosen = pick(choices, line) if choices else None
        inbound = Inbound(
            channel=CHANNEL,
            chat_id=chat,
            message_id=uuid.uuid4().hex,
            text=None if chosen else line,
            payload=chosen.payload if chosen else None,
            locale=locale,
        )
        outcome = await engine.handle(inbound)
        for reply in outcome.replies:
            write(render(reply) + "\n")
            if reply.choices:
                choices = reply.choices
        try:
            line = await asyncio.to_thread(read_line)
        except EOFError:
            return
        if line.strip() in ("/quit", "/exit"):
            return
