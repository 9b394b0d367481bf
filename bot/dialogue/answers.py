"""Reading a typed answer to one step: option labels in any language, numbers, dates."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.dialogue.numbers import parse_amount, parse_count, parse_days
from bot.dialogue.script import Option, Step
from bot.dialogue.text import UNKNOWN, InvalidAnswer, fold, parse_name, parse_phone, parse_yes_no
from locales import LOCALES, translations

_NONE_WORDS = {
    fold(w)
    for w in ("nic", "zadne", "žádné", "none", "nothing", "no", "ne", "ні", "нічого", "жодне")
}


MIN_PREFIX = 4  # typed letters that may stand for a whole label, when only one starts so


def _label_variants(label: str) -> set[str]:
    return {fold(label)} | {fold(translations(loc).gettext(label)) for loc in LOCALES}


def match_option(
    options: tuple[Option, ...], text: str, *, by_number: bool = True
) -> Option | None:
    """An option named by its label in any supported language, or by its number (1, 2, …)
    where a number is not itself an answer (``by_number``)."""
    folded = fold(text).strip(" .!")
    if by_number and folded.isdigit() and 1 <= int(folded) <= len(options):
        return options[int(folded) - 1]
    for option in options:
        if folded in _label_variants(option.label):
            return option
    if len(folded) >= MIN_PREFIX:
        # The start of one label only ("так, безпечне" for "Так, безпечне місце").
        starting = [
            o for o in options if any(v.startswith(folded) for v in _label_variants(o.label))
        ]
        if len(starting) == 1:
            return starting[0]
    keys = {o.key for o in options}
    if keys >= {"yes", "no"}:
        answer = parse_yes_no(text)
        if answer is not None:
            return next(o for o in options if o.key == ("yes" if answer else "no"))
    return None


def read_answer(step: Step, text: str, answers: Mapping[str, Any], *, today: date) -> Any:
    """The value a typed text gives to ``step``; raises InvalidAnswer when it gives none."""
    options = step.options_for(answers)
    if step.kind == "count":
        return parse_count(text, minimum=step.minimum)
    if step.kind == "multi":
        return _read_multi(options, text)
    # For amounts and days a number is the answer: "3" is three days, not the third button.
    option = (
        match_option(options, text, by_number=step.kind == "choice")
        if step.kind in ("choice", "amount", "days")
        else None
    )
    if option is not None:
        return option.value
    if step.kind == "choice":
        raise InvalidAnswer("not_an_option")
    if step.kind == "amount":
        value = parse_amount(text)
    elif step.kind == "days":
        value = parse_days(text, today=today)
    elif step.kind == "phone":
        value = parse_phone(text)
    else:
        value = parse_name(text)
    return None if value is UNKNOWN else value


def _read_multi(options: tuple[Option, ...], text: str) -> list[Any]:
    folded = fold(text).strip(" .!")
    if folded in _NONE_WORDS:
        return []
    numbers = re.split(r"[\s,;]+", folded)
    if all(n.isdigit() and 1 <= int(n) <= len(options) for n in numbers):
        return list(dict.fromkeys(options[int(n) - 1].value for n in numbers))
    option = match_option(options, text)
    if option is not None:
        return [option.value]
    raise InvalidAnswer("not_an_option")
