"""Keeping each process's contact points in step with staff's changes of hours and
closures (stored in the database, see ``appointments/point_schedules.py``)."""

from __future__ import annotations

from appointments import point_schedules
from bot.dialogue.catalogue import Catalogue
from intake.contact_point import ContactPointDirectory, ContactPoints
from intake.db import Database
from kmb.periodic import every


class PointsRefresher:
    def __init__(
        self,
        db: Database,
        configured: ContactPoints,
        directory: ContactPointDirectory,
        catalogue: Catalogue,
        *,
        every_seconds: float,
    ) -> None:
        self.db = db
        self.configured = configured
        self.directory = directory
        self.catalogue = catalogue
        self.every_seconds = every_seconds
        self._seen: tuple[object, ...] | None = None

    async def refresh(self) -> bool:
        """Lay the stored changes over the file's points, if they changed since the last look."""
        async with self.db.reading() as session:
            current = await point_schedules.revision(session)
            if current == self._seen:
                return False
            points = await point_schedules.effective(session, self.configured)
        self.directory.replace(points)
        self.catalogue.point = points.main  # the catalogue quotes the main point's hours
        self._seen = current
        return True

    async def run(self) -> None:
        await every(self.every_seconds, self.refresh, "contact points refresh")
