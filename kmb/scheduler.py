"""Timed background work with APScheduler: the appointment reminders.

The job is kept in a persistent job store in the product's own database (table
``apscheduler_jobs``), so a restarted process picks its schedule up again. Several
processes may run the scheduler at once (web workers and ``kmb worker``): APScheduler
does not coordinate them, and it does not have to — every run *claims* the due
reminders in the database (see ``appointments/reminders.py``), so each is sent once.
A run that was missed while the process was down runs once when it is back
(coalesced, no grace limit), and sends what is still useful.

On SQLite let one process run the scheduler (``kmb worker``, or the web process with
``KMB_SCHEDULER_IN_WEB``): more are still safe — no reminder goes out twice — but they
contend for the file's single write lock and runs can be delayed. Several scheduler
processes are what PostgreSQL is for (tested with two ``kmb worker`` processes).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url

from bot.dialogue.reminders import ReminderSender
from intake.db import utcnow

logger = logging.getLogger(__name__)
JOB_ID = "appointment-reminders"

# A stored job names its function by reference and cannot carry live objects: the
# function finds the senders of this process, and the event loop each runs on, here.
_senders: list[tuple[ReminderSender, asyncio.AbstractEventLoop]] = []
RUN_LIMIT_SECONDS = 120


def send_reminders() -> None:
    """Runs in the scheduler's thread; the work itself runs on the application's loop."""
    for sender, loop in list(_senders):
        try:
            asyncio.run_coroutine_threadsafe(sender.send_due(utcnow()), loop).result(
                RUN_LIMIT_SECONDS
            )
        except Exception as error:  # the database may be away for a moment
            logger.error("sending reminders failed: %s", type(error).__name__)


def sync_url(url: str) -> str:
    """The job store's (synchronous) URL of the same database."""
    parsed = make_url(url)
    driver = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}[parsed.get_backend_name()]
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def _sqlite_job_store_connection(dbapi_connection: Any, _record: Any) -> None:
    """WAL and a long busy timeout, with pysqlite's own transactions: reads take no
    lock, and the few writes are single statements that queue for it."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def start_scheduler(
    database_url: str, sender: ReminderSender, *, every_seconds: float
) -> BackgroundScheduler:
    """The scheduler runs in a thread of its own, so that its job store — synchronous
    database calls — never holds up the event loop (on SQLite the loop's own writer
    could be holding the lock the job store waits for)."""
    engine = create_engine(sync_url(database_url), pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_job_store_connection)
    store = SQLAlchemyJobStore(engine=engine)
    scheduler = BackgroundScheduler(
        jobstores={"default": store},
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=UTC,
    )
    _senders.append((sender, asyncio.get_running_loop()))
    scheduler.start()
    scheduler.add_job(
        "kmb.scheduler:send_reminders",
        "interval",
        seconds=every_seconds,
        id=JOB_ID,
        replace_existing=True,
        next_run_time=utcnow(),
    )
    return scheduler


async def stop_scheduler(scheduler: BackgroundScheduler, sender: ReminderSender) -> None:
    """No new runs; a run under way finishes (on this loop, which keeps turning)."""
    scheduler.pause()
    await asyncio.to_thread(scheduler.shutdown, True)
    _senders[:] = [(s, loop) for s, loop in _senders if s is not sender]
