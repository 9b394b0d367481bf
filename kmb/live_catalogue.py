"""Keeping each process's catalogue in step with the published entries in the database."""

from __future__ import annotations

import asyncio
import logging

from bot.dialogue.catalogue import Catalogue
from intake.db import Database, utcnow
from kmb.periodic import every
from knowledge_base.content import CATALOGUE, ContentError
from knowledge_base.search import Index
from knowledge_base.store import import_files, published_entries, revision

logger = logging.getLogger(__name__)


async def import_catalogue_files(db: Database) -> None:
    """Import the shipped files that changed; a broken file leaves the catalogue as it was."""
    try:
        async with db.transaction() as session:
            report = await import_files(session, now=utcnow(), folder=CATALOGUE)
    except ContentError as error:
        logger.error("catalogue files not imported, the live catalogue is unchanged: %s", error)
        return
    if report.published or report.drafts:
        logger.warning(
            "catalogue files imported: %d published, %d drafts to review",
            len(report.published),
            len(report.drafts),
        )


class CatalogueRefresher:
    """Rebuilds the search index when the published catalogue changes (in any process)."""

    def __init__(self, db: Database, catalogue: Catalogue, *, every_seconds: float) -> None:
        self.db = db
        self.catalogue = catalogue
        self.every_seconds = every_seconds
        self._seen: tuple[object, ...] | None = None

    async def refresh(self) -> bool:
        """Rebuild the index if something was published since the last look."""
        async with self.db.reading() as session:
            current = await revision(session)
            if current == self._seen:
                return False
            entries = await published_entries(session)
        # Lemmatizing every entry takes a while: keep the event loop free meanwhile.
        self.catalogue.replace(await asyncio.to_thread(Index, entries))
        self._seen = current
        return True

    async def run(self) -> None:
        await every(self.every_seconds, self.refresh, "catalogue refresh")
