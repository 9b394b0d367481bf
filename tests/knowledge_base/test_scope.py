"""The decision whether a question is one the catalogue answers at all."""

from __future__ import annotations

import dataclasses
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
    URGENT,
    Example,
    Model,
    Scope,
    SparseBM25,
    Wording,
    load_examples,
)
from knowledge_base.search import Index, example_terms, live_wording, split, terms


@pytest.fixture(scope="module")
def entries():  # type: ignore[no-untyped-def]
    return load()


@pytest.fixture(scope="module")
def example_terms_seen() -> set[tuple[str, ...]]:
    return {tuple(sorted(terms(e.text))) for e in load_examples()}


@pytest.mark.parametrize(
    ("question", "matches", "twin", "twin_slug"),
    [
        # The post office's hours match the opening hours as well as ours do...
        (
            "v kolik zavira posta u namesti v sobotu",
            "opening-hours-address",
            "kdy mate v pondeli otevreno?",
            "opening-hours-address",
        ),
        # ...and a landlord's tax on the rent matches the basics of renting.
        (
            "jak danit najem co dostavam od podnajemniku",
            "tenancy-basics",
            "mam dluh na najemnem, co ted",
            "rent-arrears",
        ),
        # Notice from an employer matches notice from a landlord: "práce" (work) tells.
        (
            "zamestnavatel mi dal vypoved, kolik mesicu jeste musim chodit do prace",
            "eviction-notice",
            "pronajimatel mi dal vypoved z bytu, kolik mam casu",
            "eviction-notice",
        ),
    ],
)
def test_a_near_miss_is_declined_by_the_scope_not_by_a_weak_match(
    entries, example_terms_seen, question: str, matches: str, twin: str, twin_slug: str
) -> None:  # type: ignore[no-untyped-def]
    """Only the scope tells that the question is not what the matching entry is for.
    Neither wording is an example: the model has to generalize."""
    assert tuple(sorted(terms(question))) not in example_terms_seen
    assert tuple(sorted(terms(twin))) not in example_terms_seen
    [hit, *_] = Index(entries, scope=None).search(question)
    assert hit.slug == matches and hit.score > 20
    assert Index(entries).search(question) == []
    # ...while a question the catalogue is for is answered.
    [hit, *_] = Index(entries).search(twin)
    assert hit.slug == twin_slug


def test_a_long_message_is_read_without_overflow(entries) -> None:  # type: ignore[no-untyped-def]
    """A long repeated message drives the model's log-odds far below zero."""
    assert Index(entries).search("narozena " * 400) == []
    stored = Model.load()
    far = [m + 1e6 * w for m, w in zip(stored.mean, stored.weights, strict=True)]
    assert stored.probability([2 * m - f for m, f in zip(stored.mean, far, strict=True)]) == 0.0
    assert stored.probability(far) == 1.0


def test_the_examples_and_urgent_entries_name_catalogue_topics(entries) -> None:  # type: ignore[no-untyped-def]
    slugs = {entry.slug for entry in entries}
    assert slugs >= URGENT
    assert {slug for e in load_examples() for slug in e.accepted} <= slugs


def test_a_withdrawn_entry_s_examples_no_longer_count(entries) -> None:  # type: ignore[no-untyped-def]
    """Staff may unpublish an entry; its examples must not lift another entry."""
    [question] = [e.text for e in load_examples() if e.slug == "housing-benefits"][:1]
    without = [entry for entry in entries if entry.slug != "housing-benefits"]

    def closeness(index: Index):  # type: ignore[no-untyped-def]
        reading = index.read(question)
        assert reading is not None and index.judge is not None
        return index.judge.neighbours.closeness(*split(reading.terms))

    full, withdrawn = closeness(Index(entries)), closeness(Index(without))
    assert "housing-benefits" in full.by_slug and "housing-benefits" not in withdrawn.by_slug


def test_a_withdrawn_entry_s_words_lose_the_weight_its_examples_gave(entries) -> None:  # type: ignore[no-untyped-def]
    """The words' weights were fitted while the entry was published: what only its
    examples taught them must not hand its questions to another entry."""
    without = [entry for entry in entries if entry.slug != "debt-counselling"]
    for question in ("bailiff took money from my account", "oddluzeni jak dlouho trva"):
        assert [hit.slug for hit in Index(entries).search(question)][:1] == ["debt-counselling"]
        assert Index(without).search(question) == [], question  # not another entry's


def test_the_live_weights_keep_the_share_the_published_entries_bear(entries) -> None:  # type: ignore[no-untyped-def]
    wording = Wording({"exeku~": 2.0, "najem": 1.0, "prace": -1.0}, 0.5)
    fitted_on = (
        ("debt-counselling", ("exeku~",)),
        ("debt-counselling", ("exeku~", "prace")),
        ("debt-counselling", ("exeku~",)),
        ("rent-arrears", ("exeku~", "najem")),
    )
    published = [entry for entry in entries if entry.slug == "rent-arrears"]
    live = live_wording(wording, fitted_on, published)
    assert live.weights == {"exeku~": 0.5, "najem": 1.0, "prace": -1.0}
    assert live.intercept == 0.5
    assert live_wording(wording, fitted_on[3:], published) is wording  # nothing withdrawn


def test_less_certainty_is_needed_for_someone_without_a_safe_place_tonight() -> None:
    """Declining someone with nowhere safe to sleep costs more than showing the night
    shelters to someone who asked about a hotel."""
    stored = Model.load()
    assert stored.urgent_threshold < stored.threshold
    between = (stored.urgent_threshold + stored.threshold) / 2
    unsure = math.log(between / (1 - between))  # the same probability, whatever the values
    model = dataclasses.replace(stored, weights=(0.0,) * len(FEATURES), intercept=unsure)
    values = list(stored.mean)
    assert model.probability(values) == pytest.approx(between)
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
    other = dataclasses.replace(stored, features=(*FEATURES[:-1], "something else"))
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


def test_the_words_weigh_once_each_and_round_trip(tmp_path: Path) -> None:
    wording = Wording({"najem": 1.5, "prace": -2.0, "exeku~": 0.25}, 0.5)
    assert wording.log_odds(["najem", "najem", "prace", "unknown"]) == pytest.approx(0.0)
    wording.dump(tmp_path / "wording.toml", "# a header\n")
    assert Wording.load(tmp_path / "wording.toml") == wording


def test_a_broken_wording_file_is_refused_at_load(tmp_path: Path) -> None:
    (tmp_path / "wording.toml").write_text("intercept = 0.5\n[weights]\nnajem = nan\n")
    with pytest.raises(ValueError, match="finite"):
        Wording.load(tmp_path / "wording.toml")


def test_the_shipped_words_lean_as_people_mean_them() -> None:
    """Work, a bank and the post are not housing; rent and a flat are."""
    wording = Wording.load()
    for word in ("práce", "banka", "pošta", "zaměstnavatel"):
        assert wording.log_odds(terms(word)) < wording.intercept, word
    for word in ("nájem", "bytu", "exekuce"):
        assert wording.log_odds(terms(word)) > wording.intercept, word


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
    always = dataclasses.replace(
        stored, weights=(0.0,) * len(FEATURES), intercept=9.0, threshold=0.5, urgent_threshold=0.5
    )
    example = Example(question, "cs", other, "test")
    scope = Scope(*example_terms([example]), always, Wording({}, 0.0))
    assert Index(entries, scope=scope).search(question)[0].slug == other != plain[0]


def test_a_new_entry_is_lifted_by_its_own_phrases(entries) -> None:  # type: ignore[no-untyped-def]
    """An entry staff just published has no example questions yet: its title, keywords
    and questions stand in for them, so the model does not count that against it."""
    renamed = [
        dataclasses.replace(e, slug="housing-allowance") if e.slug == "housing-benefits" else e
        for e in entries
    ]
    index = Index(renamed)
    reading = index.read("superdavka")
    assert reading is not None and index.judge is not None
    closeness = index.judge.neighbours.closeness(*split(reading.terms))
    assert closeness.by_slug["housing-allowance"] > 0
    assert index.search("superdavka")[0].slug == "housing-allowance"
