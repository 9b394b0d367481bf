"""The decision whether a question is one the catalogue answers at all."""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from knowledge_base import fitting
from knowledge_base.content import load
from knowledge_base.scope import (
    FEATURES,
    Example,
    Model,
    Scope,
    SparseBM25,
    load_examples,
)
from knowledge_base.search import Index, example_terms, terms


@pytest.fixture(scope="module")
def entries():  # type: ignore[no-untyped-def]
    return load()


@pytest.mark.parametrize(
    ("question", "matches", "twin"),
    [
        # The post office's hours match the opening hours as well as ours do...
        (
            "kdy ma otevreno posta na hlavnim nadrazi",
            "opening-hours-address",
            "kdy mate otevreno",
        ),
        # ...and a landlord's tax on rent matches rent arrears.
        ("pronajimam svuj byt, jak zdanit prijmy z najmu", "rent-arrears", "dluzim na najmu"),
    ],
)
def test_a_near_miss_is_declined_by_the_scope_not_by_a_weak_match(
    entries, question: str, matches: str, twin: str
) -> None:  # type: ignore[no-untyped-def]
    """Only the scope tells that the question is not what the matching entry is for."""
    [hit, *_] = Index(entries, scope=None).search(question)
    assert hit.slug == matches and hit.score > 20
    assert Index(entries).search(question) == []
    # ...while the question the entry is for is answered.
    [hit, *_] = Index(entries).search(twin)
    assert hit.slug == matches


def test_less_certainty_is_needed_for_someone_without_a_safe_place_tonight() -> None:
    """Declining someone with nowhere safe to sleep costs more than showing the night
    shelters to someone who asked about a hotel."""
    stored = Model.load()
    assert stored.urgent_threshold < stored.threshold
    unsure = math.log(0.1 / 0.9)  # a probability of 0.1 of being in scope, whatever the values
    model = Model(FEATURES, stored.mean, stored.scale, (0.0,) * len(FEATURES), unsure, 0.2, 0.05)
    values = list(stored.mean)
    assert model.probability(values) == pytest.approx(0.1)
    assert model.in_scope(values, "nowhere-to-sleep-tonight")
    assert model.in_scope(values, "domestic-violence")
    assert not model.in_scope(values, "rent-arrears")


def test_questions_with_names_in_them_are_answered(entries) -> None:  # type: ignore[no-untyped-def]
    """Names of people and pets are words the catalogue cannot know."""
    index = Index(entries)
    [hit, *_] = index.search("Kde můžu dnes přespat se psem Alíkem?")
    assert hit.slug == "nowhere-to-sleep-tonight"
    [hit, *_] = index.search("muj partner me bije a mam strach, jmenuju se Jana a mam dva kluky")
    assert hit.slug == "domestic-violence"


def test_the_sparse_bm25_scores_as_rank_bm25_does() -> None:
    corpus = [terms(e.text) for e in load_examples()[:400]]
    sparse, plain = SparseBM25(corpus), BM25Okapi(corpus)
    vocabulary = sorted({t for document in corpus for t in document})
    rng = random.Random(7)
    for _ in range(50):
        query = [*rng.sample(vocabulary, 4), "zzz-unknown"]
        assert np.allclose(sparse.get_scores(query), plain.get_scores(query))


def test_examples_are_counted_once(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(
        '[[question]]\ntext = "Kde  je úřad?"\nlang = "cs"\nslug = "opening-hours-address"\n'
        '[[question]]\ntext = "recept na guláš"\nlang = "cs"\n',
        encoding="utf-8",
    )
    (tmp_path / "b.toml").write_text(
        '[[question]]\ntext = "kde je úřad?"\nlang = "cs"\n', encoding="utf-8"
    )
    examples = load_examples(tmp_path)
    assert [(e.text, e.slug, e.source) for e in examples] == [
        ("Kde  je úřad?", "opening-hours-address", "a"),
        ("recept na guláš", None, "a"),
    ]


def test_a_model_fitted_on_other_features_is_refused(tmp_path: Path) -> None:
    stored = Model.load()
    other = Model(
        features=(*FEATURES[:-1], "something else"),
        mean=stored.mean,
        scale=stored.scale,
        weights=stored.weights,
        intercept=stored.intercept,
        threshold=stored.threshold,
        urgent_threshold=stored.urgent_threshold,
    )
    other.dump(tmp_path / "model.toml")
    with pytest.raises(ValueError, match="something else"):
        Model.load(tmp_path / "model.toml")


def test_a_stored_model_round_trips(tmp_path: Path) -> None:
    stored = Model.load()
    stored.dump(tmp_path / "model.toml")
    again = Model.load(tmp_path / "model.toml")
    assert np.allclose(again.weights, stored.weights) and again.threshold == stored.threshold
    values = [float(n + 1) for n in range(len(FEATURES))]
    assert again.probability(values) == pytest.approx(stored.probability(values), rel=1e-5)


def test_the_shipped_model_is_fitted_on_the_shipped_examples_and_catalogue(capsys) -> None:  # type: ignore[no-untyped-def]
    """Changing the examples or the catalogue's wording without refitting fails here:
    run `python -m knowledge_base fit-scope`."""
    assert fitting.main(check=True) == 0, capsys.readouterr().out


def test_an_example_question_lifts_the_entry_it_belongs_to(entries) -> None:  # type: ignore[no-untyped-def]
    """People's phrasing of a need is in the examples more than in the entry: an
    entry's score gains the closeness of its nearest example question."""
    question = "pronajimatel mi vymenil zamek kdyz jsem byl v praci"
    plain = [hit.slug for hit in Index(entries, scope=None).search(question, top=5)]
    other = plain[1]  # an entry the catalogue alone ranks second
    stored = Model.load()
    always = Model(
        stored.features, stored.mean, stored.scale, (0.0,) * len(FEATURES), 9.0, 0.5, 0.5
    )
    example = Example(question, "cs", other, "test")
    scope = Scope(*example_terms([example]), always)
    assert Index(entries, scope=scope).search(question)[0].slug == other != plain[0]
