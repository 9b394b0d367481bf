"""Catalogue entries as files: ``catalogue/<slug>/<lang>.md``, TOML front matter between
``+++`` lines, the short answer, then optionally ``<!-- more -->`` and a longer text.

City-specific facts are placeholders such as ``{{contact_point.phone}}``, filled from the
contact point's configuration when an entry is shown.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
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
    "contact_point.night_shelters": (
        "Noclehárna Naděje, Nádražní 45, 701 00 Lipová, +420 596 000 200, 19:00–07:00\n"
        "Noclehárna pro ženy, Sadová 3, 701 00 Lipová, +420 596 000 210, 18:00–07:00"
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
    """A catalogue file that cannot be read; ``line`` is where the problem is."""

    def __init__(self, message: str, *, line: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def at(self, path: Path | str) -> ContentError:
        """The same error, named by the file and line it is in."""
        return ContentError(f"{path}:{self.line}: {self.message}", line=self.line)


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


_TOML_LINE = re.compile(r"at line (\d+)")
FRONT_MATTER_KEYS = ("title", "reviewed_on", "sources", "links", "keywords", "questions")


def _line_of(text: str, key: str) -> int:
    match = re.search(rf"^{re.escape(key)}\s*=", text, re.MULTILINE)
    return text[: match.start()].count("\n") + 1 if match else 1


def parse(text: str, *, slug: str, lang: str) -> Entry:
    parts = text.split("+++")
    if len(parts) < 3 or parts[0].strip():
        raise ContentError(f"{slug}/{lang}: the file must start with +++ front matter +++")
    try:
        meta = tomllib.loads(parts[1])
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        line = int(found.group(1)) + parts[0].count("\n") if found else 1
        raise ContentError(f"{slug}/{lang}: front matter is not TOML: {exc}", line=line) from exc
    unknown = sorted(set(meta) - set(FRONT_MATTER_KEYS))
    if unknown:
        raise ContentError(
            f"{slug}/{lang}: unknown front matter keys {unknown}", line=_line_of(text, unknown[0])
        )
    body_text = "+++".join(parts[2:]).strip()
    short, _, more = body_text.partition(MORE)
    if not isinstance(meta.get("reviewed_on"), date):
        raise ContentError(
            f"{slug}/{lang}: reviewed_on must be a date like 2026-11-23",
            line=_line_of(text, "reviewed_on"),
        )
    if not meta.get("title") or not short.strip():
        raise ContentError(f"{slug}/{lang}: a title and a short answer are required")
    if not meta.get("sources"):
        raise ContentError(f"{slug}/{lang}: sources are required", line=_line_of(text, "sources"))
    for key in ("sources", "links", "keywords", "questions"):
        value = meta.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ContentError(
                f"{slug}/{lang}: {key} must be a list of texts", line=_line_of(text, key)
            )
    return Entry(
        slug=slug,
        lang=lang,
        title=str(meta["title"]),
        short=short.strip(),
        body=more.strip(),
        reviewed_on=meta["reviewed_on"],
        sources=tuple(meta["sources"]),
        links=tuple(meta.get("links", ())),
        keywords=tuple(meta.get("keywords", ())),
        questions=tuple(meta.get("questions", ())),
    )


def _toml_list(values: tuple[str, ...], *, one_per_line: bool) -> str:
    if not one_per_line:
        return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"
    return "[\n" + "".join(f"  {json.dumps(v, ensure_ascii=False)},\n" for v in values) + "]"


def format_entry(entry: Entry) -> str:
    """The file text of an entry; :func:`parse` reads it back to the same entry."""
    # A JSON string is a valid TOML basic string: same quotes, same escapes.
    lines = [
        "+++",
        f"title = {json.dumps(entry.title, ensure_ascii=False)}",
        f"reviewed_on = {entry.reviewed_on.isoformat()}",
        *(
            f"{key} = {_toml_list(getattr(entry, key), one_per_line=key == 'questions')}"
            for key in ("sources", "links", "keywords", "questions")
            if getattr(entry, key) or key == "sources"
        ),
        "+++",
        entry.short,
    ]
    if entry.body:
        lines += ["", MORE, "", entry.body]
    return "\n".join(lines) + "\n"


def entry_errors(entry: Entry) -> list[str]:
    """Why an entry made outside the files (by staff) could not be a catalogue file."""
    name = f"{entry.slug}/{entry.lang}"
    try:
        again = parse(format_entry(entry), slug=entry.slug, lang=entry.lang)
    except ContentError as error:
        return [error.message]
    if again != entry:
        return [f"{name}: the text cannot contain {MORE!r} or start or end with blank lines"]
    return []


def as_json(entry: Entry) -> dict[str, object]:
    """What ``export --json`` prints for an entry."""
    return {
        "slug": entry.slug,
        "lang": entry.lang,
        "title": entry.title,
        "short_answer": entry.short,
        "body": entry.body,
        "keywords": list(entry.keywords),
    }


def load(folder: Path = CATALOGUE) -> list[Entry]:
    entries = []
    for path in sorted(folder.glob("*/*.md")):
        lang = path.stem
        if lang not in LANGUAGES:
            raise ContentError(f"{path}:1: the file name must be cs.md, en.md or uk.md")
        try:
            entries.append(parse(path.read_text("utf-8"), slug=path.parent.name, lang=lang))
        except ContentError as error:
            raise error.at(path) from error
        except UnicodeDecodeError as error:
            raise ContentError(f"{path}:1: the file is not UTF-8 text") from error
    return entries


def write(entries: list[Entry], folder: Path) -> None:
    """Write entries as catalogue files under ``folder``."""
    for entry in entries:
        path = folder / entry.slug / f"{entry.lang}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(format_entry(entry), "utf-8")


def fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def stale(entries: list[Entry], *, today: date, max_age_days: int) -> list[Entry]:
    """Entries whose facts were last checked more than ``max_age_days`` ago."""
    return [e for e in entries if (today - e.reviewed_on).days > max_age_days]


SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def problems(
    entries: list[Entry], *, complete: bool = True, other_slugs: Iterable[str] = ()
) -> list[str]:
    """What is wrong with the catalogue (an empty list when nothing is).

    ``other_slugs`` are entries that exist elsewhere, which links may point to."""
    found: list[str] = []
    present = {(e.slug, e.lang) for e in entries}
    slugs = {e.slug for e in entries} | set(other_slugs)
    if complete:
        found += [
            f"missing {slug}/{lang}"
            for slug in REQUIRED_SLUGS
            for lang in LANGUAGES
            if (slug, lang) not in present
        ]
    for entry in entries:
        name = f"{entry.slug}/{entry.lang}"
        if not SLUG.fullmatch(entry.slug) or len(entry.slug) > 60:
            found.append(f"{name}: a slug is lowercase words joined by hyphens")
        if entry.lang not in LANGUAGES:
            found.append(f"{name}: the language must be one of {', '.join(LANGUAGES)}")
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
