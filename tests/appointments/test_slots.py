"""Free appointment slots: opening hours, breaks, holidays, summer time, capacity."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from appointments.slots import PRAGUE, free_slots, offered_slots, slots_of_day
from intake.contact_point import ContactPoint

HOURS = {"mon": ["08:00-12:00", "13:00-15:00"], "tue": ["08:00-09:00"]}


def point(**changes: object) -> ContactPoint:
    fields: dict[str, object] = {
        "id": "p",
        "name": "P",
        "address": "A",
        "phone": "1",
        "email": "p@example.org",
        "opening_hours": HOURS,
        "appointment_hours": HOURS,
        "slot_minutes": 30,
        "capacity": 1,
        "lead_time_hours": 0,
        "horizon_days": 14,
    }
    return ContactPoint.model_validate({**fields, **changes})


def local_times(slots) -> list[str]:
    return [s.local_start().strftime("%a %H:%M") for s in slots]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PRAGUE)


MONDAY = date(2026, 11, 30)


def test_slots_fill_the_intervals_and_leave_the_lunch_break_free() -> None:
    times = local_times(slots_of_day(point(), MONDAY))
    assert times[:3] == ["Mon 08:00", "Mon 08:30", "Mon 09:00"]
    assert "Mon 12:00" not in times and "Mon 12:30" not in times
    assert times[-1] == "Mon 14:30" and len(times) == 12


def test_a_slot_must_end_within_its_interval() -> None:
    times = local_times(slots_of_day(point(slot_minutes=45), MONDAY))
    assert times == [
        "Mon 08:00",
        "Mon 08:45",
        "Mon 09:30",
        "Mon 10:15",
        "Mon 11:00",
        "Mon 13:00",
        "Mon 13:45",
    ]


def test_public_holidays_and_own_closed_days_are_skipped() -> None:
    now = at(date(2026, 12, 20), 12)  # a Sunday
    days = {s.local_start().date() for s in offered_slots(point(), now=now)}
    assert date(2026, 12, 21) in days  # Monday
    assert date(2026, 12, 22) in days  # Tuesday
    assert date(2026, 12, 29) in days  # Tuesday between the holidays
    closed = point(closed_days=["2026-12-29"])
    assert date(2026, 12, 29) not in {
        s.local_start().date() for s in offered_slots(closed, now=now)
    }
    # Easter Monday 2027 is a public holiday
    easter = {s.local_start().date() for s in offered_slots(point(), now=at(date(2027, 3, 28), 9))}
    assert date(2027, 3, 29) not in easter and date(2027, 3, 30) in easter
    open_anyway = point(public_holidays=False)
    assert date(2027, 3, 29) in {
        s.local_start().date() for s in offered_slots(open_anyway, now=at(date(2027, 3, 28), 9))
    }


def test_utc_instants_follow_summer_time() -> None:
    before = next(slots_of_day(point(), date(2026, 3, 23)))  # Monday in winter time
    after = next(slots_of_day(point(), date(2026, 3, 30)))  # Monday in summer time
    assert before.start == datetime(2026, 3, 23, 7, 0, tzinfo=UTC)
    assert after.start == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)
    assert all(s.end - s.start == timedelta(minutes=30) for s in (before, after))


def test_the_night_of_the_change_to_summer_time_has_no_slot_in_the_missing_hour() -> None:
    night = point(
        opening_hours={"sun": ["01:00-04:00"]}, appointment_hours={"sun": ["01:00-04:00"]}
    )
    slots = list(slots_of_day(night, date(2026, 3, 29)))
    assert local_times(slots) == ["Sun 01:00", "Sun 01:30", "Sun 03:00", "Sun 03:30"]
    assert len({s.start for s in slots}) == 4


def test_the_night_of_the_change_to_winter_time_offers_the_repeated_hour_once() -> None:
    night = point(
        opening_hours={"sun": ["01:00-04:00"]}, appointment_hours={"sun": ["01:00-04:00"]}
    )
    slots = list(slots_of_day(night, date(2026, 10, 25)))
    assert local_times(slots) == [f"Sun {h:02d}:{m:02d}" for h in (1, 2, 3) for m in (0, 30)]
    starts = [s.start for s in slots]
    assert starts == sorted(starts) and len(set(starts)) == 6
    assert slots[2].start == datetime(2026, 10, 25, 0, 0, tzinfo=UTC)  # 02:00 summer time
    assert slots[4].start == datetime(2026, 10, 25, 2, 0, tzinfo=UTC)  # 03:00 winter time


def test_capacity_lead_time_horizon_and_blocked_time() -> None:
    p = point(capacity=2, lead_time_hours=2, horizon_days=7)
    now = at(MONDAY, 9, 10)
    slots = free_slots(p, now=now, booked={})
    assert local_times(slots)[:2] == ["Mon 11:30", "Mon 13:00"]  # 2 h after 9:10
    assert max(s.local_start().date() for s in slots) == MONDAY + timedelta(days=7)
    first = slots[0].start
    assert free_slots(p, now=now, booked={first: 1})[0].start == first  # one seat left
    assert free_slots(p, now=now, booked={first: 2})[0].start != first  # full
    blocked = [(at(MONDAY, 13), at(MONDAY, 14))]
    times = local_times(
        s for s in free_slots(p, now=now, booked={}, blocked=blocked) if s.start < at(MONDAY, 23)
    )
    assert "Mon 13:00" not in times and "Mon 13:30" not in times and "Mon 14:00" in times
    assert len(free_slots(p, now=now, booked={}, limit=3)) == 3
