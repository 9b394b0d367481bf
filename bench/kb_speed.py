"""Catalogue search speed: building the index, its memory, and the time per question.

Over the shipped catalogue and the default question sets of bench/kb_quality.py, for our
search (``knowledge_base.search.Index``) and, in the same run, the plain BM25 baseline
of bench/kb_quality.py:

* build: the first build in the process (cold: ours also loads the lemmatizer's
  dictionaries then), and the median of --builds more, each with the lemma cache
  emptied first;
* memory: tracemalloc around one more build (lemma cache emptied, dictionaries already
  loaded): the peak while building and what is still allocated once it is built (the
  index, plus the lemma cache it filled). The lemmatizer's dictionaries for cs, en and
  uk, loaded once per process and shared, are measured on their own;
* query latency: every question once as a warm-up with the lemma cache emptied (the
  "first sight" figures), then --rounds rounds of every question, each call timed alone
  with time.perf_counter: p50 and p99 in ms. The ratio is ours / baseline.

    python bench/kb_speed.py [--builds 5] [--rounds 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import latency_figures  # noqa: E402
from bench.kb_quality import QUESTIONS, TOP, Baseline, load_questions  # noqa: E402
from knowledge_base import search as search_module  # noqa: E402
from knowledge_base.content import LANGUAGES, load  # noqa: E402
from knowledge_base.search import Index  # noqa: E402

TARGETS = {"p50_ms": 2.0, "p99_ms": 10.0}
MIB = 1024 * 1024

Search = Callable[[str], object]


def forget_lemmas() -> None:
    search_module._lemma.cache_clear()


def seconds(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def traced(action: Callable[[], object]) -> dict[str, float]:
    """tracemalloc peak during ``action`` and what it left allocated, in MiB."""
    tracemalloc.start()
    kept = action()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    return {"peak_mib": round(peak / MIB, 2), "current_mib": round(current / MIB, 2)}


def dictionary_memory() -> dict[str, float]:
    """The lemmatizer's dictionaries of the catalogue languages, loaded afresh."""
    factory = DefaultDictionaryFactory()
    return traced(lambda: [factory.get_dictionary(lang) for lang in LANGUAGES])


def latencies(search: Search, texts: Sequence[str], rounds: int) -> dict[str, dict]:
    """One first-sight pass (empty lemma cache), then ``rounds`` timed passes."""

    def one_pass(into: list[float]) -> None:
        for text in texts:
            started = time.perf_counter()
            search(text)
            into.append(time.perf_counter() - started)

    def rounded(figures: dict[str, float]) -> dict[str, float]:
        return {name: round(value, 3) for name, value in figures.items()}

    forget_lemmas()
    first: list[float] = []
    one_pass(first)
    warm: list[float] = []
    wall = seconds(lambda: [one_pass(warm) for _ in range(rounds)])
    return {
        "warm": rounded(latency_figures(warm, wall)),
        "first_sight": rounded(latency_figures(first, sum(first))),
    }


def measure(
    build: Callable[[], object],
    searcher: Callable[[object], Search],
    texts: list[str],
    args: argparse.Namespace,
) -> dict[str, object]:
    first_ms = seconds(build) * 1000
    builds = []
    for _ in range(args.builds):
        forget_lemmas()
        builds.append(seconds(build) * 1000)
    forget_lemmas()
    memory = traced(build)
    return {
        "first_build_ms": round(first_ms, 1),
        "build_median_ms": round(statistics.median(builds), 1),
        "memory": memory,
        "latency": latencies(searcher(build()), texts, args.rounds),
    }


def ours(index: object) -> Search:
    assert isinstance(index, Index)
    return lambda text: index.search(text, lang=None, top=TOP)


def baseline(built: object) -> Search:
    assert isinstance(built, Baseline)
    return built.search


ROWS = [  # label, path into a system's figures, target
    ("first build (cold), ms", ("first_build_ms",), None),
    ("build median, ms", ("build_median_ms",), None),
    ("build memory peak, MiB", ("memory", "peak_mib"), None),
    ("index memory, MiB", ("memory", "current_mib"), None),
    ("query p50, ms", ("latency", "warm", "p50_ms"), TARGETS["p50_ms"]),
    ("query p99, ms", ("latency", "warm", "p99_ms"), TARGETS["p99_ms"]),
    ("first-sight p50, ms", ("latency", "first_sight", "p50_ms"), None),
    ("first-sight p99, ms", ("latency", "first_sight", "p99_ms"), None),
    ("queries per second", ("latency", "warm", "per_second"), None),
]


def pick(figures: dict, path: Sequence[str]) -> float:
    for key in path:
        figures = figures[key]
    return float(figures)  # type: ignore[arg-type]


def show(report: dict) -> None:
    print(
        f"{report['entries']} entries; {report['questions']} questions: one first-sight pass,"
        f" then {report['rounds']} rounds; build median of {report['builds']}"
    )
    print(f"  {'':<26} {'ours':>9} {'BM25':>9} {'ratio':>8}   target")
    for label, path, target in ROWS:
        a, b = pick(report["ours"], path), pick(report["baseline"], path)
        ratio = f"{a / b:7.1f}×" if b else "       -"
        goal = f"≤ {target:g} ms" if target else ""
        print(f"  {label:<26} {a:9.2f} {b:9.2f} {ratio}   {goal}")
    words = report["lemmatizer_dictionaries"]
    print(
        f"  lemmatizer dictionaries (cs, en, uk; once per process): "
        f"{words['current_mib']:.1f} MiB (peak {words['peak_mib']:.1f} MiB while loading)"
    )
    met = ", ".join(f"{name} {'yes' if ok else 'NO'}" for name, ok in report["met"].items())
    print(f"  targets met: {met}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, nargs="+", default=list(QUESTIONS))
    parser.add_argument("--builds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    texts = [question.text for question in load_questions(args.questions)]
    entries = load()
    ours_figures = measure(lambda: Index(entries), ours, texts, args)
    base_figures = measure(lambda: Baseline(entries), baseline, texts, args)
    warm = ours_figures["latency"]["warm"]  # type: ignore[index]
    report = {
        "entries": len(entries),
        "questions": len(texts),
        "rounds": args.rounds,
        "builds": args.builds,
        "ours": ours_figures,
        "baseline": base_figures,
        "lemmatizer_dictionaries": dictionary_memory(),
        "targets": TARGETS,
        "met": {name: warm[name] <= target for name, target in TARGETS.items()},
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        show(report)


if __name__ == "__main__":
    main()
