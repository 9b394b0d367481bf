"""Indicator reports over HTTP: the counts of a period, as JSON and as CSV for Czech Excel."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from appointments.slots import PRAGUE
from tests.admin_api.conftest import Admin
from tests.admin_api.test_cases_api import register
from tests.bot.test_intake_conversations import EXAMPLES


async def test_the_indicators_of_a_month(admin: Admin) -> None:
    first = await register(admin, 2, district="Horní Lipová")  # emergency
    await register(admin, 6)  # low, information only
    await first.type("kde muzu dnes prespat?")  # a question answered
    await first.type("kdo vyhral vcera hokej?")  # and one the assistant could not answer
    staff = await admin.headers("caseworker")
    cases = (await admin.client.get("/admin/api/cases", headers=staff)).json()["items"]
    low = next(c for c in cases if c["urgency"] == "low")
    await admin.client.post(
        f"/admin/api/cases/{low['reference']}/status",
        json={"status": "closed", "outcome": "withdrew"},
        headers=staff,
    )
    today = datetime.now(PRAGUE).date()
    response = await admin.client.get(
        f"/admin/api/reports/indicators?from={today.isoformat()}&period=month", headers=staff
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["registrations"] == 2 and report["unique_people"] == 2
    assert report["urgency"] == {"emergency": 1, "low": 1}
    assert report["programmes"]["emergency_help"] == 1
    assert report["programmes"]["information_only"] == 1
    assert sum(report["ethos"].values()) == 2
    assert report["case_outcomes"] == {"withdrew": 1}
    assert report["questions"] == {"answered": 1, "unanswered": 1}
    expected_adults = sum(int(EXAMPLES[i]["answers"].get("adults") or 0) for i in (2, 6))
    assert report["adults"] == expected_adults

    district = await admin.client.get(
        f"/admin/api/reports/indicators?from={today}&district=horn", headers=staff
    )
    assert district.json()["registrations"] == 1
    last_year = await admin.client.get(
        f"/admin/api/reports/indicators?from={today - timedelta(days=400)}&period=week",
        headers=staff,
    )
    assert last_year.json()["registrations"] == 0

    spreadsheet = await admin.client.get(
        f"/admin/api/reports/indicators?from={today}&format=csv", headers=staff
    )
    assert spreadsheet.headers["content-type"].startswith("text/csv")
    assert "attachment" in spreadsheet.headers["content-disposition"]
    raw = spreadsheet.content
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Czech Excel needs for UTF-8
    table = dict(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert table["registrations"] == "2" and table["urgency.emergency"] == "1"
    commas = await admin.client.get(
        f"/admin/api/reports/indicators?from={today}&format=csv&separator=,", headers=staff
    )
    assert b"registrations,2" in commas.content
    wrong = await admin.client.get(
        f"/admin/api/reports/indicators?from={today}&period=custom", headers=staff
    )
    assert wrong.status_code == 422
