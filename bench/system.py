"""Whole-system benchmark: the product as a city runs it, under a mixed load.

`kmb serve --workers N` (real processes) and one `kmb worker` on a fresh PostgreSQL
database, with a local Bot API server standing in for Telegram. For a fixed time, at
the same moment:

- widget people go through whole intakes (session, 19 answers), one after another;
- Telegram people send the same intake as webhook updates (the worker delivers the
  replies through the outbox to the local Bot API server);
- caseworkers read the case queue and case details;
- caseworkers book appointments for registered cases (calendar, then booking).

Printed per kind: requests, throughput, p50 / p99; per process: CPU seconds and the
share of one core, resident memory. In the same run, the same number of web workers
of a bare FastAPI app (one endpoint that parses the JSON and answers) takes the same
widget load: the ratio to it is what to compare between machines.

    python bench/system.py --postgres postgresql://postgres@127.0.0.1:PORT \
        [--web-workers 1,2] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import latency_figures, postgres_database  # noqa: E402
from bench.engine import SCRIPT  # noqa: E402
from bench.telegram import free_port, update  # noqa: E402
from tests.e2e.bot_api import BotApiServer  # noqa: E402

TOKEN, SECRET = "123456:BENCH-token", "bench-secret"
PASSWORD = "benchmark password 1"
WIDGET_PEOPLE, TELEGRAM_PEOPLE, STAFF, BOOKERS = 24, 12, 4, 2


def environment(database_url: str, api_base: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "KMB_DATABASE_URL": database_url,
        "KMB_CONTACT_POINTS_FILE": str(ROOT / "config/contact-points.toml"),
        "KMB_TELEGRAM_TOKEN": TOKEN,
        "KMB_TELEGRAM_API_BASE": api_base,
        "KMB_TELEGRAM_WEBHOOK_URL": "https://kmb.example/telegram/webhook",
        "KMB_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "KMB_SCHEDULER_IN_WEB": "false",
        "KMB_FLOOD_LIMIT_PER_MINUTE": "100000",
        "KMB_WIDGET_RATE_PER_ADDRESS": "10000000/minute",
        "KMB_WIDGET_SESSIONS_PER_ADDRESS": "10000000/minute",
        "KMB_WIDGET_RATE_PER_SESSION": "10000000/minute",
        "KMB_MAX_FUTURE_APPOINTMENTS": "1",
        "KMB_LOG_LEVEL": "WARNING",
    }


async def started(*command: str, env: dict[str, str], port: int) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(*command, env=env, cwd=ROOT)
    async with aiohttp.ClientSession() as client:
        for _ in range(600):
            if process.returncode is not None:
                raise SystemExit(f"{command} did not start")
            try:
                async with client.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return process
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"{command} did not answer")


@contextlib.asynccontextmanager
async def running(*command: str, env: dict[str, str], port: int | None) -> AsyncIterator[int]:
    if port is None:
        process = await asyncio.create_subprocess_exec(*command, env=env, cwd=ROOT)
        await asyncio.sleep(3)
    else:
        process = await started(*command, env=env, port=port)
    try:
        yield process.pid
    finally:
        process.terminate()
        await process.wait()


class Usage:
    """CPU time and memory of processes and their children over the measured window."""

    def __init__(self, roots: dict[str, int]) -> None:
        self.processes: dict[str, psutil.Process] = {}
        for name, pid in roots.items():
            root = psutil.Process(pid)
            children = root.children(recursive=True)
            self.processes[name] = root
            for number, child in enumerate(children, 1):
                self.processes[f"{name} #{number}"] = child
        self.start = {name: self._cpu(p) for name, p in self.processes.items()}
        self.began = time.perf_counter()

    @staticmethod
    def _cpu(process: psutil.Process) -> float:
        times = process.cpu_times()
        return times.user + times.system

    def report(self) -> list[str]:
        wall = time.perf_counter() - self.began
        lines = []
        for name, process in self.processes.items():
            cpu = self._cpu(process) - self.start[name]
            rss = process.memory_info().rss / 2**20
            lines.append(
                f"  {name:<26} CPU {cpu:6.1f} s ({cpu / wall:4.0%} of a core)  RSS {rss:5.0f} MB"
            )
        return lines


def postgres_cpu(port: int) -> float:
    """CPU seconds of the PostgreSQL server on ``port`` so far: the postmaster, its live
    backends and the ones that have ended (connections come and go)."""
    for process in psutil.process_iter(["cmdline"]):
        if f"-p {port}" in " ".join(process.info["cmdline"] or []):
            own = process.cpu_times()
            live = sum(c.cpu_times().user + c.cpu_times().system for c in process.children())
            return own.user + own.system + own.children_user + own.children_system + live
    return 0.0


class Load:
    def __init__(self, base: str, seconds: float) -> None:
        self.base = base
        self.until = time.monotonic() + seconds
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.outcomes: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.references: list[str] = []
        self.booked: set[str] = set()

    async def timed(self, kind: str, call: object) -> tuple[int, object]:
        began = time.perf_counter()
        async with call as response:  # type: ignore[attr-defined]
            body = await response.json(content_type=None) if response.status != 204 else None
            status = response.status
        self.latencies[kind].append(time.perf_counter() - began)
        self.outcomes[kind][status] += 1
        return status, body

    async def widget_person(self, client: aiohttp.ClientSession, number: int, bare: bool) -> None:
        round_ = 0
        while time.monotonic() < self.until:
            round_ += 1
            headers, cursor = {}, 0
            if not bare:
                _, body = await self.timed(
                    "widget", client.post("/widget/api/sessions", json={"locale": "cs"})
                )
                headers = {"Authorization": f"Bearer {body['token']}"}
                cursor = body["cursor"]
            for index, (kind, value) in enumerate(SCRIPT[1:]):
                message = {"id": f"w{number}-{round_}-{index}", kind: value, "after": cursor}
                path = "/bench/bare" if bare else "/widget/api/messages"
                _, body = await self.timed(
                    "bare" if bare else "widget", client.post(path, json=message, headers=headers)
                )
                cursor = body.get("cursor") or cursor
                if time.monotonic() >= self.until:
                    return

    async def telegram_person(self, client: aiohttp.ClientSession, number: int) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        round_ = 0
        while time.monotonic() < self.until:
            round_ += 1
            user = 1_000_000 + number * 1000 + round_
            for kind, value in SCRIPT:
                await self.timed(
                    "telegram",
                    client.post(
                        "/telegram/webhook", json=update(user, kind, value), headers=headers
                    ),
                )
                if time.monotonic() >= self.until:
                    return

    async def caseworker(self, client: aiohttp.ClientSession, headers: dict) -> None:
        while time.monotonic() < self.until:
            _, page = await self.timed(
                "staff reads", client.get("/admin/api/cases", headers=headers)
            )
            for item in page["items"][:3]:
                self.references.append(item["reference"])
                await self.timed(
                    "staff reads",
                    client.get(f"/admin/api/cases/{item['reference']}", headers=headers),
                )

    async def booker(self, client: aiohttp.ClientSession, headers: dict) -> None:
        booked = self.booked
        while time.monotonic() < self.until:
            free = [r for r in self.references if r not in booked]
            if not free:
                await asyncio.sleep(0.2)
                continue
            reference = free[0]
            booked.add(reference)
            _, days = await self.timed(
                "bookings",
                client.get("/admin/api/points/centrum/calendar?days=14", headers=headers),
            )
            slot = next((s["starts_at"] for d in days for s in d["slots"] if s["free_seats"]), None)
            if slot is None:
                return
            await self.timed(
                "bookings",
                client.post(
                    "/admin/api/points/centrum/appointments",
                    json={"case_reference": reference, "starts_at": slot},
                    headers=headers,
                ),
            )

    def print(self, wall: float) -> dict[str, dict[str, float]]:
        results = {}
        for kind, latencies in self.latencies.items():
            figures = latency_figures(list(latencies), wall)
            statuses = ", ".join(f"{s}×{n}" for s, n in sorted(self.outcomes[kind].items()))
            print(
                f"  {kind:<12} {len(latencies):6d} requests {figures['per_second']:7.0f} /s"
                f"   p50 {figures['p50_ms']:6.1f} ms   p99 {figures['p99_ms']:7.1f} ms"
                f"   ({statuses})"
            )
            results[kind] = figures
        return results


async def staff_headers(client: aiohttp.ClientSession) -> dict[str, str]:
    async with client.post(
        "/admin/api/auth/token", data={"username": "bench", "password": PASSWORD}
    ) as response:
        token = (await response.json())["access_token"]
    return {"Authorization": f"Bearer {token}"}


async def create_staff(env: dict[str, str]) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "kmb.cli",
        "staff",
        "create",
        "bench",
        "--role",
        "caseworker",
        env=env,
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
    )
    await process.communicate(f"{PASSWORD}\n".encode())


async def measure(dsn: str, web_workers: int, seconds: float, api: BotApiServer) -> None:
    async with postgres_database(dsn) as url:
        env = environment(url, api.base)
        migrate = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "kmb.cli",
            "migrate",
            env=env,
            cwd=ROOT,
            stdout=asyncio.subprocess.DEVNULL,
        )
        await migrate.wait()
        await create_staff(env)
        env["KMB_MIGRATE_ON_START"] = "false"
        port, bare_port = free_port(), free_port()
        serve = [
            sys.executable,
            "-m",
            "kmb.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(web_workers),
        ]
        bare = [sys.executable, str(ROOT / "bench/bare.py"), str(bare_port), str(web_workers)]
        print(f"\n{web_workers} web worker(s), 1 background worker, PostgreSQL, {seconds:.0f} s")
        async with running(*bare, env=env, port=bare_port) as bare_pid:
            load = Load(f"http://127.0.0.1:{bare_port}", seconds)
            connector = aiohttp.TCPConnector(limit=WIDGET_PEOPLE)
            async with aiohttp.ClientSession(load.base, connector=connector) as client:
                began = time.perf_counter()
                await asyncio.gather(
                    *(load.widget_person(client, n, bare=True) for n in range(WIDGET_PEOPLE))
                )
                ceiling = load.print(time.perf_counter() - began)["bare"]
        del bare_pid
        async with (
            running(*serve, env=env, port=port) as web_pid,
            running(sys.executable, "-m", "kmb.cli", "worker", env=env, port=None) as worker_pid,
        ):
            api.calls.clear()
            load = Load(f"http://127.0.0.1:{port}", seconds)
            usage = Usage({"kmb serve": web_pid, "kmb worker": worker_pid})
            pg_port = int(dsn.rsplit(":", 1)[1])
            pg_cpu = postgres_cpu(pg_port)
            connector = aiohttp.TCPConnector(limit=100)
            async with aiohttp.ClientSession(load.base, connector=connector) as client:
                headers = await staff_headers(client)
                began = time.perf_counter()
                await asyncio.gather(
                    *(load.widget_person(client, n, bare=False) for n in range(WIDGET_PEOPLE)),
                    *(load.telegram_person(client, n) for n in range(TELEGRAM_PEOPLE)),
                    *(load.caseworker(client, headers) for _ in range(STAFF)),
                    *(load.booker(client, headers) for _ in range(BOOKERS)),
                )
                wall = time.perf_counter() - began
            results = load.print(wall)
            print(
                f"  widget / bare FastAPI (same workers, same people) = "
                f"{results['widget']['per_second'] / ceiling['per_second']:.2f} throughput"
            )
            print(
                f"  Telegram replies delivered by the worker: {len(api.sent(method='sendMessage'))}"
            )
            print("\n".join(usage.report()))
            pg_now = postgres_cpu(pg_port)
            pg_share = (pg_now - pg_cpu) / wall
            print(
                f"  {'PostgreSQL (all processes)':<26} CPU {pg_now - pg_cpu:6.1f} s "
                f"({pg_share:4.0%} of a core)"
            )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("KMB_TEST_POSTGRES_DSN"))
    parser.add_argument("--web-workers", default="1,2")
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    if not args.postgres:
        parser.error("--postgres postgresql://user@host:port is needed")
    print(f"machine: {psutil.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.0f} GB")
    api = BotApiServer(token=TOKEN)
    await api.start()
    try:
        for workers in (int(n) for n in args.web_workers.split(",")):
            await measure(args.postgres, workers, args.seconds, api)
    finally:
        await api.stop()


if __name__ == "__main__":
    asyncio.run(main())
