"""Catalogue entries as files: ``catalogue/<slug>/<lang>.md``, TOML front matter between
``+++`` lines, the short answer, then optionally ``<!-- more -->`` and a longer text.

City-specific facts are placeholders such as ``{{contact_point.phone}}``, filled from the
contact point's configuration when an entry is shown.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

CATALOGUE = Path(__file__).parent / "catalogue"
LANGUAGES = ("cs", "en", "uk")
SHORT_LIMIT = 700
MORE = "<!-- more -->"
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_.]+)\s*\}\}")

# Every placeholder an entry may use, with a realistic value for checking lengths.
PLACEHOLDERS = {
    "contact_point.name": "Kontaktní místo pro bydlení Lipová",
    "contact_point.address": "Masarykovo náměstí 12, 701 00 Lipová",
    "contact_point.phone": "+420 596 000 123",
    "contact_point.email": "bydleni@lipova.example",
    "contact_point.opening_hours": (
        "Po, St 8:00–12:00, 13:00–17:00; Út, Čt 8:00–12:00; Pá 8:00–11:00"
    ),
    "rules.housing_first_max_debt_czk": "10 000",
    "rules.crisis_housing_max_months": "6",
}

REQUIRED_SLUGS = (
    "contact-point",
    "opening-hours-address",
    "what-to-bring",
    "book-appointment",
    "talk-to-a-person",
    "nowhere-to-sleep-tonight",
    "domestic-violence",
    "crisis-housing",
    "social-housing",
    "affordable-housing",
    "housing-first",
    "municipal-flat-application",
    "asylum-houses",
    "housing-benefits",
    "emergency-assistance",
    "rent-arrears",
    "eviction-notice",
    "debt-counselling",
    "debt-to-city",
    "energy-and-utilities",
    "commercial-hostel",
    "tenancy-basics",
    "private-rental-help",
    "leaving-institution",
    "families-with-children",
    "seniors",
    "disability",
    "foreigners",
    "permanent-address",
    "social-services",
    "privacy",
    "housing-support-act",
)


class ContentError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Entry:
    slug: str
    lang: str
    title: str
    short: str
    body: str
    reviewed_on: date
    sources: tuple[str, ...]
    links: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    questions: tuple[str, ...] = field(default=())


def parse(text: str, *, slug: str, lang: str) -> Entry:
    parts = text.split("+++")
    if len(parts) < 3 or parts[0].strip():
        raise ContentError(f"{slug}/{lang}: the file must start with +++ front matter +++")
    try:
        meta = tomllib.loads(parts[1])
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{slug}/{lang}: front matter is not TOML: {exc}") from exc
    unknown = set(meta) - {"title", "reviewed_on", "sources", "links", "keywords", "questions"}
    if unknown:
        raise ContentError(f"{slug}/{lang}: unknown front matter keys {sorted(unknown)}")
    body_text = "+++".join(parts[2:]).strip()
    short, _, more = body_text.partition(MORE)
    if not isinstance(meta.get("reviewed_on"), date):
        raise ContentError(f"{slug}/{lang}: reviewed_on must be a date like 2026-11-23")
    if not meta.get("title") or not short.strip():
        raise ContentError(f"{slug}/{lang}: a title and a short answer are required")
    if not meta.get("sources"):
        raise ContentError(f"{slug}/{lang}: sources are required")
    return Entry(
        slug=slug,
        lang=lang,
        title=meta["title"],
        short=short.strip(),
        body=more.strip(),
        reviewed_on=meta["reviewed_on"],
        sources=tuple(meta["sources"]),
        links=tuple(meta.get("links", ())),
        keywords=tuple(meta.get("keywords", ())),
        questions=tuple(meta.get("questions", ())),
    )


def load(folder: Path = CATALOGUE) -> list[Entry]:
    entries = []
    for path in sorted(folder.glob("*/*.md")):
        lang = path.stem
        if lang not in LANGUAGES:
            raise ContentError(f"{path}: the file name must be cs.md, en.md or uk.md")
        entries.append(parse(path.read_text("utf-8"), slug=path.parent.name, lang=lang))
    return entries


def fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def stale(entries: list[Entry], *, today: date, max_age_days: int) -> list[Entry]:
    """Entries whose facts were last checked more than ``max_age_days`` ago."""
    return [e for e in entries if (today - e.reviewed_on).days > max_age_days]


def problems(entries: list[Entry], *, complete: bool = True) -> list[str]:
    """What is wrong with the catalogue (an empty list when nothing is)."""
    found: list[str] = []
    present = {(e.slug, e.lang) for e in entries}
    slugs = {e.slug for e in entries}
    if complete:
        found += [
            f"missing {slug}/{lang}"
            for slug in REQUIRED_SLUGS
            for lang in LANGUAGES
            if (slug, lang) not in present
        ]
    for entry in entries:
        name = f"{entry.slug}/{entry.lang}"
        for text in (entry.title, entry.short, entry.body):
            found += [
                f"{name}: unknown placeholder {{{{{p}}}}}"
                for p in PLACEHOLDER.findall(text)
                if p not in PLACEHOLDERS
            ]
        if len(fill(entry.short, PLACEHOLDERS)) > SHORT_LIMIT:
            found.append(f"{name}: short answer longer than {SHORT_LIMIT} characters")
        found += [
            f"{name}: link to unknown entry {link}"
            for link in entry.links
            if link not in slugs and link not in REQUIRED_SLUGS
        ]
    return found
