"""Which database errors mean "away, try again in a moment" (503) and which are a
fault in our own query (500) — made with real SQLite and PostgreSQL errors."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from intake.db import Database
from intake.db_errors import database_away


async def error_of(db: Database, *statements: str) -> BaseException:
    with pytest.raises(Exception) as caught:
        async with db.engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    return caught.value


async def test_a_query_of_ours_that_is_wrong_is_a_fault(db: Database) -> None:
    missing = await error_of(db, "SELECT * FROM no_such_table")
    assert isinstance(missing, DBAPIError) and not database_away(missing)
    duplicate = await error_of(
        db,
        "CREATE TEMPORARY TABLE t (id INTEGER PRIMARY KEY)",
        "INSERT INTO t VALUES (1)",
        "INSERT INTO t VALUES (1)",
    )
    assert not database_away(duplicate)


async def test_sqlite_that_cannot_write_is_away(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        async with db.engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER)"))
        read_only = await error_of(db, "PRAGMA query_only = 1", "INSERT INTO t VALUES (1)")
        assert isinstance(read_only, DBAPIError) and database_away(read_only)
    finally:
        await db.dispose()


async def test_postgresql_statement_timeout_is_a_fault_not_an_outage(db: Database) -> None:
    if db.sqlite:
        pytest.skip("PostgreSQL only")
    slow = await error_of(db, "SET LOCAL statement_timeout = 10", "SELECT pg_sleep(1)")
    assert getattr(slow, "orig", None) is not None and not database_away(slow)


async def test_postgresql_that_does_not_answer_or_drops_us_is_away(db: Database) -> None:
    if db.sqlite:
        pytest.skip("PostgreSQL only")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = db.engine.url.set(port=port).render_as_string(hide_password=False)
    nowhere = Database(url)
    try:
        refused = await error_of(nowhere, "SELECT 1")
    finally:
        await nowhere.dispose()
    assert database_away(refused), repr(refused)

    async with db.engine.connect() as victim:
        pid = (await victim.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        async with db.engine.begin() as killer:
            await killer.execute(text(f"SELECT pg_terminate_backend({pid})"))
        with pytest.raises(DBAPIError) as dropped:
            await victim.execute(text("SELECT 1"))
    assert database_away(dropped.value)


async def test_a_timeout_of_ours_is_not_the_database() -> None:
    with pytest.raises(TimeoutError) as timed_out:
        async with asyncio.timeout(0.01):
            await asyncio.sleep(1)
    assert not database_away(timed_out.value)


def test_a_file_of_ours_that_is_missing_is_not_the_database() -> None:
    with pytest.raises(OSError) as unreadable:
        Path("/nonexistent/file").read_text()
    assert not database_away(unreadable.value)


async def test_a_deadlock_lost_to_another_transaction_is_worth_retrying(db: Database) -> None:
    if db.sqlite:
        pytest.skip("PostgreSQL only")
    async with db.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE lock_pair (id int primary key)"))
        await connection.execute(text("INSERT INTO lock_pair VALUES (1), (2)"))
    started = asyncio.Barrier(2)

    async def take(first: int, second: int) -> None:
        async with db.engine.begin() as connection:
            await connection.execute(text(f"SELECT 1 FROM lock_pair WHERE id={first} FOR UPDATE"))
            await started.wait()
            await connection.execute(text(f"SELECT 1 FROM lock_pair WHERE id={second} FOR UPDATE"))

    outcomes = await asyncio.gather(take(1, 2), take(2, 1), return_exceptions=True)
    [lost] = [o for o in outcomes if isinstance(o, BaseException)]
    assert getattr(lost, "orig", None) is not None and database_away(lost)
