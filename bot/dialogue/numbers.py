"""Lenient reading of numbers people type: amounts, counts of people, deadlines.

Pure functions with no translation: a failure raises :class:`InvalidAnswer` with a
reason code that the renderer turns into a localized message.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date, timedelta

from bot.dialogue.text import UNKNOWN, InvalidAnswer, Unknown, clean_text, fold, fold_words

MAX_AMOUNT_CZK = 10_000_000
MAX_PEOPLE = 20
MAX_DAYS = 3 * 365
RECENT_PAST_DAYS = 60  # a date without a year up to this far back has passed; further: next year


_UNKNOWN_WORDS = {
    "nevim",
    "nevime",
    "nevi",
    "netusim",
    "nezname",
    "nevim presne",
    "?",
    "??",
    "dont know",
    "don't know",
    "do not know",
    "i dont know",
    "i don't know",
    "idk",
    "unknown",
    "not sure",
    "no idea",
    "не знаю",
    "незнаю",
    "не впевнен",
    "не впевнена",
    "хз",
    "невідомо",
    "не знаємо",
}
_ZERO_WORDS = {
    "nic",
    "zadny",
    "zadna",
    "zadne",
    "nula",
    "none",
    "nothing",
    "no income",
    "zero",
    "нічого",
    "нуль",
    "немає",
    "нема",
    "ничего",
    "нет",
}
_APPROX_WORDS = (
    "okolo",
    "kolem",
    "cca",
    "asi",
    "priblizne",
    "zhruba",
    "tak",
    "about",
    "around",
    "approx",
    "approximately",
    "roughly",
    "circa",
    "~",
    "около",
    "приблизно",
    "близько",
    "десь",
    "примерно",
    "где-то",
    "max",
    "maximalne",
    "az",
)
_THOUSAND_WORDS = (
    "tisic",
    "tis",
    "tisice",
    "k",
    "thousand",
    "тисяч",
    "тисячі",
    "тис",
    "тыс",
    "тысяч",
    "тысячи",
    "тисяча",
    "тысяча",
)
_MILLION_WORDS = (
    "milion",
    "milionu",
    "miliony",
    "mil",
    "m",
    "million",
    "мільйон",
    "млн",
    "миллион",
)
_CURRENCY_WORDS = (
    "kc",
    "czk",
    "korun",
    "koruna",
    "koruny",
    "kcs",
    ",-",
    "крон",
    "крона",
    "крони",
    "kr",
    "кч",
)
_PERIOD_WORDS = (
    "mesicne",
    "za mesic",
    "na mesic",
    "mesic",
    "monthly",
    "a month",
    "per month",
    "/mesic",
    "/month",
    "на місяць",
    "в місяць",
    "щомісяця",
    "в месяц",
)
_NUMBER_WORDS = {
    "nula": 0,
    "zero": 0,
    "нуль": 0,
    "жодного": 0,
    "zadne": 0,
    "zadny": 0,
    "nikdo": 0,
    "jeden": 1,
    "jedna": 1,
    "jedno": 1,
    "one": 1,
    "один": 1,
    "одна": 1,
    "одне": 1,
    "dva": 2,
    "dve": 2,
    "two": 2,
    "два": 2,
    "дві": 2,
    "двоє": 2,
    "tri": 3,
    "three": 3,
    "три": 3,
    "троє": 3,
    "ctyri": 4,
    "four": 4,
    "чотири": 4,
    "четверо": 4,
    "pet": 5,
    "five": 5,
    "п'ять": 5,
    "пять": 5,
    "п’ять": 5,
    "sest": 6,
    "six": 6,
    "шість": 6,
}


_UNKNOWN_WORDS = set(fold_words(tuple(_UNKNOWN_WORDS)))
_ZERO_WORDS = set(fold_words(tuple(_ZERO_WORDS)))
_APPROX_WORDS = fold_words(_APPROX_WORDS)
_THOUSAND_WORDS = fold_words(_THOUSAND_WORDS)
_MILLION_WORDS = fold_words(_MILLION_WORDS)
_CURRENCY_WORDS = fold_words(_CURRENCY_WORDS)
_PERIOD_WORDS = fold_words(_PERIOD_WORDS)
_NUMBER_WORDS = {fold(word): value for word, value in _NUMBER_WORDS.items()}


def _strip_words(text: str, words: tuple[str, ...]) -> tuple[str, bool]:
    found = False
    for word in sorted(words, key=len, reverse=True):
        pattern = rf"(?<![\w]){re.escape(word)}(?![\w])"
        if re.search(pattern, text):
            text = re.sub(pattern, " ", text)
            found = True
    return text.strip(), found


def _is_unknown(folded: str) -> bool:
    return folded.strip(" .!") in _UNKNOWN_WORDS


def parse_amount(text: str) -> int | Unknown:
    """A sum of money in CZK: "12 000", "12000 Kč", "12k", "12 tisíc", "около 12000"."""
    folded = fold(clean_text(text)).strip(" .!")
    if _is_unknown(folded):
        return UNKNOWN
    if folded in _ZERO_WORDS:
        return 0
    if re.match(r"(-|minus)\s*\d", folded):
        raise InvalidAnswer("negative")
    rest, _ = _strip_words(folded, _APPROX_WORDS)
    rest, _ = _strip_words(rest, _CURRENCY_WORDS)
    rest, _ = _strip_words(rest, _PERIOD_WORDS)
    rest = re.sub(r"(?<=\d)(kc|czk)$", "", rest)
    multiplier = 1
    match = re.fullmatch(r"(.*?\d)\s*(k|tis|m|mil)\.?", rest)
    if match:
        rest, unit = match.group(1), match.group(2)
        multiplier = 1000 if unit in ("k", "tis") else 1_000_000
    else:
        rest, thousands = _strip_words(rest, _THOUSAND_WORDS)
        rest, millions = _strip_words(rest, _MILLION_WORDS)
        multiplier = 1_000_000 if millions else 1000 if thousands else 1
    rest = rest.strip(" .,;-=")
    number = _read_number(rest)
    value = round(number * multiplier)
    if value > MAX_AMOUNT_CZK:
        raise InvalidAnswer("amount_too_large", maximum=MAX_AMOUNT_CZK)
    return value


def _read_number(text: str) -> float:
    """Digits with space, dot or comma grouping; a comma or dot before 1-2 digits is decimal."""
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("'", " ")
    if not re.fullmatch(r"\d[\d .,]*", text or "x"):
        raise InvalidAnswer("not_a_number")
    compact = text.replace(" ", "")
    decimal = re.search(r"[.,](\d{1,2})$", compact)
    if decimal and not re.fullmatch(r"\d{1,3}([.,]\d{3})+", compact):
        whole = re.sub(r"[.,]", "", compact[: decimal.start()])
        return float(f"{whole or 0}.{decimal.group(1)}")
    digits = re.sub(r"[.,]", "", compact)
    if not digits.isdigit():
        raise InvalidAnswer("not_a_number")
    return float(digits)


def parse_count(text: str, *, minimum: int, maximum: int = MAX_PEOPLE) -> int:
    """A number of people: digits or a small number word ("dva", "two", "два")."""
    folded = fold(clean_text(text)).strip(" .!")
    first = folded.split(" ")[0] if folded else ""
    if first in _NUMBER_WORDS:
        value = _NUMBER_WORDS[first]
    elif re.fullmatch(r"-\s*\d+", folded):
        raise InvalidAnswer("negative")
    elif re.fullmatch(r"\d+", first):
        value = int(first)
    else:
        raise InvalidAnswer("not_a_count")
    if value < minimum:
        raise InvalidAnswer("count_too_small", minimum=minimum)
    if value > maximum:
        raise InvalidAnswer("count_too_large", maximum=maximum)
    return value


_DAY_UNITS = ("den", "dny", "dni", "dnu", "day", "days", "d", "день", "дні", "днів", "дня", "дней")
_WEEK_UNITS = (
    "tyden",
    "tydny",
    "tydnu",
    "tydne",
    "week",
    "weeks",
    "w",
    "тиждень",
    "тижні",
    "тижнів",
    "тижня",
    "неделя",
    "недели",
    "недель",
)
_MONTH_UNITS = (
    "mesic",
    "mesice",
    "mesicu",
    "month",
    "months",
    "місяць",
    "місяці",
    "місяців",
    "місяця",
    "месяц",
    "месяца",
    "месяцев",
)
_PREFIXES = (
    "za",
    "do",
    "in",
    "within",
    "через",
    "за",
    "до",
    "about",
    "asi",
    "priblizne",
    "okolo",
    "cca",
    "приблизно",
)
_DAY_UNITS, _WEEK_UNITS, _MONTH_UNITS, _PREFIXES = (
    fold_words(_DAY_UNITS),
    fold_words(_WEEK_UNITS),
    fold_words(_MONTH_UNITS),
    fold_words(_PREFIXES),
)


def parse_days(text: str, *, today: date) -> int | Unknown:
    """Days until a deadline: "10", "2 týdny", "за 2 тижні", "15. 12.", "15.12.2026"."""
    folded = fold(clean_text(text)).strip(" !")
    if _is_unknown(folded):
        return UNKNOWN
    if folded in ("dnes", "today", "сьогодні", "сегодня"):
        return 0
    if folded in ("zitra", "tomorrow", "завтра"):
        return 1
    date_match = re.fullmatch(r"(\d{1,2})\s*\.\s*(\d{1,2})\s*\.?\s*(\d{4})?", folded)
    iso_match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", folded)
    if date_match or iso_match:
        return _days_to_date(date_match, iso_match, today)
    rest, _ = _strip_words(folded, _PREFIXES)
    if rest in _DAY_UNITS + _WEEK_UNITS + _MONTH_UNITS:
        rest = f"1 {rest}"
    match = re.fullmatch(r"(\d+|[^\d\s]+)\s*([^\d\s]*)", rest)
    if not match:
        raise InvalidAnswer("not_days")
    amount_text, unit = match.groups()
    amount = _NUMBER_WORDS.get(amount_text)
    if amount is None:
        if not amount_text.isdigit():
            raise InvalidAnswer("not_days")
        amount = int(amount_text)
    if unit in _WEEK_UNITS:
        amount *= 7
    elif unit in _MONTH_UNITS:
        amount *= 30
    elif unit and unit not in _DAY_UNITS:
        raise InvalidAnswer("not_days")
    if amount > MAX_DAYS:
        raise InvalidAnswer("days_too_large")
    return amount


def _without_year(day: int, month: int, today: date) -> date:
    """The date a day and month without a year stand for: one up to a couple of months
    back has passed (the person is past their deadline, also across New Year);
    otherwise the next one to come."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        with contextlib.suppress(ValueError):  # 29. 2. exists in leap years only
            candidates.append(date(year, month, day))
    if not candidates:
        raise ValueError(f"no {day}. {month}. in these years")
    recent = [c for c in candidates if timedelta(0) < today - c <= timedelta(days=RECENT_PAST_DAYS)]
    if recent:
        return recent[-1]
    coming = [c for c in candidates if c >= today]
    if not coming:
        raise ValueError(f"no coming {day}. {month}.")
    return coming[0]


def _days_to_date(
    date_match: re.Match[str] | None, iso_match: re.Match[str] | None, today: date
) -> int:
    try:
        if iso_match:
            year, month, day = (int(g) for g in iso_match.groups())
            target = date(year, month, day)
        else:
            assert date_match is not None
            day, month = int(date_match.group(1)), int(date_match.group(2))
            if date_match.group(3):
                target = date(int(date_match.group(3)), month, day)
            else:
                target = _without_year(day, month, today)
    except ValueError as exc:
        raise InvalidAnswer("not_a_date") from exc
    if target < today:
        raise InvalidAnswer("date_in_past")
    if target - today > timedelta(days=MAX_DAYS):
        raise InvalidAnswer("days_too_large")
    return (target - today).days
