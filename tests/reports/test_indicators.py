"""The indicators are counted in the database: the same figures as counting the rows
one by one, including erased people (anonymous cases) and cases without a category."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from intake.db import Database
from intake.models import Case, CaseProgram, Person
from reports.indicators import Scope, indicators

NOW = datetime(2026, 11, 10, 12, tzinfo=UTC)


def case(**fields: object) -> Case:
    defaults: dict[str, object] = {
        "answers": {"adults": 1, "children": 0},
        "result": {"ethos": {"code": 8, "category": "insecure"}},
        "urgency": "medium",
        "channel": "web",
        "chat_id": "c",
        "locale": "cs",
        "point_id": "centrum",
        "created_at": NOW,
    }
    return Case(**{**defaults, **fields})


async def test_the_figures_of_a_month(db: Database) -> None:
    async with db.transaction() as session:
        person = Person(locale="cs", consent_version="v", consent_at=NOW)
        session.add(person)
        await session.flush()
        cases = [
            case(person_id=person.id, answers={"adults": 2, "children": 3}),
            case(person_id=person.id, urgency="high", point_id="jih"),  # the same person again
            case(anonymous_person="a1", result={"ethos": None}, urgency="emergency"),
            case(anonymous_person="a1", answers={"adults": 1}),  # erased, the same person
            case(anonymous_person="b2", answers={}, result={}),  # erased, answers stripped
            case(anonymous_person="c3", created_at=NOW - timedelta(days=40)),  # last month
        ]
        session.add_all(cases)
        await session.flush()
        session.add_all(
            [
                CaseProgram(case_id=cases[0].id, program="housing_first"),
                CaseProgram(case_id=cases[0].id, program="benefits"),
                CaseProgram(case_id=cases[2].id, program="housing_first"),
                CaseProgram(case_id=cases[5].id, program="housing_first"),
            ]
        )
    month = Scope(start=datetime(2026, 11, 1, tzinfo=UTC), end=datetime(2026, 12, 1, tzinfo=UTC))
    async with db.reading() as session:
        report = await indicators(session, month)
        at_one_point = await indicators(
            session, Scope(start=month.start, end=month.end, point_id="jih")
        )
    assert report["registrations"] == 5 and report["households"] == 5
    assert report["unique_people"] == 3  # the person, a1, b2
    assert (report["adults"], report["children"]) == (2 + 1 + 1 + 1, 3)
    assert report["ethos"] == {"insecure": 3, "not_classified": 2}
    assert report["urgency"] == {"emergency": 1, "high": 1, "medium": 3}
    assert report["programmes"] == {"benefits": 1, "housing_first": 2}
    assert (at_one_point["registrations"], at_one_point["urgency"]) == (1, {"high": 1})
