"""The contact point's own facts (name, address, phone, e-mail, hours), read from a TOML file."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ContactPointConfigError(ValueError):
    """The configuration file is missing or names a wrong field."""


@dataclass(frozen=True, slots=True)
class ContactPoint:
    name: str
    address: str
    phone: str
    email: str
    # weekday ("mon".."sun") -> intervals such as ("08:00", "12:00")
    opening_hours: dict[str, tuple[tuple[str, str], ...]]
    map_url: str | None = None


def load_contact_point(path: Path) -> ContactPoint:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise ContactPointConfigError(f"contact point file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ContactPointConfigError(f"{path}: not valid TOML: {exc}") from exc
    point = data.get("contact_point")
    if not isinstance(point, dict):
        raise ContactPointConfigError(f"{path}: missing [contact_point] table")
    missing = [key for key in ("name", "address", "phone", "email") if not point.get(key)]
    if missing:
        raise ContactPointConfigError(f"{path}: [contact_point] lacks {', '.join(missing)}")
    hours: dict[str, tuple[tuple[str, str], ...]] = {}
    for day, intervals in (point.get("opening_hours") or {}).items():
        if day not in WEEKDAYS:
            raise ContactPointConfigError(f"{path}: unknown weekday {day!r} in opening_hours")
        try:
            hours[day] = tuple(
                (start, end) for start, end in (item.split("-") for item in intervals)
            )
        except ValueError as exc:
            raise ContactPointConfigError(
                f'{path}: opening_hours.{day} must look like ["08:00-12:00"]'
            ) from exc
    return ContactPoint(
        name=point["name"],
        address=point["address"],
        phone=point["phone"],
        email=point["email"],
        opening_hours=hours,
        map_url=point.get("map_url"),
    )
