"""Reading what people type: amounts, counts, deadlines, phones, commands."""

from __future__ import annotations

from datetime import date

import pytest

from bot.dialogue.answers import read_answer
from bot.dialogue.numbers import parse_amount, parse_count, parse_days
from bot.dialogue.render import format_value
from bot.dialogue.script import BY_KEY
from bot.dialogue.text import UNKNOWN, InvalidAnswer, clean_text, parse_command, parse_phone
from bot.dialogue.translator import Translator

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12 000", 12000),
        ("12000 Kč", 12000),
        ("12k", 12000),
        ("12 tisíc", 12000),
        ("около 12000", 12000),
        ("12.000", 12000),
        ("12,5 tisíce", 12500),
        ("cca 12 000,-", 12000),
        ("12 000 Kč měsíčně", 12000),
        ("12 тис.", 12000),
        ("приблизно 9 500 крон", 9500),
        ("about 9,500 CZK", 9500),
        ("1,2 mil", 1_200_000),
        ("15000czk", 15000),
        ("nic", 0),
        ("нічого", 0),
        ("0", 0),
        ("12\u00a0000", 12000),
        ("asi 7 tis", 7000),
        ("8500,50", 8500),
    ],
)
def test_amounts(text: str, value: int) -> None:
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["nevím", "nevim", "Nevím.", "don't know", "не знаю", "?"])
def test_unknown_amounts(text: str) -> None:
    assert parse_amount(text) is UNKNOWN


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("-5000", "negative"),
        ("minus 5", "negative"),
        ("lots", "not_a_number"),
        ("12 000 000 000", "amount_too_large"),
        ("", "not_a_number"),
        ("1 2 3 4 5 x", "not_a_number"),
    ],
)
def test_amounts_refused(text: str, reason: str) -> None:
    with pytest.raises(InvalidAnswer) as error:
        parse_amount(text)
    assert error.value.reason == reason


@pytest.mark.parametrize(
    ("text", "value"), [("2", 2), ("dva", 2), ("two", 2), ("два", 2), ("3 dospělí", 3)]
)
def test_counts(text: str, value: int) -> None:
    assert parse_count(text, minimum=1) == value


def test_count_limits() -> None:
    with pytest.raises(InvalidAnswer, match="count_too_small"):
        parse_count("0", minimum=1)
    with pytest.raises(InvalidAnswer, match="count_too_large"):
        parse_count("21", minimum=0)
    with pytest.raises(InvalidAnswer, match="negative"):
        parse_count("-1", minimum=0)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("10", 10),
        ("10 dní", 10),
        ("2 týdny", 14),
        ("za 2 tižní", None),
        ("за 2 тижні", 14),
        ("měsíc", 30),
        ("in 3 weeks", 21),
        ("15. 12.", 22),
        ("15.12.2026", 22),
        ("2026-12-15", 22),
        ("1. 1.", 39),  # without a year and long past: next year's
        ("1. 6.", 190),
        ("zítra", 1),
        ("dnes", 0),
        ("nevím", UNKNOWN),
    ],
)
def test_days(text: str, days: object) -> None:
    if days is None:
        with pytest.raises(InvalidAnswer):
            parse_days(text, today=TODAY)
    else:
        assert parse_days(text, today=TODAY) == days


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31. 2.", "not_a_date"),
        ("1. 1. 2020", "date_in_past"),
        ("1. 11.", "date_in_past"),  # without a year, weeks ago: the deadline has passed
        ("5000 dní", "days_too_large"),
    ],
)
def test_days_refused(text: str, reason: str) -> None:
    with pytest.raises(InvalidAnswer) as error:
        parse_days(text, today=TODAY)
    assert error.value.reason == reason


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("777 123 456", "+420777123456"),
        ("+420 777-123-456", "+420777123456"),
        ("00380 67 123 4567", "+380671234567"),
    ],
)
def test_phones(text: str, phone: str) -> None:
    assert parse_phone(text) == phone


def test_phone_refused() -> None:
    with pytest.raises(InvalidAnswer, match="not_a_phone"):
        parse_phone("call me")


def test_control_characters_are_removed() -> None:
    assert clean_text("a\x00b\u200b  c\n\nd\x1b") == "ab c d"


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("/start qr-poster-3", ("start", "qr-poster-3")),
        ("/back@kmb_bot", ("back", None)),
        ("Zpět", ("back", None)),
        ("пропустити", ("skip", None)),
        ("jazyk", ("language", None)),
        ("ano", None),
    ],
)
def test_commands(text: str, command: object) -> None:
    assert parse_command(text) == command


@pytest.mark.parametrize(
    ("step", "typed", "value"),
    [
        ("immediate_danger", "tak", True),  # Ukrainian typed in Latin letters
        ("immediate_danger", "так", True),
        ("rent_arrears", "ni", False),
        ("rent_arrears", "net", False),
        ("sleeping_place_tonight", "так, безпечне", "safe"),  # the start of one label
        ("sleeping_place_tonight", "ano, ale", "unsafe"),
        ("sleeping_place_tonight", "2", "unsafe"),  # a button's number
        ("days_until_move_out", "3", 3),  # three days, not the third button
        ("days_until_move_out", "1", 1),
        ("monthly_income_czk", "2", 2),
    ],
)
def test_typed_answers_to_questions_with_buttons(step: str, typed: str, value: object) -> None:
    assert read_answer(BY_KEY[step], typed, {}, today=TODAY) == value


@pytest.mark.parametrize(
    ("step", "typed"),
    [
        ("sleeping_place_tonight", "ano,"),  # the start of two labels: not a guess
        ("sleeping_place_tonight", "yes"),
        ("housing_group", "ve"),  # too short to stand for a label
    ],
)
def test_typed_answers_that_name_no_single_button(step: str, typed: str) -> None:
    with pytest.raises(InvalidAnswer):
        read_answer(BY_KEY[step], typed, {}, today=TODAY)


@pytest.mark.parametrize(
    ("days", "language", "shown"),
    [(0, "cs", "dnes"), (1, "en", "tomorrow"), (5, "uk", "5"), (5, "cs", "za 5 dní")],
)
def test_a_deadline_is_shown_in_plain_words(days: int, language: str, shown: str) -> None:
    step = BY_KEY["days_until_move_out"]
    assert shown in format_value(Translator(language), step, days, {})


def test_a_deadline_just_past_is_past_across_new_year() -> None:
    with pytest.raises(InvalidAnswer) as error:
        parse_days("20. 12.", today=date(2027, 1, 5))
    assert error.value.reason == "date_in_past"
    assert parse_days("10. 1.", today=date(2026, 12, 20)) == 21
