"""Fitting the scope model (knowledge_base.scope) to the example questions.

    python -m knowledge_base fit-scope [--check]

Each example's closeness to other examples is measured against the examples of the
*other* files only: its own file was written by the same hand, in the same words, and
would make closeness look more telling than it is for a question nobody wrote down.
The fit is a logistic regression (scikit-learn, a development dependency: the product
only reads the weights) on standardized features, the two classes weighed equally.

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
from knowledge_base.scope import FEATURES, MODEL, Example, Model, Neighbours, load_examples
from knowledge_base.search import (
    Index,
    Reading,
    example_terms,
    features,
    neighbours_of,
    offered,
    ranked,
    split,
    terms,
)

THRESHOLD = 0.2  # probability of being in scope from which the search answers (see docs)
URGENT_THRESHOLD = 0.05  # ...when the best entry is one of knowledge_base.scope.URGENT
REGULARIZATION = 1.0  # scikit-learn's C
HEADER = (
    "# The scope model: written by `python -m knowledge_base fit-scope` from the example\n"
    "# questions in knowledge_base/scope/examples/ and the catalogue. Do not edit by hand.\n"
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


def _measure(
    rows: Sequence[Row], examples: Sequence[Example], entries: Sequence[Entry], without: str = ""
) -> list[Measured]:
    """Each row measured against the catalogue's phrases and the examples of other
    files than its own and than ``without``."""
    by_source: dict[str, Neighbours] = {}
    measured = []
    for row in rows:
        source = row.example.source
        if source not in by_source:
            others = [e for e in examples if e.source not in {without, source}]
            by_source[source] = neighbours_of(*example_terms(others), entries)
        closeness = by_source[source].closeness(*split(row.reading.terms))
        order = ranked(row.reading, closeness)
        measured.append(
            Measured(
                features(row.reading, closeness, order),
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


def fit(*, report: bool = True) -> Model:
    """The model fitted on the shipped examples and catalogue files (first printing the
    leave-one-file-out figures)."""
    examples = distinct(load_examples())
    entries = load(CATALOGUE)
    index = Index(entries, scope=None)
    readings = [(e, index.read(e.text)) for e in examples]
    rows = [Row(e, r) for e, r in readings if r is not None and r.scores]
    if report:
        for source in sorted({e.source for e in examples}):
            train = [row for row in rows if row.example.source != source]
            model = _fit(_measure(train, examples, entries, without=source), train)
            tested = [row for row in rows if row.example.source == source]
            answered = {
                row.example.text: m.offered
                for row, m in zip(tested, _measure(tested, examples, entries), strict=True)
                if model.in_scope(m.features, m.best)
            }
            held = [(e, answered.get(e.text, [])) for e in examples if e.source == source]
            print(f"{source:<12} {_figures(held)}")
    return _fit(_measure(rows, examples, entries), rows)


def main(check: bool, path: Path = MODEL) -> int:
    """Write the fitted model; with ``check``, only say whether the stored one is it."""
    model = fit(report=not check)
    if check:
        stored = Model.load(path)
        fresh = all(
            np.allclose(getattr(stored, name), getattr(model, name), rtol=1e-3, atol=1e-5)
            for name in ("mean", "scale", "weights", "intercept", "threshold", "urgent_threshold")
        )
        print(f"{path}: {'fitted on the current examples' if fresh else 'stale: run fit-scope'}")
        return 0 if fresh else 1
    model.dump(path, HEADER)
    print(f"wrote {path}")
    return 0
