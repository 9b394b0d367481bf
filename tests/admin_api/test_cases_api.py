"""The case queue over HTTP: order and filters, taking a case, moving it to closed
with an outcome, notes, the full detail — and every read in the audit log."""

from __future__ import annotations

from tests.admin_api.conftest import Admin
from tests.bot.test_intake_conversations import EXAMPLES, walk_through
from tests.chat import Chat


async def register(admin: Admin, example: int, *, district: str = "Poruba") -> Chat:
    chat = Chat(admin.app.state.runtime.engine)
    chat.locale = "en"
    await walk_through(chat, EXAMPLES[example]["answers"], language="en", district=district)
    await chat.press("nav:confirm")
    return chat


async def test_the_queue_puts_who_asked_for_a_person_first_then_urgency_then_age(
    admin: Admin,
) -> None:
    senior = await register(admin, 6)  # low
    await register(admin, 0)  # high
    await register(admin, 2, district="Horní Lipová")  # emergency
    await register(admin, 3)  # high, newer
    auth = await admin.headers("caseworker")
    page = (await admin.client.get("/admin/api/cases", headers=auth)).json()
    assert page["total"] == 4
    assert [c["urgency"] for c in page["items"]] == ["emergency", "high", "high", "low"]
    await senior.type("/human")
    first = (await admin.client.get("/admin/api/cases", headers=auth)).json()["items"][0]
    assert (first["urgency"], first["human_requested_at"] is not None) == ("low", True)

    async def count(query: str) -> int:
        response = await admin.client.get(f"/admin/api/cases?{query}", headers=auth)
        assert response.status_code == 200, response.text
        return response.json()["total"]

    assert await count("urgency=high") == 2
    assert await count("urgency=high&urgency=emergency") == 3
    assert await count("program=housing_first") == 1
    assert await count("point=horni-lipova") == 1
    assert await count("district=horn") == 1
    assert await count("status=new") == 4
    assert await count("assigned=me") == 0 and await count("assigned=none") == 4
    assert await count("per_page=2&page=2") == 4
    paged = (await admin.client.get("/admin/api/cases?per_page=3&page=2", headers=auth)).json()
    assert len(paged["items"]) == 1
    unknown = await admin.client.get("/admin/api/cases?assigned=nobody", headers=auth)
    assert unknown.status_code == 404


async def test_take_work_and_close_a_case_with_notes_and_history(admin: Admin) -> None:
    await register(admin, 5)
    auth = await admin.headers("caseworker")
    reference = (await admin.client.get("/admin/api/cases", headers=auth)).json()["items"][0][
        "reference"
    ]
    case = f"/admin/api/cases/{reference}"
    claimed = (await admin.client.post(f"{case}/claim", headers=auth)).json()
    assert (claimed["assigned_to"], claimed["status"]) == ("caseworker", "in_progress")
    assert (await admin.client.get("/admin/api/cases?assigned=me", headers=auth)).json()[
        "total"
    ] == 1
    no_outcome = await admin.client.post(f"{case}/status", json={"status": "closed"}, headers=auth)
    assert no_outcome.status_code == 409 and "outcome" in no_outcome.json()["detail"]
    backwards = await admin.client.post(f"{case}/status", json={"status": "new"}, headers=auth)
    assert backwards.status_code == 409
    note = await admin.client.post(
        f"{case}/notes", json={"text": "Called the landlord; payment plan agreed."}, headers=auth
    )
    assert note.status_code == 201
    closed = await admin.client.post(
        f"{case}/status", json={"status": "closed", "outcome": "housing_kept"}, headers=auth
    )
    assert (closed.json()["status"], closed.json()["outcome"]) == ("closed", "housing_kept")
    given_back = await admin.client.post(f"{case}/assign", json={"username": None}, headers=auth)
    assert given_back.json()["assigned_to"] is None
    to_nobody = await admin.client.post(f"{case}/assign", json={"username": "x"}, headers=auth)
    assert to_nobody.status_code == 409

    detail = (await admin.client.get(case, headers=auth)).json()
    assert detail["person"]["name"] == "Jana" and detail["person"]["phone"]
    assert detail["result"]["urgency"] == EXAMPLES[5]["result"]["urgency"]
    assert detail["answers"]["rent_arrears"] is True
    assert any(m["text"] == "Jana" for m in detail["transcript"])  # typed after consent
    assert [n["text"] for n in detail["notes"]] == ["Called the landlord; payment plan agreed."]
    assert [e["kind"] for e in detail["history"]] == ["assigned", "note", "status", "assigned"]
    assert (
        await admin.client.get("/admin/api/cases/KMB-2026-999999", headers=auth)
    ).status_code == 404

    log = (
        await admin.client.get(
            f"/admin/api/audit?target={reference}", headers=await admin.headers("admin")
        )
    ).json()
    assert [e["action"] for e in log][::-1] == [
        "case.claim",
        "case.note",
        "case.status",
        "case.assign",
        "case.read",
    ]
    assert {e["staff"] for e in log} == {"caseworker"}


async def test_a_date_without_an_offset_is_the_points_local_time(admin: Admin) -> None:
    await register(admin, 0)
    auth = await admin.headers("caseworker")
    for query in ("created_from=2026-01-01", "created_from=2026-01-01T08:00:00"):
        response = await admin.client.get(f"/admin/api/cases?{query}", headers=auth)
        assert response.status_code == 200, response.text
        assert response.json()["total"] == 1
