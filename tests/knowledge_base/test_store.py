"""The live catalogue in the database: importing the files, versions, publishing, roll-back."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from intake.db import Database
from knowledge_base import editing
from knowledge_base.content import CATALOGUE, ContentError, load
from knowledge_base.store import (
    PUBLISHED,
    EntryVersion,
    import_files,
    published_entries,
)
from tests.conftest import NOW

LATER = NOW + timedelta(hours=1)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the shipped catalogue files that a test may change."""
    copy = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE, copy)
    return copy


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


async def live(db: Database, slug: str, lang: str) -> EntryVersion:
    async with db.reading() as session:
        return await editing.read(session, slug, lang)


async def test_the_files_are_imported_once_and_published(db: Database, folder: Path) -> None:
    async with db.transaction() as session:
        report = await import_files(session, now=NOW, folder=folder)
    assert len(report.published) == len(load(folder)) and report.drafts == []
    async with db.transaction() as session:
        again = await import_files(session, now=LATER, folder=folder)
    assert (again.published, again.drafts, again.unchanged) == ([], [], len(load(folder)))
    async with db.reading() as session:
        assert await published_entries(session) == sorted(
            load(folder), key=lambda e: (e.slug, e.lang)
        )


async def test_a_changed_file_becomes_the_next_published_version(
    db: Database, folder: Path
) -> None:
    async with db.transaction() as session:
        await import_files(session, now=NOW, folder=folder)
    rewrite(folder / "privacy" / "en.md", "reviewed_on = ", "reviewed_on = 2027-01-02\n#")
    async with db.transaction() as session:
        report = await import_files(session, now=LATER, folder=folder)
    assert report.published == ["privacy/en"]
    entry = await live(db, "privacy", "en")
    assert (entry.version, entry.reviewed_on, entry.published_at) == (2, date(2027, 1, 2), LATER)
    async with db.reading() as session:
        statuses = [v.status for v in await editing.history(session, "privacy", "en")]
    assert statuses == ["published", "superseded"]


async def test_a_file_change_waits_as_a_draft_when_staff_changed_the_entry(
    db: Database, folder: Path
) -> None:
    async with db.transaction() as session:
        await import_files(session, now=NOW, folder=folder)
        mine = (await editing.read(session, "privacy", "en")).entry()
        draft = await editing.save_draft(
            session, dataclasses.replace(mine, title="Your data"), author="jana", now=NOW
        )
        await editing.publish(session, "privacy", "en", draft.version, author="jana", now=NOW)
    rewrite(folder / "privacy" / "en.md", "reviewed_on = ", "reviewed_on = 2027-01-02\n#")
    async with db.transaction() as session:
        report = await import_files(session, now=LATER, folder=folder)
    assert (report.published, report.drafts) == ([], ["privacy/en"])
    assert (await live(db, "privacy", "en")).title == "Your data"  # staff's version stays live


async def test_drafts_publishing_and_rollback_keep_the_whole_history(
    db: Database, folder: Path
) -> None:
    async with db.transaction() as session:
        await import_files(session, now=NOW, folder=folder)
        original = (await editing.read(session, "seniors", "cs")).entry()
        draft = await editing.save_draft(
            session,
            dataclasses.replace(
                original, short="Nový krátký text. Volejte {{contact_point.phone}}."
            ),
            author="petr",
            now=NOW,
            note="shorter",
        )
    assert (draft.version, draft.status) == (2, "draft")
    assert (await live(db, "seniors", "cs")).version == 1  # a draft is not live
    async with db.transaction() as session:
        await editing.publish(session, "seniors", "cs", 2, author="eva", now=LATER)
    current = await live(db, "seniors", "cs")
    assert (current.version, current.author, current.published_by) == (2, "petr", "eva")
    async with db.transaction() as session:
        back = await editing.rollback(session, "seniors", "cs", 1, author="eva", now=LATER)
    assert (back.version, back.origin, back.note) == (3, "rollback", "back to version 1")
    assert (await live(db, "seniors", "cs")).entry() == original
    async with db.reading() as session:
        versions = await editing.history(session, "seniors", "cs")
    assert [(v.version, v.status, v.author) for v in versions] == [
        (3, "published", "eva"),
        (2, "superseded", "petr"),
        (1, "superseded", "catalogue files"),
    ]


async def test_changes_that_break_the_rules_are_refused_and_nothing_is_stored(
    db: Database, folder: Path
) -> None:
    async with db.transaction() as session:
        await import_files(session, now=NOW, folder=folder)
        entry = (await editing.read(session, "seniors", "en")).entry()
        bad = [
            dataclasses.replace(entry, short="Call {{contact_point.fax}}"),
            dataclasses.replace(entry, short="x" * 800),
            dataclasses.replace(entry, links=("no-such-entry",)),
            dataclasses.replace(entry, title=""),
            dataclasses.replace(entry, short="one <!-- more --> two"),
            dataclasses.replace(entry, slug="Bad Slug"),
        ]
        for changed in bad:
            with pytest.raises(editing.EditError):
                await editing.save_draft(session, changed, author="x", now=NOW)
        with pytest.raises(editing.EditError, match="not a draft"):
            await editing.publish(session, "seniors", "en", 1, author="x", now=NOW)
        with pytest.raises(editing.EditError, match="already the live"):
            await editing.rollback(session, "seniors", "en", 1, author="x", now=NOW)
        with pytest.raises(editing.NotFound):
            await editing.read(session, "seniors", "en", 7)
    async with db.reading() as session:
        assert len(await editing.history(session, "seniors", "en")) == 1


async def test_a_broken_file_is_reported_with_path_and_line_and_nothing_changes(
    db: Database, folder: Path
) -> None:
    async with db.transaction() as session:
        await import_files(session, now=NOW, folder=folder)
    rewrite(folder / "seniors" / "en.md", "Older people", "Older people (updated)")
    broken = folder / "privacy" / "cs.md"
    lines = broken.read_text("utf-8").splitlines()
    lines[2] = 'reviewed_on = "yesterday'  # an unterminated string on line 3
    broken.write_text("\n".join(lines), "utf-8")
    with pytest.raises(ContentError) as caught:
        async with db.transaction() as session:
            await import_files(session, now=LATER, folder=folder)
    assert str(caught.value).startswith(f"{broken}:3: ")
    assert not (await live(db, "seniors", "en")).title.endswith("(updated)")  # all or nothing


async def test_only_one_version_of_an_entry_can_be_live(db: Database, folder: Path) -> None:
    async with db.transaction() as session:
        await import_files(session, now=NOW, folder=folder)
        entry = (await editing.read(session, "seniors", "en")).entry()
        await editing.save_draft(session, entry, author="x", now=NOW)
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            await session.execute(
                update(EntryVersion)
                .where(EntryVersion.slug == "seniors", EntryVersion.lang == "en")
                .values(status=PUBLISHED)
            )


async def test_two_processes_importing_at_once_import_once(db: Database, folder: Path) -> None:
    other = Database(db.url)

    async def run(database: Database) -> int:
        async with database.transaction() as session:
            return len((await import_files(session, now=NOW, folder=folder)).published)

    try:
        counts = await asyncio.gather(run(db), run(other))
    finally:
        await other.dispose()
    assert sorted(counts) == [0, len(load(folder))]
    async with db.reading() as session:
        total = len(list(await session.scalars(select(EntryVersion.id))))
    assert total == len(load(folder))


async def test_staff_see_entries_to_review_and_link_unanswered_questions(
    db: Database, folder: Path, chat
) -> None:
    from tests.bot.test_dialogue_behaviour import start_in_english

    async with db.transaction() as session:
        await import_files(session, now=NOW, folder=folder)
    async with db.reading() as session:
        states = await editing.overview(session)
        assert len(states) == len(load(folder))
        assert all(s.live_version == 1 and s.drafts_after_live == 0 for s in states)
        newest = max(s.reviewed_on for s in states if s.reviewed_on)
        old = await editing.stale_entries(
            session, today=newest + timedelta(days=400), max_age_days=365
        )
        assert len(old) == len(states)
        assert await editing.stale_entries(session, today=newest, max_age_days=365) == []
    await start_in_english(chat)
    await chat.type("Who won the hockey match yesterday?")
    async with db.transaction() as session:
        (question,), total = await editing.unanswered_questions(session)
        assert total == 1 and question.text == "Who won the hockey match yesterday?"
        with pytest.raises(editing.EditError):
            await editing.link_question(session, question.id, "no-such-entry")
        await editing.link_question(session, question.id, "social-services")
    async with db.reading() as session:
        assert await editing.unanswered_questions(session) == ([], 0)
        (linked,), _ = await editing.unanswered_questions(session, include_linked=True)
        assert linked.entry_slug == "social-services"
