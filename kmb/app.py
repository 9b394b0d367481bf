"""Wiring: the database, the dialogue engine and the channels, built from the settings."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiogram import Bot, Dispatcher

from bot.dialogue.catalogue import Catalogue
from bot.dialogue.config import StaffAlerts
from bot.dialogue.engine import Engine, EngineConfig
from bot.dialogue.reminders import ReminderSender
from bot.dialogue.retention import RetentionJob
from bot.telegram.delivery import TelegramDelivery
from bot.telegram.inbound import CHANNEL as TELEGRAM
from bot.web.sessions import CHANNEL as WEB
from intake.contact_point import ContactPointDirectory, load_contact_points
from intake.db import Database
from kmb.database import migrate
from kmb.live_catalogue import CatalogueRefresher, import_catalogue_files
from kmb.live_points import PointsRefresher
from kmb.scheduler import TimedJob, start_scheduler, stop_scheduler
from kmb.settings import Settings


def engine_config(settings: Settings) -> EngineConfig:
    staff_alerts = None
    if settings.telegram_token and settings.telegram_staff_chat_id:
        staff_alerts = StaffAlerts(
            channel=TELEGRAM,
            chat_id=settings.telegram_staff_chat_id,
            urgencies=frozenset(
                {"emergency", "high"} if settings.staff_alert_high else {"emergency"}
            ),
            case_url=settings.staff_case_url,
            locale=settings.default_locale,
        )
    points = load_contact_points(settings.contact_points_file)
    point = points.main
    return EngineConfig(
        contact_point=point,
        catalogue=Catalogue((), point, settings.triage),  # filled from the database
        contact_points=ContactPointDirectory(points),  # with staff's changes (live_points)
        max_future_appointments=settings.max_future_appointments,
        reminder_hours=tuple(settings.reminder_hours),
        thresholds=settings.triage,
        consent_version=settings.consent_version,
        default_locale=settings.default_locale,
        time_zone=settings.time_zone,
        max_message_chars=settings.max_message_chars,
        # Always: a process without the token (a `kmb worker` set up without it) still
        # queues Telegram messages for the processes that have it, instead of storing
        # them as delivered.
        outbox_channels=frozenset({TELEGRAM}),
        fetch_channels=frozenset({WEB}),
        flood_limit_per_minute=settings.flood_limit_per_minute,
        staff_alerts=staff_alerts,
    )


def create_bot(settings: Settings) -> Bot:
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    assert settings.telegram_token is not None
    # A request that hangs gives up well within the outbox's 60 s claim on a message,
    # so another worker does not take over a message that is still being sent.
    timeout = 20
    session = (
        AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base), timeout=timeout)
        if settings.telegram_api_base
        else AiohttpSession(timeout=timeout)
    )
    return Bot(settings.telegram_token.get_secret_value(), session=session)


@dataclass
class Telegram:
    bot: Bot
    dispatcher: Dispatcher
    delivery: TelegramDelivery


@dataclass
class Runtime:
    settings: Settings
    db: Database
    engine: Engine
    telegram: Telegram | None
    catalogue: CatalogueRefresher
    points: PointsRefresher


async def start(settings: Settings) -> tuple[Database, Engine, CatalogueRefresher, PointsRefresher]:
    """Open the database (migrating it and importing the catalogue files when the
    settings say so), load the published catalogue and build the engine."""
    config = engine_config(settings)
    db = Database(settings.database_url)
    if settings.migrate_on_start:
        await migrate(db)
    if settings.kb_import_on_start:
        await import_catalogue_files(db)
    assert config.catalogue is not None
    refresher = CatalogueRefresher(db, config.catalogue, every_seconds=settings.kb_refresh_seconds)
    await refresher.refresh()
    assert isinstance(config.contact_points, ContactPointDirectory)
    points = PointsRefresher(
        db,
        config.contact_points.current,
        config.contact_points,
        config.catalogue,
        every_seconds=settings.kb_refresh_seconds,
    )
    await points.refresh()
    return db, Engine(db, config), refresher, points


def timed_jobs(settings: Settings, db: Database, engine: Engine) -> list[tuple[TimedJob, float]]:
    """The scheduler's work, each with how often it runs (seconds)."""
    retention = RetentionJob(
        db,
        closed_days=settings.retention_closed_days,
        unregistered_days=settings.retention_unregistered_days,
    )
    return [
        (ReminderSender(db, engine.config), settings.reminder_check_seconds),
        (retention, settings.retention_check_seconds),
    ]


@contextlib.asynccontextmanager
async def running(settings: Settings, *, scheduler: bool = False) -> AsyncIterator[Runtime]:
    """Everything a long-running command needs; closed in reverse order on exit.
    ``scheduler`` also runs the timed work (appointment reminders) in this process."""
    from bot.telegram.router import build_router

    db, engine, catalogue, points = await start(settings)
    telegram = None
    refreshing = [asyncio.create_task(catalogue.run()), asyncio.create_task(points.run())]
    jobs = timed_jobs(settings, db, engine) if scheduler else []
    timed = start_scheduler(settings.database_url, jobs) if jobs else None
    try:
        if settings.telegram_token:
            bot = create_bot(settings)
            delivery = TelegramDelivery(bot, db)
            dispatcher = Dispatcher()
            dispatcher.include_router(build_router(engine, notify=delivery.notify))
            telegram = Telegram(bot, dispatcher, delivery)
        yield Runtime(settings, db, engine, telegram, catalogue, points)
    finally:
        for task in refreshing:
            task.cancel()
        if timed is not None:
            await stop_scheduler(timed, [job for job, _ in jobs])
        if telegram is not None:
            await telegram.bot.session.close()
        await db.dispose()
