"""Editing the catalogue over HTTP: drafts, publishing (the chat answers from the new
text at once), roll-back, refused edits, entries to review, unanswered questions."""

from __future__ import annotations

from intake.db import utcnow
from knowledge_base.content import CATALOGUE, load
from tests.admin_api.conftest import Admin
from tests.bot.test_widget_api import start

BASE = "/admin/api/catalogue"


def chat_catalogue(admin: Admin):
    return admin.app.state.runtime.engine.config.catalogue


async def test_edit_publish_and_roll_back_an_entry(admin: Admin) -> None:
    auth = await admin.headers("editor")
    entries = (await admin.client.get(f"{BASE}/entries", headers=auth)).json()
    assert len(entries) == 96 and {e["live_version"] for e in entries} == {1}
    live = (await admin.client.get(f"{BASE}/entries/seniors/en", headers=auth)).json()
    edit = {
        key: live[key]
        for key in ("title", "short", "body", "reviewed_on", "sources", "links", "keywords")
    } | {"title": "Housing for older people", "note": "clearer title"}
    draft = await admin.client.post(f"{BASE}/entries/seniors/en/versions", json=edit, headers=auth)
    assert draft.status_code == 201, draft.text
    assert (draft.json()["version"], draft.json()["status"], draft.json()["author"]) == (
        2,
        "draft",
        "editor",
    )
    assert chat_catalogue(admin).entry("seniors", "en").title == "Older people"  # not yet
    published = await admin.client.post(
        f"{BASE}/entries/seniors/en/versions/2/publish", headers=auth
    )
    assert published.json()["status"] == "published"
    assert chat_catalogue(admin).entry("seniors", "en").title == "Housing for older people"
    back = await admin.client.post(f"{BASE}/entries/seniors/en/versions/1/rollback", headers=auth)
    assert (back.json()["version"], back.json()["note"]) == (3, "back to version 1")
    assert chat_catalogue(admin).entry("seniors", "en").title == "Older people"
    history = (await admin.client.get(f"{BASE}/entries/seniors/en/versions", headers=auth)).json()
    assert [(v["version"], v["status"]) for v in history] == [
        (3, "published"),
        (2, "superseded"),
        (1, "superseded"),
    ]


async def test_edits_that_break_the_rules_are_refused_clearly(admin: Admin) -> None:
    auth = await admin.headers("editor")
    live = (await admin.client.get(f"{BASE}/entries/privacy/en", headers=auth)).json()
    bad = {
        "title": live["title"],
        "short": "Call {{contact_point.fax}}",
        "reviewed_on": live["reviewed_on"],
        "sources": live["sources"],
    }
    refused = await admin.client.post(f"{BASE}/entries/privacy/en/versions", json=bad, headers=auth)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert "unknown placeholder {{contact_point.fax}}" in refused.json()["detail"]
    missing = await admin.client.post(
        f"{BASE}/entries/privacy/en/versions", json={"title": "x"}, headers=auth
    )
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} >= {"short", "reviewed_on", "sources"}
    nothing = await admin.client.get(f"{BASE}/entries/nothing/en", headers=auth)
    assert nothing.status_code == 404 and "nothing/en" in nothing.json()["detail"]
    not_draft = await admin.client.post(
        f"{BASE}/entries/privacy/en/versions/1/publish", headers=auth
    )
    assert not_draft.status_code == 409


async def test_entries_to_review_and_unanswered_questions(admin: Admin) -> None:
    auth = await admin.headers("editor")
    assert (await admin.client.get(f"{BASE}/stale", headers=auth)).json() == []
    # The shipped entries were checked some days ago: older than that is nothing,
    # a day less finds the oldest (whatever day the tests run on).
    entries = load(CATALOGUE)
    oldest = min(e.reviewed_on for e in entries)
    age = (utcnow().date() - oldest).days
    fresh = (await admin.client.get(f"{BASE}/stale?max_age_days={age}", headers=auth)).json()
    assert fresh == []
    if age > 0:
        due = (await admin.client.get(f"{BASE}/stale?max_age_days={age - 1}", headers=auth)).json()
        assert {(d["slug"], d["lang"]) for d in due} == {
            (e.slug, e.lang) for e in entries if e.reviewed_on == oldest
        }
    body, widget = await start(admin.client)
    cursor = body["cursor"]
    for number, message in enumerate(
        [
            {"payload": "lang:en"},
            {"payload": "ans:immediate_danger:no"},
            {"payload": "ans:consent:agree"},
            {"text": "Who won the hockey match yesterday?"},
        ]
    ):
        sent = await admin.client.post(
            "/widget/api/messages",
            json={"id": f"m{number}", "after": cursor, **message},
            headers=widget,
        )
        cursor = sent.json()["cursor"]
    page = (await admin.client.get(f"{BASE}/unanswered", headers=auth)).json()
    assert page["total"] == 1 and page["items"][0]["text"] == "Who won the hockey match yesterday?"
    question = page["items"][0]["id"]
    wrong = await admin.client.post(
        f"{BASE}/unanswered/{question}/link", json={"slug": "football"}, headers=auth
    )
    assert wrong.status_code == 409
    linked = await admin.client.post(
        f"{BASE}/unanswered/{question}/link", json={"slug": "social-services"}, headers=auth
    )
    assert linked.json()["entry_slug"] == "social-services"
    assert (await admin.client.get(f"{BASE}/unanswered", headers=auth)).json()["total"] == 0
