"""What the engine needs to know about the city, its rules and its channels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from intake.contact_point import ContactPoint, ContactPointDirectory, ContactPoints
from intake.triage import Thresholds
from locales import DEFAULT_LOCALE

if TYPE_CHECKING:
    from bot.dialogue.catalogue import Catalogue


@dataclass(frozen=True, slots=True)
class StaffAlerts:
    """Where a short alert goes when a case of one of these urgencies is registered."""

    channel: str
    chat_id: str
    urgencies: frozenset[str] = frozenset({"emergency"})
    case_url: str = "{reference}"  # e.g. https://kmb.example.cz/admin/cases/{reference}
    locale: str = DEFAULT_LOCALE


@dataclass(frozen=True, slots=True)
class EngineConfig:
    contact_point: ContactPoint
    thresholds: Thresholds = field(default_factory=Thresholds)
    consent_version: str = "2026-11"
    default_locale: str = DEFAULT_LOCALE
    time_zone: str = "Europe/Prague"
    max_message_chars: int = 2000
    # Channels whose replies are delivered by a worker from the outbox (Telegram),
    # rather than returned to a waiting caller only (terminal, tests).
    outbox_channels: frozenset[str] = frozenset()
    # Channels that fetch their messages from the outbox themselves (the web widget).
    fetch_channels: frozenset[str] = frozenset()
    flood_limit_per_minute: int = 40
    staff_alerts: StaffAlerts | None = None
    # Free questions are answered from the solution catalogue when it is given.
    catalogue: Catalogue | None = None
    # Appointments can be booked in the chat when the contact points are given.
    contact_points: ContactPoints | ContactPointDirectory | None = None
    max_future_appointments: int = 1
    reminder_hours: tuple[int, ...] = (24, 2)
