"""``kmb kb import|export|check`` on a real database, and each process's live catalogue."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

from bot.dialogue.catalogue import Catalogue
from intake.contact_point import load_contact_points
from intake.db import Database
from intake.triage import Thresholds
from kmb.live_catalogue import CatalogueRefresher
from knowledge_base import editing
from knowledge_base.content import CATALOGUE, load
from knowledge_base.store import import_files
from tests.conftest import DATA, NOW
from tests.kmb.test_cli import kmb


def test_import_export_and_check(tmp_path: Path) -> None:
    env = {"KMB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'kb.sqlite3'}"}
    folder = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE, folder)
    entries = load(folder)

    empty = kmb("kb", "check", env=env)
    assert empty.returncode == 1 and "missing contact-point/cs" in empty.stdout
    first = kmb("kb", "import", "--dir", str(folder), env=env)
    assert first.returncode == 0, first.stderr
    assert f"{len(entries)} published, 0 drafts, 0 unchanged" in first.stdout
    again = kmb("kb", "import", "--dir", str(folder), env=env)
    assert f"0 published, 0 drafts, {len(entries)} unchanged" in again.stdout

    exported = kmb("kb", "export", "--json", env=env)
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert {(r["slug"], r["lang"]) for r in rows} == {(e.slug, e.lang) for e in entries}
    assert set(rows[0]) == {"slug", "lang", "title", "short_answer", "body", "keywords"}
    out = tmp_path / "exported"
    assert kmb("kb", "export", "--dir", str(out), env=env).returncode == 0
    assert sorted(load(out), key=lambda e: (e.slug, e.lang)) == sorted(
        entries, key=lambda e: (e.slug, e.lang)
    )

    check = kmb("kb", "check", "--max-age-days", "-1", env=env)
    assert check.returncode == 0, check.stdout
    assert f"{len(entries)} entries, 0 problems, {len(entries)} to review" in check.stdout

    broken = folder / "seniors" / "uk.md"
    broken.write_text(broken.read_text("utf-8").replace("title = ", "title = = ", 1), "utf-8")
    refused = kmb("kb", "import", "--dir", str(folder), env=env)
    assert refused.returncode == 1 and f"{broken}:2:" in refused.stderr
    assert "nothing imported" in refused.stderr
    files = kmb("kb", "check", "--files", str(folder), env=env)
    assert files.returncode == 1 and f"{broken}:2:" in files.stdout


async def test_each_process_picks_up_what_staff_publish(db: Database) -> None:
    catalogue = Catalogue((), load_contact_points(DATA / "contact-points.toml").main, Thresholds())
    refresher = CatalogueRefresher(db, catalogue, every_seconds=60)
    assert await refresher.refresh() is True  # the first look always builds
    assert catalogue.find("kde muzu dnes prespat", "cs") is None  # nothing published yet
    async with db.transaction() as session:
        await import_files(session, now=NOW)
    assert await refresher.refresh() is True
    found = catalogue.find("kde muzu dnes prespat", "cs")
    assert found is not None and found.entry.slug == "nowhere-to-sleep-tonight"
    assert await refresher.refresh() is False  # nothing new: the index is not rebuilt
    async with db.transaction() as session:
        entry = (await editing.read(session, "seniors", "cs")).entry()
        draft = await editing.save_draft(
            session, dataclasses.replace(entry, title="Bydlení pro seniory"), author="x", now=NOW
        )
    assert await refresher.refresh() is False  # a draft is not live
    async with db.transaction() as session:
        await editing.publish(session, "seniors", "cs", draft.version, author="x", now=NOW)
    assert await refresher.refresh() is True
    assert catalogue.entry("seniors", "cs").title == "Bydlení pro seniory"
