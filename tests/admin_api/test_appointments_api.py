"""The calendars over HTTP: booking for a person (who is told in their chat), blocked
time, outcomes, and a cancellation by the point with new times offered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from intake.db import Database
from intake.models import Case, Person
from intake.outbox import OutboxMessage
from tests.admin_api.conftest import Admin

REFERENCE = "KMB-2026-000777"


async def a_case(db: Database) -> None:
    now = datetime.now(UTC)
    async with db.transaction() as session:
        person = Person(locale="uk", consent_version="t", consent_at=now)
        session.add(person)
        await session.flush()
        session.add(
            Case(
                person_id=person.id,
                reference=REFERENCE,
                answers={},
                result={},
                urgency="low",
                channel="web",
                chat_id="w-777",
                locale="uk",
            )
        )


async def notices(db: Database) -> list[dict]:
    async with db.reading() as session:
        rows = await session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.chat_id == "w-777", OutboxMessage.kind == "notice")
            .order_by(OutboxMessage.id)
        )
        return list(rows)


async def first_free(admin: Admin, auth: dict) -> str:
    days = (
        await admin.client.get("/admin/api/points/centrum/calendar?days=14", headers=auth)
    ).json()
    now = datetime.now(UTC) + timedelta(hours=3)
    return next(
        slot["starts_at"]
        for day in days
        for slot in day["slots"]
        if slot["free_seats"] and datetime.fromisoformat(slot["starts_at"]) > now
    )


async def test_book_for_a_person_block_time_and_cancel(admin: Admin) -> None:
    await a_case(admin.db)
    auth = await admin.headers("caseworker")
    points = (await admin.client.get("/admin/api/points", headers=auth)).json()
    assert [p["id"] for p in points] == ["centrum", "horni-lipova", "zabreh"]
    start = await first_free(admin, auth)
    booked = await admin.client.post(
        "/admin/api/points/centrum/appointments",
        json={"case_reference": REFERENCE, "starts_at": start},
        headers=auth,
    )
    assert booked.status_code == 201, booked.text
    appointment = booked.json()
    assert (appointment["booked_by"], appointment["status"]) == ("caseworker", "booked")
    (told,) = await notices(admin.db)
    assert told["text"].startswith("Контактний пункт записав вас на зустріч:")
    assert told["document"]["filename"] == "appointment.ics"
    twice = await admin.client.post(
        "/admin/api/points/centrum/appointments",
        json={"case_reference": REFERENCE, "starts_at": start},
        headers=auth,
    )
    assert twice.status_code == 409 and twice.json()["title"] == "Already booked"
    nobody = await admin.client.post(
        "/admin/api/points/centrum/appointments",
        json={"case_reference": "KMB-2026-999999", "starts_at": start},
        headers=auth,
    )
    assert nobody.status_code == 404

    begins = datetime.fromisoformat(start)
    blocked = await admin.client.post(
        "/admin/api/points/centrum/blocked",
        json={
            "starts_at": (begins - timedelta(minutes=30)).isoformat(),
            "ends_at": (begins + timedelta(hours=1)).isoformat(),
            "reason": "team training",
        },
        headers=auth,
    )
    assert blocked.status_code == 201
    assert [a["id"] for a in blocked.json()["appointments_in_it"]] == [appointment["id"]]
    backwards = await admin.client.post(
        "/admin/api/points/centrum/blocked",
        json={"starts_at": start, "ends_at": (begins - timedelta(hours=1)).isoformat()},
        headers=auth,
    )
    assert backwards.status_code == 422
    blocked_id = blocked.json()["blocked"]["id"]
    assert (
        await admin.client.delete(f"/admin/api/blocked/{blocked_id}", headers=auth)
    ).status_code == 204
    assert (
        await admin.client.delete(f"/admin/api/blocked/{blocked_id}", headers=auth)
    ).status_code == 404

    early = await admin.client.post(
        f"/admin/api/appointments/{appointment['id']}/outcome",
        json={"outcome": "attended"},
        headers=auth,
    )
    assert early.status_code == 409 and "not begun" in early.json()["detail"]
    cancelled = await admin.client.post(
        f"/admin/api/appointments/{appointment['id']}/cancel", headers=auth
    )
    assert cancelled.json()["status"] == "cancelled_by_point"
    _, sorry = await notices(admin.db)
    assert sorry["text"].startswith("Вибачте: контактний пункт мусив скасувати")
    assert sum(c["payload"].startswith("bk:t:centrum:") for c in sorry["choices"]) == 3
    unknown = await admin.client.get("/admin/api/points/nowhere/calendar", headers=auth)
    assert unknown.status_code == 404
    # Who booked and cancelled for the person is in the audit log, under their case.
    boss = await admin.headers("admin")
    log = await admin.client.get(f"/admin/api/audit?target={REFERENCE}", headers=boss)
    actions = [e["action"] for e in log.json()]
    assert {"appointment.book", "appointment.cancel"} <= set(actions)
