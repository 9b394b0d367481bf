"""Keeping the solution catalogue current: versions, drafts, publishing, roll-back,
entries to review and the questions the assistant could not answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from admin_api import audit
from admin_api.accounts import EDITOR
from admin_api.params import MAX_INT, IsoDate, Lang, Offset, RowId, Slug
from admin_api.problems import CONFLICT, NOT_FOUND, AdminProblem
from admin_api.security import ContextDep, StaffDep, allowed
from intake.db import utcnow
from knowledge_base import editing
from knowledge_base.content import Entry
from knowledge_base.store import EntryVersion

router = APIRouter(
    prefix="/admin/api/catalogue", tags=["catalogue"], responses={**NOT_FOUND, **CONFLICT}
)
EDITORS = allowed(EDITOR)


class EntryStateOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "slug": "seniors",
                    "lang": "cs",
                    "title": "Senioři",
                    "live_version": 3,
                    "latest_version": 4,
                    "drafts_after_live": 1,
                    "reviewed_on": "2026-11-23",
                }
            ]
        }
    )

    slug: str
    lang: str
    title: str
    live_version: int | None
    latest_version: int
    drafts_after_live: int
    reviewed_on: date | None


ENTRY_EXAMPLE: dict[str, Any] = {
    "title": "Bydlení pro seniory",
    "short": (
        "Jste starší a bydlení je pro vás drahé nebo nevhodné? Ozvěte se nám: "
        "{{contact_point.phone}}, {{contact_point.address}}. Pomůžeme najít řešení."
    ),
    "body": "Město má byty v domech s pečovatelskou službou. O nich rozhoduje město.",
    "reviewed_on": "2026-11-20",
    "sources": ["socialnibydleni.mpsv.cz/socialni-bydleni/asistence-v-bydleni"],
    "links": ["housing-benefits", "social-services"],
    "keywords": ["senior", "důchodce", "dům s pečovatelskou službou"],
    "questions": ["Existuje byt pro seniory?"],
    "note": "nový název, kratší odpověď",
}


class EntryIn(BaseModel):
    """A new version of an entry: the whole text, as staff edited it."""

    model_config = ConfigDict(json_schema_extra={"examples": [ENTRY_EXAMPLE]})

    title: str = Field(min_length=1, max_length=200)
    short: str = Field(min_length=1, max_length=2000, description="one phone screen (≤ 700)")
    body: str = Field("", max_length=20_000)
    reviewed_on: IsoDate
    sources: list[str] = Field(min_length=1)
    links: list[str] = []
    keywords: list[str] = []
    questions: list[str] = []
    note: str | None = Field(None, max_length=500, description="why it changed")


class VersionOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "slug": "seniors",
                    "lang": "cs",
                    "version": 4,
                    "status": "draft",
                    **ENTRY_EXAMPLE,
                    "origin": "staff",
                    "author": "kdvorakova",
                    "created_at": "2026-11-20T13:42:07Z",
                    "published_by": None,
                    "published_at": None,
                }
            ]
        }
    )

    slug: str
    lang: str
    version: int
    status: str
    title: str
    short: str
    body: str
    reviewed_on: date
    sources: list[str]
    links: list[str]
    keywords: list[str]
    questions: list[str]
    origin: str
    note: str | None
    author: str
    created_at: datetime
    published_by: str | None
    published_at: datetime | None

    @classmethod
    def of(cls, version: EntryVersion) -> VersionOut:
        return cls.model_validate(version, from_attributes=True)


UNANSWERED_EXAMPLE: dict[str, Any] = {
    "id": 42,
    "locale": "cs",
    "text": "Kdo mi pomůže s nákupem, když už nemůžu chodit?",
    "entry_slug": None,
    "created_at": "2026-11-24T17:03:51Z",
}


class UnansweredOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [UNANSWERED_EXAMPLE]})

    id: int
    locale: str
    text: str | None
    entry_slug: str | None
    created_at: datetime


class UnansweredPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [UNANSWERED_EXAMPLE], "total": 1}]}
    )

    items: list[UnansweredOut]
    total: int


class LinkIn(BaseModel):
    slug: str = Field(examples=["social-services"])


def _problem(error: Exception) -> AdminProblem:
    if isinstance(error, editing.NotFound):
        return AdminProblem(404, "Not found", str(error))
    assert isinstance(error, editing.EditError)
    return AdminProblem(409, "Change refused", "; ".join(error.problems))


@router.get("/entries", **EDITORS)
async def list_entries(context: ContextDep) -> list[EntryStateOut]:
    """Every entry and language: its live version, drafts waiting, when it was reviewed."""
    async with context.db.reading() as session:
        states = await editing.overview(session)
    return [EntryStateOut.model_validate(s, from_attributes=True) for s in states]


@router.get("/entries/{slug}/{lang}", **EDITORS)
async def read_entry(
    slug: Slug,
    lang: Lang,
    context: ContextDep,
    version: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> VersionOut:
    """The live version, or the version asked for."""
    try:
        async with context.db.reading() as session:
            return VersionOut.of(await editing.read(session, slug, lang, version))
    except editing.NotFound as error:
        raise _problem(error) from error


@router.get("/entries/{slug}/{lang}/versions", **EDITORS)
async def entry_history(slug: Slug, lang: Lang, context: ContextDep) -> list[VersionOut]:
    """Every version of the entry in this language, drafts included, the newest first."""
    try:
        async with context.db.reading() as session:
            return [VersionOut.of(v) for v in await editing.history(session, slug, lang)]
    except editing.NotFound as error:
        raise _problem(error) from error


@router.post("/entries/{slug}/{lang}/versions", status_code=201, **EDITORS)
async def save_draft(
    slug: Slug, lang: Lang, body: EntryIn, staff: StaffDep, context: ContextDep
) -> VersionOut:
    """Save an edit as a new draft version (nobody sees it until it is published)."""
    entry = Entry(
        slug=slug,
        lang=lang,
        title=body.title,
        short=body.short.strip(),
        body=body.body.strip(),
        reviewed_on=body.reviewed_on,
        sources=tuple(body.sources),
        links=tuple(body.links),
        keywords=tuple(body.keywords),
        questions=tuple(body.questions),
    )
    try:
        async with context.db.transaction() as session:
            draft = await editing.save_draft(
                session, entry, author=staff.username, now=utcnow(), note=body.note
            )
            return VersionOut.of(draft)
    except (editing.EditError, editing.NotFound) as error:
        raise _problem(error) from error


async def _go_live(
    context: ContextDep, change: Callable[[AsyncSession], Awaitable[EntryVersion]]
) -> VersionOut:
    """Make a version live; this process answers from it at once, the others within
    KMB_KB_REFRESH_SECONDS."""
    try:
        async with context.db.transaction() as session:
            live = VersionOut.of(await change(session))
    except (editing.EditError, editing.NotFound) as error:
        raise _problem(error) from error
    await context.catalogue.refresh()
    return live


@router.post("/entries/{slug}/{lang}/versions/{version}/publish", **EDITORS)
async def publish(
    slug: Slug, lang: Lang, version: RowId, staff: StaffDep, context: ContextDep
) -> VersionOut:
    """Make a draft the live version; the assistant answers from it within
    KMB_KB_REFRESH_SECONDS."""
    return await _go_live(
        context,
        lambda session: editing.publish(
            session, slug, lang, version, author=staff.username, now=utcnow()
        ),
    )


@router.post("/entries/{slug}/{lang}/versions/{version}/rollback", **EDITORS)
async def rollback(
    slug: Slug, lang: Lang, version: RowId, staff: StaffDep, context: ContextDep
) -> VersionOut:
    """Publish the text of an earlier version again, as a new version."""
    return await _go_live(
        context,
        lambda session: editing.rollback(
            session, slug, lang, version, author=staff.username, now=utcnow()
        ),
    )


@router.get("/stale", **EDITORS)
async def stale(
    context: ContextDep, max_age_days: Annotated[int | None, Query(ge=0)] = None
) -> list[VersionOut]:
    """Live entries whose facts were checked longer ago than the configured age."""
    age = context.settings.kb_review_max_age_days if max_age_days is None else max_age_days
    async with context.db.reading() as session:
        old = await editing.stale_entries(session, today=utcnow().date(), max_age_days=age)
    return [VersionOut.of(v) for v in old]


@router.get("/unanswered", **EDITORS)
async def unanswered(
    context: ContextDep,
    member: StaffDep,
    request: Request,
    include_linked: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> UnansweredPage:
    """Questions the assistant could not answer, the newest first (words only with consent)."""
    async with context.db.transaction() as session:
        items, total = await editing.unanswered_questions(
            session, include_linked=include_linked, limit=limit, offset=offset
        )
        # People's own words, however anonymous: who read them is logged.
        audit.record(
            session,
            request,
            staff=member.username,
            action="questions.list",
            target="unanswered",
        )
    return UnansweredPage(
        items=[UnansweredOut.model_validate(q, from_attributes=True) for q in items], total=total
    )


@router.post("/unanswered/{question_id}/link", **EDITORS)
async def link(question_id: RowId, body: LinkIn, context: ContextDep) -> UnansweredOut:
    """Record which entry answers the question (then add its words to that entry)."""
    try:
        async with context.db.transaction() as session:
            question = await editing.link_question(session, question_id, body.slug)
            return UnansweredOut.model_validate(question, from_attributes=True)
    except (editing.EditError, editing.NotFound) as error:
        raise _problem(error) from error
