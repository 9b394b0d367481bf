"""The widget's HTTP API, under ``/widget/api``.

- ``POST /sessions`` starts a conversation and returns its token;
- ``POST /messages`` sends a text or a button press (``id`` is the widget's own
  message id: sending it again after a network drop changes nothing);
- ``GET /messages?after=N&wait=S`` returns what arrived after message N, waiting
  up to S seconds for something new (long polling);
- ``DELETE /session`` ends the conversation and erases what it stored.

The token travels as ``Authorization: Bearer …``. Replies come from the outbox,
so staff follow-ups and reminders reach an open widget the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import delete, select

from bot.dialogue.engine import APOLOGY, Engine
from bot.dialogue.models import Conversation
from bot.dialogue.privacy import delete_personal_data
from bot.dialogue.script import N_
from bot.dialogue.types import Inbound, Outcome
from bot.web import sessions
from bot.web.limits import RateLimits
from bot.web.problems import WidgetProblem, request_locale
from intake import outbox
from intake.db import Database, utcnow

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
PAYLOAD_PATTERN = r"^(ans|tog|nav|lang|edit|kb|bk):[A-Za-z0-9_:-]{1,90}$"
MAX_WAIT_SECONDS = 25
RETRY_SECONDS = 5  # after a message could not be stored
TOUCH_AFTER = timedelta(minutes=1)


class Notifier:
    """Wakes long polls of a chat in this process when something was written for it."""

    def __init__(self) -> None:
        # chat id -> (its event, how many long polls wait on it); an entry lives only
        # while someone waits, so chats that went away leave nothing behind.
        self._events: dict[str, tuple[asyncio.Event, int]] = {}

    def notify(self, chat_id: str) -> None:
        found = self._events.pop(chat_id, None)
        if found is not None:
            found[0].set()

    async def wait(self, chat_id: str, seconds: float) -> None:
        event, waiting = self._events.get(chat_id, (asyncio.Event(), 0))
        self._events[chat_id] = (event, waiting + 1)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), seconds)
        finally:
            current = self._events.get(chat_id)
            if current is not None and current[0] is event:
                if current[1] <= 1:
                    del self._events[chat_id]
                else:
                    self._events[chat_id] = (event, current[1] - 1)

    def __len__(self) -> int:
        """Chats with a long poll waiting right now."""
        return len(self._events)


@dataclass
class Widget:
    """What the endpoints need; kept on ``app.state.widget``."""

    db: Database
    engine: Engine
    limits: RateLimits
    idle: timedelta
    notifier: Notifier = field(default_factory=Notifier)


class StartRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    locale: Literal["cs", "en", "uk"] | None = None
    source: str | None = Field(None, pattern=ID_PATTERN)


class SendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=ID_PATTERN)
    text: str | None = Field(None, max_length=10_000)
    payload: str | None = Field(None, pattern=PAYLOAD_PATTERN)
    after: int = Field(0, ge=0)

    @model_validator(mode="after")
    def one_of_text_or_payload(self) -> SendRequest:
        if (self.text is None) == (self.payload is None):
            raise ValueError("send either text or payload")
        return self


class ChoiceOut(BaseModel):
    label: str
    payload: str
    selected: bool = False


class LinkOut(BaseModel):
    label: str
    url: str


class DocumentOut(BaseModel):
    """A small file the widget offers as a download (a calendar entry)."""

    filename: str
    mime: str
    content: str


class MessageOut(BaseModel):
    # The message's place in its chat: ids grow in the order messages become visible,
    # so "what came after N" never skips one written by a slower transaction.
    id: int
    text: str
    choices: list[ChoiceOut] = []
    links: list[LinkOut] = []
    document: DocumentOut | None = None
    clear: bool = False  # the person deleted their data: show nothing from before


class Messages(BaseModel):
    messages: list[MessageOut]
    cursor: int
    locale: str


class Started(Messages):
    token: str


router = APIRouter(prefix="/widget/api", tags=["widget"])


def widget(request: Request) -> Widget:
    return request.app.state.widget


WidgetDep = Annotated[Widget, Depends(widget)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def current_chat(
    request: Request, context: WidgetDep, authorization: Annotated[str | None, Header()] = None
) -> str:
    """The chat of the Bearer token; 401 for a missing, forged or expired one."""
    await context.limits.check(context.limits.per_address, client_address(request))
    token = (authorization or "").removeprefix("Bearer ").strip()
    now = utcnow()
    async with context.db.reading() as session:
        found = await sessions.resolve(session, token, now=now, idle=context.idle)
        if found is None:
            raise WidgetProblem(
                401,
                "Unknown or expired session",
                N_("This conversation has ended. Please start a new one."),
                headers={"WWW-Authenticate": "Bearer"},
            )
        chat_id, stale = found.chat_id, now - found.last_seen_at > TOUCH_AFTER
    if stale:  # keep the session alive; a write at most once a minute per session
        async with context.db.transaction() as session:
            await sessions.touch(session, found.token_hash, now=now)
    return chat_id


ChatDep = Annotated[str, Depends(current_chat)]


async def _messages(context: Widget, chat_id: str, after: int) -> Messages:
    async with context.db.reading() as session:
        rows = await outbox.messages_after(
            session, channel=sessions.CHANNEL, chat_id=chat_id, after=after
        )
        locale = await session.scalar(
            select(Conversation.locale).where(
                Conversation.channel == sessions.CHANNEL, Conversation.chat_id == chat_id
            )
        )
    return Messages(
        messages=[MessageOut(id=row.place, **row.body) for row in rows],
        cursor=max([after, *(row.place for row in rows)]),
        locale=locale or "cs",
    )


def _refuse_if_failed(outcome: Outcome) -> None:
    """The engine could store nothing: say so in the person's language."""
    if outcome.retry:  # the database is away: the widget keeps the message and resends it
        raise WidgetProblem(
            503, "Service Unavailable", APOLOGY, headers={"Retry-After": str(RETRY_SECONDS)}
        )
    if outcome.failed:  # a fault of ours: resending would fail again; say sorry once
        raise WidgetProblem(500, "Internal Server Error", APOLOGY)


@router.post("/sessions", status_code=201)
async def start_session(request: Request, body: StartRequest, context: WidgetDep) -> Started:
    address = client_address(request)
    await context.limits.check(context.limits.per_address, address)
    await context.limits.check(context.limits.sessions_per_address, address)
    async with context.db.transaction() as session:
        token, web_session = sessions.create(session, now=utcnow())
    outcome = await context.engine.handle(
        Inbound(
            channel=sessions.CHANNEL,
            chat_id=web_session.chat_id,
            message_id="start",
            text="/start",
            locale=body.locale or request_locale(request),
            source=body.source,
        )
    )
    _refuse_if_failed(outcome)  # the unused session simply expires
    found = await _messages(context, web_session.chat_id, 0)
    return Started(token=token, **found.model_dump())


@router.post("/messages")
async def send_message(body: SendRequest, chat_id: ChatDep, context: WidgetDep) -> Messages:
    await context.limits.check(context.limits.per_session, chat_id)
    outcome = await context.engine.handle(
        Inbound(
            channel=sessions.CHANNEL,
            chat_id=chat_id,
            message_id=body.id,
            text=body.text,
            payload=body.payload,
        )
    )
    _refuse_if_failed(outcome)
    context.notifier.notify(chat_id)
    return await _messages(context, chat_id, body.after)


@router.get("/messages")
async def fetch_messages(
    chat_id: ChatDep,
    context: WidgetDep,
    after: Annotated[int, Query(ge=0)] = 0,
    wait: Annotated[float, Query(ge=0, le=MAX_WAIT_SECONDS)] = 0,
) -> Messages:
    """Long polling: return at once when something is new, else wait up to ``wait`` s."""
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        found = await _messages(context, chat_id, after)
        remaining = deadline - asyncio.get_running_loop().time()
        if found.messages or remaining <= 0:
            return found
        # Woken at once by this process; other processes' writes are seen within 1 s.
        await context.notifier.wait(chat_id, min(1.0, remaining))


@router.delete("/session", status_code=204)
async def end_session(chat_id: ChatDep, context: WidgetDep) -> Response:
    """End the conversation and erase its answers, transcript and case."""
    async with context.db.transaction() as session:
        conversation = await session.scalar(
            select(Conversation).where(
                Conversation.channel == sessions.CHANNEL, Conversation.chat_id == chat_id
            )
        )
        if conversation is not None:
            await delete_personal_data(session, conversation, now=utcnow())
            await session.execute(delete(Conversation).where(Conversation.id == conversation.id))
        await sessions.end(session, chat_id=chat_id)
    return Response(status_code=204)
