"""Shared fixtures: a fresh, migrated database per test on SQLite and on PostgreSQL.

PostgreSQL runs when ``KMB_TEST_POSTGRES_DSN`` names a server (the test script
starts a throwaway one); ``KMB_TEST_REQUIRE_POSTGRES=1`` turns its absence
into a failure instead of a skip.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.dialogue.catalogue import Catalogue
from bot.dialogue.engine import Engine, EngineConfig
from intake.contact_point import load_contact_points
from intake.db import Database
from intake.triage import Thresholds
from kmb.database import migrate
from knowledge_base.content import load as load_catalogue
from tests.chat import Chat

DATA = Path(__file__).parent / "data"
PG_DSN = os.environ.get("KMB_TEST_POSTGRES_DSN")
TEMPLATE = "kmb_test_template"
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def asyncpg_url(dsn: str, database: str) -> str:
    base = dsn.rstrip("/").replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{database}"


async def _admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(f"{PG_DSN}/postgres")
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def pg_template() -> str:
    """A migrated PostgreSQL database that each test copies (CREATE DATABASE … TEMPLATE)."""
    if not PG_DSN:
        if os.environ.get("KMB_TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail("KMB_TEST_POSTGRES_DSN is not set but PostgreSQL is required")
        pytest.skip("no PostgreSQL server (set KMB_TEST_POSTGRES_DSN)")

    async def build() -> None:
        await _admin(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
        await _admin(f"CREATE DATABASE {TEMPLATE}")
        db = Database(asyncpg_url(PG_DSN, TEMPLATE))
        await migrate(db)
        await db.dispose()

    asyncio.run(build())
    return TEMPLATE


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Every test using the database runs on SQLite and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'kmb.sqlite3'}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"kmb_t_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f"CREATE DATABASE {name} TEMPLATE {template}"))
    yield asyncpg_url(PG_DSN or "", name)
    asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A migrated database (the PostgreSQL template is migrated already)."""
    database = Database(database_url)
    if database.sqlite:
        await migrate(database)
    yield database
    await database.dispose()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    point = load_contact_points(DATA / "contact-points.toml").main
    return Catalogue(load_catalogue(), point, Thresholds())


@pytest.fixture
def config(catalogue: Catalogue) -> EngineConfig:
    # The tests' clock stands still, so every message falls in the same minute.
    return EngineConfig(
        contact_point=load_contact_points(DATA / "contact-points.toml").main,
        contact_points=load_contact_points(DATA / "contact-points.toml"),
        flood_limit_per_minute=1000,
        catalogue=catalogue,
    )


@pytest.fixture
def engine(db: Database, config: EngineConfig) -> Engine:
    return Engine(db, config, clock=lambda: NOW)


@pytest.fixture
def chat(engine: Engine) -> Chat:
    return Chat(engine)
