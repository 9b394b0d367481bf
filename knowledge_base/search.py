"""Finding the catalogue entry that answers a question, however it was typed.

Pipeline (see docs/catalogue-search.md):
1. tokens are lemmatized in every catalogue language (simplemma: Czech and Ukrainian
   inflection, English forms), then folded to ASCII (anyascii), so "výpověď",
   "vypovedi", "виселення" and "viselennya" meet the same vocabulary;
2. words the vocabulary does not know are matched to close ones (rapidfuzz), which
   catches typos and other transliterations ("kvartyra" ~ "kvartira");
3. entries are ranked with BM25 (rank-bm25) over title, keywords and example questions
   (weighted by repetition) and the answer text, in all languages at once, plus a bonus
   for each of the entry's curated keywords found whole in the question (BM25 alone
   undervalues a one-word question such as "superdávka"); an entry scores its best
   language, and the language that matched best is reported;
4. the search abstains when too few of the question's words matched anything, or when
   a model weighing the match, how much of the question was understood and how close
   it comes to example questions in and out of the catalogue's scope says it is not a
   question the catalogue answers (knowledge_base.scope): no answer is better than a
   wrong one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

import simplemma
from anyascii import anyascii
from rank_bm25 import BM25Okapi
from rapidfuzz import fuzz, process

from knowledge_base.content import LANGUAGES, Entry
from knowledge_base.scope import (
    Closeness,
    Example,
    Inside,
    Model,
    Neighbours,
    Outside,
    Scope,
    Wording,
    load_examples,
)

# A word, with the apostrophe Ukrainian writes inside words (б'є, сім'я) kept in it.
WORD = re.compile(r"\w+(?:['’ʼ]\w+)*", re.UNICODE)
MIN_SCORE = 10.5  # score below which an entry is not offered, even for a question in scope
EXAMPLE_WEIGHT = 1.0  # of the closeness to an entry's nearest example question, in its score
KEYWORD_BONUS = 4.0  # per curated keyword of the entry that the question contains (at most 2)
MIN_COVERAGE = 0.34  # share of meaningful query words that must match the vocabulary
FUZZY_CUTOFF = 84
MIN_FUZZY_LENGTH = 6  # a typo in a shorter word is too often another word

# Words that carry no meaning for finding a topic, folded to ASCII.
STOPWORDS = {
    anyascii(w).lower()
    for w in """
    a i k o s u v z ze je jsem jsi jsme jste jsou mam mas ma mame mate maji se si to ten
    ta ty co jak proc ktery ktera ktere muzu muze muzete mohu by bych na do od po pro
    pri za ze ne ano jo uz jeste taky tak ale nebo kdyz jestli me mi mne mu nas vas jim tam
    tady ted dnes prosim dekuji dobry den ahoj chci potrebuji nevim
    tvuj tvoje muj moje jeho jeji jejich neco nejak nejaky vubec proste fakt moc jen jenom
    hledam hledame hledat sehnat shanim
    pls diky dik dekuju sorry pardon nekdo nekoho nekomu nekym nikdo nic tebou tebe tobe
    vami vam mel mela meli byl byla bylo byli bude budu bych bys neni nejde neda
    tedka porad asi opravdu hele
    the an and or of to in on at for with is are am be been do does did i you we they he she
    it my your me what how why which can could should would will have has had
    not no yes please hello hi need want get
    got just some any there this that these those from about into than then so very also
    too if but by as up out our us them their his her its was were im dont cant whats like
    looking look search searching
    sorry pls plz thanks thank ok okay hey guys kind somebody someone anybody anyone
    something anything really actual actually tell let well still now
    я ти ви ми він вона вони це що як чому який яка які і й та або але не так ні
    мені мене вам нам у в на до з за від для про чи є бути мати можна можу треба будь ласка
    привіт добрий день дякую хочу потрібно
    тобі тебе твій твоя мій моя його її їх цей ця там тут вже ще дуже також тільки якщо щоб
    бо хто кого скільки
    шукаю шукаємо шукати ищу ищем
    шо мою мої моє моєї мої вас нас вы ваш ваша мой моя мне меня что как это есть нет да
    пожалуйста можно надо нужно хочу
    chy shcho sho ya meni mene tse yak mozhna treba vy vas nam
    """.split()  # noqa: SIM905 - a word list reads better as text
}


@dataclass(frozen=True, slots=True)
class Hit:
    slug: str
    title: str
    score: float
    lang: str  # the language of the entry version that matched best


def fold(word: str) -> str:
    return anyascii(word).lower()


# Spellings that stand for the same sound in Czech, in Ukrainian written in Latin
# letters (several habits: "kvartyra", "kvartira", "zhytlo", "žytlo") and in the ASCII
# form of Cyrillic. Both the catalogue and the questions are reduced to the same key.
_SOUNDS = (
    ("shch", "s"),
    ("sch", "s"),
    ("kh", "h"),
    ("ch", "c"),
    ("sh", "s"),
    ("zh", "z"),
    ("ts", "c"),
    ("tz", "c"),
    ("w", "v"),
    ("g", "h"),
    ("q", "k"),
    ("x", "ks"),
    ("ya", "a"),
    ("ia", "a"),
    ("yu", "u"),
    ("iu", "u"),
    ("ye", "e"),
    ("ie", "e"),
    ("yi", "i"),
    ("y", "i"),
    ("j", "i"),
    ("'", ""),
)
_DOUBLE = re.compile(r"(.)\1+")


STEM = 5  # characters of a word's start that stand for all its forms
STEM_WEIGHT = 0.5  # a shared start is weaker evidence than a shared word
MIN_SOUND_LENGTH = 5  # shorter words collide too easily ("bye" and "б'є" would meet)


@lru_cache(maxsize=50_000)
def sound(folded: str) -> str:
    """The spelling-independent key of a folded word (short words only lose apostrophes)."""
    if len(folded) < MIN_SOUND_LENGTH:
        return folded.replace("'", "")
    for spelled, key in _SOUNDS:
        folded = folded.replace(spelled, key)
    return _DOUBLE.sub(r"\1", folded)


@lru_cache(maxsize=50_000)  # bounded: every word people type passes through here
def _lemma(word: str, lang: str) -> str:
    return simplemma.lemmatize(word, lang=lang)


def terms(text: str, langs: Iterable[str] = LANGUAGES) -> list[str]:
    """Folded lemmas of every word, in each of ``langs`` (duplicates kept once per word)."""
    found: list[str] = []
    for word in WORD.findall(text.lower()):
        if (word.isdigit() and len(word) < 3) or fold(word) in STOPWORDS:
            continue
        variants = {fold(word)} | {fold(_lemma(word, lang)) for lang in langs}
        keys = {sound(v) for v in variants if v and v not in STOPWORDS and len(v) > 1}
        # The start of a long word stands for its other forms: "exekutora", "exekuci"
        # and "exekutor" share "exeku~" even where the lemmatizer knows none of them.
        keys |= {key[:STEM] + "~" for key in keys if len(key) > STEM and not key.isdigit()}
        found += sorted(keys)
    return found


Keyword = tuple[frozenset[str], ...]


def _keyword(text: str, lang: str) -> Keyword:
    return tuple(
        keys for keys in (frozenset(terms(word, (lang,))) for word in WORD.findall(text)) if keys
    )


def _document(entry: Entry) -> list[str]:
    weighted = [entry.title] * 3 + list(entry.keywords) * 3 + list(entry.questions) * 2
    return terms(" ".join([*weighted, entry.short, entry.body]), (entry.lang,))


class Index:
    """All entries of all languages, ready to be searched."""

    def __init__(
        self, entries: Sequence[Entry], scope: Scope | Literal["shipped"] | None = "shipped"
    ) -> None:
        """``scope`` decides which questions are answered at all ("shipped": the
        examples and model of the package; None: every question that matches the
        catalogue well enough, which declines far fewer than the scope does)."""
        self.entries = list(entries)
        chosen = shipped_scope() if scope == "shipped" else scope
        self.documents = [_document(entry) for entry in self.entries]
        # rank-bm25 cannot index nothing; an empty catalogue answers nothing.
        self.bm25 = BM25Okapi(self.documents) if self.documents else None
        self.vocabulary = sorted({t for document in self.documents for t in document})
        self._known = set(self.vocabulary)
        # Each curated keyword as the keys of each of its words.
        self.keywords = [
            [keyword for keyword in (_keyword(k, e.lang) for k in e.keywords) if keyword]
            for e in self.entries
        ]
        self._keyword_keys = [
            frozenset().union(*(word for keyword in keywords for word in keyword))
            for keywords in self.keywords
        ]
        self._by_slug_lang = {(e.slug, e.lang): e for e in self.entries}
        self.judge = Judge.of(chosen, self.entries) if chosen else None

    def entry(self, slug: str, lang: str) -> Entry | None:
        return self._by_slug_lang.get((slug, lang))

    @staticmethod
    def _bonus(keywords: list[Keyword], present: set[str], word_keys: list[set[str]]) -> float:
        """Curated keywords whose every word the question contains (in any form); more
        when the question is nothing but a keyword: people often type just the name
        of the thing ("superdávka", "sociální bydlení")."""
        found = [keyword for keyword in keywords if all(word & present for word in keyword)]
        bonus = KEYWORD_BONUS * min(2, len(found))
        for keyword in found:
            everything = frozenset().union(*keyword)
            if all(keys & everything for keys in word_keys):
                return bonus + KEYWORD_BONUS * len(keyword)
        return bonus

    def _expand(self, query_terms: list[str]) -> list[str]:
        """Known terms, plus close vocabulary words for unknown ones."""
        expanded: list[str] = []
        for term in dict.fromkeys(query_terms):
            if term in self._known:
                expanded.append(term)
            elif len(term) >= MIN_FUZZY_LENGTH and not term.endswith("~"):
                close = process.extract(
                    term, self.vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=2
                )
                # ...and only to a long word: "matiky" is not a typo of "matky".
                expanded += [w for w, _score, _i in close if len(w) >= MIN_FUZZY_LENGTH]
        return expanded

    def read(self, query: str) -> Reading | None:
        """Every entry's score for ``query``, and how much of it was understood;
        None when too little was understood to rank anything."""
        words = [w for w in WORD.findall(query.lower()) if fold(w) not in STOPWORDS]
        if not words or self.bm25 is None:
            return None
        per_word = [self._expand(terms(word)) for word in words]
        # Words with nothing to match (a short number) count for neither side.
        words = [word for word in words if terms(word)]
        matched = sum(1 for found in per_word if found)
        if not matched or matched / len(words) < MIN_COVERAGE:
            return None
        query_terms = terms(" ".join(words))
        whole, stems = split([term for found in per_word for term in dict.fromkeys(found)])
        scores = self.bm25.get_scores(whole) + STEM_WEIGHT * self.bm25.get_scores(stems)
        present = set(query_terms)  # keywords count when typed, not when merely close
        word_keys = [set(terms(word)) for word in words]
        bonuses = [
            self._bonus(keywords, present, word_keys) if not present.isdisjoint(keys) else 0.0
            for keywords, keys in zip(self.keywords, self._keyword_keys, strict=True)
        ]
        best: dict[str, tuple[float, Entry]] = {}
        for entry, bm25, bonus in zip(self.entries, scores, bonuses, strict=True):
            score = bm25 + bonus
            if score > best.get(entry.slug, (0.0, entry))[0]:
                best[entry.slug] = (float(score), entry)
        exact = sum(
            1 for keys in word_keys if any(k in self._known for k in keys if not k.endswith("~"))
        )
        return Reading(
            scores=sorted(best.items(), key=lambda item: item[1][0], reverse=True),
            terms=query_terms,
            words=len(words),
            matched=matched,
            exact=exact,
        )

    def search(self, query: str, *, lang: str | None = None, top: int = 3) -> list[Hit]:
        """The best entries for ``query``, best first; empty when nothing matches well
        or the question is not one the catalogue answers (knowledge_base.scope).
        ``lang`` chooses the language of the titles returned (default: the best match's)."""
        reading = self.read(query)
        if reading is None or not reading.scores:
            return []
        if self.judge is None:
            order = ranked(reading, None)
        else:
            closeness = self.judge.neighbours.closeness(*split(reading.terms))
            order = ranked(reading, closeness)
            wording = self.judge.wording.log_odds(reading.terms)
            if not self.judge.model.in_scope(
                features(reading, closeness, order, wording), order[0][0]
            ):
                return []
        return [
            Hit(
                slug=slug,
                title=(self.entry(slug, lang or entry.lang) or entry).title,
                score=round(score, 2),
                lang=entry.lang,
            )
            for slug, score, entry in offered(order, top)
        ]


def split(found: Sequence[str]) -> tuple[list[str], list[str]]:
    """Whole-word terms, and word-start terms ("exeku~")."""
    return [t for t in found if not t.endswith("~")], [t for t in found if t.endswith("~")]


Ranked = list[tuple[str, float, Entry]]  # (slug, score, best entry), best first


def offered(order: Ranked, top: int) -> Ranked:
    """The entries offered for a question in scope: the first ``top``, down to MIN_SCORE."""
    return [item for item in order[:top] if item[1] >= MIN_SCORE]


@dataclass(frozen=True, slots=True)
class Reading:
    """What the search made of a question, before deciding whether to answer it."""

    scores: list[tuple[str, tuple[float, Entry]]]  # (slug, (catalogue score, best entry))
    terms: list[str]  # the question's search terms
    words: int  # meaningful words
    matched: int  # ...that match something in the catalogue
    exact: int  # ...that match a catalogue word as typed (lemmatized and folded)


def ranked(reading: Reading, closeness: Closeness | None) -> Ranked:
    """Entries by the catalogue's score, plus how close the question comes to the
    example questions that entry answers."""
    extra = closeness.by_slug if closeness else {}
    scored = [
        (slug, score + EXAMPLE_WEIGHT * extra.get(slug, 0.0), entry)
        for slug, (score, entry) in reading.scores
    ]
    return sorted(scored, key=lambda item: item[1], reverse=True)


def features(reading: Reading, closeness: Closeness, order: Ranked, wording: float) -> list[float]:
    """The values of knowledge_base.scope.FEATURES for a question (``order``: its
    entries ranked with ``closeness``; ``wording``: the log-odds its words give)."""
    scores = [score for _slug, score, _entry in order[:2]] + [0.0, 0.0]
    n = reading.words
    return [
        scores[0],
        scores[0] - scores[1],
        float(n),
        (n - reading.matched) / n,
        reading.exact / n,
        closeness.inside,
        closeness.outside,
        closeness.by_slug.get(order[0][0], 0.0) if order else 0.0,
        wording,
    ]


def phrases(entries: Sequence[Entry], with_examples: set[str]) -> Inside:
    """Terms of the entries' titles, keywords and example questions: the catalogue's
    own in-scope examples, current with every publication. They tell that a question
    is in scope; which entry answers it only for an entry with no example questions
    of its own (one staff just added), since the entry's score counts them already."""
    return tuple(
        (None if entry.slug in with_examples else entry.slug, tuple(found))
        for entry in entries
        for phrase in (entry.title, *entry.keywords, *entry.questions)
        if (found := terms(phrase, (entry.lang,)))
    )


def example_terms(examples: Sequence[Example]) -> tuple[Inside, Outside]:
    """The examples in the search's terms, in scope (with their slug) and out of it;
    examples with no terms at all ("hello how are you") are left out."""
    inside = ((e.slug, tuple(terms(e.text))) for e in examples if e.slug)
    outside = (tuple(terms(e.text)) for e in examples if not e.slug)
    return (
        tuple((slug, found) for slug, found in inside if found),
        tuple(found for found in outside if found),
    )


@dataclass(frozen=True, slots=True)
class Judge:
    """What decides, for one catalogue, whether a question is in scope."""

    neighbours: Neighbours
    model: Model
    wording: Wording

    @classmethod
    def of(cls, scope: Scope, entries: Sequence[Entry]) -> Judge:
        inside = live_examples(scope.inside, entries)
        return cls(
            Neighbours(inside, scope.outside, STEM_WEIGHT),
            scope.model,
            live_wording(scope.wording, scope.inside, entries),
        )


def live_examples(inside: Inside, entries: Sequence[Entry]) -> Inside:
    """The in-scope examples of the published entries, and the entries' phrases.
    Examples of an entry the catalogue does not have (withdrawn by staff) are left out:
    they would make a question look in scope and hand it to another entry."""
    published = {entry.slug for entry in entries}
    kept = tuple((slug, found) for slug, found in inside if slug in published)
    with_examples = {slug for slug, _found in kept if slug}
    return (*kept, *phrases(entries, with_examples))


def neighbours_of(inside: Inside, outside: Outside, entries: Sequence[Entry]) -> Neighbours:
    """Example questions and the catalogue's phrases, ready to compare with a question
    (see live_examples)."""
    return Neighbours(live_examples(inside, entries), outside, STEM_WEIGHT)


def live_wording(wording: Wording, fitted_on: Inside, entries: Sequence[Entry]) -> Wording:
    """The words' weights, with the in-scope evidence a withdrawn entry's examples gave
    taken back: each term that leans in scope keeps the share of its weight that the
    published entries' examples bear (the share of the in-scope examples with the term
    that are theirs). Fitted while the entry was published, the weights would still
    make its questions look in scope, and hand them to another entry."""
    published = {entry.slug for entry in entries}
    if all(slug in published for slug, _found in fitted_on):
        return wording
    every, live = Counter[str](), Counter[str]()
    for slug, found in fitted_on:
        every.update(set(found))
        if slug in published:
            live.update(set(found))
    weights = {
        term: weight * live[term] / every[term] if weight > 0 and every[term] else weight
        for term, weight in wording.weights.items()
    }
    return Wording(weights, wording.intercept)


@cache
def shipped_scope() -> Scope:
    """The example questions and model shipped with the package, built once."""
    inside, outside = example_terms(load_examples())
    return Scope(inside, outside, Model.load(), Wording.load())
