"""Database plumbing shared by every package: the declarative base and the session factory.

The edge of each request or inbound message opens exactly one transaction with
:meth:`Database.transaction`; services only ``flush()``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, and_, event, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.expression import Executable
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp on every database (SQLite stores it naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


JSONDocument = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


# A stretch of time, as (from, until); None: without a bound on that side.
Window = tuple[datetime | None, datetime | None]


def within(column: Any, window: Window) -> Any:
    """The condition that a timestamp column falls in ``window`` (from ≤ t < until)."""
    since, until = window
    return and_(
        column >= since if since is not None else true(),
        column < until if until is not None else true(),
    )


def insert_unless_present(
    session: AsyncSession, model: type[Base], keys: list[str], **values: Any
) -> Executable:
    """``INSERT … ON CONFLICT (keys) DO NOTHING``: creates the row unless another
    transaction just did, without failing on the unique key (PostgreSQL, SQLite)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(model).values(**values).on_conflict_do_nothing(index_elements=keys)


READ_ONLY = "kmb_read_only"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and ``BEGIN IMMEDIATE`` for writers.

    pysqlite's own transaction handling is switched off so that every
    transaction takes the write lock up front: two processes then queue for
    the lock instead of failing half-way with "database is locked".
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")  # a reader: WAL lets it run beside the writer
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """One engine and one session factory for the whole process."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.sqlite = is_sqlite(url)
        if self.sqlite:
            database = make_url(url).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
        # hide_parameters: SQL errors and logs never quote the values people typed.
        common: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if self.sqlite:
            # One writer connection behind an in-process queue, so a write never waits
            # for a connection that readers hold; readers get a pool of their own. Every
            # transaction ends explicitly, so the pool's ROLLBACK on return is skipped
            # (it would be one more trip to aiosqlite's thread).
            common.update(pool_reset_on_return=None)
            self.engine = create_async_engine(url, pool_size=1, max_overflow=0, **common)
            reader = create_async_engine(url, pool_size=5, max_overflow=15, **common)
            configure_sqlite(self.engine.sync_engine)
            configure_sqlite(reader.sync_engine)
            self._reader_engine: AsyncEngine | None = reader
        else:
            self.engine = create_async_engine(
                url, pool_size=10, max_overflow=10, pool_pre_ping=True, **common
            )
            self._reader_engine = None
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._readers = async_sessionmaker(
            (self._reader_engine or self.engine).execution_options(**{READ_ONLY: True}),
            expire_on_commit=False,
        )
        # SQLite has one writer: queue this process's transactions here rather
        # than letting them contend for the file lock.
        self._writer = asyncio.Lock() if self.sqlite else None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """Open a session in a transaction; commit on success, roll back on error."""
        if self._writer is None:
            async with self.sessions() as session, session.begin():
                yield session
            return
        async with self.sessions() as session, self._writer, session.begin():
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A transaction that only reads: on SQLite it does not queue for the writer."""
        async with self._readers() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._reader_engine is not None:
            await self._reader_engine.dispose()
