"""The one settings object: ``KMB_*`` environment variables, ``.env`` supported."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from intake.triage import Thresholds

Locale = Literal["cs", "en", "uk"]


DEVELOPMENT_SECRET = "development-only-secret-change-me-0000"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KMB_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
    )

    environment: Literal["development", "production"] = Field(
        "development", description="production refuses the development defaults of secrets"
    )
    database_url: str = Field(
        "sqlite+aiosqlite:///var/kmb.sqlite3",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///PATH or "
        "postgresql+asyncpg://USER:PASSWORD@HOST/DB",
    )
    default_locale: Locale = Field("cs", description="Language of the first message: cs, en or uk")
    time_zone: str = Field("Europe/Prague", description="Local time of the contact points")
    contact_points_file: Path = Field(
        Path("config/contact-points.toml"),
        description="The city's contact points: contacts, hours, appointment slots, closures",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="INFO logs one line per request; never personal data"
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="json: one JSON object per line, for a log collector"
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

    max_future_appointments: int = Field(
        1, ge=1, le=10, description="Future appointments one person may hold at a time"
    )

    reminder_hours: list[int] = Field(
        [24, 2], description="Hours before an appointment to remind the person, e.g. [24,2]"
    )
    reminder_check_seconds: float = Field(
        30, gt=0, description="How often the scheduler looks for due reminders"
    )
    scheduler_in_web: bool = Field(
        True, description="Run the scheduler (reminders, retention) in kmb serve and kmb bot too"
    )
    retention_closed_days: int = Field(
        1095,
        ge=30,
        description="Erase a person this many days after their last case was closed "
        "(their cases stay as anonymous statistics)",
    )
    retention_unregistered_days: int = Field(
        30,
        ge=1,
        description="Empty a conversation that never became a case after this many silent days",
    )
    retention_check_seconds: float = Field(
        3600, gt=0, description="How often the scheduler looks for data past its retention"
    )

    # Admin API
    admin_jwt_secret: SecretStr = Field(
        SecretStr(DEVELOPMENT_SECRET), description="Signs staff access tokens (32+ characters)"
    )
    admin_access_minutes: int = Field(15, ge=1, le=120, description="Access token lifetime")
    admin_refresh_days: int = Field(14, ge=1, le=90, description="Refresh token lifetime")
    admin_max_failed_logins: int = Field(5, ge=2, description="Failures before a lockout")
    admin_lock_minutes: int = Field(15, ge=1, description="How long a locked account waits")
    admin_failed_login_delay: float = Field(
        0.5, ge=0, le=5, description="Seconds a failed login waits, per failure so far"
    )

    # Solution catalogue
    kb_import_on_start: bool = Field(
        True, description="Import the catalogue files that changed when a command starts"
    )
    kb_refresh_seconds: float = Field(
        30, gt=0, description="How often a process looks for newly published catalogue entries"
    )
    kb_review_max_age_days: int = Field(
        365, ge=0, description="Entries whose facts were checked longer ago are listed to review"
    )

    flood_limit_per_minute: int = Field(
        40, ge=1, description="Messages a minute per chat before the assistant asks to slow down"
    )

    # Telegram
    telegram_token: SecretStr | None = Field(
        None, description="Bot token from @BotFather; without it the bot is off"
    )
    telegram_api_base: str | None = Field(
        None, description="Another Bot API server, e.g. a self-hosted telegram-bot-api"
    )
    telegram_webhook_url: str | None = Field(
        None, description="Public HTTPS URL of POST /telegram/webhook; `kmb serve` registers it"
    )
    telegram_webhook_secret: SecretStr | None = Field(
        None, description="X-Telegram-Bot-Api-Secret-Token (default: derived from the token)"
    )
    telegram_staff_chat_id: str | None = Field(
        None, description="Chat that receives alerts about urgent cases"
    )
    staff_alert_high: bool = Field(
        False, description="Alert the staff chat about urgency `high` too, not only emergencies"
    )
    staff_case_url: str = Field(
        "http://127.0.0.1:8000/admin/api/cases/{reference}",
        description="Where staff open a case; {reference} is replaced",
    )

    @model_validator(mode="after")
    def _no_development_secrets_in_production(self) -> Settings:
        secret = self.admin_jwt_secret.get_secret_value()
        if self.environment == "production" and (secret == DEVELOPMENT_SECRET or len(secret) < 32):
            raise ValueError(
                "KMB_ADMIN_JWT_SECRET must be set to a random value of 32+ characters "
                "in production (e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return self

    def webhook_secret(self) -> str:
        """The configured secret, or one derived from the token (stable across restarts)."""
        if self.telegram_webhook_secret is not None:
            return self.telegram_webhook_secret.get_secret_value()
        token = self.telegram_token.get_secret_value() if self.telegram_token else ""
        return hashlib.sha256(f"kmb-telegram-webhook:{token}".encode()).hexdigest()[:48]

    # Web chat widget
    widget_allowed_origins: str = Field(
        "",
        description="Comma-separated origins of the city's sites that embed the widget "
        "from another host (CORS); the demo page needs none",
    )
    widget_session_idle_minutes: int = Field(
        120, ge=1, description="A widget conversation idle this long ends"
    )
    widget_max_body_bytes: int = Field(16_384, ge=1024, description="Largest widget request")
    widget_rate_per_address: str = Field("300/minute", description="Requests per IP address")
    widget_sessions_per_address: str = Field(
        "30 per 10 minutes", description="New conversations per IP address"
    )
    widget_rate_per_session: str = Field("60/minute", description="Messages per conversation")
    widget_exit_url: str = Field(
        "https://www.seznam.cz/", description="Neutral page that Quick exit opens"
    )

    def widget_origins(self) -> list[str]:
        return [o.strip() for o in self.widget_allowed_origins.split(",") if o.strip()]
