"""The one settings object: ``KMB_*`` environment variables, ``.env`` supported."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from intake.triage import Thresholds

Locale = Literal["cs", "en", "uk"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KMB_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
    )

    database_url: str = Field(
        "sqlite+aiosqlite:///var/kmb.sqlite3",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///PATH or "
        "postgresql+asyncpg://USER:PASSWORD@HOST/DB",
    )
    default_locale: Locale = "cs"
    time_zone: str = "Europe/Prague"
    contact_point_file: Path = Field(
        Path("config/contact-point.toml"),
        description="The contact point's name, address, phone, e-mail and opening hours",
    )
    migrate_on_start: bool = Field(
        True, description="Bring the database schema up to date when a command starts"
    )
    triage: Thresholds = Field(
        default_factory=Thresholds,
        description="Triage thresholds, e.g. KMB_TRIAGE__AFFORDABLE_COST_RATIO=0.4",
    )
    consent_version: str = Field(
        "2026-11", description="Version of the privacy notice people agree to"
    )
    max_message_chars: int = Field(
        2000, ge=100, description="Longer inbound messages are refused politely"
    )
