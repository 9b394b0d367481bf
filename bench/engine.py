"""Engine benchmark: 1 000 concurrent simulated intake conversations.

Prints messages per second and the median and p99 time per message on SQLite
and (with --postgres DSN) on PostgreSQL, next to the floor measured in the same
run: a bare one-row INSERT + COMMIT through the same session factory, at the
same concurrency. The figure that matters is the ratio engine / floor.

    python bench/engine.py [--conversations 1000] [--postgres postgresql://…]
    bench/run.sh           # starts a throwaway PostgreSQL and runs both
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import latency_figures, postgres_database  # noqa: E402
from bot.dialogue.engine import Engine, EngineConfig  # noqa: E402
from bot.dialogue.types import Inbound  # noqa: E402
from intake.contact_point import load_contact_points  # noqa: E402
from intake.db import Database  # noqa: E402
from kmb.database import migrate  # noqa: E402

# One intake as a person answers it: 21 messages from /start to the confirmation.
SCRIPT: list[tuple[str, str]] = [
    ("text", "/start"),
    ("payload", "lang:cs"),
    ("payload", "ans:immediate_danger:no"),
    ("payload", "ans:consent:agree"),
    ("payload", "ans:housing_group:shelter"),
    ("payload", "ans:situation:commercial_hostel"),
    ("payload", "ans:sleeping_place_tonight:safe"),
    ("text", "2"),
    ("text", "jedno"),
    ("payload", "ans:vulnerabilities:none"),
    ("text", "21 000 Kč"),
    ("text", "14 tisíc"),
    ("payload", "ans:rent_arrears:no"),
    ("payload", "ans:debt_to_city_czk:zero"),
    ("payload", "ans:eviction_notice:no"),
    ("payload", "ans:has_valid_id:yes"),
    ("payload", "ans:willing_to_cooperate:yes"),
    ("text", "Poruba"),
    ("text", "Jana"),
    ("payload", "nav:skip"),
    ("payload", "nav:confirm"),
]

floor_table = Table(
    "bench_floor", MetaData(), Column("id", Integer, primary_key=True), Column("note", String(40))
)


def summary(name: str, latencies: list[float], wall: float) -> dict[str, float]:
    figures = latency_figures(latencies, wall)
    print(
        f"  {name:<22} {figures['per_second']:9.0f} /s   median {figures['p50_ms']:8.2f} ms"
        f"   p99 {figures['p99_ms']:8.2f} ms   ({len(latencies)} in {wall:.1f} s)"
    )
    return figures


async def floor(db: Database, conversations: int, per_conversation: int) -> dict[str, float]:
    async with db.engine.begin() as connection:
        await connection.run_sync(floor_table.create, checkfirst=True)
    latencies: list[float] = []

    async def writer() -> None:
        for _ in range(per_conversation):
            started = time.perf_counter()
            async with db.transaction() as session:
                await session.execute(insert(floor_table).values(note="x"))
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(conversations)))
    return summary("bare one-row commit", latencies, time.perf_counter() - started)


async def engine_run(engine: Engine, conversations: int) -> dict[str, float]:
    latencies: list[float] = []
    registered = 0

    async def person(number: int) -> None:
        nonlocal registered
        chat_id = f"bench-{number}-{uuid.uuid4().hex[:6]}"
        for index, (kind, value) in enumerate(SCRIPT):
            inbound = Inbound(
                channel="bench",
                chat_id=chat_id,
                message_id=str(index),
                locale="cs",
                **{kind: value},
            )
            started = time.perf_counter()
            outcome = await engine.handle(inbound)
            latencies.append(time.perf_counter() - started)
            registered += outcome.case_reference is not None

    started = time.perf_counter()
    await asyncio.gather(*(person(n) for n in range(conversations)))
    wall = time.perf_counter() - started
    if registered != conversations:
        raise SystemExit(f"only {registered} of {conversations} conversations registered")
    return summary("engine message", latencies, wall)


async def measure(label: str, url: str, conversations: int) -> None:
    db = Database(url)
    await migrate(db)
    config = EngineConfig(
        contact_point=load_contact_points(ROOT / "config/contact-points.toml").main
    )
    print(f"{label}: {conversations} concurrent conversations × {len(SCRIPT)} messages")
    base = await floor(db, conversations, len(SCRIPT))
    result = await engine_run(Engine(db, config), conversations)
    ratio = base["per_second"] / result["per_second"]
    print(f"  engine cost per message = {ratio:.2f} × the floor (target ≤ 3)")
    await db.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--postgres", help="server DSN, e.g. postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            await measure(
                "SQLite", f"sqlite+aiosqlite:///{folder}/bench.sqlite3", args.conversations
            )
    if args.postgres:
        async with postgres_database(args.postgres) as url:
            await measure("PostgreSQL", url, args.conversations)


if __name__ == "__main__":
    asyncio.run(main())
