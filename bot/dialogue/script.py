"""The intake script as data: one question at a time, in the order asked.

Each step names the answer it collects, the question (an English msgid,
translated when shown), its buttons, how typed text is read, whether it may
be skipped and when it applies. Steps whose ``field`` is set feed the triage
answers document; the others steer the conversation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from intake.triage import VULNERABILITIES


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated when shown."""
    return message


AnswerMap = Mapping[str, Any]
Kind = Literal["choice", "multi", "amount", "count", "days", "name", "phone"]


@dataclass(frozen=True, slots=True)
class Option:
    key: str
    label: str
    value: Any


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    question: str
    kind: Kind
    summary_label: str = ""
    options: tuple[Option, ...] | Callable[[AnswerMap], tuple[Option, ...]] = ()
    field: str | None = None
    optional: bool = True
    numbered: bool = True
    hint: str | None = None
    minimum: int = 0
    when: Callable[[AnswerMap], bool] = lambda answers: True

    def options_for(self, answers: AnswerMap) -> tuple[Option, ...]:
        return self.options(answers) if callable(self.options) else self.options


def _yes_no() -> tuple[Option, ...]:
    return (Option("yes", N_("Yes"), True), Option("no", N_("No"), False))


UNKNOWN_OPTION = Option("unknown", N_("I don't know"), None)

GROUPS: dict[str, tuple[Option, ...]] = {
    "street": (
        Option("rough_sleeping", N_("Outside, in a car, a doorway or a station"), "rough_sleeping"),
        Option("night_shelter", N_("In a night shelter"), "night_shelter"),
        Option(
            "temporary_structure",
            N_("In a caravan, shed, garage or another place not meant for living"),
            "temporary_structure",
        ),
    ),
    "shelter": (
        Option(
            "homeless_hostel",
            N_("In an asylum house or a hostel for homeless people"),
            "homeless_hostel",
        ),
        Option("womens_shelter", N_("In a shelter for people escaping violence"), "womens_shelter"),
        Option(
            "migrant_accommodation",
            N_("In accommodation for refugees or migrants"),
            "migrant_accommodation",
        ),
        Option(
            "commercial_hostel",
            N_("In a paid room in a commercial hostel (ubytovna)"),
            "commercial_hostel",
        ),
    ),
    "others": (
        Option(
            "with_friends_or_family",
            N_("Temporarily with friends or family"),
            "with_friends_or_family",
        ),
        Option(
            "no_legal_tenancy", N_("In a flat without a valid rental contract"), "no_legal_tenancy"
        ),
        Option(
            "institution_release",
            N_(
                "In prison, hospital, a children's home or another institution "
                "that I must leave soon"
            ),
            "institution_release",
        ),
    ),
    "home": (
        Option(
            "housed_stable", N_("I have a home and it is fine, I need information"), "housed_stable"
        ),
        Option(
            "housed_unaffordable", N_("I have a home but I cannot afford it"), "housed_unaffordable"
        ),
        Option("eviction_threat", N_("I have a home but I must leave it"), "eviction_threat"),
        Option(
            "violence_threat", N_("I have a home but someone there threatens me"), "violence_threat"
        ),
        Option(
            "unfit_housing", N_("My home is unfit to live in (mould, no heating)"), "unfit_housing"
        ),
        Option("overcrowding", N_("Far too many people live in my home"), "overcrowding"),
    ),
}

_VULNERABILITY_LABELS = {
    "disability": N_("Disability"),
    "serious_illness": N_("Serious illness"),
    "senior": N_("Someone aged 65 or older"),
    "pregnancy": N_("Pregnancy"),
    "single_parent": N_("I raise my children alone"),
    "domestic_violence": N_("Violence or threats at home"),
    "leaving_care": N_("Leaving a children's home or foster care"),
    "complex_needs": N_("A long time without a home, with addiction or mental health problems"),
}
assert set(_VULNERABILITY_LABELS) == set(VULNERABILITIES)


def _vulnerability_options(answers: AnswerMap) -> tuple[Option, ...]:
    has_children = (answers.get("children") or 0) > 0
    return tuple(
        Option(key, label, key)
        for key, label in _VULNERABILITY_LABELS.items()
        if key != "single_parent" or has_children
    )


def _situation_options(answers: AnswerMap) -> tuple[Option, ...]:
    return GROUPS.get(answers.get("housing_group") or "", ())


_STREET = {"rough_sleeping", "night_shelter"}
_TENANCIES = {
    "eviction_threat",
    "violence_threat",
    "unfit_housing",
    "overcrowding",
    "housed_unaffordable",
    "housed_stable",
    "commercial_hostel",
    "no_legal_tenancy",
}
# Places a person may have to leave by a date, notice or not: asked when, because a
# move-out within the triage's limits raises the urgency (14 and 60 days by default).
_MAY_HAVE_TO_LEAVE = {
    "eviction_threat",
    "institution_release",
    "with_friends_or_family",
    "no_legal_tenancy",
    "migrant_accommodation",
    "commercial_hostel",
    "homeless_hostel",
    "womens_shelter",
    "temporary_structure",
}

LANGUAGE = "language"
SAFETY = "immediate_danger"
CONSENT = "consent"
SUMMARY = "summary"
EDIT = "edit"
DONE = "done"
DECLINED = "declined"

STEPS: tuple[Step, ...] = (
    Step(
        SAFETY,
        N_(
            "A question for your safety:\nAre you in danger right now? For example, someone "
            "is hurting or threatening you, or your life or health is at risk."
        ),
        "choice",
        summary_label=N_("In danger now"),
        options=_yes_no(),
        field="immediate_danger",
        optional=False,
        numbered=False,
    ),
    Step(
        CONSENT,
        N_(
            "To pass your answers to the housing contact point, I need to store them. "
            "Only the contact point's staff can see them. You can see or delete them at any "
            "time: write /mydata or /delete. Do you agree?"
        ),
        "choice",
        options=(
            Option("agree", N_("I agree"), True),
            Option("decline", N_("I do not agree"), False),
        ),
        optional=False,
        numbered=False,
    ),
    Step(
        "housing_group",
        N_("Where do you live or sleep now?"),
        "choice",
        summary_label=N_("Where you live"),
        options=(
            Option("street", N_("Outside, or in a place not meant for living"), "street"),
            Option("shelter", N_("In a shelter or a hostel"), "shelter"),
            Option("others", N_("With other people, or in an institution"), "others"),
            Option("home", N_("In my own or a rented flat or house"), "home"),
        ),
        optional=False,
    ),
    Step(
        "situation",
        N_("Which of these fits best?"),
        "choice",
        summary_label=N_("Your situation"),
        options=_situation_options,
        field="situation",
        optional=False,
    ),
    Step(
        "sleeping_place_tonight",
        N_("Do you have a safe place to sleep tonight?"),
        "choice",
        summary_label=N_("Safe place tonight"),
        options=(
            Option("safe", N_("Yes, a safe place"), "safe"),
            Option("unsafe", N_("Yes, but it is not safe"), "unsafe"),
            Option("none", N_("No, I have nowhere to sleep"), "none"),
        ),
        field="sleeping_place_tonight",
    ),
    Step(
        "adults",
        N_("How many adults (18 or older) need housing, including you?"),
        "count",
        summary_label=N_("Adults"),
        options=tuple(Option(str(n), str(n), n) for n in range(1, 5)),
        field="adults",
        minimum=1,
        hint=N_("Tap a number or write it."),
    ),
    Step(
        "children",
        N_("How many children under 18 live with you?"),
        "count",
        summary_label=N_("Children"),
        options=tuple(Option(str(n), str(n), n) for n in range(5)),
        field="children",
        hint=N_("Tap a number or write it."),
    ),
    Step(
        "vulnerabilities",
        N_(
            "Does any of this apply to you or someone in your household? "
            "Tap everything that applies, then tap Done."
        ),
        "multi",
        summary_label=N_("Also applies"),
        options=_vulnerability_options,
        field="vulnerabilities",
    ),
    Step(
        "monthly_income_czk",
        N_(
            "How much money does your household get in a month, including benefits? "
            "A rough number is fine."
        ),
        "amount",
        summary_label=N_("Monthly income"),
        options=(Option("zero", N_("No income"), 0), UNKNOWN_OPTION),
        field="monthly_income_czk",
        hint=N_("For example: 18 000"),
    ),
    Step(
        "monthly_housing_cost_czk",
        N_("How much do you pay for housing in a month (rent, services, energy)?"),
        "amount",
        summary_label=N_("Housing costs"),
        options=(Option("zero", N_("Nothing"), 0), UNKNOWN_OPTION),
        field="monthly_housing_cost_czk",
        hint=N_("For example: 9 500"),
        when=lambda a: a.get("situation") != "rough_sleeping",
    ),
    Step(
        "rent_arrears",
        N_("Are you behind with paying rent or energy?"),
        "choice",
        summary_label=N_("Behind with payments"),
        options=_yes_no(),
        field="rent_arrears",
        when=lambda a: a.get("situation") not in _STREET and a.get("monthly_housing_cost_czk") != 0,
    ),
    Step(
        "debt_to_city_czk",
        N_(
            "Do you owe money to the city, for example rent for a city flat or fees? "
            "If yes, about how much?"
        ),
        "amount",
        summary_label=N_("Debt to the city"),
        options=(Option("zero", N_("No debt"), 0), UNKNOWN_OPTION),
        field="debt_to_city_czk",
        hint=N_("For example: 5 000"),
    ),
    Step(
        "eviction_notice",
        N_("Have you received a notice to leave your home (výpověď)?"),
        "choice",
        summary_label=N_("Notice to leave"),
        options=_yes_no(),
        field="eviction_notice",
        when=lambda a: a.get("situation") in _TENANCIES,
    ),
    Step(
        "days_until_move_out",
        N_(
            "When do you have to leave the place where you live now? "
            "Write a date or a number of days."
        ),
        "days",
        summary_label=N_("Must leave"),
        options=(
            # Each range ends on a limit of the triage's default settings (14 and 60
            # days), so a button never records a later day than the person meant.
            Option("two_weeks", N_("Within 2 weeks"), 14),
            Option("two_months", N_("Within 2 months"), 60),
            Option("later", N_("Later than that"), 90),
            UNKNOWN_OPTION,
        ),
        field="days_until_move_out",
        hint=N_("For example: 15. 12. or 10 days"),
        when=lambda a: a.get("eviction_notice") is True or a.get("situation") in _MAY_HAVE_TO_LEAVE,
    ),
    Step(
        "has_valid_id",
        N_("Do you have a valid identity card or passport?"),
        "choice",
        summary_label=N_("Valid ID"),
        options=_yes_no(),
        field="has_valid_id",
    ),
    Step(
        "willing_to_cooperate",
        N_("Would you be willing to meet a social worker regularly?"),
        "choice",
        summary_label=N_("Meeting a social worker"),
        options=_yes_no(),
        field="willing_to_cooperate",
    ),
    Step(
        "district",
        N_("In which part of the city do you live or stay now?"),
        "name",
        summary_label=N_("Part of the city"),
    ),
    Step(
        "name",
        N_("What should we call you? A first name is enough."),
        "name",
        summary_label=N_("Name"),
    ),
    Step(
        "phone",
        N_(
            "On which phone number can staff call you? If you skip this, we will write to you here."
        ),
        "phone",
        summary_label=N_("Phone"),
        hint=N_("For example: +420 777 123 456"),
    ),
)

BY_KEY: dict[str, Step] = {step.key: step for step in STEPS}
QUESTION_KEYS: tuple[str, ...] = tuple(step.key for step in STEPS if step.numbered)


def applies(step: Step, answers: AnswerMap) -> bool:
    return step.when(answers)


def next_step_after(key: str, answers: AnswerMap) -> str:
    """The next step in script order that applies (the summary after the last one)."""
    keys = [step.key for step in STEPS]
    start = keys.index(key) + 1 if key in keys else 0
    for step in STEPS[start:]:
        if applies(step, answers):
            return step.key
    return SUMMARY


def first_unanswered(answers: AnswerMap) -> str:
    """While correcting from the summary: the first applicable question without a valid answer."""
    for step in STEPS:
        if not step.numbered or not applies(step, answers):
            continue
        if step.key not in answers:
            return step.key
        if (
            step.kind == "choice"
            and answers[step.key] is not None
            and answers[step.key] not in {option.value for option in step.options_for(answers)}
        ):
            return step.key
    return SUMMARY


def progress(key: str, answers: AnswerMap) -> tuple[int, int]:
    """(number of this question, number of questions that apply now)."""
    numbered = [s.key for s in STEPS if s.numbered and applies(s, answers)]
    position = numbered.index(key) + 1 if key in numbered else len(numbered)
    return position, len(numbered)


def answers_document(answers: AnswerMap) -> dict[str, Any]:
    """The triage answers document from what was collected (defaults left out)."""
    document: dict[str, Any] = {}
    for step in STEPS:
        if step.field is None or step.key not in answers or not applies(step, answers):
            continue
        value = answers[step.key]
        if value is None and step.field in _FIELDS_WITH_DEFAULTS:
            continue
        if step.kind == "multi" and isinstance(value, list):
            # Only what may be chosen now: "I raise my children alone" goes when the
            # number of children was corrected to none.
            offered = {option.value for option in step.options_for(answers)}
            value = [chosen for chosen in value if chosen in offered]
        document[step.field] = value
    return document


_FIELDS_WITH_DEFAULTS = {
    "immediate_danger",
    "adults",
    "children",
    "vulnerabilities",
    "rent_arrears",
    "eviction_notice",
}
