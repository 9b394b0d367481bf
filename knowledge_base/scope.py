"""Whether a question is one the catalogue is meant to answer.

The best entry's score alone cannot tell "when are you open?" from "is Kaufland open on
Easter Monday?": both match the opening hours well. Three more kinds of evidence do:

* how much of the question the search understood, and how much of it as typed (rather
  than only close to a catalogue word);
* how close the question comes to example questions people asked that the catalogue
  answers (in scope), and to ones it does not (out of scope: a mortgage, a moving firm,
  a cat in a rented flat, a visa for a holiday), by BM25 over the examples'
  terms (``knowledge_base/scope/examples/*.toml``);
* what its words say, each on its own: a linear model of the examples' terms
  (``Wording``) learns that "práce" (work) and "banka" lean out of scope and "nájem"
  (rent) in, which no single nearest example can tell.

A logistic model weighs these features; its weights are fitted by
``python -m knowledge_base fit-scope`` (knowledge_base.fitting) and kept in
``knowledge_base/scope/model.toml``, the words' weights in ``wording.toml``. The search
answers when the model's probability that the question is in scope reaches the model's
threshold. See docs/catalogue-search.md.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

SCOPE = Path(__file__).with_name("scope")
EXAMPLES = SCOPE / "examples"
MODEL = SCOPE / "model.toml"
WORDING = SCOPE / "wording.toml"

# Entries for someone who may have no safe place tonight. Declining their question costs
# far more than showing one of these to someone who asked about something else, so the
# model needs less certainty for them (Model.urgent_threshold).
URGENT = frozenset(
    {"nowhere-to-sleep-tonight", "domestic-violence", "crisis-housing", "leaving-institution"}
)

# What the model looks at, in this order (a model fitted on other features is refused).
FEATURES = (
    "best",  # score of the best entry
    "gap",  # ...above the second best
    "words",  # meaningful words in the question
    "unmatched",  # share of them that match nothing in the catalogue
    "exact",  # share that match a catalogue word as typed (lemmatized and folded)
    "in_scope",  # closeness to the nearest in-scope example question
    "out_of_scope",  # closeness to the nearest out-of-scope example question
    "best_example",  # closeness to the nearest example question the best entry answers
    "wording",  # log-odds of being in scope by the question's words alone (Wording)
)


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    lang: str
    slug: str | None  # None: a question the catalogue does not answer
    source: str  # the examples file it came from
    also: tuple[str, ...] = ()  # other slugs that answer it as well

    @property
    def accepted(self) -> set[str]:
        return {self.slug, *self.also} if self.slug else set()


def read_questions(path: Path) -> list[Example]:
    """The questions of one file (``[[question]]`` tables: text, lang, slug, also) — an
    examples file or a benchmark's question set."""
    with path.open("rb") as file:
        rows = tomllib.load(file).get("question", [])
    return [
        Example(row["text"], row["lang"], row.get("slug"), path.stem, tuple(row.get("also", ())))
        for row in rows
    ]


def load_examples(directory: Path = EXAMPLES) -> list[Example]:
    """Every example question, each text once (the first file, in name order, wins)."""
    seen: set[str] = set()
    examples = []
    for path in sorted(directory.glob("*.toml")):
        for example in read_questions(path):
            key = " ".join(example.text.lower().split())
            if key not in seen:
                seen.add(key)
                examples.append(example)
    return examples


class SparseBM25(BM25Okapi):
    """rank_bm25's Okapi BM25 with an inverted index: ``get_scores`` visits only the
    documents that contain a query term (rank_bm25 looks every term up in every
    document, which is slow over a couple of thousand short examples)."""

    def __init__(self, corpus: Sequence[Sequence[str]]) -> None:
        super().__init__(corpus)
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for number, frequencies in enumerate(self.doc_freqs):
            for term, count in frequencies.items():
                postings[term].append((number, count))
        self._postings = {
            term: (np.array([d for d, _ in rows]), np.array([c for _, c in rows], dtype=float))
            for term, rows in postings.items()
        }
        self._norm = self.k1 * (1 - self.b + self.b * np.array(self.doc_len) / self.avgdl)

    def get_scores(self, query: Sequence[str]) -> np.ndarray:
        scores = np.zeros(self.corpus_size)
        for term in query:
            if term not in self._postings:
                continue
            docs, counts = self._postings[term]
            scores[docs] += self.idf[term] * counts * (self.k1 + 1) / (counts + self._norm[docs])
        return scores


@dataclass(frozen=True, slots=True)
class Closeness:
    """How close a question comes to the example questions."""

    inside: float  # the nearest in-scope example
    outside: float  # the nearest out-of-scope example
    by_slug: dict[str, float]  # the nearest in-scope example of each entry


# Example questions as search terms: (slug, terms) in scope (a slug of None: in scope,
# for no entry in particular), and terms out of scope.
Inside = tuple[tuple[str | None, tuple[str, ...]], ...]
Outside = tuple[tuple[str, ...], ...]


class Neighbours:
    """Example questions, as search terms, ready to be compared with a question."""

    def __init__(self, inside: Inside, outside: Outside, stem_weight: float) -> None:
        self._stem_weight = stem_weight  # the search's: a shared word start is weaker evidence
        self._inside = SparseBM25([t for _slug, t in inside]) if inside else None
        self._outside = SparseBM25(outside) if outside else None
        self._slugs = [*sorted({slug for slug, _terms in inside if slug}), ""]
        number = {slug: n for n, slug in enumerate(self._slugs)}
        self._slug_of = np.array([number[slug or ""] for slug, _terms in inside], dtype=int)

    def _scores(self, bm25: SparseBM25 | None, whole: list[str], stems: list[str]) -> np.ndarray:
        if bm25 is None:
            return np.zeros(1)
        return bm25.get_scores(whole) + self._stem_weight * bm25.get_scores(stems)

    def closeness(self, whole: list[str], stems: list[str]) -> Closeness:
        """For a question's whole-word terms and word-start terms."""
        inside = self._scores(self._inside, whole, stems)
        by_slug = np.zeros(len(self._slugs))
        if self._inside is not None:
            np.maximum.at(by_slug, self._slug_of, inside)
        return Closeness(
            inside=float(inside.max()),
            outside=float(self._scores(self._outside, whole, stems).max()),
            by_slug={
                slug: float(v) for slug, v in zip(self._slugs, by_slug, strict=True) if slug and v
            },
        )


@dataclass(frozen=True, slots=True)
class Model:
    """Standardized features -> logistic probability of being in scope."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float
    threshold: float
    urgent_threshold: float  # when the best entry is URGENT

    def _log_odds(self, values: Sequence[float]) -> float:
        return self.intercept + sum(
            w * (v - m) / s
            for w, v, m, s in zip(self.weights, values, self.mean, self.scale, strict=True)
        )

    def probability(self, values: Sequence[float]) -> float:
        z = self._log_odds(values)
        # Either form, whichever cannot overflow: a long message can make z -1000.
        return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))

    def in_scope(self, values: Sequence[float], best: str) -> bool:
        """Whether to answer, given the features and the best entry's slug."""
        needed = self.urgent_threshold if best in URGENT else self.threshold
        return self._log_odds(values) >= math.log(needed / (1 - needed))

    @classmethod
    def load(cls, path: Path = MODEL) -> Model:
        with path.open("rb") as file:
            data = tomllib.load(file)
        model = cls(
            features=tuple(data["features"]),
            mean=tuple(data["mean"]),
            scale=tuple(data["scale"]),
            weights=tuple(data["weights"]),
            intercept=float(data["intercept"]),
            threshold=float(data["threshold"]),
            urgent_threshold=float(data["urgent_threshold"]),
        )
        if model.features != FEATURES:
            raise ValueError(f"{path}: fitted on {model.features}, the search computes {FEATURES}")
        sizes = {len(model.mean), len(model.scale), len(model.weights)}
        numbers = [*model.mean, *model.weights, model.intercept]
        if sizes != {len(FEATURES)} or not all(math.isfinite(v) for v in numbers):
            raise ValueError(f"{path}: not a model of {len(FEATURES)} finite values")
        if not all(math.isfinite(v) and v > 0 for v in model.scale):
            raise ValueError(f"{path}: every scale must be a positive number")
        if not all(0 < t < 1 for t in (model.threshold, model.urgent_threshold)):
            raise ValueError(f"{path}: thresholds are probabilities between 0 and 1")
        return model

    def dump(self, path: Path = MODEL, header: str = "") -> None:
        def numbers(values: Sequence[float]) -> str:
            return "[" + ", ".join(f"{v:.6g}" for v in values) + "]"

        path.write_text(
            header
            + f"features = {json.dumps(list(self.features))}\n"
            + f"mean = {numbers(self.mean)}\n"
            + f"scale = {numbers(self.scale)}\n"
            + f"weights = {numbers(self.weights)}\n"
            + f"intercept = {self.intercept:.6g}\n"
            + f"threshold = {self.threshold:.6g}\n"
            + f"urgent_threshold = {self.urgent_threshold:.6g}\n",
            encoding="utf-8",
        )


@dataclass(frozen=True, slots=True)
class Wording:
    """A linear model of a question's search terms: the log-odds that it is in scope,
    as the sum of its distinct terms' weights (a term no example had weighs nothing)."""

    weights: dict[str, float]
    intercept: float

    def log_odds(self, terms: Sequence[str]) -> float:
        return self.intercept + sum(self.weights.get(term, 0.0) for term in set(terms))

    @classmethod
    def load(cls, path: Path = WORDING) -> Wording:
        with path.open("rb") as file:
            data = tomllib.load(file)
        wording = cls(
            {str(k): float(v) for k, v in data["weights"].items()}, float(data["intercept"])
        )
        if not all(math.isfinite(v) for v in [*wording.weights.values(), wording.intercept]):
            raise ValueError(f"{path}: every weight must be a finite number")
        return wording

    def dump(self, path: Path = WORDING, header: str = "") -> None:
        lines = [f"{json.dumps(term)} = {w:.6g}" for term, w in sorted(self.weights.items())]
        path.write_text(
            header + f"intercept = {self.intercept:.6g}\n\n[weights]\n" + "\n".join(lines) + "\n",
            encoding="utf-8",
        )


@dataclass(frozen=True, slots=True)
class Scope:
    """Example questions as search terms, and the models that weigh them."""

    inside: Inside
    outside: Outside
    model: Model
    wording: Wording
