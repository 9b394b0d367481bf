"""Questions as people type them find the right entry, or nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge_base.content import load
from knowledge_base.search import Index


@pytest.fixture(scope="module")
def index() -> Index:
    return Index(load())


FOUND = [
    ("Dnes nemám kde spát", "nowhere-to-sleep-tonight"),
    ("kde muzu prespat", "nowhere-to-sleep-tonight"),  # no diacritics
    ("dostal jsem vypoved", "eviction-notice"),
    ("dostal jsem výpovět z bytu", "eviction-notice"),  # a typo
    ("šéf ubytovny mě vyhazuje", "commercial-hostel"),  # colloquial
    ("muj partner me bije", "domestic-violence"),
    ("dluh u města", "debt-to-city"),
    ("mám dluhy a exekuci", "debt-counselling"),
    ("superdávka", "housing-benefits"),
    ("kolik stojí azylák", "asylum-houses"),
    ("otevírací doba", "opening-hours-address"),
    ("smazat moje data", "privacy"),
    ("trvalé bydliště na úřadě", "permanent-address"),
    ("bydlení pro seniory", "seniors"),
    ("I got an eviction notice", "eviction-notice"),
    ("I want to talk to a person", "talk-to-a-person"),
    ("мене виселяють з квартири", "eviction-notice"),  # Ukrainian inflection
    ("скільки коштує притулок", "asylum-houses"),
    ("коли ви працюєте", "opening-hours-address"),
    ("мне негде жить", "asylum-houses"),  # Russian
    ("de perenochuvaty", "nowhere-to-sleep-tonight"),  # transliterated Ukrainian
]


@pytest.mark.parametrize(("question", "slug"), FOUND)
def test_questions_find_their_entry(index: Index, question: str, slug: str) -> None:
    hits = index.search(question, top=3)
    assert hits and slug in [h.slug for h in hits[:2]], [(h.slug, h.score) for h in hits]


@pytest.mark.parametrize(
    "question",
    [
        "jak upéct koláč",
        "what is the weather",
        "asdfgh qwerty",
        "pes",
        "ahoj",
        "nevím",
        "Кто выиграл матч",
        "",
        "What time does the football match start?",
        "kolik je hodin",
        "I like pizza",
        "mám rád psy",
        "чи буде дощ завтра",
    ],
)
def test_it_abstains_when_nothing_fits(index: Index, question: str) -> None:
    assert index.search(question) == []


@pytest.mark.parametrize(
    ("question", "understood"),
    [
        # Near misses: a few words match, the thing asked about is unknown.
        # ("vikendu" alone, once the opening hours, is declined since the words' own
        # weights count: "o víkendu" asks about anything.)
        ("bude v pondeli prset?", "v pondeli"),
        ("яким трамваєм доїхати до зоопарку", "доїхати"),
    ],
)
def test_a_question_mostly_not_understood_needs_a_strong_match(
    index: Index, question: str, understood: str
) -> None:
    """The less of a question was understood, the stronger its match must be: the same
    word alone finds an entry, surrounded by words the catalogue does not know it
    does not."""
    assert index.search(understood), understood
    assert index.search(question) == []


def test_titles_come_in_the_asked_language(index: Index) -> None:
    [hit] = index.search("I got an eviction notice", lang="uk", top=1)
    assert hit.lang == "en" and hit.slug == "eviction-notice"
    assert "в" in hit.title or "і" in hit.title  # the Ukrainian title


def test_the_search_command(tmp_path: Path) -> None:
    root = Path(__file__).parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "knowledge_base", "search", "--json", "kde", "muzu", "prespat"],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"][0]["slug"] == "nowhere-to-sleep-tonight"
    lines = subprocess.run(
        [sys.executable, "-m", "knowledge_base", "search"],
        input="ubytovna\njak upect kolac\n",
        capture_output=True,
        text=True,
        cwd=root,
        timeout=120,
    ).stdout.splitlines()
    first, second = (json.loads(line) for line in lines)
    assert first["results"][0]["slug"] == "commercial-hostel" and second["results"] == []
    exported = subprocess.run(
        [sys.executable, "-m", "knowledge_base", "export", "--json"],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=120,
    )
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(rows) == 96 and {"slug", "lang", "title", "short_answer", "body", "keywords"} <= set(
        rows[0]
    )


ENTRIES = load()


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e.slug}/{e.lang}" for e in ENTRIES])
def test_every_topic_is_found_by_its_title_with_and_without_diacritics(index: Index, entry) -> None:
    from anyascii import anyascii

    for question in {entry.title, anyascii(entry.title)}:
        hits = index.search(question, top=3)
        assert entry.slug in [h.slug for h in hits], (question, [(h.slug, h.score) for h in hits])


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("mene vyselyayut z kvartyry", "eviction-notice"),  # one transliteration habit …
        ("mene vyseliaiut z kvartiri", "eviction-notice"),  # … and another
        ("de mene perenochuvati", "nowhere-to-sleep-tonight"),
        ("чоловік б'є мене", "domestic-violence"),  # an apostrophe inside the word
        ("socialni byt", "social-housing"),  # "byt" is a flat, not the verb "být"
        ("zakon 175/2025", "housing-support-act"),  # numbers of three digits or more count
        ("mam exekutora co ted", "debt-counselling"),  # a form the lemmatizer does not know
    ],
)
def test_spelling_habits_and_word_forms(index: Index, question: str, slug: str) -> None:
    hits = index.search(question, top=3)
    assert hits and hits[0].slug == slug, [(h.slug, h.score) for h in hits]


def test_short_words_do_not_meet_by_accident(index: Index) -> None:
    assert index.search("thanks, bye") == []  # "bye" is not "б'є"
    # A typo is matched only to a long word: "matiky" (maths) is not "matky" (mothers).
    assert index.search("pomuzes mi s ukolem z matiky") == []
    assert index.search("azilovy dum pro matky s detmi")[0].slug == "asylum-houses"
