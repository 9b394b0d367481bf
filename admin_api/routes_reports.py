"""Indicator reports: per week, month or custom period, contact point and district;
as JSON, or as CSV that Czech Excel opens correctly (UTF-8 with BOM, ';')."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from admin_api.accounts import CASEWORKER, EDITOR
from admin_api.params import IsoDate
from admin_api.problems import AdminProblem
from admin_api.security import ContextDep, allowed
from appointments.slots import PRAGUE
from reports.indicators import Scope, indicators, rows

router = APIRouter(prefix="/admin/api/reports", tags=["reports"])


def period_bounds(period: str, start: date, end: date | None) -> tuple[datetime, datetime]:
    """The period in Prague time: a week from ``start``, the month of ``start``, or
    ``start`` up to and including ``end``."""
    if period == "week":
        first, last = start, start + timedelta(days=7)
    elif period == "month":
        first = start.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1)
    else:
        if end is None or end < start:
            raise AdminProblem(
                422, "Invalid period", "A custom period needs 'to' on or after 'from'."
            )
        first, last = start, end + timedelta(days=1)
    return (
        datetime.combine(first, time.min, tzinfo=PRAGUE),
        datetime.combine(last, time.min, tzinfo=PRAGUE),
    )


def as_csv(report: dict[str, Any], separator: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow(["indicator", "value"])
    writer.writerows(rows(report))
    return buffer.getvalue().encode("utf-8-sig")  # the BOM tells Excel it is UTF-8


CSV_EXAMPLE = "indicator;value\r\nregistrations;42\r\nunique_people;40\r\n"
REPORT_RESPONSES: dict[int | str, Any] = {
    200: {
        "description": "The indicators: JSON, or with format=csv a CSV file for Excel",
        "content": {
            "application/json": {
                "schema": {"type": "object"},
                "example": {"registrations": 42, "unique_people": 40, "urgency": {"high": 5}},
            },
            "text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE},
        },
    }
}


@router.get("/indicators", **allowed(CASEWORKER, EDITOR, responses=REPORT_RESPONSES))
async def indicator_report(
    context: ContextDep,
    start: Annotated[IsoDate, Query(alias="from", examples=["2026-11-01"])],
    period: Literal["week", "month", "custom"] = "month",
    end: Annotated[IsoDate | None, Query(alias="to", examples=["2026-11-30"])] = None,
    point: str | None = None,
    district: str | None = None,
    format: Literal["json", "csv"] = "json",
    separator: Literal[";", ","] = ";",
) -> Any:
    """New registrations, unique people, households and children, ETHOS categories,
    urgency, recommended programmes, appointments, questions and case outcomes."""
    first, last = period_bounds(period, start, end)
    async with context.db.reading() as session:
        report = await indicators(
            session, Scope(start=first, end=last, point_id=point, district=district)
        )
    if format == "json":
        return report
    filename = f"kmb-indicators-{first:%Y-%m-%d}.csv"
    return Response(
        as_csv(report, separator),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
