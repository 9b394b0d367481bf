"""What the engine needs to know about the city and its rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from intake.contact_point import ContactPoint
from intake.triage import Thresholds
from locales import DEFAULT_LOCALE


@dataclass(frozen=True, slots=True)
class EngineConfig:
    contact_point: ContactPoint
    thresholds: Thresholds = field(default_factory=Thresholds)
    consent_version: str = "2026-11"
    default_locale: str = DEFAULT_LOCALE
    time_zone: str = "Europe/Prague"
    max_message_chars: int = 2000
