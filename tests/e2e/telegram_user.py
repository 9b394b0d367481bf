"""A person in Telegram, for the tests: writes messages and presses the buttons the bot sent."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tests.e2e.bot_api import BotApiServer, Call

_message_ids = itertools.count(1)
_update_ids = itertools.count(10_000)

Deliver = Callable[[dict[str, Any]], Awaitable[None]]


async def wait_until(condition: Callable[[], bool], limit: float = 10.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the bot")
        await asyncio.sleep(0.02)


@dataclass
class TelegramUser:
    server: BotApiServer
    deliver: Deliver
    chat_id: int
    language_code: str = "cs"
    quiet: float = 0.35
    seen: int = 0
    last_update: dict[str, Any] = field(default_factory=dict)

    @property
    def user(self) -> dict[str, Any]:
        return {
            "id": self.chat_id,
            "is_bot": False,
            "first_name": "Test",
            "language_code": self.language_code,
        }

    def received(self) -> list[Call]:
        """Every message the bot sent to this chat: texts and files."""
        return self.server.sent(self.chat_id, ("sendMessage", "sendDocument"))

    def last_keyboard(self) -> Call:
        with_buttons = [c for c in self.received() if c.buttons]
        assert with_buttons, "the bot sent no buttons"
        return with_buttons[-1]

    def edits(self) -> list[Call]:
        """Messages the bot updated in place (a tick in a multiple choice)."""
        return self.server.sent(self.chat_id, ("editMessageText", "editMessageReplyMarkup"))

    def _edits_of(self, call: Call) -> list[Call]:
        message_id = call.result["message_id"]
        return [c for c in self.edits() if int(c.params["message_id"]) == message_id]

    def buttons_now(self, call: Call) -> list[dict[str, Any]]:
        """The buttons ``call``'s message shows now, after any edits."""
        edited = self._edits_of(call)
        return edited[-1].buttons if edited else call.buttons

    def text_now(self, call: Call) -> str:
        """The text ``call``'s message shows now, after any edits."""
        texts = [c.params["text"] for c in self._edits_of(call) if "text" in c.params]
        return texts[-1] if texts else call.params.get("text", "")

    async def _exchange(self, update: dict[str, Any], expect_reply: bool) -> list[Call]:
        before = len(self.received())
        update = {"update_id": next(_update_ids), **update}
        self.last_update = update
        await self.deliver(update)
        if expect_reply:
            await wait_until(lambda: len(self.received()) > before)
        # then wait until the bot has gone quiet
        count, since = len(self.received()), time.monotonic()
        while time.monotonic() - since < self.quiet:
            await asyncio.sleep(0.02)
            if len(self.received()) != count:
                count, since = len(self.received()), time.monotonic()
        new = self.received()[before:]
        self.seen = len(self.received())
        return new

    async def send(
        self, text: str | None, *, expect_reply: bool = True, extra: dict[str, Any] | None = None
    ) -> list[Call]:
        message: dict[str, Any] = {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": {"id": self.chat_id, "type": "private"},
            "from": self.user,
            **({"text": text} if text is not None else {}),
            **(extra or {}),
        }
        return await self._exchange({"message": message}, expect_reply)

    async def press(
        self, label: str, *, on: Call | None = None, expect_reply: bool = True
    ) -> list[Call]:
        """Press the button with this label on the newest message that has buttons."""
        target = on or self.last_keyboard()
        matches = [b for b in target.buttons if b["text"] in (label, f"✓ {label}")]
        assert matches, f"no button {label!r} among {[b['text'] for b in target.buttons]}"
        return await self.press_data(matches[0]["callback_data"], target, expect_reply=expect_reply)

    async def press_data(self, data: str, target: Call, *, expect_reply: bool = True) -> list[Call]:
        """Press a button; a tick in a multiple choice expects its message updated in
        place (the edit is returned) rather than a new message."""
        if data.startswith("tog:") and expect_reply:
            before = len(self.edits())
            new = await self.press_data(data, target, expect_reply=False)
            await wait_until(lambda: len(self.edits()) > before)
            return [*new, *self.edits()[before:]]
        query = {
            "id": f"q{next(_message_ids)}",
            "from": self.user,
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": target.result["message_id"],
                "date": int(time.time()),
                "chat": {"id": self.chat_id, "type": "private"},
                "text": target.params.get("text", ""),
            },
        }
        return await self._exchange({"callback_query": query}, expect_reply)

    async def redeliver(self) -> list[Call]:
        """Telegram sends the last update again (same update_id)."""
        before = len(self.received())
        await self.deliver(self.last_update)
        await asyncio.sleep(self.quiet * 2)
        return self.received()[before:]
