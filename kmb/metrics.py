"""Prometheus metrics at ``/metrics``.

What the service did is read from the database at each scrape, so every web worker
answers with the same totals however many run (messages by channel, registrations by
urgency, conversations left unfinished by step, questions answered and not, the outbox
backlog and its age, the reminders' lag). Request latency is measured in each process;
with several workers set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory so that
any worker reports all of them (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import REGISTRY, CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appointments import reminders
from bot.dialogue.models import Conversation, Message
from intake import outbox
from intake.models import Case
from knowledge_base.questions import AnsweredQuestion, UnansweredQuestion

REQUEST_SECONDS = Histogram(
    "kmb_http_request_duration_seconds",
    "HTTP request latency by route template",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
# A conversation without a case, silent this long, counts as abandoned at its step.
ABANDONED_AFTER = timedelta(hours=24)


@dataclass
class Snapshot:
    """The figures read from the database for one scrape."""

    messages: dict[tuple[str, str], int] = field(default_factory=dict)
    registrations: dict[tuple[str, str], int] = field(default_factory=dict)
    abandoned: dict[str, int] = field(default_factory=dict)
    questions: dict[str, int] = field(default_factory=dict)
    backlog: dict[str, tuple[int, float]] = field(default_factory=dict)
    reminder_lag: float = 0.0


async def snapshot(session: AsyncSession, now: datetime) -> Snapshot:
    figures = Snapshot()
    figures.messages = {
        (channel, direction): n
        for channel, direction, n in await session.execute(
            select(Conversation.channel, Message.direction, func.count())
            .join(Conversation, Conversation.id == Message.conversation_id)
            .group_by(Conversation.channel, Message.direction)
        )
    }
    figures.registrations = {
        (channel, urgency): n
        for channel, urgency, n in await session.execute(
            select(Case.channel, Case.urgency, func.count()).group_by(Case.channel, Case.urgency)
        )
    }
    figures.abandoned = dict(
        (
            await session.execute(
                select(Conversation.step, func.count())
                .where(
                    Conversation.case_id.is_(None),
                    Conversation.consent_at.is_not(None),
                    Conversation.updated_at < now - ABANDONED_AFTER,
                )
                .group_by(Conversation.step)
            )
        ).all()
    )
    figures.questions = {
        "yes": await session.scalar(select(func.count()).select_from(AnsweredQuestion)) or 0,
        "no": await session.scalar(select(func.count()).select_from(UnansweredQuestion)) or 0,
    }
    for channel, count, oldest in await session.execute(
        select(
            outbox.OutboxMessage.channel, func.count(), func.min(outbox.OutboxMessage.created_at)
        )
        .where(outbox.OutboxMessage.status.in_((outbox.PENDING, outbox.SENDING)))
        .group_by(outbox.OutboxMessage.channel)
    ):
        figures.backlog[channel] = (count, max(0.0, (now - oldest).total_seconds()))
    due = await session.scalar(
        select(func.min(reminders.AppointmentReminder.due_at)).where(
            reminders.AppointmentReminder.status == reminders.PENDING,
            reminders.AppointmentReminder.due_at <= now,
        )
    )
    figures.reminder_lag = (now - due).total_seconds() if due else 0.0
    return figures


def _family(
    family: type[CounterMetricFamily] | type[GaugeMetricFamily],
    name: str,
    documentation: str,
    labels: list[str],
    values: dict[Any, float],
) -> Metric:
    """A labelled metric with one sample per key of ``values`` (a key is a label value,
    or a tuple of them)."""
    metric = family(name, documentation, labels=labels)
    for key, value in sorted(values.items()):
        metric.add_metric(list(key) if isinstance(key, tuple) else [key], value)
    return metric


class _SnapshotCollector:
    def __init__(self, figures: Snapshot) -> None:
        self.figures = figures

    def collect(self) -> Iterator[Metric]:
        f = self.figures
        counter, gauge = CounterMetricFamily, GaugeMetricFamily
        yield _family(
            gauge,  # ending a widget session or the retention period removes messages
            "kmb_messages_stored",
            "Messages currently stored, by channel and direction",
            ["channel", "direction"],
            f.messages,
        )
        yield _family(
            counter,
            "kmb_conversations_completed",
            "Conversations that ended in a registered case, by channel and urgency",
            ["channel", "urgency"],
            f.registrations,
        )
        yield _family(
            gauge,
            "kmb_conversations_abandoned",
            "Consented conversations silent for a day without a case, by the step left at",
            ["step"],
            f.abandoned,
        )
        yield _family(
            counter,
            "kmb_questions",
            "Free questions asked, by whether the catalogue answered",
            ["answered"],
            f.questions,
        )
        yield _family(
            gauge,
            "kmb_outbox_backlog",
            "Messages waiting in the outbox",
            ["channel"],
            {channel: count for channel, (count, _) in f.backlog.items()},
        )
        yield _family(
            gauge,
            "kmb_outbox_oldest_age_seconds",
            "Age of the oldest waiting message",
            ["channel"],
            {channel: oldest for channel, (_, oldest) in f.backlog.items()},
        )
        yield gauge(
            "kmb_reminder_lag_seconds",
            "How late the most overdue unsent reminder is",
            value=f.reminder_lag,
        )


def render(figures: Snapshot) -> bytes:
    """The text exposition: this scrape's database figures and the latency histograms."""
    registry = CollectorRegistry()
    registry.register(_SnapshotCollector(figures))
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(registry) + generate_latest(REGISTRY)
