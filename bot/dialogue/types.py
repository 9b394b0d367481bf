"""Typed messages between the channels and the engine."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a person, as any channel hands it to the engine.

    ``message_id`` is the channel's own id of the message (Telegram's update
    id, the widget's client message id): the engine processes it once.
    Exactly one of ``text`` and ``payload`` (a button press) is set.
    """

    channel: str
    chat_id: str
    message_id: str
    text: str | None = None
    payload: str | None = None
    locale: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    """A button: what it says and what it sends back when pressed."""

    label: str
    payload: str
    selected: bool = False


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Document:
    """A small text file sent with a message (a calendar entry)."""

    filename: str
    mime: str
    content: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to the person, already translated."""

    text: str
    choices: tuple[Choice, ...] = ()
    links: tuple[Link, ...] = ()
    document: Document | None = None
    # The person deleted their data: a channel that shows the chat itself (the web
    # widget) clears what it shows before this message.
    clear: bool = False
    # The question the person is ticking options of, asked again with their ticks: a
    # channel may update the question's message in place rather than send it once per
    # tap (Telegram: when it is still the newest message of the chat).
    update: bool = False

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "text": self.text,
            "choices": [
                {"label": c.label, "payload": c.payload, "selected": c.selected}
                for c in self.choices
            ],
            "links": [{"label": link.label, "url": link.url} for link in self.links],
        }
        if self.document is not None:
            document = self.document
            data["document"] = {
                "filename": document.filename,
                "mime": document.mime,
                "content": document.content,
            }
        if self.clear:
            data["clear"] = True
        if self.update:
            data["update"] = True
        return data

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Reply:
        choices = data.get("choices") or []
        links = data.get("links") or []
        document = data.get("document")
        return cls(
            text=str(data["text"]),
            choices=tuple(Choice(**c) for c in choices),  # type: ignore[arg-type, union-attr]
            links=tuple(Link(**link) for link in links),  # type: ignore[arg-type, union-attr]
            document=Document(**document) if isinstance(document, dict) else None,
            clear=data.get("clear") is True,
            update=data.get("update") is True,
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the engine did with one inbound message."""

    replies: tuple[Reply, ...]
    duplicate: bool = False
    # Nothing could be stored (e.g. the database is away): the replies are only an
    # apology, which the channel must show itself — it is in no outbox.
    failed: bool = False
    # ...because the database is away: the same message may well succeed in a moment.
    # Otherwise it was a fault of ours, which sending it again would only repeat.
    retry: bool = False
    case_reference: str | None = None
    locale: str = "cs"
    events: tuple[str, ...] = field(default=())
