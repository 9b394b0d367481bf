"""PostgreSQL restarted under traffic: while it is away every request is answered at
once with 503 and Retry-After (no 500, no hanging), and when it is back `kmb serve`
recovers by itself — without a restart of its own.

The test stops and starts the cluster the test script started (KMB_PG_DIR), so it
runs only under scripts/test.sh (or with those variables set)."""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter

import httpx
import pytest

from tests.served import UNLIMITED, Served, kmb_serve

PG_DIR, PG_BIN = os.environ.get("KMB_PG_DIR"), os.environ.get("KMB_PG_BIN")
pytestmark = pytest.mark.skipif(
    not (PG_DIR and PG_BIN) and os.environ.get("KMB_TEST_REQUIRE_POSTGRES") != "1",
    reason="needs the test script's PostgreSQL cluster (KMB_PG_DIR, KMB_PG_BIN)",
)
DOWN_SECONDS = 3


async def pg_ctl(*args: str) -> None:
    command = [f"{PG_BIN}/pg_ctl", "-D", f"{PG_DIR}/data", "-w", *args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    assert await process.wait() == 0, args


async def conversation(client: httpx.AsyncClient) -> int:
    """One widget conversation's first two requests; the status of the one that failed."""
    started = await client.post("/widget/api/sessions", json={"locale": "cs"})
    if started.status_code != 201:
        return started.status_code
    body = started.json()
    answered = await client.post(
        "/widget/api/messages",
        headers={"Authorization": f"Bearer {body['token']}"},
        json={"id": "m1", "payload": "lang:cs", "after": body["cursor"]},
    )
    return answered.status_code


@pytest.fixture(scope="module")
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    with kmb_serve(
        request,
        tmp_path_factory,
        "postgresql",
        **UNLIMITED,
    ) as served:
        yield served


async def test_requests_fail_fast_with_503_then_the_service_recovers(served: Served) -> None:
    statuses: Counter[int] = Counter()
    slowest = 0.0
    stop = asyncio.Event()

    async def traffic(client: httpx.AsyncClient) -> None:
        nonlocal slowest
        while not stop.is_set():
            began = time.monotonic()
            try:
                status = await conversation(client)
            except httpx.HTTPError:
                status = 0  # no answer at all: a failure of its own
            slowest = max(slowest, time.monotonic() - began)
            statuses[status] += 1
            if status == 503:
                await asyncio.sleep(0.05)

    limits = httpx.Limits(max_connections=8)
    async with httpx.AsyncClient(base_url=served.base, timeout=10, limits=limits) as client:
        assert await conversation(client) == 200
        workers = [asyncio.create_task(traffic(client)) for _ in range(4)]
        await asyncio.sleep(1)
        await pg_ctl("stop", "-m", "fast")
        await asyncio.sleep(0.5)
        down = await client.get("/readyz")
        refused = await client.post("/widget/api/sessions", json={"locale": "cs"})
        await asyncio.sleep(DOWN_SECONDS)
        await pg_ctl(
            "start",
            "-l",
            f"{PG_DIR}/log",
            "-o",
            f"-c listen_addresses=127.0.0.1 -p {os.environ['KMB_PG_PORT']} -k {PG_DIR}"
            " -c fsync=off -c max_connections=300",
        )
        deadline = time.monotonic() + 30
        while (await client.get("/readyz")).status_code != 200:
            assert time.monotonic() < deadline, "the service did not recover"
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)
        stop.set()
        await asyncio.gather(*workers)
        after = await conversation(client)

    assert (down.status_code, down.headers.get("retry-after")) == (503, "5")
    assert refused.status_code == 503 and refused.headers["retry-after"] == "5"
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert statuses[503] > 0 and statuses[200] > 0
    assert set(statuses) <= {200, 503}, statuses  # never a 500, never no answer
    assert slowest < 5, slowest  # failing fast, not hanging
    assert after == 200
