"""What staff do to the catalogue: the services the admin API calls.

Each function works inside the caller's transaction and only flushes. Staff write
drafts; a draft goes live when it is published; an earlier version comes back as a
new published version (a roll-back), so the history only ever grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge_base.content import Entry, entry_errors, problems, stale
from knowledge_base.questions import UnansweredQuestion
from knowledge_base.store import (
    BY_STAFF,
    DRAFT,
    PUBLISHED,
    ROLLBACK,
    EntryVersion,
    add_version,
    make_live,
    published,
    versions_of,
)


class EditError(ValueError):
    """A change staff asked for that cannot be made; ``problems`` says why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class NotFound(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class EntryState:
    """One entry (slug and language) as the catalogue list shows it."""

    slug: str
    lang: str
    title: str  # of the live version, or of the newest draft when nothing is live
    live_version: int | None
    latest_version: int
    drafts_after_live: int
    reviewed_on: date | None


async def overview(session: AsyncSession) -> list[EntryState]:
    rows = list(
        await session.scalars(
            select(EntryVersion).order_by(
                EntryVersion.slug, EntryVersion.lang, EntryVersion.version
            )
        )
    )
    grouped: dict[tuple[str, str], list[EntryVersion]] = {}
    for row in rows:
        grouped.setdefault((row.slug, row.lang), []).append(row)
    states = []
    for (slug, lang), versions in grouped.items():
        live = next((v for v in versions if v.status == PUBLISHED), None)
        shown = live or versions[-1]
        states.append(
            EntryState(
                slug=slug,
                lang=lang,
                title=shown.title,
                live_version=live.version if live else None,
                latest_version=versions[-1].version,
                drafts_after_live=sum(
                    1
                    for v in versions
                    if v.status == DRAFT and (live is None or v.version > live.version)
                ),
                reviewed_on=live.reviewed_on if live else None,
            )
        )
    return states


async def history(session: AsyncSession, slug: str, lang: str) -> list[EntryVersion]:
    """Every version of the entry, the newest first."""
    versions = await versions_of(session, slug, lang)
    if not versions:
        raise NotFound(f"no entry {slug}/{lang}")
    return versions


async def read(
    session: AsyncSession, slug: str, lang: str, version: int | None = None
) -> EntryVersion:
    """One version of an entry; the live one when ``version`` is not given."""
    query = select(EntryVersion).where(EntryVersion.slug == slug, EntryVersion.lang == lang)
    query = query.where(
        EntryVersion.status == PUBLISHED if version is None else EntryVersion.version == version
    )
    found = await session.scalar(query)
    if found is None:
        which = "a published version" if version is None else f"version {version}"
        raise NotFound(f"{slug}/{lang} has no {which}")
    return found


async def save_draft(
    session: AsyncSession, entry: Entry, *, author: str, now: datetime, note: str | None = None
) -> EntryVersion:
    """A new draft version of the entry, if it follows the catalogue's rules."""
    live_slugs = {version.slug for version in await published(session)}
    found = entry_errors(entry) + problems([entry], complete=False, other_slugs=live_slugs)
    if found:
        raise EditError(found)
    return await add_version(session, entry, origin=BY_STAFF, author=author, now=now, note=note)


async def publish(
    session: AsyncSession, slug: str, lang: str, version: int, *, author: str, now: datetime
) -> EntryVersion:
    """Make a draft the live version."""
    draft = await read(session, slug, lang, version)
    if draft.status != DRAFT:
        raise EditError(
            [f"version {version} is {draft.status}, not a draft; roll back to bring it back"]
        )
    await make_live(session, draft, author=author, now=now)
    return draft


async def rollback(
    session: AsyncSession, slug: str, lang: str, to_version: int, *, author: str, now: datetime
) -> EntryVersion:
    """Publish the content of an earlier version again, as a new version."""
    earlier = await read(session, slug, lang, to_version)
    if earlier.status == PUBLISHED:
        raise EditError([f"version {to_version} is already the live version"])
    version = await add_version(
        session,
        earlier.entry(),
        origin=ROLLBACK,
        author=author,
        now=now,
        note=f"back to version {to_version}",
    )
    await make_live(session, version, author=author, now=now)
    return version


async def stale_entries(
    session: AsyncSession, *, today: date, max_age_days: int
) -> list[EntryVersion]:
    """Live versions whose facts were last checked more than ``max_age_days`` ago."""
    live = await published(session)
    entries = [v.entry() for v in live]
    old = {(e.slug, e.lang) for e in stale(entries, today=today, max_age_days=max_age_days)}
    return [v for v in live if (v.slug, v.lang) in old]


async def unanswered_questions(
    session: AsyncSession, *, include_linked: bool = False, limit: int = 50, offset: int = 0
) -> tuple[list[UnansweredQuestion], int]:
    """Questions the assistant could not answer, the newest first, and how many there are."""
    query = select(UnansweredQuestion)
    if not include_linked:
        query = query.where(UnansweredQuestion.entry_slug.is_(None))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(UnansweredQuestion.created_at.desc(), UnansweredQuestion.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total or 0


async def link_question(session: AsyncSession, question_id: int, slug: str) -> UnansweredQuestion:
    """Record which entry answers an unanswered question (to improve the entry's wording)."""
    question = await session.get(UnansweredQuestion, question_id)
    if question is None:
        raise NotFound(f"no unanswered question {question_id}")
    if slug not in {version.slug for version in await published(session)}:
        raise EditError([f"no published entry {slug}"])
    question.entry_slug = slug
    await session.flush()
    return question
