"""The backup of docs/deploy.md, restored: scripts/backup.sh dumps a database with
cases in it, pg_restore puts the dump into a new database, and the product reads the
same cases there, with its schema current."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.dialogue.engine import Engine
from intake.db import Database
from intake.models import Case
from kmb.database import schema_is_current
from tests.bot.test_intake_conversations import EXAMPLES, walk_through
from tests.chat import Chat
from tests.conftest import _admin, asyncpg_url

ROOT = Path(__file__).parents[2]


async def run(*command: object, env: dict[str, str]) -> str:
    process = await asyncio.create_subprocess_exec(
        *map(str, command), env=env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    assert process.returncode == 0, command
    return out.decode()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_backup_restores_into_a_working_database(
    engine: Engine, db: Database, database_url: str, tmp_path: Path
) -> None:
    for example in (0, 2, 5):
        chat = Chat(engine)
        await walk_through(chat, EXAMPLES[example]["answers"])
        await chat.press("nav:confirm")
    url = make_url(database_url)
    server = f"postgresql://{url.username}@{url.host}:{url.port}"
    env = {**os.environ, "PGHOST": str(url.host), "PGPORT": str(url.port)}
    env["PGUSER"] = str(url.username)
    written = await run(ROOT / "scripts/backup.sh", url.database, tmp_path / "backups", 14, env=env)
    dump = Path(written.strip())
    assert dump.suffix == ".dump" and oct(dump.stat().st_mode)[-3:] == "600"  # noqa: ASYNC240

    restored = f"{url.database}_restored"
    await _admin(f"CREATE DATABASE {restored}")
    copy = Database(asyncpg_url(server, restored))
    try:
        await run("pg_restore", "--no-owner", "-d", restored, dump, env=env)
        assert await schema_is_current(copy)
        references = select(Case.reference).order_by(Case.id)
        async with copy.reading() as session, db.reading() as original:
            found = list(await session.scalars(references))
            assert found == list(await original.scalars(references)) and len(found) == 3
    finally:
        await copy.dispose()
        await _admin(f"DROP DATABASE IF EXISTS {restored} WITH (FORCE)")
