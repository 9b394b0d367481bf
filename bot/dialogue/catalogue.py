"""Answering free questions from the solution catalogue, in the person's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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


def opening_hours(point: ContactPoint, locale: str) -> str:
    days = get_day_names("abbreviated", locale=locale)
    return "; ".join(
        f"{days[WEEKDAYS.index(day)]} " + ", ".join(f"{a}–{b}" for a, b in intervals)
        for day, intervals in point.opening_hours.items()
    )


def looks_like_a_question(text: str) -> bool:
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    return text.rstrip().endswith("?") or len(words) >= 3


@dataclass(frozen=True)
class Catalogue:
    index: Index
    point: ContactPoint
    thresholds: Thresholds

    @classmethod
    def build(
        cls, entries: Sequence[Entry], point: ContactPoint, thresholds: Thresholds
    ) -> Catalogue:
        return cls(Index(entries), point, thresholds)

    def values(self, locale: str) -> dict[str, str]:
        return {
            "contact_point.name": self.point.name,
            "contact_point.address": self.point.address,
            "contact_point.phone": self.point.phone,
            "contact_point.email": self.point.email,
            "contact_point.opening_hours": opening_hours(self.point, locale),
            "rules.housing_first_max_debt_czk": format_decimal(
                self.thresholds.housing_first_max_debt_czk, locale=locale
            ),
            "rules.crisis_housing_max_months": str(self.thresholds.crisis_housing_max_months),
        }

    def answer(self, question: str, t: Translator) -> Reply | None:
        """The best entry as a reply in the person's language, or None when unsure."""
        hits = self.index.search(question, lang=t.locale, top=1)
        if not hits:
            return None
        hit = hits[0]
        entry = self.index.entry(hit.slug, t.locale)
        if entry is None:
            return None
        text = f"{entry.title}\n\n{fill(entry.short, self.values(t.locale))}"
        offer: tuple[Choice, ...] = ()
        asked_in = "uk" if any("\u0400" <= c <= "\u04ff" for c in question) else hit.lang
        if asked_in != t.locale:
            label = t.gettext(N_("Continue in %(language)s"), language=LANGUAGE_NAMES[asked_in])
            offer = (Choice(label=label, payload=f"lang:{asked_in}"),)
        return Reply(text=text, choices=offer)
