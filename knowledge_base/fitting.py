"""Fitting the scope model (knowledge_base.scope) to the example questions.

    python -m knowledge_base fit-scope [--check]

Each example's closeness to other examples is measured against the examples of the
*other* files only: its own file was written by the same hand, in the same words, and
would make closeness look more telling than it is for a question nobody wrote down.
The fit is a logistic regression (scikit-learn, a development dependency: the product
only reads the weights) on standardized features, the two classes weighed equally.
One of the features is itself a logistic regression, on the terms of the examples and
of the catalogue's phrases (knowledge_base.scope.Wording); like closeness, it is
measured for each example with weights fitted without the example's file.

Before fitting on everything, each file is left out in turn and the others fit a model
that decides its questions: those figures (top-1, top-3, abstention on the file's
off-topic questions) are printed to show what the threshold buys and costs on questions
the model did not see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge_base.content import CATALOGUE, Entry, load
from knowledge_base.scope import (
    FEATURES,
    MODEL,
    WORDING,
    Example,
    Model,
    Neighbours,
    Wording,
    load_examples,
)
from knowledge_base.search import (
    Index,
    Reading,
    example_terms,
    features,
    neighbours_of,
    offered,
    phrases,
    ranked,
    split,
    terms,
)

THRESHOLD = 0.2  # probability of being in scope from which the search answers (see docs)
URGENT_THRESHOLD = 0.05  # ...when the best entry is one of knowledge_base.scope.URGENT
REGULARIZATION = 1.0  # scikit-learn's C
HEADER = (
    "# Part of the scope model (knowledge_base.scope): written by `python -m knowledge_base\n"
    "# fit-scope` from the example questions in knowledge_base/scope/examples/ and the\n"
    "# catalogue. Do not edit by hand.\n"
)


@dataclass(frozen=True, slots=True)
class Row:
    """An example the search can read at all (the rest it declines before any model)."""

    example: Example
    reading: Reading


@dataclass(frozen=True, slots=True)
class Measured:
    """A row's features, its best entry, and the entries the search would offer."""

    features: list[float]
    best: str
    offered: list[str]


def distinct(examples: Sequence[Example]) -> list[Example]:
    """One example per distinct set of search terms (the first, in file order): "exekuce"
    in two files would otherwise find its twin in the other file when measured."""
    seen: set[tuple[str, ...]] = set()
    kept = []
    for example in examples:
        key = tuple(sorted(terms(example.text)))
        if key not in seen:
            seen.add(key)
            kept.append(example)
    return kept


def _wording(examples: Sequence[Example], entries: Sequence[Entry]) -> Wording:
    """The terms' weights, from the examples and the catalogue's phrases (in scope)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    documents = [(terms(e.text), e.slug is not None) for e in examples]
    documents += [(list(found), True) for _slug, found in phrases(entries, set())]
    documents = [(found, inside) for found, inside in documents if found]
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([dict.fromkeys(found, 1) for found, _inside in documents])
    y = np.array([1 if inside else 0 for _found, inside in documents])
    regression = LogisticRegression(
        C=REGULARIZATION, class_weight="balanced", tol=1e-10, max_iter=10_000
    ).fit(x, y)
    weights = zip(vectorizer.get_feature_names_out(), regression.coef_[0], strict=True)
    return Wording({str(t): float(w) for t, w in weights}, float(regression.intercept_[0]))


class Evidence:
    """What each row is measured against: the catalogue's phrases, and the examples of
    files other than its own and than the one left out (built once per set of files)."""

    def __init__(self, examples: Sequence[Example], entries: Sequence[Entry]) -> None:
        self._examples = examples
        self._entries = entries
        self._built: dict[frozenset[str], tuple[Neighbours, Wording]] = {}

    def without(self, *sources: str) -> tuple[Neighbours, Wording]:
        key = frozenset(sources)
        if key not in self._built:
            others = [e for e in self._examples if e.source not in key]
            self._built[key] = (
                neighbours_of(*example_terms(others), self._entries),
                _wording(others, self._entries),
            )
        return self._built[key]

    def measure(self, rows: Sequence[Row], without: str = "") -> list[Measured]:
        measured = []
        for row in rows:
            neighbours, wording = self.without(*{without, row.example.source} - {""})
            closeness = neighbours.closeness(*split(row.reading.terms))
            order = ranked(row.reading, closeness)
            measured.append(
                Measured(
                    features(row.reading, closeness, order, wording.log_odds(row.reading.terms)),
                    order[0][0],
                    [slug for slug, _score, _entry in offered(order, 3)],
                )
            )
        return measured


def _fit(measured: Sequence[Measured], rows: Sequence[Row]) -> Model:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x = np.array([m.features for m in measured])
    y = np.array([1 if row.example.slug else 0 for row in rows])
    scaler = StandardScaler().fit(x)
    # A tight tolerance: the weights must not depend on the solver's early stop, or the
    # staleness check would fail on another machine's BLAS.
    regression = LogisticRegression(
        C=REGULARIZATION, class_weight="balanced", tol=1e-10, max_iter=10_000
    ).fit(scaler.transform(x), y)
    return Model(
        features=FEATURES,
        mean=tuple(float(v) for v in scaler.mean_),
        scale=tuple(float(v) for v in scaler.scale_),
        weights=tuple(float(v) for v in regression.coef_[0]),
        intercept=float(regression.intercept_[0]),
        threshold=THRESHOLD,
        urgent_threshold=URGENT_THRESHOLD,
    )


def _figures(answers: Sequence[tuple[Example, list[str]]]) -> str:
    """Top-1, top-3 and abstention of what the search offered for each example (an
    empty list: it declined)."""
    on = [(e, slugs) for e, slugs in answers if e.slug]
    off = [(e, slugs) for e, slugs in answers if not e.slug]
    top1 = sum(1 for e, slugs in on if e.accepted & set(slugs[:1]))
    top3 = sum(1 for e, slugs in on if e.accepted & set(slugs))
    declined = sum(1 for _e, slugs in off if not slugs)

    def share(count: int, of: list[tuple[Example, list[str]]]) -> str:
        return f"{100 * count / len(of):5.1f}" if of else "    -"

    return f"top-1 {share(top1, on)}  top-3 {share(top3, on)}  abstention {share(declined, off)}"


def fit(*, report: bool = True) -> tuple[Model, Wording]:
    """The models fitted on the shipped examples and catalogue files (first printing the
    leave-one-file-out figures)."""
    examples = distinct(load_examples())
    entries = load(CATALOGUE)
    index = Index(entries, scope=None)
    readings = [(e, index.read(e.text)) for e in examples]
    rows = [Row(e, r) for e, r in readings if r is not None and r.scores]
    evidence = Evidence(examples, entries)
    if report:
        everything: list[tuple[Example, list[str]]] = []
        for source in sorted({e.source for e in examples}):
            train = [row for row in rows if row.example.source != source]
            model = _fit(evidence.measure(train, without=source), train)
            tested = [row for row in rows if row.example.source == source]
            answered = {
                row.example.text: m.offered
                for row, m in zip(tested, evidence.measure(tested), strict=True)
                if model.in_scope(m.features, m.best)
            }
            held = [(e, answered.get(e.text, [])) for e in examples if e.source == source]
            everything += held
            print(f"{source:<12} {_figures(held)}")
        print(f"{'all':<12} {_figures(everything)}")
    return _fit(evidence.measure(rows), rows), _wording(examples, entries)


def _same(stored: Sequence[float], fresh: Sequence[float]) -> bool:
    return bool(np.allclose(stored, fresh, rtol=1e-3, atol=1e-4))


def main(check: bool, path: Path = MODEL, wording_path: Path = WORDING) -> int:
    """Write the fitted models; with ``check``, only say whether the stored ones are them."""
    model, wording = fit(report=not check)
    if check:
        stored, stored_wording = Model.load(path), Wording.load(wording_path)
        fresh = all(
            _same(getattr(stored, name), getattr(model, name))
            for name in ("mean", "scale", "weights", "intercept", "threshold", "urgent_threshold")
        )
        terms_ = sorted(wording.weights)
        fresh &= sorted(stored_wording.weights) == terms_ and _same(
            [stored_wording.intercept, *(stored_wording.weights[t] for t in terms_)],
            [wording.intercept, *(wording.weights[t] for t in terms_)],
        )
        state = "fitted on the current examples" if fresh else "stale: run fit-scope"
        print(f"{path} and {wording_path}: {state}")
        return 0 if fresh else 1
    model.dump(path, HEADER)
    wording.dump(wording_path, HEADER)
    print(f"wrote {path} and {wording_path}")
    return 0
