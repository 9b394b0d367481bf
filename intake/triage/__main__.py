"""``python -m intake.triage FILE|-``: print the triage result of an answers document.

Exit 0 with the result document as JSON on stdout; exit 2 with a message on
stderr (naming the field) when the document is invalid.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import ValidationError

from intake.triage.model import Answers, Thresholds
from intake.triage.rules import triage

USAGE = "usage: python -m intake.triage FILE|-"


def describe(error: ValidationError) -> str:
    """One line per problem, each naming the field of the answers document."""
    lines = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "(document)"
        lines.append(f"invalid answers document: field '{field}': {item['msg']}")
    return "\n".join(lines)


def load_thresholds() -> Thresholds:
    # The settings object lives in the composition root; read it only here,
    # at the command's edge, so the rules themselves stay free of it.
    from kmb.settings import Settings

    return Settings().triage


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        raw = sys.stdin.read() if args[0] == "-" else Path(args[0]).read_text("utf-8")
    except OSError as exc:
        print(f"cannot read {args[0]}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as exc:
        print(
            f"invalid answers document: not JSON ({exc.msg} at line {exc.lineno})", file=sys.stderr
        )
        return 2
    try:
        answers = Answers.from_document(document)
    except ValidationError as exc:
        print(describe(exc), file=sys.stderr)
        return 2
    result = triage(answers, load_thresholds())
    print(json.dumps(result.to_document(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
