"""Upgrading a database that already holds cases keeps every row: on SQLite the
migrations that rebuild a table (0014, 0017 rebuild ``intake_case``) must not let
foreign keys delete or unlink what refers to it."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from intake.db import Database
from kmb.database import alembic_config, migrate, schema_changes

ROWS = """
INSERT INTO person (id, display_name, locale, consent_version, consent_at, created_at)
  VALUES (1, 'Jana', 'cs', '2026-11', '2026-11-01', '2026-11-01');
INSERT INTO intake_case (id, reference, person_id, answers, result, urgency,
  needs_immediate_attention, status, channel, chat_id, locale, created_at)
  VALUES (1, 'KMB-2026-000001', 1, '{}', '{}', 'high', 0, 'new', 'web', 'c1', 'cs',
  '2026-11-01');
INSERT INTO case_program (case_id, program) VALUES (1, 'housing_first');
INSERT INTO conversation (id, channel, chat_id, locale, step, answers, history, editing,
  case_id, created_at, updated_at, window_count)
  VALUES (1, 'web', 'c1', 'cs', 'done', '{}', '[]', 0, 1, '2026-11-01', '2026-11-01', 0);
"""


def _upgrade_to(connection: Connection, revision: str) -> None:
    with schema_changes(connection):
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


async def test_upgrading_sqlite_keeps_what_refers_to_rebuilt_tables(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        async with db.engine.connect() as connection:
            await connection.run_sync(_upgrade_to, "0013")
        async with db.engine.begin() as connection:
            for statement in ROWS.split(";"):
                if statement.strip():
                    await connection.execute(text(statement))

        await migrate(db)  # 0014 … head, two of them rebuilding intake_case

        async with db.engine.connect() as connection:
            programs = (
                await connection.execute(text("SELECT count(*) FROM case_program"))
            ).scalar()
            linked = (await connection.execute(text("SELECT case_id FROM conversation"))).scalar()
            rank = (await connection.execute(text("SELECT queue_rank FROM intake_case"))).scalar()
            enforced = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()
        assert (programs, linked) == (1, 1)
        assert rank == 11  # nobody asked for a person (10) + high urgency (1)
        assert enforced == 1  # and the connection enforces foreign keys again
    finally:
        await db.dispose()
