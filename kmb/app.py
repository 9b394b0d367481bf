"""Wiring: the database and the dialogue engine, built from the settings."""

from __future__ import annotations

from bot.dialogue.engine import Engine, EngineConfig
from intake.contact_point import load_contact_point
from intake.db import Database
from kmb.database import migrate
from kmb.settings import Settings


def engine_config(settings: Settings) -> EngineConfig:
    return EngineConfig(
        contact_point=load_contact_point(settings.contact_point_file),
        thresholds=settings.triage,
        consent_version=settings.consent_version,
        default_locale=settings.default_locale,
        time_zone=settings.time_zone,
        max_message_chars=settings.max_message_chars,
    )


async def start(settings: Settings) -> tuple[Database, Engine]:
    """Open the database (migrating it when the settings say so) and build the engine."""
    config = engine_config(settings)
    db = Database(settings.database_url)
    if settings.migrate_on_start:
        await migrate(db)
    return db, Engine(db, config)
