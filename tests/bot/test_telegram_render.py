"""Replies as Telegram shows them on a phone."""

from __future__ import annotations

from bot.dialogue import render as dialogue
from bot.dialogue.script import BY_KEY
from bot.dialogue.translator import Translator
from bot.telegram import render


def test_answers_too_long_for_a_button_are_listed_and_numbered() -> None:
    question = dialogue.question(
        Translator("cs"), BY_KEY["situation"], {"housing_group": "others"}, can_go_back=True
    )
    assert any(len(c.label) > render.LONG_LABEL for c in question.choices)
    shown = render.numbered(question)
    answers = [c for c in question.choices if c.payload.startswith("ans:")]
    for number, choice in enumerate(answers, start=1):
        assert f"{number}. {choice.label}" in shown.text
    labels = {c.payload: c.label for c in shown.choices}
    assert [labels[c.payload] for c in answers] == [str(n) for n in range(1, len(answers) + 1)]
    assert labels["nav:back"] == "Zpět"  # navigation keeps its words
    rows = render.keyboard(shown).inline_keyboard
    assert [b.text for b in rows[0]] == [str(n) for n in range(1, len(answers) + 1)]  # one row


def test_short_answers_stay_on_their_buttons() -> None:
    question = dialogue.question(Translator("en"), BY_KEY["immediate_danger"], {}, can_go_back=True)
    assert render.numbered(question) is question


def test_many_numbered_answers_wrap_to_rows_a_thumb_can_hit() -> None:
    question = dialogue.question(
        Translator("en"), BY_KEY["vulnerabilities"], {"children": 2}, can_go_back=True
    )
    rows = render.keyboard(render.numbered(question)).inline_keyboard
    assert all(len(row) <= render.SHORT_PER_ROW for row in rows)
    numbers = [b.text for row in rows for b in row if b.text.isdigit()]
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)] and len(numbers) >= 8
