"""Path and query parameters shared by the routes, bounded so that no number a client
sends can overflow a database integer (PostgreSQL's ``integer`` is 32 bits)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, AwareDatetime, BeforeValidator

from appointments.slots import PRAGUE

MAX_INT = 2_147_483_647

RowId = Annotated[int, Path(ge=1, le=MAX_INT, examples=[42])]
# A case's reference, as the person and staff see it.
Reference = Annotated[str, Path(examples=["KMB-2026-000123"])]
# A contact point's id, as in the contact points file.
PointId = Annotated[str, Path(examples=["centrum"])]
# A catalogue entry (its folder in knowledge_base/catalogue/) and one of its languages.
Slug = Annotated[str, Path(examples=["seniors"])]
Lang = Annotated[str, Path(examples=["cs"])]
Offset = Annotated[int, Query(ge=0, le=MAX_INT)]
Page = Annotated[int, Query(ge=1, le=MAX_INT // 200)]


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _text_only(value: object) -> object:
    """Dates and times come as ISO 8601 text: a bare number (which pydantic would read
    as seconds since 1970) is a mistake, not a date."""
    if isinstance(value, int | float | bool) or (
        isinstance(value, str) and not _ISO_DATE.match(value)
    ):
        raise ValueError("expected a date or time as ISO 8601 text, e.g. 2026-11-30")
    return value


# Dates far from now are typing mistakes, and near the ends of the calendar the
# arithmetic of periods and calendars overflows: refused as invalid instead.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def _within_years(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"expected a date between {FIRST_YEAR} and {LAST_YEAR}")
    return value


IsoDate = Annotated[date, BeforeValidator(_text_only), AfterValidator(_within_years)]


def _local_when_naive(value: datetime) -> datetime:
    """A time without an offset is the contact points' local time."""
    return value if value.tzinfo else value.replace(tzinfo=PRAGUE)


IsoDateTime = Annotated[
    datetime,
    BeforeValidator(_text_only),
    AfterValidator(_within_years),
    AfterValidator(_local_when_naive),
]
AwareIsoDateTime = Annotated[
    AwareDatetime, BeforeValidator(_text_only), AfterValidator(_within_years)
]
