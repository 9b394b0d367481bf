"""Answering free questions from the solution catalogue, in the person's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import time

from babel.dates import get_day_names
from babel.numbers import format_decimal

from bot.dialogue.render import LANGUAGE_NAMES
from bot.dialogue.script import N_
from bot.dialogue.translator import Translator
from bot.dialogue.types import Choice, Reply
from intake.contact_point import WEEKDAYS, ContactPoint
from intake.triage import Thresholds
from knowledge_base.content import Entry, fill
from knowledge_base.search import Index

RELATED = 2  # related topics offered as buttons under an answer


def _clock(moment: time) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


def week_hours(hours: Mapping[str, Sequence[tuple[time, time]]], locale: str) -> str:
    """Opening hours for people: "Po 8:00–12:00, 13:00–17:00; Út 8:00–12:00"."""
    days = get_day_names("abbreviated", locale=locale)
    return "; ".join(
        f"{days[WEEKDAYS.index(day)]} "
        + ", ".join(f"{_clock(a)}–{_clock(b)}" for a, b in hours[day])
        for day in WEEKDAYS
        if hours.get(day)
    )


def opening_hours(point: ContactPoint, locale: str) -> str:
    return week_hours(point.opening_hours, locale)


def night_shelters(point: ContactPoint, t: Translator) -> str:
    """The city's places to sleep tonight, one a line; or, where the city has listed
    none, that we will tell people where they are."""
    if not point.night_shelters:
        return t.gettext(N_("We will tell you where the nearest ones are."))
    return "\n".join(shelter.line() for shelter in point.night_shelters)


def in_cyrillic(text: str) -> bool:
    """Written in Cyrillic letters: Ukrainian (or Russian) for this assistant."""
    return any("\u0400" <= c <= "\u04ff" for c in text)


def looks_like_a_question(text: str) -> bool:
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    return text.rstrip().endswith("?") or len(words) >= 3


@dataclass(frozen=True, slots=True)
class Found:
    entry: Entry  # in the conversation's language
    asked_in: str  # the language the question seems to be written in


class Catalogue:
    """The live catalogue: searched by the engine, replaced when staff publish."""

    def __init__(self, entries: Sequence[Entry], point: ContactPoint, thresholds: Thresholds):
        self.point = point
        self.thresholds = thresholds
        self.index = Index(entries)

    def replace(self, index: Index) -> None:
        """Swap in a newly built index (one assignment: searches never see half of it)."""
        self.index = index

    def values(self, locale: str) -> dict[str, str]:
        return {
            "contact_point.name": self.point.name,
            "contact_point.address": self.point.address,
            "contact_point.phone": self.point.phone,
            "contact_point.email": self.point.email,
            "contact_point.opening_hours": opening_hours(self.point, locale),
            "contact_point.night_shelters": night_shelters(self.point, Translator(locale)),
            "rules.housing_first_max_debt_czk": format_decimal(
                self.thresholds.housing_first_max_debt_czk, locale=locale
            ),
            "rules.crisis_housing_max_months": str(self.thresholds.crisis_housing_max_months),
        }

    def find(self, question: str, locale: str) -> Found | None:
        """The entry that answers ``question``, in ``locale``; None when unsure."""
        index = self.index
        hits = index.search(question, lang=locale, top=1)
        entry = index.entry(hits[0].slug, locale) if hits else None
        if entry is None:
            return None
        asked_in = "uk" if in_cyrillic(question) else hits[0].lang
        return Found(entry, asked_in)

    def entry(self, slug: str, locale: str) -> Entry | None:
        return self.index.entry(slug, locale)

    def reply(
        self,
        entry: Entry,
        t: Translator,
        *,
        answer_id: int,
        more: bool = False,
        offer_language: str | None = None,
    ) -> Reply:
        """An entry as a message: its short answer (or, with ``more``, the rest), then
        "Did this help?" with buttons for more, related topics and carrying on where the
        person was."""
        values = self.values(t.locale)
        # A neutral first line: a phone's notification shows it to whoever holds the
        # phone, and the title may be "Violence at home".
        if more:
            heading = t.gettext(N_("More about it:"))
            text = f"{heading}\n{fill(entry.body, values)}"
        else:
            found = t.gettext(N_("Here is what I found:"))
            text = f"{found}\n{entry.title}\n\n{fill(entry.short, values)}"
        choices = [
            Choice(t.gettext(N_("Yes")), f"kb:yes:{answer_id}"),
            Choice(t.gettext(N_("No")), f"kb:no:{answer_id}"),
        ]
        if entry.body and not more:
            choices.append(Choice(t.gettext(N_("Tell me more")), f"kb:more:{answer_id}"))
        related = [self.entry(slug, t.locale) for slug in entry.links]
        choices += [Choice(r.title, f"kb:topic:{r.slug}") for r in related if r][:RELATED]
        if offer_language and offer_language != t.locale:
            label = t.gettext(
                N_("Continue in %(language)s"), language=LANGUAGE_NAMES[offer_language]
            )
            choices.append(Choice(label, f"lang:{offer_language}"))
        choices.append(Choice(t.gettext(N_("Continue")), "nav:resume"))
        question = t.gettext(N_("Did this help?"))
        return Reply(text=f"{text}\n\n{question}", choices=tuple(choices))
