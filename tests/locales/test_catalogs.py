"""Every message is translated in every catalog, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.dialogue.translator import Translator
from locales import LOCALES, po_path

ROOT = Path(__file__).parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def catalog(locale: str):
    with po_path(locale).open("rb") as po:
        return read_po(po, locale=locale)


def code_messages() -> set[str]:
    found: set[str] = set()
    for package in ("bot", "intake", "kmb"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, keywords=KEYWORDS, comment_tags=()
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_of_the_code_is_in_the_catalog(locale: str) -> None:
    ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog(locale) if m.id}
    missing = code_messages() - ids
    assert not missing, f"run scripts/i18n.sh update; not in {locale}: {sorted(missing)[:5]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated_with_the_same_placeholders(locale: str) -> None:
    problems = []
    for message in catalog(locale):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        for string in strings:
            if not string:
                problems.append(f"untranslated: {ids[0]!r}")
            elif set(PLACEHOLDER.findall(string)) != expected:
                problems.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("locale", "counts"),
    [
        ("cs", {1: "za 1 den", 2: "za 2 dny", 4: "za 4 dny", 5: "za 5 dní", 21: "za 21 dní"}),
        (
            "uk",
            {
                1: "через 1 день",
                2: "через 2 дні",
                5: "через 5 днів",
                21: "через 21 день",
                22: "через 22 дні",
                11: "через 11 днів",
            },
        ),
        ("en", {1: "in 1 day", 2: "in 2 days"}),
    ],
)
def test_plural_forms(locale: str, counts: dict[int, str]) -> None:
    t = Translator(locale)
    for n, expected in counts.items():
        assert t.ngettext("in %(num)s day", "in %(num)s days", n) == expected


def test_czech_and_ukrainian_have_three_plural_forms() -> None:
    assert catalog("cs").num_plurals == 3
    assert catalog("uk").num_plurals == 3
