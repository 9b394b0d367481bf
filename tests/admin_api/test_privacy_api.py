"""A person's privacy requests through staff: everything about them as JSON, and an
erasure after which none of their personal data is left in any table."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest
from sqlalchemy import select, text

from appointments.slots import PRAGUE
from kmb.database import metadata
from tests.admin_api.conftest import Admin
from tests.admin_api.test_cases_api import register

NAME, PHONE, QUESTION = "Jana", "777123456", "Kdo vyhrál včera hokej na Kolonii?"


async def everything_stored(admin: Admin) -> str:
    """Every row of every table, as one text."""
    dump = []
    async with admin.db.reading() as session:
        for table in metadata.sorted_tables:
            for row in await session.execute(select(table)):
                dump.append(repr(tuple(row)))
        for row in await session.execute(text("SELECT * FROM apscheduler_jobs")):
            dump.append(repr(tuple(row)))
    return "\n".join(dump)


async def indicators(admin: Admin, headers: dict[str, str]) -> dict[str, object]:
    today = datetime.now(PRAGUE).date()
    response = await admin.client.get(
        f"/admin/api/reports/indicators?from={today}&period=month", headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_export_then_erase_leaves_nothing_personal(
    admin: Admin, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # (DEBUG of database drivers shows SQL parameters)
    chat = await register(admin, 5)
    await chat.type(QUESTION)
    staff = await admin.headers("caseworker")
    reference = (await admin.client.get("/admin/api/cases", headers=staff)).json()["items"][0][
        "reference"
    ]
    await admin.client.post(
        f"/admin/api/cases/{reference}/notes", json={"text": f"{NAME} called"}, headers=staff
    )
    exported = await admin.client.get(f"/admin/api/cases/{reference}/export", headers=staff)
    assert exported.status_code == 200
    data = exported.json()
    assert data["person"]["display_name"] == NAME and PHONE in data["person"]["phone"]
    assert data["consent"]["version"] == "2026-11"
    [record] = data["consent_records"]
    assert (record["version"], record["channel"]) == ("2026-11", "test")
    assert record["withdrawn_at"] is None
    assert data["cases"][0]["reference"] == reference
    assert QUESTION in data["questions"]
    assert any(m["text"] == QUESTION for m in data["messages"])
    assert data["staff_notes"][0]["text"] == f"{NAME} called"
    before = await everything_stored(admin)
    assert NAME in before and PHONE in before and QUESTION in before

    refused = await admin.client.post(f"/admin/api/cases/{reference}/erase", headers=staff)
    assert refused.status_code == 403  # erasing is for admins
    boss = await admin.headers("admin")
    report = await indicators(admin, staff)
    erased = await admin.client.post(f"/admin/api/cases/{reference}/erase", headers=boss)
    assert erased.status_code == 204
    assert await indicators(admin, staff) == report  # the statistics do not change
    consents = (await admin.client.get("/admin/api/consents", headers=boss)).json()
    assert [(c["version"], c["given"], c["withdrawn"]) for c in consents] == [("2026-11", 1, 1)]
    after = await everything_stored(admin)
    pressed = [line for line in after.splitlines() if "'in'," in line and "ans:" in line]
    assert pressed == []  # the buttons a person pressed were answers too
    for personal in (NAME, PHONE, "777 123 456", QUESTION, "hokej", chat.chat_id):
        assert personal not in after, personal
        assert personal not in caplog.text, personal  # nor was it ever logged
    assert (
        await admin.client.get(f"/admin/api/cases/{reference}", headers=staff)
    ).status_code == 404
    log = (await admin.client.get(f"/admin/api/audit?target={reference}", headers=boss)).json()
    assert [e["action"] for e in log][:2] == ["person.erase", "person.export"]
