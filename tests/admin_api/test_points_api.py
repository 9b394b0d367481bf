"""A contact point's hours and closures over HTTP: admins change them, every process
sees the change, booked appointments that no longer fit are listed, and a wrong
change is refused with nothing stored."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from appointments import booking
from appointments.slots import PRAGUE
from intake.contact_point import load_contact_points
from kmb.app import start
from tests.admin_api.conftest import Admin
from tests.admin_api.test_appointments_api import REFERENCE, a_case, first_free
from tests.bot.test_widget_api import DATA, settings_for

URL = "/admin/api/points/centrum"


async def test_admins_close_a_day_and_the_booked_appointment_is_listed(admin: Admin) -> None:
    await a_case(admin.db)
    caseworker, boss = await admin.headers("caseworker"), await admin.headers("admin")
    before = (await admin.client.get(URL, headers=caseworker)).json()
    assert before["closed_days"] == ["2026-12-31"] and before["changed_by"] is None
    assert before["appointment_hours"]["tue"] == ["08:00-12:00"]
    starts_at = await first_free(admin, caseworker)
    booked = await admin.client.post(
        f"{URL}/appointments",
        json={"case_reference": REFERENCE, "starts_at": starts_at},
        headers=caseworker,
    )
    assert booked.status_code == 201, booked.text
    day = datetime.fromisoformat(starts_at).astimezone(PRAGUE).date()

    change = {"closed_days": [day.isoformat(), "2026-12-31"]}
    refused = await admin.client.put(f"{URL}/schedule", json=change, headers=caseworker)
    assert refused.status_code == 403  # contact points are the admins'
    changed = await admin.client.put(f"{URL}/schedule", json=change, headers=boss)
    assert changed.status_code == 200, changed.text
    result = changed.json()
    assert result["point"]["closed_days"] == sorted(change["closed_days"])
    assert result["point"]["changed_by"] == "admin"
    assert [a["id"] for a in result["appointments_outside_hours"]] == [booked.json()["id"]]
    calendar = (
        await admin.client.get(f"{URL}/calendar?first={day}&days=1", headers=caseworker)
    ).json()
    assert calendar[0]["closed"] is True
    # People are no longer offered that day.
    point = admin.app.state.runtime.engine.config.contact_points.get("centrum")  # type: ignore[attr-defined]
    async with admin.db.reading() as session:
        offered = await booking.free(session, point, now=datetime.now(UTC))
    assert offered and all(s.local_start().date() != day for s in offered)

    reset = await admin.client.delete(f"{URL}/schedule", headers=boss)
    assert reset.status_code == 200
    assert reset.json()["point"]["closed_days"] == ["2026-12-31"]
    assert reset.json()["appointments_outside_hours"] == []


async def test_a_wrong_change_is_refused_and_nothing_changes(admin: Admin) -> None:
    boss = await admin.headers("admin")
    outside = {"appointment_hours": {"tue": ["13:00-15:00"]}}  # the point closes at 12 on Tue
    response = await admin.client.put(f"{URL}/schedule", json=outside, headers=boss)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "outside the opening hours" in response.json()["detail"]
    for wrong in (
        {"opening_hours": {"mon": ["17:00-08:00"]}},
        {"opening_hours": {"monday": ["08:00-12:00"]}},
        {"closed_days": ["tomorrow"]},
        {"capacity": 9},  # not editable here
    ):
        response = await admin.client.put(f"{URL}/schedule", json=wrong, headers=boss)
        assert response.status_code == 422, wrong
    now = (await admin.client.get(URL, headers=boss)).json()
    assert now["appointment_hours"]["tue"] == ["08:00-12:00"] and now["changed_by"] is None
    missing = await admin.client.put(
        "/admin/api/points/nowhere/schedule", json={"closed_days": []}, headers=boss
    )
    assert missing.status_code == 404


async def test_changes_saved_at_the_same_moment_all_land(admin: Admin) -> None:
    """Three admins change three different things at once: no request fails and the
    point ends with all three (each change is laid over the one before)."""
    boss = await admin.headers("admin")
    changes = [
        {"closed_days": ["2026-12-24", "2026-12-31"]},
        {"walk_in_hours": {"tue": ["08:00-10:00"]}},
        {"appointment_hours": {"tue": ["10:00-12:00"]}},
    ]
    responses = await asyncio.gather(
        *(admin.client.put(f"{URL}/schedule", json=c, headers=boss) for c in changes)
    )
    assert [r.status_code for r in responses] == [200, 200, 200], [r.text for r in responses]
    point = (await admin.client.get(URL, headers=boss)).json()
    assert point["closed_days"] == ["2026-12-24", "2026-12-31"]
    assert point["walk_in_hours"]["tue"] == ["08:00-10:00"]
    assert point["appointment_hours"]["tue"] == ["10:00-12:00"]


async def test_hours_change_in_every_process_and_in_the_catalogue(
    admin: Admin, database_url: str
) -> None:
    # Another process: its own database pool, file's points, catalogue and engine.
    other_db, other_engine, _, other_points = await start(settings_for(database_url))
    try:
        boss = await admin.headers("admin")
        new_hours = {"mon": ["09:00-12:00"], "wed": ["09:00-12:00"]}
        response = await admin.client.put(
            f"{URL}/schedule",
            json={"opening_hours": new_hours, "walk_in_hours": {}, "appointment_hours": new_hours},
            headers=boss,
        )
        assert response.status_code == 200, response.text
        # This process: the engine's points and the catalogue's placeholder.
        runtime = admin.app.state.runtime  # type: ignore[attr-defined]
        for config in (runtime.engine.config, None):
            if config is None:  # the other process, once it looks again
                assert await other_points.refresh() is True
                assert await other_points.refresh() is False  # nothing new since
                config = other_engine.config
            main = config.contact_points.main
            assert main.opening_hours["mon"][0][0].hour == 9 and "tue" not in main.opening_hours
            quoted = config.catalogue.values("cs")["contact_point.opening_hours"]
            assert "9:00–12:00" in quoted and "13:00" not in quoted
            assert date(2026, 12, 31) in main.closed_days  # what was not sent stays
            untouched = load_contact_points(DATA / "contact-points.toml").get("horni-lipova")
            assert config.contact_points.get("horni-lipova") == untouched
        assert other_engine.config.catalogue is not runtime.engine.config.catalogue
    finally:
        await other_db.dispose()
