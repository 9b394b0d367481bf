"""Catalogue search quality: held-out questions against our search and a plain BM25.

The questions are typed the way people type on a phone, in Czech, English and
Ukrainian, and were written blind, from the catalogue only: by default the four sets
written for the search as it is, bench/kb_questions_blind11.toml to ...blind14.toml,
together (each set's figures are printed too); also bench/kb_questions.toml (blind 5)
and bench/kb_questions_blind6.toml to ...blind10.toml. A few are word for word among the
scope model's examples: short everyday ones other hands wrote too ("tell me a joke",
"exekuce"). Read only their totals: a set whose failures were studied is development
data (knowledge_base/scope/examples/).
For each system, over the shipped catalogue, in the same run:

* top-1 accuracy: on-topic questions whose first hit is the expected slug (or one of
  its ``also`` slugs);
* top-3 recall: on-topic questions with an acceptable slug among the first three hits;
* abstention: off-topic questions (no slug) that get no hit at all;

overall and per language. Our search is ``Index.search(text, lang=None, top=3)``.

The baseline is plain BM25 (rank_bm25.BM25Okapi, default parameters): one document per
(slug, language) made of the entry's title, short answer, body and keywords, tokenized
by lowercasing and splitting on ``\\w+`` (no stopwords, lemmas, folding or fuzzy
matching, and not the example questions); a slug scores its best document. It abstains
when the best score is <= 0, i.e. when no query word occurs in any document.

    python bench/kb_quality.py [--questions FILE] [--catalogue DIR] [--failures] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rank_bm25 import BM25Okapi

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge_base.content import CATALOGUE, LANGUAGES, REQUIRED_SLUGS, Entry, load  # noqa: E402
from knowledge_base.scope import Example, read_questions  # noqa: E402
from knowledge_base.search import Index  # noqa: E402

# The blind sets written for the search as it is (the newest), measured together.
QUESTIONS = tuple(Path(__file__).with_name(f"kb_questions_blind{n}.toml") for n in range(11, 15))
TOP = 3
TARGETS = {"top1": 90.0, "top3": 97.0, "abstention": 90.0}
LABELS = {"top1": "top-1 accuracy", "top3": "top-3 recall", "abstention": "abstention"}
TARGET_MARGIN = 20.0  # points of top-1 above the baseline
WORD = re.compile(r"\w+", re.UNICODE)

# A system answers a question with (slug, score) pairs, best first; [] means "I don't know".
Ranked = list[tuple[str, float]]
Searcher = Callable[[str], Ranked]


# A question of a set: the same shape as the scope model's examples (slug None: off-topic).
Question = Example


def load_questions(paths: Sequence[Path] = QUESTIONS) -> list[Question]:
    """The question sets, checked (known languages and slugs), one after the other."""
    questions = []
    for path in paths:
        for q in read_questions(path):
            unknown = (q.accepted - set(REQUIRED_SLUGS)) | ({q.lang} - set(LANGUAGES))
            if unknown or (q.also and not q.slug):
                raise SystemExit(f"{path}: bad question {q.text!r}: {sorted(unknown) or 'also'}")
            questions.append(q)
    return questions


def tokens(text: str) -> list[str]:
    return WORD.findall(text.lower())


class Baseline:
    """Plain BM25 over title, short answer, body and keywords; see the module docstring."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.slugs = [entry.slug for entry in entries]
        self.bm25 = BM25Okapi(
            [
                tokens(" ".join([e.title, e.short, e.body, *e.keywords]))
                for e in entries  # one document per (slug, lang)
            ]
        )

    def search(self, query: str, top: int = TOP) -> Ranked:
        best: dict[str, float] = {}
        for slug, score in zip(self.slugs, self.bm25.get_scores(tokens(query)), strict=True):
            best[slug] = max(best.get(slug, 0.0), float(score))
        ranked = sorted(best.items(), key=lambda item: item[1], reverse=True)
        if not ranked or ranked[0][1] <= 0:
            return []
        return [(slug, round(score, 2)) for slug, score in ranked[:top] if score > 0]


def ours(index: Index) -> Searcher:
    return lambda text: [(h.slug, h.score) for h in index.search(text, lang=None, top=TOP)]


@dataclass(slots=True)
class Tally:
    on_topic: int = 0
    top1: int = 0
    top3: int = 0
    abstained_on_topic: int = 0
    off_topic: int = 0
    abstained: int = 0

    def add(self, question: Question, ranked: Ranked) -> None:
        slugs = [slug for slug, _score in ranked]
        if question.slug is None:
            self.off_topic += 1
            self.abstained += not slugs
            return
        self.on_topic += 1
        self.top1 += bool(slugs) and slugs[0] in question.accepted
        self.top3 += bool(question.accepted & set(slugs[:TOP]))
        self.abstained_on_topic += not slugs

    def figures(self) -> dict[str, float | int]:
        def share(part: int, whole: int) -> float:
            return round(100 * part / whole, 1) if whole else 0.0

        return {
            "top1": share(self.top1, self.on_topic),
            "top3": share(self.top3, self.on_topic),
            "abstention": share(self.abstained, self.off_topic),
            "on_topic": self.on_topic,
            "off_topic": self.off_topic,
            "on_topic_abstained": self.abstained_on_topic,
        }


def evaluate(
    questions: Sequence[Question], search: Searcher
) -> tuple[dict[str, dict[str, float | int]], list[tuple[Question, Ranked]]]:
    """Figures overall and per language, and every answer (for the failure list)."""
    overall, per_lang = Tally(), {lang: Tally() for lang in LANGUAGES}
    answers = []
    for question in questions:
        ranked = search(question.text)
        overall.add(question, ranked)
        per_lang[question.lang].add(question, ranked)
        answers.append((question, ranked))
    figures = {"all": overall.figures()} | {lang: t.figures() for lang, t in per_lang.items()}
    return figures, answers


def failures(answers: Sequence[tuple[Question, Ranked]]) -> list[dict[str, object]]:
    """On-topic questions wrong at top-1 and off-topic questions that got an answer."""
    found = []
    for question, ranked in answers:
        wrong = (
            bool(ranked)
            if question.slug is None
            else not ranked or ranked[0][0] not in question.accepted
        )
        if wrong:
            found.append(
                {
                    "query": question.text,
                    "lang": question.lang,
                    "expected": sorted(question.accepted) or None,
                    "got": [[slug, score] for slug, score in ranked],
                }
            )
    return found


def show(report: dict) -> None:
    ours_, base = report["ours"], report["baseline"]
    q = ours_["all"]
    print(
        f"{report['questions']} questions: {q['on_topic']} on-topic, {q['off_topic']} off-topic"
        f"; catalogue of {report['entries']} entries"
    )
    print(f"  {'':<18} {'ours':>8} {'BM25':>8}   target")
    for name, label in LABELS.items():
        a, b = ours_["all"][name], base["all"][name]
        print(f"  {label:<18} {a:7.1f}% {b:7.1f}%   ≥ {TARGETS[name]:.0f} %")
    print(
        f"  top-1 above the baseline: {report['top1_margin']:+.1f} points"
        f"   (target ≥ +{TARGET_MARGIN:.0f})"
    )
    print(
        f"  on-topic questions left unanswered: ours {ours_['all']['on_topic_abstained']}"
        f", BM25 {base['all']['on_topic_abstained']}"
    )
    print("  per language       top-1 ours/BM25   top-3 ours/BM25   abstention ours/BM25")
    for lang in LANGUAGES:
        o, b = ours_[lang], base[lang]
        print(
            f"  {lang} ({o['on_topic']:>3} + {o['off_topic']:>2})"
            f"     {o['top1']:5.1f} / {b['top1']:5.1f}     {o['top3']:5.1f} / {b['top3']:5.1f}"
            f"     {o['abstention']:5.1f} / {b['abstention']:5.1f}"
        )
    met = ", ".join(f"{name} {'yes' if ok else 'NO'}" for name, ok in report["met"].items())
    print(f"  targets met: {met}")
    if report["sets"]:
        print("  each set               top-1   top-3   abstention   top-1 margin")
        for source, f in report["sets"].items():
            print(
                f"  {source:<22} {f['top1']:5.1f}   {f['top3']:5.1f}   {f['abstention']:10.1f}"
                f"   {f['top1_margin']:+12.1f}"
            )


def show_failures(found: Sequence[dict]) -> None:
    wrong = [f for f in found if f["expected"]]
    answered = [f for f in found if not f["expected"]]
    print(f"\nOur search wrong at top-1 ({len(wrong)}):")
    for f in wrong:
        got = ", ".join(f"{slug} {score:.2f}" for slug, score in f["got"]) or "(no answer)"
        expected = " | ".join(f["expected"])
        print(f"  [{f['lang']}] {f['query']!r}\n       expected {expected}; got {got}")
    print(f"\nOff-topic questions our search answered ({len(answered)}):")
    for f in answered:
        got = ", ".join(f"{slug} {score:.2f}" for slug, score in f["got"])
        print(f"  [{f['lang']}] {f['query']!r}\n       got {got}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, nargs="+", default=list(QUESTIONS))
    parser.add_argument("--failures", action="store_true", help="list what our search got wrong")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--catalogue", type=Path, default=CATALOGUE, help="a catalogue folder (e.g. exported)"
    )
    args = parser.parse_args()
    questions = load_questions(args.questions)
    entries = load(args.catalogue)
    our_search, base_search = cache(ours(Index(entries))), cache(Baseline(entries).search)
    ours_figures, answers = evaluate(questions, our_search)
    base_figures, _ = evaluate(questions, base_search)
    margin = round(float(ours_figures["all"]["top1"]) - float(base_figures["all"]["top1"]), 1)
    sets = {}
    for source in dict.fromkeys(q.source for q in questions) if len(args.questions) > 1 else ():
        subset = [q for q in questions if q.source == source]
        mine, theirs = evaluate(subset, our_search)[0]["all"], evaluate(subset, base_search)[0]
        sets[source] = {name: mine[name] for name in TARGETS} | {
            "top1_margin": round(float(mine["top1"]) - float(theirs["all"]["top1"]), 1)
        }
    report: dict = {
        "questions": len(questions),
        "entries": len(entries),
        "ours": ours_figures,
        "baseline": base_figures,
        "top1_margin": margin,
        "targets": TARGETS | {"top1_margin": TARGET_MARGIN},
        "met": {name: ours_figures["all"][name] >= target for name, target in TARGETS.items()}
        | {"top1_margin": margin >= TARGET_MARGIN},
        "sets": sets,
    }
    if args.failures:
        report["failures"] = failures(answers)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return
    show(report)
    if args.failures:
        show_failures(report["failures"])


if __name__ == "__main__":
    main()
