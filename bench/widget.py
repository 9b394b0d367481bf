"""Widget benchmark: concurrent sessions over real HTTP against `kmb serve`.

Each simulated person starts a session and sends the 19 answers of an intake
(`POST /widget/api/messages`, waiting for each answer before the next). In the
same run and the same server process, the same number of requests to a bare
FastAPI endpoint (`POST /bench/bare`) gives the ceiling, and to an endpoint that
only stores the body (`POST /bench/store`: one INSERT + COMMIT) the floor of
anything that keeps each message before answering.

    python bench/widget.py [--sessions 100] [--postgres postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import latency_figures, postgres_database  # noqa: E402
from bench.engine import SCRIPT  # noqa: E402
from bench.telegram import free_port, wait_for_server  # noqa: E402
from tests.e2e.bot_api import BotApiServer  # noqa: E402

STEPS = SCRIPT[1:]  # the session start replaces "/start"


def figures(name: str, latencies: list[float], wall: float) -> dict[str, float]:
    result = latency_figures(latencies, wall)
    print(
        f"  {name:<28} {result['per_second']:8.0f} /s   p50 {result['p50_ms']:7.1f} ms"
        f"   p99 {result['p99_ms']:7.1f} ms"
    )
    return result


ENDPOINTS = {
    "bare": ("/bench/bare", "bare FastAPI endpoint"),
    "store": ("/bench/store", "store-only endpoint"),
    "widget": ("/widget/api/messages", "widget message"),
}


async def load(base: str, sessions: int, kind: str) -> dict[str, float]:
    latencies: list[float] = []
    path, name = ENDPOINTS[kind]
    connector = aiohttp.TCPConnector(limit=sessions)
    async with aiohttp.ClientSession(base_url=base, connector=connector) as client:

        async def person(number: int) -> None:
            headers = {}
            cursor = 0
            if kind == "widget":
                async with client.post("/widget/api/sessions", json={"locale": "cs"}) as r:
                    started = await r.json()
                headers = {"Authorization": f"Bearer {started['token']}"}
                cursor = started["cursor"]
            for index, (field, value) in enumerate(STEPS):
                body = {"id": f"b{number}-{index}", field: value, "after": cursor}
                began = time.perf_counter()
                async with client.post(path, json=body, headers=headers) as response:
                    response.raise_for_status()
                    answer = await response.json()
                latencies.append(time.perf_counter() - began)
                cursor = answer["cursor"] or cursor

        began = time.perf_counter()
        await asyncio.gather(*(person(n) for n in range(sessions)))
        wall = time.perf_counter() - began
    return figures(name, latencies, wall)


async def measure(label: str, database_url: str, sessions: int, api: BotApiServer) -> None:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bench/server.py"),
        "kmb",
        str(port),
        api.base,
        database_url,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        await wait_for_server(port, process)
        base = f"http://127.0.0.1:{port}"
        print(f"{label}: {sessions} concurrent sessions × {len(STEPS)} messages")
        ceiling = await load(base, sessions, "bare")
        floor = await load(base, sessions, "store")
        widget = await load(base, sessions, "widget")
        ratio = widget["per_second"] / ceiling["per_second"]
        print(
            f"  widget / ceiling = {ratio:.2f} (target ≥ 0.5), "
            f"p99 {widget['p99_ms']:.0f} ms (target < 100 ms)\n"
            f"  store-only / ceiling = {floor['per_second'] / ceiling['per_second']:.2f}, "
            f"widget / store-only = {widget['per_second'] / floor['per_second']:.2f}"
        )
    finally:
        process.terminate()
        await process.wait()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--postgres", help="also run on this PostgreSQL server DSN")
    args = parser.parse_args()
    api = BotApiServer(token="123456:BENCH-token")
    await api.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            await measure(
                "SQLite", f"sqlite+aiosqlite:///{folder}/bench.sqlite3", args.sessions, api
            )
        if args.postgres:
            async with postgres_database(args.postgres) as url:
                await measure("PostgreSQL", url, args.sessions, api)
    finally:
        await api.stop()


if __name__ == "__main__":
    asyncio.run(main())
