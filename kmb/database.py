"""Every table of the product, and bringing the schema up to date (Alembic)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection

import admin_api.accounts
import admin_api.audit
import appointments.models
import appointments.point_schedules
import appointments.reminders
import bot.dialogue.models
import bot.web.sessions
import intake.casework
import intake.consent
import intake.models
import intake.outbox
import knowledge_base.questions
import knowledge_base.store
from intake.db import Base, Database

# The model modules register their tables on Base.metadata when imported.
assert bot.dialogue.models and bot.web.sessions and intake.models and intake.outbox
assert knowledge_base.questions and knowledge_base.store and appointments.models
assert appointments.reminders and admin_api.accounts and intake.casework
assert admin_api.audit and intake.consent and appointments.point_schedules

MIGRATIONS = Path(__file__).parent / "migrations"
metadata: MetaData = Base.metadata

# Any constant: serialises concurrent `migrate` runs on PostgreSQL.
_MIGRATION_LOCK_ID = 7_411_202_611


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@contextlib.contextmanager
def schema_changes(connection: Connection) -> Iterator[None]:
    """One transaction for migrations. On SQLite, foreign keys are off while it runs:
    a migration that rebuilds a table (Alembic's batch mode: copy, drop, rename)
    would otherwise, on the drop, delete or unlink every row that refers to the old
    table. The pragma only works outside a transaction; before committing, SQLite
    checks that every reference still points somewhere."""
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _pragma(connection, "foreign_keys=OFF")
    try:
        with connection.begin():
            yield
            if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                raise RuntimeError("the migration left references to missing rows")
    finally:
        if sqlite:
            _pragma(connection, "foreign_keys=ON")


def _pragma(connection: Connection, pragma: str) -> None:
    """A pragma through the driver, so that SQLAlchemy does not open a transaction."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"PRAGMA {pragma}")
    finally:
        cursor.close()


def _upgrade(connection: Connection) -> None:
    with schema_changes(connection):
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID}
            )
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


async def migrate(db: Database) -> None:
    """Upgrade the schema to the newest revision; a no-op when it is current."""
    async with db.engine.connect() as connection:
        await connection.run_sync(_upgrade)


def _is_current(connection: Connection) -> bool:
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    return set(MigrationContext.configure(connection).get_current_heads()) == heads


async def schema_is_current(db: Database) -> bool:
    async with db.engine.connect() as connection:
        return await connection.run_sync(_is_current)
