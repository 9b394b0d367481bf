"""The retention period: personal data is not kept longer than the contact point needs it.

A timed job (``kmb/scheduler.py``) erases

- every person whose cases are all closed, the last one longer ago than
  ``KMB_RETENTION_CLOSED_DAYS`` — as if they had asked to be forgotten: their chats
  are forgotten and their cases kept only as anonymous statistics;
- every conversation that no case came from and has been silent for
  ``KMB_RETENTION_UNREGISTERED_DAYS`` — the answers, the transcript, the messages
  sent to it and the chat identifier itself (whether or not the person consented,
  and after a /delete too).

Several processes may run it at once: on PostgreSQL each run takes the rows no other
run holds (``SKIP LOCKED``), and erasing twice changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogue.models import Conversation
from bot.dialogue.privacy import (
    delete_personal_data,
    erase_person_everywhere,
    forget_conversation,
)
from intake.db import Database
from intake.models import Case, Person

logger = logging.getLogger(__name__)
JOB_ID = "retention"


@dataclass(frozen=True, slots=True)
class Erased:
    people: int = 0
    conversations: int = 0


class RetentionJob:
    job_id = JOB_ID

    def __init__(
        self,
        db: Database,
        *,
        closed_days: int,
        unregistered_days: int,
        batch: int = 200,
        batches_per_run: int = 25,
    ) -> None:
        self.db = db
        self.closed = timedelta(days=closed_days)
        self.unregistered = timedelta(days=unregistered_days)
        self.batch = batch
        self.batches_per_run = batches_per_run

    async def run(self, now: datetime) -> Erased:
        """Erase what is due, a batch per transaction, until nothing is left or the
        run has done its share (a backlog after a long pause is taken up over the
        next runs instead of one run holding the database for long)."""
        people = conversations = 0
        for _ in range(self.batches_per_run):
            async with self.db.transaction() as session:
                erased = await self._erase_people(session, now)
                forgotten = await self._forget_conversations(session, now)
            people += erased
            conversations += forgotten
            if erased < self.batch and forgotten < self.batch:
                break
        if people or conversations:
            logger.info(
                "retention: %d people erased, %d silent conversations forgotten",
                people,
                conversations,
            )
        return Erased(people, conversations)

    def _locked(self, session: AsyncSession, query: object) -> object:
        if session.bind.dialect.name == "postgresql":
            return query.with_for_update(skip_locked=True)  # type: ignore[attr-defined]
        return query

    async def _erase_people(self, session: AsyncSession, now: datetime) -> int:
        done = (
            select(Case.person_id)
            .where(Case.person_id.is_not(None))
            .group_by(Case.person_id)
            .having(
                func.count(Case.closed_at) == func.count(),  # every case closed
                func.max(Case.closed_at) < now - self.closed,
            )
        )
        query = select(Person.id).where(Person.id.in_(done)).order_by(Person.id)
        ids = list(await session.scalars(self._locked(session, query.limit(self.batch))))
        for person_id in ids:
            await erase_person_everywhere(session, person_id, now=now)
        return len(ids)

    async def _forget_conversations(self, session: AsyncSession, now: datetime) -> int:
        """Silent conversations without a case of their own: forgotten whole, or — when
        an earlier person's case came from the chat (/restart) and still reaches them
        there — only the abandoned intake of whoever started again is emptied."""
        some_case_came_from_it = (
            select(Case.id)
            .where(Case.channel == Conversation.channel, Case.chat_id == Conversation.chat_id)
            .exists()
        )
        silent = (
            select(Conversation)
            .where(
                Conversation.case_id.is_(None),
                Conversation.updated_at < now - self.unregistered,
            )
            .order_by(Conversation.id)
            .limit(self.batch)
        )
        forgotten = list(
            await session.scalars(self._locked(session, silent.where(~some_case_came_from_it)))
        )
        for conversation in forgotten:
            await forget_conversation(session, conversation, now=now)
        abandoned = list(
            await session.scalars(
                self._locked(
                    session,
                    silent.where(some_case_came_from_it, Conversation.consent_at.is_not(None)),
                )
            )
        )
        for conversation in abandoned:
            await delete_personal_data(session, conversation, now=now)
        return len(forgotten) + len(abandoned)
