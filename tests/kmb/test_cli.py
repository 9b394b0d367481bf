"""The ``kmb`` command: migrations and the terminal chat."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect

from intake.db import Database
from kmb.database import schema_is_current

ROOT = Path(__file__).parents[2]


def kmb(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kmb.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        cwd=ROOT,
    )


async def tables(url: str) -> set[str]:
    db = Database(url)
    try:
        async with db.engine.connect() as connection:
            names = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert await schema_is_current(db)
        return names
    finally:
        await db.dispose()


def test_migrate_is_idempotent(database_url: str) -> None:
    env = {"KMB_DATABASE_URL": database_url}
    for _ in range(2):
        done = kmb("migrate", env=env)
        assert done.returncode == 0, done.stderr
        assert "up to date" in done.stdout
    assert {
        "conversation",
        "conversation_message",
        "person",
        "intake_case",
        "alembic_version",
    } <= asyncio.run(tables(database_url))


def test_a_fresh_sqlite_database_is_created_under_its_folder(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'kmb.sqlite3'}"
    assert kmb("migrate", env={"KMB_DATABASE_URL": url}).returncode == 0
    assert (tmp_path / "var" / "kmb.sqlite3").exists()


def test_terminal_chat_walks_through_the_intake(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'chat.sqlite3'}"
    lines = [
        "English",  # language
        "No",  # in danger
        "I agree",
        "In my own or a rented flat or house",
        "1",  # "I have a home and it is fine" (numbered buttons)
        "Yes, a safe place",
        "1",
        "0",
        "None of these",
        "19 000",
        "5 000",
        "No",  # behind with payments
        "No debt",
        "No",  # notice to leave
        "Yes",
        "Yes",
        "Poruba",
        "Jana",
        "/skip",
        "Yes, send it",
    ]
    done = kmb("chat", "--lang", "en", env={"KMB_DATABASE_URL": url}, stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    assert "Hello, I am the assistant" in done.stdout
    assert "Question 1 of" in done.stdout
    assert "Your case number is KMB-2026-000001." in done.stdout
    assert "Information and advice about housing." in done.stdout


def test_a_missing_contact_points_file_is_a_clear_error(tmp_path: Path) -> None:
    done = kmb(
        "chat",
        env={
            "KMB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}",
            "KMB_CONTACT_POINTS_FILE": str(tmp_path / "nope.toml"),
        },
        stdin="",
    )
    assert done.returncode == 2
    assert "contact points file not found" in done.stderr
