"""The catalogue on the command line.

    python -m knowledge_base search [--lang cs|en|uk|auto] [--top N] [--json] [QUERY]
    python -m knowledge_base export --json
    python -m knowledge_base check [--partial] [--max-age-days N]
    python -m knowledge_base fit-scope [--check]   (development: needs scikit-learn)

``search`` without QUERY reads one question per line from standard input and prints one
JSON line per question: {"query": …, "results": [{"slug", "title", "score"}]}.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from knowledge_base.content import LANGUAGES, ContentError, as_json, load, problems, stale
from knowledge_base.search import Index


def _result(index: Index, query: str, lang: str, top: int) -> dict[str, object]:
    hits = index.search(query, lang=None if lang == "auto" else lang, top=top)
    return {
        "query": query,
        "results": [{"slug": h.slug, "title": h.title, "score": h.score} for h in hits],
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge_base")
    commands = parser.add_subparsers(dest="command", required=True)
    search = commands.add_parser("search", help="find the entries that answer a question")
    search.add_argument("--lang", choices=[*LANGUAGES, "auto"], default="auto")
    search.add_argument("--top", type=int, default=3)
    search.add_argument("--json", action="store_true")
    search.add_argument("query", nargs="*")
    export = commands.add_parser("export", help="print every entry")
    export.add_argument("--json", action="store_true", required=True)
    check = commands.add_parser("check", help="check the catalogue files")
    check.add_argument("--partial", action="store_true", help="do not require every topic")
    check.add_argument(
        "--max-age-days",
        type=int,
        default=365,
        help="report entries reviewed longer ago than this (default 365)",
    )
    fit_scope = commands.add_parser(
        "fit-scope", help="fit the scope model to the example questions (development)"
    )
    fit_scope.add_argument(
        "--check", action="store_true", help="only say whether the stored model is fresh"
    )
    args = parser.parse_args(argv)
    if args.command == "fit-scope":
        from knowledge_base import fitting  # scikit-learn: a development dependency

        return fitting.main(check=args.check)
    try:
        entries = load()
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1

    if args.command == "check":
        found = problems(entries, complete=not args.partial)
        for problem in found:
            print(problem)
        old = stale(entries, today=date.today(), max_age_days=args.max_age_days)
        for entry in old:
            print(f"to review: {entry.slug}/{entry.lang} (last reviewed {entry.reviewed_on})")
        print(f"{len(entries)} entries, {len(found)} problems, {len(old)} to review")
        return 1 if found else 0
    if args.command == "export":
        for entry in entries:
            print(json.dumps(as_json(entry), ensure_ascii=False))
        return 0

    index = Index(entries)
    if args.query:
        found = _result(index, " ".join(args.query), args.lang, args.top)
        if args.json:
            print(json.dumps(found, ensure_ascii=False))
        else:
            for hit in found["results"]:  # type: ignore[union-attr]
                print(f"{hit['score']:7.2f}  {hit['slug']:<28} {hit['title']}")
        return 0
    for line in sys.stdin:
        if line.strip():
            print(
                json.dumps(_result(index, line.strip(), args.lang, args.top), ensure_ascii=False),
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
