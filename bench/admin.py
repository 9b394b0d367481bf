"""Admin API benchmark: the case queue and the year's report with 100 000 cases.

A throwaway PostgreSQL database gets 100 000 people and their cases, spread over two
years, five contact points, every status and urgency, one or two programmes each,
three in five closed, a third assigned to one of ten caseworkers. The real
application (routes, authentication, audit log, database) then answers a signed-in
caseworker in process (httpx's ASGI transport, no network):

- the default queue view and several filtered views, each many times in a row:
  p50 / p99 latency, and the ratio to ``GET /admin/api/me`` (sign-in check and one
  row) measured in the same run;
- the indicator report of a whole year (JSON): its wall time, a few runs.

    python bench/admin.py --postgres postgresql://postgres@127.0.0.1:PORT [--cases N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from admin_api import accounts  # noqa: E402
from bench.common import latency_figures, postgres_database  # noqa: E402
from intake.db import Database, utcnow  # noqa: E402
from intake.models import Case, CaseProgram, Person  # noqa: E402
from intake.triage.model import PROGRAMS  # noqa: E402
from kmb.database import migrate  # noqa: E402
from kmb.settings import Settings  # noqa: E402
from kmb.web import create_app  # noqa: E402

PASSWORD = "benchmark password 1"
POINTS = ("centrum", "horni-lipova", "dolni-lipova", "sever", "jih")
STATUSES = ("new",) * 15 + ("in_progress",) * 15 + ("waiting",) * 5 + ("referred",) * 5
STATUSES += ("closed",) * 60
URGENCIES = ("emergency",) * 3 + ("high",) * 17 + ("medium",) * 40 + ("low",) * 40
OUTCOMES = ("housed", "housing_kept", "referred_elsewhere", "no_contact", "withdrew")
CATEGORIES = ("roofless", "houseless", "insecure", "inadequate", None)
CHUNK = 5_000
END = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def seed(db: Database, count: int) -> list[int]:
    """Staff and ``count`` people with a case each; returns the caseworkers' ids."""
    rng = random.Random(7)
    async with db.transaction() as session:
        staff = [
            await accounts.create_account(
                session,
                username=f"cw{n}",
                role=accounts.CASEWORKER,
                password=PASSWORD,
                name=f"Caseworker {n}",
                now=utcnow(),
            )
            for n in range(10)
        ]
    staff_ids = [s.id for s in staff]
    for first in range(0, count, CHUNK):
        size = min(CHUNK, count - first)
        async with db.transaction() as session:
            created = [END - timedelta(seconds=rng.randrange(730 * 86_400)) for _ in range(size)]
            person_ids = list(
                await session.scalars(
                    insert(Person).returning(Person.id),
                    [
                        {
                            "display_name": f"Person {first + n}",
                            "phone": None,
                            "locale": "cs",
                            "consent_version": "2026-11",
                            "consent_at": at,
                            "created_at": at,
                        }
                        for n, at in enumerate(created)
                    ],
                )
            )
            rows = []
            for n, (person_id, at) in enumerate(zip(person_ids, created, strict=True)):
                status = rng.choice(STATUSES)
                category = rng.choice(CATEGORIES)
                rows.append(
                    {
                        "reference": f"KMB-{at.year}-{first + n + 1:06d}",
                        "person_id": person_id,
                        "answers": {"adults": rng.randint(1, 3), "children": rng.randint(0, 4)},
                        "result": {"ethos": category and {"category": category}},
                        "urgency": (urgency := rng.choice(URGENCIES)),
                        "needs_immediate_attention": urgency == "emergency",
                        "status": status,
                        "channel": rng.choice(("telegram", "web")),
                        "chat_id": f"bench-{first + n}",
                        "locale": rng.choice(("cs", "cs", "uk", "en")),
                        "district": None,
                        "point_id": rng.choice(POINTS),
                        "created_at": at,
                        "assigned_to": rng.choice(staff_ids) if rng.random() < 0.33 else None,
                        "outcome": rng.choice(OUTCOMES) if status == "closed" else None,
                        "closed_at": at + timedelta(days=30) if status == "closed" else None,
                    }
                )
            case_ids = list(await session.scalars(insert(Case).returning(Case.id), rows))
            await session.execute(
                insert(CaseProgram),
                [
                    {"case_id": case_id, "program": program}
                    for case_id in case_ids
                    for program in rng.sample(PROGRAMS, rng.randint(1, 2))
                ],
            )
        print(f"\r  seeded {first + size:,} cases", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return staff_ids


VIEWS = {
    "default queue (page 1 of everything)": "/admin/api/cases",
    "status=new": "/admin/api/cases?status=new",
    "urgency=emergency,high": "/admin/api/cases?urgency=emergency&urgency=high",
    "assigned to me": "/admin/api/cases?assigned=me",
    "unassigned at one point": "/admin/api/cases?assigned=none&point=centrum",
    "one programme": "/admin/api/cases?program=housing_first",
    "created in one month": (
        "/admin/api/cases?created_from=2026-10-01T00:00:00Z&created_to=2026-11-01T00:00:00Z"
    ),
    "page 200 of everything": "/admin/api/cases?page=200",
}


async def timed(client: httpx.AsyncClient, url: str, headers: dict, rounds: int) -> list[float]:
    latencies = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = await client.get(url, headers=headers)
        latencies.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    return latencies


async def run(dsn: str, count: int, rounds: int) -> None:
    async with postgres_database(dsn) as url:
        db = Database(url)
        await migrate(db)
        started = time.perf_counter()
        await seed(db, count)
        print(f"  seeding took {time.perf_counter() - started:.0f} s", file=sys.stderr)
        await db.dispose()
        settings = Settings(
            database_url=url,
            contact_points_file=ROOT / "config/contact-points.toml",
            scheduler_in_web=False,
            admin_failed_login_delay=0,
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                token = await client.post(
                    "/admin/api/auth/token", data={"username": "cw0", "password": PASSWORD}
                )
                headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
                for url_ in ("/admin/api/me", *VIEWS.values()):  # warm up
                    await timed(client, url_, headers, 3)
                base = latency_figures(await timed(client, "/admin/api/me", headers, rounds), 1)
                print(f"\n{count:,} cases, {rounds} requests per view, in process\n")
                print(f"{'view':42} {'p50 ms':>8} {'p99 ms':>8} {'× /me (p50)':>12}")
                print(
                    f"{'GET /admin/api/me (baseline)':42} {base['p50_ms']:8.1f} "
                    f"{base['p99_ms']:8.1f} {1:12.1f}"
                )
                for name, url_ in VIEWS.items():
                    figures = latency_figures(await timed(client, url_, headers, rounds), 1)
                    print(
                        f"{name:42} {figures['p50_ms']:8.1f} {figures['p99_ms']:8.1f} "
                        f"{figures['p50_ms'] / base['p50_ms']:12.1f}"
                    )
                year = "/admin/api/reports/indicators?from=2026-01-01&to=2026-12-31&period=custom"
                walls = [s * 1000 for s in await timed(client, year, headers, 3)]
                registered = await registrations(client, year, headers)
                print(
                    f"\nindicator report of a year (2026, {registered:,} registrations): "
                    f"median {statistics.median(walls):.0f} ms "
                    f"(runs: {', '.join(f'{w:.0f}' for w in walls)})"
                )


async def registrations(client: httpx.AsyncClient, url: str, headers: dict) -> int:
    return (await client.get(url, headers=headers)).json()["registrations"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("KMB_TEST_POSTGRES_DSN"))
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    if not args.postgres:
        parser.error("--postgres postgresql://user@host:port is needed")
    asyncio.run(run(args.postgres, args.cases, args.rounds))


if __name__ == "__main__":
    main()
