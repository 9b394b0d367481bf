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
4. the search abstains when the best score is weak or too few of the question's words
   matched anything: no answer is better than a wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import simplemma
from anyascii import anyascii
from rank_bm25 import BM25Okapi
from rapidfuzz import fuzz, process

from knowledge_base.content import LANGUAGES, Entry

WORD = re.compile(r"\w+", re.UNICODE)
MIN_SCORE = 9.0  # score below which the search abstains (calibrated on the tests' questions)
KEYWORD_BONUS = 4.0  # per curated keyword of the entry that the question contains (at most 2)
MIN_COVERAGE = 0.34  # share of meaningful query words that must match the vocabulary
FUZZY_CUTOFF = 84

# Words that carry no meaning for finding a topic, folded to ASCII.
STOPWORDS = {
    anyascii(w).lower()
    for w in """
    a i k o s u v z ze je jsem jsi jsme jste jsou byt mam mas ma mame mate maji se si to ten
    ta ty co jak kde kdy proc ktery ktera ktere muzu muze muzete mohu by bych na do od po pro
    pri za ze ne ano jo uz jeste taky tak ale nebo kdyz jestli me mi mne mu nas vas jim tam
    tady ted dnes prosim dekuji dobry den ahoj chci potrebuji nevim
    the an and or of to in on at for with is are am be been do does did i you we they he she
    it my your me what how where when why which can could should would will have has had
    not no yes please hello hi need want get
    я ти ви ми він вона вони це що як де коли чому який яка які і й та або але не так ні
    мені мене вам нам у в на до з за від для про чи є бути мати можна можу треба будь ласка
    привіт добрий день дякую хочу потрібно
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


@lru_cache(maxsize=50_000)  # bounded: every word people type passes through here
def _lemma(word: str, lang: str) -> str:
    return simplemma.lemmatize(word, lang=lang)


def terms(text: str, langs: Iterable[str] = LANGUAGES) -> list[str]:
    """Folded lemmas of every word, in each of ``langs`` (duplicates kept once per word)."""
    found: list[str] = []
    for word in WORD.findall(text.lower()):
        if word.isdigit():
            continue
        variants = {fold(word)} | {fold(_lemma(word, lang)) for lang in langs}
        found += sorted(v for v in variants if v and v not in STOPWORDS and len(v) > 1)
    return found


def _document(entry: Entry) -> list[str]:
    weighted = [entry.title] * 3 + list(entry.keywords) * 3 + list(entry.questions) * 2
    return terms(" ".join([*weighted, entry.short, entry.body]), (entry.lang,))


class Index:
    """All entries of all languages, ready to be searched."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = list(entries)
        self.documents = [_document(entry) for entry in self.entries]
        # rank-bm25 cannot index nothing; an empty catalogue answers nothing.
        self.bm25 = BM25Okapi(self.documents) if self.documents else None
        self.vocabulary = sorted({t for document in self.documents for t in document})
        self._known = set(self.vocabulary)
        self.keywords = [
            [keyword for keyword in (frozenset(terms(k, (e.lang,))) for k in e.keywords) if keyword]
            for e in self.entries
        ]
        self._by_slug_lang = {(e.slug, e.lang): e for e in self.entries}

    def entry(self, slug: str, lang: str) -> Entry | None:
        return self._by_slug_lang.get((slug, lang))

    def _expand(self, query_terms: list[str]) -> tuple[list[str], int]:
        """Known terms, plus close vocabulary words for unknown ones; and how many matched."""
        expanded: list[str] = []
        matched = 0
        for term in dict.fromkeys(query_terms):
            if term in self._known:
                expanded.append(term)
                matched += 1
            elif len(term) >= 4:
                close = process.extract(
                    term, self.vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=2
                )
                if close:
                    expanded += [word for word, _score, _index in close]
                    matched += 1
        return expanded, matched

    def search(self, query: str, *, lang: str | None = None, top: int = 3) -> list[Hit]:
        """The best entries for ``query``, best first; empty when nothing matches well.
        ``lang`` chooses the language of the titles returned (default: the best match's)."""
        words = [w for w in WORD.findall(query.lower()) if fold(w) not in STOPWORDS]
        if not words or self.bm25 is None:
            return []
        query_terms = terms(" ".join(words))
        expanded, matched = self._expand(query_terms)
        if not expanded or matched / len(words) < MIN_COVERAGE:
            return []
        scores = self.bm25.get_scores(expanded)
        present = set(expanded) | set(query_terms)
        bonuses = [
            KEYWORD_BONUS * min(2, sum(1 for keyword in keywords if keyword <= present))
            for keywords in self.keywords
        ]
        best: dict[str, tuple[float, Entry]] = {}
        for entry, bm25, bonus in zip(self.entries, scores, bonuses, strict=True):
            score = bm25 + bonus
            if score > best.get(entry.slug, (0.0, entry))[0]:
                best[entry.slug] = (float(score), entry)
        ranked = sorted(best.items(), key=lambda item: item[1][0], reverse=True)
        hits = []
        for slug, (score, entry) in ranked[:top]:
            if score < MIN_SCORE:
                break
            shown = self.entry(slug, lang or entry.lang) or entry
            hits.append(Hit(slug=slug, title=shown.title, score=round(score, 2), lang=entry.lang))
        return hits
