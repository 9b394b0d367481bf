"""Telegram webhook benchmark: updates per second through `kmb serve`'s endpoint.

Both servers run under uvicorn in their own process and answer through a local
Bot API server (in this process): first a bare aiogram Dispatcher that echoes
each message; the same echo bot storing each update first (one INSERT + COMMIT:
the floor of any bot that must not lose or double an update); then the product,
where every update is a step of a real intake and the replies go out through
the outbox. Same number of users and updates.

    python bench/telegram.py [--users 200]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import latency_figures, postgres_database  # noqa: E402
from bench.engine import SCRIPT  # noqa: E402
from bench.server import SECRET, TOKEN  # noqa: E402
from tests.e2e.bot_api import BotApiServer  # noqa: E402

ids = itertools.count(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def update(user: int, kind: str, value: str) -> dict:
    sender = {"id": user, "is_bot": False, "first_name": "B", "language_code": "cs"}
    chat = {"id": user, "type": "private"}
    if kind == "text":
        return {
            "update_id": next(ids),
            "message": {
                "message_id": next(ids),
                "date": 0,
                "chat": chat,
                "from": sender,
                "text": value,
            },
        }
    return {
        "update_id": next(ids),
        "callback_query": {
            "id": str(next(ids)),
            "from": sender,
            "chat_instance": "b",
            "data": value,
            "message": {"message_id": next(ids), "date": 0, "chat": chat, "text": "q"},
        },
    }


async def wait_for_server(port: int, process: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as client:
        for _ in range(300):
            if process.returncode is not None:
                raise SystemExit("the server did not start")
            try:
                async with client.post(f"http://127.0.0.1:{port}/telegram/webhook"):
                    return
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
    raise SystemExit("the server did not answer")


async def drained(api: BotApiServer, expected: int) -> None:
    """Wait (at most two minutes) until the Bot API server got every reply."""
    deadline = time.monotonic() + 120
    while len(api.sent(method="sendMessage")) < expected and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)


async def run(mode: str, users: int, api: BotApiServer, extra: list[str]) -> dict[str, float]:
    port = free_port()
    profile = os.environ.get("KMB_BENCH_PROFILE")  # a file: profile the server with cProfile
    wrapper = ["-m", "cProfile", "-o", f"{profile}.{mode}"] if profile else []
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *wrapper,
        str(ROOT / "bench/server.py"),
        mode,
        str(port),
        api.base,
        *extra,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        await wait_for_server(port, process)
        api.calls.clear()
        latencies: list[float] = []
        url = f"http://127.0.0.1:{port}/telegram/webhook"
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        connector = aiohttp.TCPConnector(limit=users)
        async with aiohttp.ClientSession(connector=connector) as client:

            async def person(number: int) -> None:
                for kind, value in SCRIPT:
                    body = update(100_000 + number, "text" if mode != "kmb" else kind, value)
                    started = time.perf_counter()
                    async with client.post(url, json=body, headers=headers) as response:
                        response.raise_for_status()
                    latencies.append(time.perf_counter() - started)

            started = time.perf_counter()
            await asyncio.gather(*(person(n) for n in range(users)))
            wall = time.perf_counter() - started
            await drained(api, users * len(SCRIPT))
            delivered_wall = time.perf_counter() - started
    finally:
        process.terminate()
        await process.wait()
    figures = {
        **latency_figures(latencies, wall),
        "replies": len(api.sent(method="sendMessage")),
        "delivered_per_second": len(latencies) / delivered_wall,
    }
    print(
        f"  {mode:<11} {figures['per_second']:8.0f} updates/s   "
        f"p50 {figures['p50_ms']:7.1f} ms   p99 {figures['p99_ms']:7.1f} ms   "
        f"{figures['replies']} replies sent ({figures['delivered_per_second']:.0f}/s "
        f"until the last one)"
    )
    return figures


@contextlib.asynccontextmanager
async def database_url(postgres_dsn: str | None) -> AsyncIterator[str]:
    """A fresh SQLite file, or a fresh database on the PostgreSQL server."""
    if postgres_dsn:
        async with postgres_database(postgres_dsn) as url:
            yield url
        return
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite+aiosqlite:///{folder}/bench.sqlite3"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--postgres", help="also run the product on this PostgreSQL server DSN")
    args = parser.parse_args()
    api = BotApiServer(token=TOKEN)
    await api.start()
    print(f"{args.users} users × {len(SCRIPT)} updates through POST /telegram/webhook")
    try:
        echo = await run("echo", args.users, api, [])
        databases = [("SQLite", None)] + ([("PostgreSQL", args.postgres)] if args.postgres else [])
        for label, dsn in databases:
            async with database_url(dsn) as url:
                stored = await run("stored-echo", args.users, api, [url])
                product = await run("kmb", args.users, api, [url])
            echo_rate, stored_rate = echo["per_second"], stored["per_second"]
            print(
                f"  {label}: kmb / echo = {product['per_second'] / echo_rate:.2f} "
                f"(target ≥ 0.5); echo that stores each update / echo = "
                f"{stored_rate / echo_rate:.2f}; kmb / storing echo = "
                f"{product['per_second'] / stored_rate:.2f}"
            )
    finally:
        await api.stop()


if __name__ == "__main__":
    asyncio.run(main())
