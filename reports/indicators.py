"""Indicators of a period: what the contact point reports to the city and to the
ESF-funded project. Only counts — no personal data leaves here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appointments.models import (
    ATTENDED,
    BOOKED,
    CANCELLED,
    CANCELLED_BY_POINT,
    NO_SHOW,
    Appointment,
)
from intake.models import Case, CaseProgram
from knowledge_base.questions import AnsweredQuestion, UnansweredQuestion


@dataclass(frozen=True, slots=True)
class Scope:
    start: datetime
    end: datetime  # exclusive
    point_id: str | None = None
    district: str | None = None


def _in_scope(query: Any, scope: Scope) -> Any:
    """Cases registered in the period (at the point, in the district)."""
    query = query.where(Case.created_at >= scope.start, Case.created_at < scope.end)
    if scope.point_id:
        query = query.where(Case.point_id == scope.point_id)
    if scope.district:
        query = query.where(func.lower(Case.district).contains(scope.district.lower()))
    return query


async def _counted(
    session: AsyncSession, column: Any, scope: Scope, *, join: Any = None
) -> dict[Any, int]:
    """How many cases of the period have each value of ``column`` (of the cases, or of
    the table joined to them: a case counts once per programme)."""
    query = select(column, func.count()).select_from(Case)
    if join is not None:
        query = query.join(join)
    query = _in_scope(query, scope)
    return dict((await session.execute(query.group_by(column))).all())


async def indicators(session: AsyncSession, scope: Scope) -> dict[str, Any]:
    """Counted in the database (a year of a big city is hundreds of thousands of rows)."""
    totals = (
        await session.execute(
            _in_scope(
                select(
                    func.count(),
                    # An erased person's cases share an anonymous key instead of the person.
                    func.count(Case.person_id.distinct())
                    + func.count(Case.anonymous_person.distinct()),
                    func.coalesce(func.sum(Case.answers["adults"].as_integer()), 0),
                    func.coalesce(func.sum(Case.answers["children"].as_integer()), 0),
                ),
                scope,
            )
        )
    ).one()
    registrations, people, adults, children = totals
    programs = await _counted(session, CaseProgram.program, scope, join=CaseProgram)
    ethos = {
        category or "not_classified": n
        for category, n in (
            await _counted(session, Case.result[("ethos", "category")].as_string(), scope)
        ).items()
    }
    urgency = await _counted(session, Case.urgency, scope)

    closed_query = select(Case.outcome, func.count()).where(
        Case.closed_at >= scope.start, Case.closed_at < scope.end, Case.outcome.is_not(None)
    )
    if scope.point_id:
        closed_query = closed_query.where(Case.point_id == scope.point_id)
    outcomes = dict((await session.execute(closed_query.group_by(Case.outcome))).all())

    appointments = select(Appointment.status, func.count()).where(
        Appointment.starts_at >= scope.start, Appointment.starts_at < scope.end
    )
    booked_in_period = select(func.count()).where(
        Appointment.created_at >= scope.start, Appointment.created_at < scope.end
    )
    if scope.point_id:
        appointments = appointments.where(Appointment.point_id == scope.point_id)
        booked_in_period = booked_in_period.where(Appointment.point_id == scope.point_id)
    by_status = dict((await session.execute(appointments.group_by(Appointment.status))).all())

    asked = await session.scalar(
        select(func.count()).where(
            AnsweredQuestion.created_at >= scope.start, AnsweredQuestion.created_at < scope.end
        )
    )
    unanswered = await session.scalar(
        select(func.count()).where(
            UnansweredQuestion.created_at >= scope.start,
            UnansweredQuestion.created_at < scope.end,
        )
    )
    return {
        "period": {"from": scope.start.isoformat(), "to": scope.end.isoformat()},
        "scope": {"point": scope.point_id, "district": scope.district},
        "registrations": registrations,
        "unique_people": people,
        "households": registrations,
        "adults": int(adults),
        "children": int(children),
        "ethos": dict(sorted(ethos.items())),
        "urgency": dict(sorted(urgency.items())),
        "programmes": dict(sorted(programs.items())),
        "appointments": {
            "booked_in_period": await session.scalar(booked_in_period) or 0,
            "held_in_period": {
                "still_booked": by_status.get(BOOKED, 0),
                "attended": by_status.get(ATTENDED, 0),
                "no_show": by_status.get(NO_SHOW, 0),
                "cancelled_by_person": by_status.get(CANCELLED, 0),
                "cancelled_by_point": by_status.get(CANCELLED_BY_POINT, 0),
            },
        },
        "questions": {"answered": asked or 0, "unanswered": unanswered or 0},
        "case_outcomes": dict(sorted(outcomes.items())),
    }


def rows(report: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """The report flattened to (indicator, value) rows, for CSV."""
    found: list[tuple[str, Any]] = []
    for key, value in report.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            found += rows(value, f"{name}.")
        else:
            found.append((name, "" if value is None else value))
    return found
