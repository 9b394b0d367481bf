"""The live catalogue in the database: every change is a new version of an entry.

A version is a *draft* until it is published. Exactly one version of each entry
(slug and language) is *published* at a time — a partial unique index makes sure
of it — and the versions it replaced are *superseded*. Nothing is ever
overwritten, so any earlier version can be brought back (:mod:`knowledge_base.editing`).

The catalogue files that ship with the product are imported by :func:`import_files`:
an entry whose file changed since it was last imported gets a new version. It is
published at once when the live version is the previous file import; when staff
have changed the entry since, it waits as a draft for them to decide.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import (
    Date,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from intake.db import Base, JSONDocument, UTCDateTime
from knowledge_base.content import CATALOGUE, ContentError, Entry, format_entry, load, problems

DRAFT, PUBLISHED, SUPERSEDED = "draft", "published", "superseded"
FROM_FILE, BY_STAFF, ROLLBACK = "file", "staff", "rollback"
FILES_AUTHOR = "catalogue files"
_IMPORT_LOCK = 7_411_202_612


class EntryVersion(Base):
    __tablename__ = "catalogue_entry_version"
    __table_args__ = (
        UniqueConstraint("slug", "lang", "version"),
        Index(
            "uq_catalogue_entry_version_live",
            "slug",
            "lang",
            unique=True,
            sqlite_where=text("status = 'published'"),
            postgresql_where=text("status = 'published'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60))
    lang: Mapped[str] = mapped_column(String(5))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(Text)
    short: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    reviewed_on: Mapped[date] = mapped_column(Date)
    sources: Mapped[list[str]] = mapped_column(JSONDocument)
    links: Mapped[list[str]] = mapped_column(JSONDocument)
    keywords: Mapped[list[str]] = mapped_column(JSONDocument)
    questions: Mapped[list[str]] = mapped_column(JSONDocument)
    origin: Mapped[str] = mapped_column(String(12))  # file | staff | rollback
    # SHA-256 of the file a version was imported from, to import only changed files.
    file_digest: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_by: Mapped[str | None] = mapped_column(String(100))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def entry(self) -> Entry:
        return Entry(
            slug=self.slug,
            lang=self.lang,
            title=self.title,
            short=self.short,
            body=self.body,
            reviewed_on=self.reviewed_on,
            sources=tuple(self.sources),
            links=tuple(self.links),
            keywords=tuple(self.keywords),
            questions=tuple(self.questions),
        )


def content_of(entry: Entry) -> dict[str, object]:
    """The columns of a version that hold the entry itself."""
    return {
        "slug": entry.slug,
        "lang": entry.lang,
        "title": entry.title,
        "short": entry.short,
        "body": entry.body,
        "reviewed_on": entry.reviewed_on,
        "sources": list(entry.sources),
        "links": list(entry.links),
        "keywords": list(entry.keywords),
        "questions": list(entry.questions),
    }


async def published(session: AsyncSession) -> list[EntryVersion]:
    """The live version of every entry."""
    rows = await session.scalars(
        select(EntryVersion)
        .where(EntryVersion.status == PUBLISHED)
        .order_by(EntryVersion.slug, EntryVersion.lang)
    )
    return list(rows)


async def published_entries(session: AsyncSession) -> list[Entry]:
    return [version.entry() for version in await published(session)]


async def revision(session: AsyncSession) -> tuple[int, ...]:
    """Which versions are live: changes whenever the live catalogue does, and is cheap
    enough to ask every few seconds (a few hundred integers)."""
    ids = await session.scalars(
        select(EntryVersion.id).where(EntryVersion.status == PUBLISHED).order_by(EntryVersion.id)
    )
    return tuple(ids)


async def versions_of(session: AsyncSession, slug: str, lang: str) -> list[EntryVersion]:
    """Every version of an entry, the newest first."""
    rows = await session.scalars(
        select(EntryVersion)
        .where(EntryVersion.slug == slug, EntryVersion.lang == lang)
        .order_by(EntryVersion.version.desc())
    )
    return list(rows)


async def add_version(
    session: AsyncSession,
    entry: Entry,
    *,
    origin: str,
    author: str,
    now: datetime,
    note: str | None = None,
    file_digest: str | None = None,
) -> EntryVersion:
    """A new draft version of ``entry``, numbered after the entry's last one."""
    last = await session.scalar(
        select(func.max(EntryVersion.version)).where(
            EntryVersion.slug == entry.slug, EntryVersion.lang == entry.lang
        )
    )
    version = EntryVersion(
        **content_of(entry),
        version=(last or 0) + 1,
        status=DRAFT,
        origin=origin,
        author=author,
        note=note,
        file_digest=file_digest,
        created_at=now,
    )
    session.add(version)
    await session.flush()
    return version


async def make_live(
    session: AsyncSession, version: EntryVersion, *, author: str, now: datetime
) -> None:
    """Publish ``version``; the version live until now is superseded."""
    current = await session.scalar(
        select(EntryVersion).where(
            EntryVersion.slug == version.slug,
            EntryVersion.lang == version.lang,
            EntryVersion.status == PUBLISHED,
        )
    )
    if current is not None and current.id != version.id:
        current.status = SUPERSEDED
        await session.flush()  # before the new one, or the unique index would refuse it
    version.status = PUBLISHED
    version.published_by = author
    version.published_at = now
    await session.flush()


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class ImportReport:
    published: list[str] = field(default_factory=list)  # "slug/lang"
    drafts: list[str] = field(default_factory=list)  # waiting because staff changed the entry
    unchanged: int = 0


async def import_files(
    session: AsyncSession, *, now: datetime, folder: Path = CATALOGUE, author: str = FILES_AUTHOR
) -> ImportReport:
    """Import the catalogue files that changed since they were last imported.

    All or nothing: a file that cannot be read raises :class:`ContentError` (with its
    path and line), and a catalogue that breaks the rules raises it with the list of
    problems, before anything is written.
    """
    entries = load(folder)
    if session.bind.dialect.name == "postgresql":
        # Two processes starting at once import once: the second waits, then finds
        # every file already imported. (SQLite writers are serialized anyway.)
        await session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _IMPORT_LOCK})
    live = await published(session)
    known = {version.slug for version in live}
    found = problems(entries, complete=folder == CATALOGUE, other_slugs=known)
    if found:
        raise ContentError("the catalogue files have problems:\n" + "\n".join(found))
    imported = {
        (row.slug, row.lang): row
        for row in await session.scalars(
            select(EntryVersion)
            .where(EntryVersion.origin == FROM_FILE)
            .order_by(EntryVersion.version)
        )
    }  # the last file import of each entry wins the dict
    live_by_key = {(row.slug, row.lang): row for row in live}
    report = ImportReport()
    for entry in entries:
        key = (entry.slug, entry.lang)
        file_digest = digest(format_entry(entry))
        previous = imported.get(key)
        if previous is not None and previous.file_digest == file_digest:
            report.unchanged += 1
            continue
        version = await add_version(
            session, entry, origin=FROM_FILE, author=author, now=now, file_digest=file_digest
        )
        current = live_by_key.get(key)
        if current is None or (previous is not None and current.id == previous.id):
            await make_live(session, version, author=author, now=now)
            report.published.append(f"{entry.slug}/{entry.lang}")
        else:
            report.drafts.append(f"{entry.slug}/{entry.lang}")
    return report
