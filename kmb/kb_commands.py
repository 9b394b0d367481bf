"""``kmb kb import|export|check``: the catalogue files and the live catalogue in the database."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from intake.db import Database, utcnow
from kmb.database import migrate
from kmb.settings import Settings
from knowledge_base.content import CATALOGUE, ContentError, Entry, as_json, load, problems
from knowledge_base.content import stale as stale_entries
from knowledge_base.content import write as write_files
from knowledge_base.store import import_files, published_entries


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    kb = commands.add_parser("kb", help="the solution catalogue: import, export, check")
    actions = kb.add_subparsers(dest="kb_command", required=True)
    imports = actions.add_parser(
        "import", help="import the catalogue files that changed since their last import"
    )
    imports.add_argument("--dir", type=Path, default=CATALOGUE, help="a catalogue folder")
    imports.add_argument("--author", default="catalogue files", help="recorded on new versions")
    export = actions.add_parser("export", help="the published catalogue, as JSON or as files")
    target = export.add_mutually_exclusive_group(required=True)
    target.add_argument("--json", action="store_true", help="one JSON line per entry")
    target.add_argument("--dir", type=Path, help="write <slug>/<lang>.md files into DIR")
    check = actions.add_parser(
        "check", help="check the published catalogue (or the files) against the rules"
    )
    check.add_argument(
        "--files",
        nargs="?",
        type=Path,
        const=CATALOGUE,
        help="check catalogue files instead (default folder: the shipped catalogue)",
    )
    check.add_argument(
        "--max-age-days", type=int, help="list entries reviewed longer ago (default: setting)"
    )


async def run(settings: Settings, args: argparse.Namespace) -> int:
    db = Database(settings.database_url)
    try:
        if settings.migrate_on_start:
            await migrate(db)
        if args.kb_command == "import":
            return await _import(db, args)
        if args.kb_command == "export":
            return await _export(db, args)
        return await _check(db, settings, args)
    finally:
        await db.dispose()


async def _import(db: Database, args: argparse.Namespace) -> int:
    try:
        async with db.transaction() as session:
            report = await import_files(session, now=utcnow(), folder=args.dir, author=args.author)
    except ContentError as error:
        print(f"kmb kb import: nothing imported: {error}", file=sys.stderr)
        return 1
    for name in report.published:
        print(f"published {name}")
    for name in report.drafts:
        print(f"draft {name} (staff changed the live version; review and publish)")
    print(
        f"{len(report.published)} published, {len(report.drafts)} drafts, "
        f"{report.unchanged} unchanged"
    )
    return 0


async def _export(db: Database, args: argparse.Namespace) -> int:
    async with db.reading() as session:
        entries = await published_entries(session)
    if args.json:
        for entry in entries:
            print(json.dumps(as_json(entry), ensure_ascii=False))
    else:
        write_files(entries, args.dir)
        print(f"{len(entries)} entries written to {args.dir}")
    return 0


async def _check(db: Database, settings: Settings, args: argparse.Namespace) -> int:
    entries: list[Entry]
    if args.files is not None:
        try:
            entries = load(args.files)
        except ContentError as error:
            print(error)
            return 1
    else:
        async with db.reading() as session:
            entries = await published_entries(session)
    found = problems(entries, complete=True)
    for problem in found:
        print(problem)
    max_age = settings.kb_review_max_age_days if args.max_age_days is None else args.max_age_days
    old = stale_entries(entries, today=date.today(), max_age_days=max_age)
    for entry in old:
        print(f"to review: {entry.slug}/{entry.lang} (last reviewed {entry.reviewed_on})")
    print(f"{len(entries)} entries, {len(found)} problems, {len(old)} to review")
    return 1 if found else 0
