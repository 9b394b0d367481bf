"""``python -m knowledge_base check [--partial]``: check the catalogue files."""

from __future__ import annotations

import sys

from knowledge_base.content import ContentError, load, problems


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "check":
        print("usage: python -m knowledge_base check [--partial]", file=sys.stderr)
        return 2
    try:
        entries = load()
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    found = problems(entries, complete="--partial" not in argv)
    for problem in found:
        print(problem)
    print(f"{len(entries)} entries, {len(found)} problems")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
