"""Which appointment times a contact point offers: pure functions, no database.

Slots are cut from the point's appointment hours in local time (Europe/Prague), one
after another, each ``slot_minutes`` long and ending within its interval. A day is
skipped when the point is closed (a Czech public holiday, unless switched off, or one
of its own closed days). Local times that do not exist (the hour skipped when summer
time starts) are left out; a local time that happens twice (when it ends) is offered
once, the first time. A slot is offered from ``lead_time_hours`` after now until
``horizon_days`` ahead, while fewer people are booked in it than the point's capacity
and no blocked time overlaps it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from intake.contact_point import WEEKDAYS, ContactPoint

PRAGUE = ZoneInfo("Europe/Prague")


@dataclass(frozen=True, slots=True, order=True)
class Slot:
    start: datetime  # aware, UTC
    end: datetime
    point_id: str

    def local_start(self, zone: ZoneInfo = PRAGUE) -> datetime:
        return self.start.astimezone(zone)


@lru_cache(maxsize=32)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("CZ", years=year))


def is_closed(point: ContactPoint, day: date) -> bool:
    return day in point.closed_days or (point.public_holidays and day in _public_holidays(day.year))


def _local(day: date, moment: time, zone: ZoneInfo) -> datetime | None:
    """The instant of a wall-clock time, or None when that time does not exist."""
    wall = datetime.combine(day, moment, tzinfo=zone)  # fold=0: the first of two
    instant = wall.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall.replace(tzinfo=None):
        return None  # skipped by the change to summer time
    return instant


def slots_of_day(point: ContactPoint, day: date, zone: ZoneInfo = PRAGUE) -> Iterator[Slot]:
    """Every slot of the day, ignoring closures, bookings and lead time."""
    length = timedelta(minutes=point.slot_minutes)
    for start, end in point.appointment_hours.get(WEEKDAYS[day.weekday()], ()):
        cursor = datetime.combine(day, start)
        last = datetime.combine(day, end)
        while cursor + length <= last:
            begins = _local(day, cursor.time(), zone)
            if begins is not None:
                yield Slot(begins, begins + length, point.id)
            cursor += length


def offered_slots(point: ContactPoint, *, now: datetime, zone: ZoneInfo = PRAGUE) -> Iterator[Slot]:
    """Every slot within the lead time and the horizon on the days the point is open,
    earliest first (whether free or not)."""
    earliest = now + timedelta(hours=point.lead_time_hours)
    today = now.astimezone(zone).date()
    for offset in range(point.horizon_days + 1):
        day = today + timedelta(days=offset)
        if is_closed(point, day):
            continue
        for slot in slots_of_day(point, day, zone):
            if slot.start >= earliest:
                yield slot


Interval = tuple[datetime, datetime]


def free_slots(
    point: ContactPoint,
    *,
    now: datetime,
    booked: Mapping[datetime, int],
    blocked: Sequence[Interval] = (),
    zone: ZoneInfo = PRAGUE,
    wanted: Callable[[Slot], bool] = lambda slot: True,
    limit: int | None = None,
) -> list[Slot]:
    """The slots someone can still book: ``booked`` counts people per slot start,
    ``blocked`` are times staff took out of the calendar."""
    found: list[Slot] = []
    for slot in offered_slots(point, now=now, zone=zone):
        if booked.get(slot.start, 0) >= point.capacity:
            continue
        if any(start < slot.end and slot.start < end for start, end in blocked):
            continue
        if wanted(slot):
            found.append(slot)
            if limit is not None and len(found) >= limit:
                break
    return found


def days_with_free_slots(slots: Sequence[Slot], zone: ZoneInfo = PRAGUE) -> list[date]:
    return sorted({slot.local_start(zone).date() for slot in slots})
