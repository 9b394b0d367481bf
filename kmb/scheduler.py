"""Timed background work with APScheduler: appointment reminders and the retention period.

The jobs are kept in a persistent job store in the product's own database (table
``apscheduler_jobs``), so a restarted process picks its schedule up again. Several
processes may run the scheduler at once (web workers and ``kmb worker``): APScheduler
does not coordinate them, and it does not have to — every run *claims* its rows in
the database (see ``appointments/reminders.py`` and ``bot/dialogue/retention.py``),
so each reminder is sent once and each erasure happens once.
A run that was missed while the process was down runs once when it is back
(coalesced, no grace limit), and does what is still useful.

On SQLite let one process run the scheduler (``kmb worker``, or the web process with
``KMB_SCHEDULER_IN_WEB``): more are still safe — no reminder goes out twice — but they
contend for the file's single write lock and runs can be delayed. Several scheduler
processes are what PostgreSQL is for (tested with two ``kmb worker`` processes).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url

from intake.db import utcnow

logger = logging.getLogger(__name__)


class TimedJob(Protocol):
    """Work the scheduler runs every so often, on the application's event loop."""

    job_id: str

    async def run(self, now: datetime) -> object: ...


# A stored job names its function by reference and cannot carry live objects: the
# function finds the jobs of this process, and the event loop each runs on, here.
_jobs: list[tuple[TimedJob, asyncio.AbstractEventLoop]] = []
RUN_LIMIT_SECONDS = 120


def run_job(job_id: str) -> None:
    """Runs in the scheduler's thread; the work itself runs on the application's loop."""
    for job, loop in list(_jobs):
        if job.job_id != job_id:
            continue
        running = asyncio.run_coroutine_threadsafe(job.run(utcnow()), loop)
        try:
            running.result(RUN_LIMIT_SECONDS)
        except concurrent.futures.TimeoutError:
            # Stop it rather than let it run on beside the next run; its transaction
            # rolls back, and the next run takes the work up again.
            running.cancel()
            logger.error("timed job %s took over %d s and was stopped", job_id, RUN_LIMIT_SECONDS)
        except Exception as error:  # the database may be away for a moment
            logger.error("timed job %s failed: %s", job_id, type(error).__name__)


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
    database_url: str, jobs: Sequence[tuple[TimedJob, float]]
) -> BackgroundScheduler:
    """Run each job every so many seconds. The scheduler runs in a thread of its own,
    so that its job store — synchronous database calls — never holds up the event
    loop (on SQLite the loop's own writer could be holding the lock the store waits for)."""
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
    loop = asyncio.get_running_loop()
    _jobs.extend((job, loop) for job, _ in jobs)
    scheduler.start()
    for job, every_seconds in jobs:
        scheduler.add_job(
            "kmb.scheduler:run_job",
            "interval",
            args=[job.job_id],
            seconds=every_seconds,
            id=job.job_id,
            replace_existing=True,
            next_run_time=utcnow(),
        )
    return scheduler


async def stop_scheduler(scheduler: BackgroundScheduler, jobs: Sequence[TimedJob]) -> None:
    """No new runs; a run under way finishes (on this loop, which keeps turning)."""
    scheduler.pause()
    await asyncio.to_thread(scheduler.shutdown, True)
    _jobs[:] = [(j, loop) for j, loop in _jobs if all(j is not mine for mine in jobs)]
