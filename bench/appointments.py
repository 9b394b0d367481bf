"""Appointments benchmark: free-slot computation and booking under contention.

1. Free slots: 5 contact points (the demo city's 3 and 2 more with 3 desks each),
   8 weeks ahead, 40 % of the slots booked. Times ``booking.free()`` (two indexed
   reads and the slot arithmetic) per point, next to the slot arithmetic alone in the
   same run.
2. Booking under contention: 200 people at once each book the earliest free time at
   one point with 2 desks; whoever loses a seat takes one of the three free times
   offered instead, as a person tapping an alternative would. Prints bookings per
   second and the attempts per booking, next to a bare one-row INSERT + COMMIT at
   the same concurrency (the floor), measured in the same run.

    python bench/appointments.py [--postgres postgresql://…] [--skip-sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from appointments import booking  # noqa: E402
from appointments.models import BOOKED, Appointment  # noqa: E402
from appointments.slots import offered_slots  # noqa: E402
from bench.common import latency_figures, postgres_database  # noqa: E402
from bench.engine import floor  # noqa: E402
from intake.contact_point import ContactPoint, load_contact_points  # noqa: E402
from intake.db import Database  # noqa: E402
from intake.models import Person  # noqa: E402
from kmb.database import migrate  # noqa: E402

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
WEEKS = 8
ROUNDS = 40
PEOPLE = 200


def points() -> list[ContactPoint]:
    demo = [
        p.model_copy(update={"horizon_days": WEEKS * 7, "lead_time_hours": 2})
        for p in load_contact_points(ROOT / "config/contact-points.toml").points
    ]
    extra = [
        demo[0].model_copy(update={"id": f"extra-{n}", "capacity": 3, "slot_minutes": 20})
        for n in (1, 2)
    ]
    return demo + extra


async def people(db: Database, count: int) -> list[int]:
    async with db.transaction() as session:
        persons = [Person(locale="cs", consent_version="b", consent_at=NOW) for _ in range(count)]
        session.add_all(persons)
        await session.flush()
        return [p.id for p in persons]


async def fill(db: Database, all_points: list[ContactPoint]) -> int:
    """Book 40 % of every point's seats, spread over the 8 weeks."""
    (person,) = await people(db, 1)
    rows = []
    for point in all_points:
        for index, slot in enumerate(offered_slots(point, now=NOW)):
            if index % 5 < 2:
                rows += [
                    Appointment(
                        point_id=point.id,
                        starts_at=slot.start,
                        ends_at=slot.end,
                        seat=seat,
                        status=BOOKED,
                        person_id=person,
                        case_id=None,
                        locale="cs",
                        booked_by="bench",
                        created_at=NOW,
                    )
                    for seat in range(1, point.capacity + 1)
                ]
    async with db.transaction() as session:
        session.add_all(rows)
    return len(rows)


def show(name: str, latencies: list[float], wall: float) -> dict[str, float]:
    figures = latency_figures(latencies, wall)
    print(
        f"  {name:<34} p50 {figures['p50_ms']:7.2f} ms   p99 {figures['p99_ms']:7.2f} ms"
        f"   ({len(latencies)} runs)"
    )
    return figures


async def free_slots(db: Database, all_points: list[ContactPoint]) -> None:
    arithmetic: list[float] = []
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for point in all_points:
            begun = time.perf_counter()
            list(offered_slots(point, now=NOW))
            arithmetic.append(time.perf_counter() - begun)
    pure = show("slot arithmetic alone", arithmetic, time.perf_counter() - started)
    latencies: list[float] = []
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for point in all_points:
            begun = time.perf_counter()
            async with db.reading() as session:
                await booking.free(session, point, now=NOW)
            latencies.append(time.perf_counter() - begun)
    full = show("free slots of a point (8 weeks)", latencies, time.perf_counter() - started)
    print(f"  free slots / arithmetic alone (p50): {full['p50_ms'] / pure['p50_ms']:.1f}×")


async def contention(db: Database, point: ContactPoint) -> None:
    persons = await people(db, PEOPLE)
    attempts = 0
    latencies: list[float] = []

    async def person(person_id: int) -> None:
        nonlocal attempts
        async with db.reading() as session:
            start = (await booking.free(session, point, now=NOW, limit=1))[0].start
        begun = time.perf_counter()
        for _ in range(PEOPLE):
            attempts += 1
            try:
                async with db.transaction() as session:
                    await booking.book(
                        session,
                        point=point,
                        start=start,
                        person_id=person_id,
                        case_id=None,
                        locale="cs",
                        booked_by="bench",
                        now=NOW,
                    )
                latencies.append(time.perf_counter() - begun)
                return
            except booking.BookingError as error:
                start = random.choice(error.alternatives).start
        raise SystemExit("a person could not book")

    started = time.perf_counter()
    await asyncio.gather(*(person(p) for p in persons))
    wall = time.perf_counter() - started
    figures = latency_figures(latencies, wall)
    print(
        f"  booking under contention          {figures['per_second']:7.0f} bookings/s"
        f"   p50 {figures['p50_ms']:7.1f} ms   p99 {figures['p99_ms']:7.1f} ms"
        f"   {attempts / PEOPLE:.2f} attempts per booking"
    )
    base = await floor(db, PEOPLE, 1)
    print(f"  booking / bare commit (per second): {figures['per_second'] / base['per_second']:.2f}")


async def measure(label: str, url: str) -> None:
    db = Database(url)
    await migrate(db)
    all_points = points()
    booked = await fill(db, all_points)
    print(f"{label}: {len(all_points)} points, {WEEKS} weeks, {booked} seats booked")
    await free_slots(db, all_points)
    contended = all_points[0].model_copy(update={"id": "contended", "capacity": 2})
    await contention(db, contended)
    await db.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="server DSN, e.g. postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            await measure("SQLite", f"sqlite+aiosqlite:///{folder}/bench.sqlite3")
    if args.postgres:
        async with postgres_database(args.postgres) as url:
            await measure("PostgreSQL", url)


if __name__ == "__main__":
    asyncio.run(main())
