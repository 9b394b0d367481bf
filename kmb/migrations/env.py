"""Alembic environment: run with a connection handed in by ``kmb migrate``, or on its
own (``alembic -c kmb/migrations/alembic.ini revision --autogenerate``) against
``KMB_DATABASE_URL``."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from kmb.database import metadata, schema_changes

# APScheduler keeps its job store in a table of its own making (kmb/scheduler.py).
NOT_OURS = {"apscheduler_jobs"}


def _ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    return not (type_ == "table" and name in NOT_OURS)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        include_object=_ours,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_standalone() -> None:
    from intake.db import Database
    from kmb.settings import Settings

    db = Database(Settings().database_url)
    async with db.engine.connect() as connection:
        await connection.run_sync(_run_with_schema_changes)
    await db.dispose()


def _run_with_schema_changes(connection: Connection) -> None:
    with schema_changes(connection):
        _run(connection)


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_run_standalone())
