"""The city's contact points, read from a TOML file (``KMB_CONTACT_POINTS_FILE``).

A city may run one central point and several district points. The first point in the
file is the main one: its phone, address and hours fill the catalogue's placeholders.
Each point has its opening hours, the hours people can walk in without an appointment,
the hours it offers appointments in, how long a slot is, how many people it can see at
once (staff at the desk), how early and how far ahead one can book, and the days it is
closed (Czech public holidays unless switched off, plus its own).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from datetime import date, time
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Interval = tuple[time, time]
_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


class ContactPointConfigError(ValueError):
    """The configuration file is missing or names a wrong field."""


def _intervals(value: object) -> tuple[Interval, ...]:
    """["08:00-12:00", "13:00-17:00"] as sorted, non-overlapping (start, end) pairs."""
    if not isinstance(value, list | tuple):
        raise ValueError('hours must be a list like ["08:00-12:00", "13:00-16:00"]')
    intervals = []
    for item in value:
        if isinstance(item, tuple):
            intervals.append(item)
            continue
        match = _INTERVAL.match(str(item))
        if not match:
            raise ValueError(f'{item!r} is not an interval like "08:00-12:00"')
        h1, m1, h2, m2 = map(int, match.groups())
        try:
            start, end = time(h1, m1), time(h2, m2)
        except ValueError as error:
            raise ValueError(f"{item!r}: {error}") from error
        if start >= end:
            raise ValueError(f"{item!r} ends before it starts")
        intervals.append((start, end))
    intervals.sort()
    for (_, end), (start, _) in pairwise(intervals):
        if start < end:
            raise ValueError("intervals overlap")
    return tuple(intervals)


Hours = Annotated[tuple[Interval, ...], BeforeValidator(_intervals)]
WeekHours = dict[Weekday, Hours]


class NightShelter(BaseModel):
    """A place to sleep tonight in the city (a night shelter, noclehárna), told to
    people who have nowhere to sleep."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    address: str = Field(min_length=1)
    phone: str | None = None
    hours: str = Field(pattern=r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$")  # e.g. "19:00-07:00"

    def line(self) -> str:
        """ "Noclehárna Naděje, Nádražní 45, +420 596 000 200, 19:00–07:00"."""
        parts = [self.name, self.address, self.phone, self.hours.replace("-", "–")]
        return ", ".join(part for part in parts if part)


class ContactPoint(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field("main", pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=40)
    name: str = Field(min_length=1)
    address: str = Field(min_length=1)
    phone: str = Field(min_length=1)
    email: str = Field(min_length=3)
    map_url: str | None = None
    # Parts of the city the point serves: a person's answer preselects the point.
    districts: tuple[str, ...] = ()
    opening_hours: WeekHours = Field(default_factory=dict)
    walk_in_hours: WeekHours = Field(default_factory=dict)
    appointment_hours: WeekHours = Field(default_factory=dict)
    slot_minutes: int = Field(30, ge=5, le=240)
    capacity: int = Field(1, ge=1, le=50)
    lead_time_hours: int = Field(2, ge=0, le=24 * 14)
    horizon_days: int = Field(28, ge=1, le=366)
    public_holidays: bool = True  # closed on Czech public holidays
    closed_days: tuple[date, ...] = ()
    languages: tuple[Literal["cs", "en", "uk"], ...] = ("cs",)
    interpreter: bool = False  # an interpreter can be arranged for other languages
    # Places to sleep tonight (the main point's list is the city's): shown to people
    # with nowhere to sleep, in the chat and in the catalogue.
    night_shelters: tuple[NightShelter, ...] = ()

    @model_validator(mode="after")
    def _appointments_within_opening_hours(self) -> ContactPoint:
        for day, intervals in self.appointment_hours.items():
            opened = self.opening_hours.get(day, ())
            for start, end in intervals:
                if not any(a <= start and end <= b for a, b in opened):
                    raise ValueError(
                        f"appointment hours {day} {start:%H:%M}-{end:%H:%M} "
                        "are outside the opening hours"
                    )
        return self

    def serves(self, district: str | None) -> bool:
        """Whether the person's own words for their part of the city name this point's."""
        return self.district_named(district) is not None

    def district_named(self, district: str | None) -> str | None:
        """This point's own name for the part of the city the person's words name (their
        words may hold a street and a number: only the district's name is repeated)."""
        words = _fold(district or "")
        if len(words) < 3:
            return None
        return next(
            (name for name in self.districts if _fold(name) in words or words in _fold(name)),
            None,
        )


class ContactPoints(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    points: tuple[ContactPoint, ...] = Field(alias="point", min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> ContactPoints:
        ids = [p.id for p in self.points]
        if len(set(ids)) != len(ids):
            raise ValueError("two contact points have the same id")
        return self

    @property
    def main(self) -> ContactPoint:
        return self.points[0]

    def get(self, point_id: str) -> ContactPoint | None:
        return next((p for p in self.points if p.id == point_id), None)

    def for_district(self, district: str | None) -> ContactPoint:
        """The point serving the person's part of the city, or the main one."""
        return next((p for p in self.points if p.serves(district)), self.main)


class ContactPointDirectory:
    """The contact points one process works with: the file's, with staff's changes of
    hours and closures laid over them (``appointments/point_schedules.py``). Replaced as
    a whole when those change, so a reader never sees half of a change."""

    def __init__(self, points: ContactPoints) -> None:
        self.current = points

    def replace(self, points: ContactPoints) -> None:
        self.current = points

    @property
    def points(self) -> tuple[ContactPoint, ...]:
        return self.current.points

    @property
    def main(self) -> ContactPoint:
        return self.current.main

    def get(self, point_id: str) -> ContactPoint | None:
        return self.current.get(point_id)

    def for_district(self, district: str | None) -> ContactPoint:
        return self.current.for_district(district)


def _problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]).replace("point.", "point ")
    return f"{where}: {first['msg']}"


def load_contact_points(path: Path) -> ContactPoints:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise ContactPointConfigError(f"contact points file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ContactPointConfigError(f"{path}: not valid TOML: {exc}") from exc
    if "point" not in data:
        raise ContactPointConfigError(f"{path}: no [[point]] table")
    try:
        return ContactPoints.model_validate(data)
    except ValidationError as exc:
        raise ContactPointConfigError(f"{path}: {_problem(exc)}") from exc
