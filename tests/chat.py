"""A person chatting with the engine, for tests: type text, tap buttons by label."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from sqlalchemy import select

from bot.dialogue.engine import Engine
from bot.dialogue.models import Conversation
from bot.dialogue.types import Inbound, Outcome, Reply

_ids = itertools.count(1)


@dataclass
class Chat:
    engine: Engine
    chat_id: str = field(default_factory=lambda: f"chat-{next(_ids)}")
    channel: str = "test"
    locale: str | None = "cs"
    last: Outcome | None = None
    received: list[Reply] = field(default_factory=list)

    async def deliver(
        self, *, text: str | None = None, payload: str | None = None, message_id: str | None = None
    ) -> Outcome:
        inbound = Inbound(
            channel=self.channel,
            chat_id=self.chat_id,
            message_id=message_id or f"m{next(_ids)}",
            text=text,
            payload=payload,
            locale=self.locale,
        )
        self.last = await self.engine.handle(inbound)
        self.received.extend(self.last.replies)
        return self.last

    async def type(self, text: str) -> Outcome:
        return await self.deliver(text=text)

    async def press(self, payload: str) -> Outcome:
        """Tap a button that the last reply offered (fails the test if it did not)."""
        offered = [c.payload for c in self.choices]
        assert payload in offered, f"{payload!r} not among the buttons {offered}"
        return await self.deliver(payload=payload)

    async def tap(self, label: str) -> Outcome:
        """Tap the button with this (translated) label."""
        matches = [c for c in self.choices if c.label == label]
        assert matches, f"no button {label!r} among {[c.label for c in self.choices]}"
        return await self.deliver(payload=matches[0].payload)

    @property
    def replies(self) -> tuple[Reply, ...]:
        assert self.last is not None
        return self.last.replies

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)

    @property
    def choices(self) -> tuple:
        for reply in reversed(self.replies):
            if reply.choices:
                return reply.choices
        return ()

    async def conversation(self) -> Conversation:
        async with self.engine.db.sessions() as session:
            found = await session.scalar(
                select(Conversation).where(
                    Conversation.channel == self.channel, Conversation.chat_id == self.chat_id
                )
            )
            assert found is not None
            return found

    async def step(self) -> str:
        return (await self.conversation()).step
