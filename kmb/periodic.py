"""Running a refresh every so often in a long-running process."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


async def every(seconds: float, refresh: Callable[[], Awaitable[object]], what: str) -> None:
    """Call ``refresh`` every ``seconds`` until cancelled; a failure is logged (by its
    kind only — never its message, which may quote data) and the next run tries again."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await refresh()
        except Exception as error:  # the database may be down for a moment
            logger.error("%s failed: %s", what, type(error).__name__)
