"""A timed job that runs over its limit is stopped, not left running beside the next."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from kmb import scheduler


class Stuck:
    job_id = "stuck"

    def __init__(self) -> None:
        self.cancelled = asyncio.Event()

    async def run(self, now: datetime) -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            self.cancelled.set()
            raise


async def test_a_job_over_its_limit_is_cancelled(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    job = Stuck()
    monkeypatch.setattr(scheduler, "RUN_LIMIT_SECONDS", 0.2)
    monkeypatch.setattr(scheduler, "_jobs", [(job, asyncio.get_running_loop())])
    # The scheduler calls run_job from its own thread.
    await asyncio.to_thread(scheduler.run_job, "stuck")
    await asyncio.wait_for(job.cancelled.wait(), 5)
    assert "stuck took over" in caplog.text
