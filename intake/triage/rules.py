"""The default triage rule set: urgency, programmes and flags."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from intake.triage.model import (
    ETHOS_BY_SITUATION,
    PROGRAMS,
    Answers,
    Ethos,
    Program,
    Result,
    Thresholds,
    Urgency,
)

_MEDICAL = {"disability", "serious_illness", "senior", "pregnancy"}
_AFFORDABLE_GROUPS = {
    "disability",
    "single_parent",
    "domestic_violence",
    "leaving_care",
    "senior",
    "pregnancy",
}
_SOCIAL_SITUATIONS = {"commercial_hostel", "temporary_structure", "unfit_housing"}
_HOUSED = {"housed_unaffordable", "housed_stable"}


def cost_ratio(answers: Answers) -> float | None:
    """Housing cost over income; +inf when income is 0 and cost is positive."""
    income, cost = answers.monthly_income_czk, answers.monthly_housing_cost_czk
    if income is None or cost is None:
        return None
    if income > 0:
        return cost / income
    return math.inf if cost > 0 else None


def triage(answers: Answers, thresholds: Thresholds | None = None) -> Result:
    """Apply the rules of the triage specification to one answers document."""
    t = thresholds or Thresholds()
    ethos_pair = ETHOS_BY_SITUATION[answers.situation]
    ethos = Ethos(*ethos_pair) if ethos_pair else None
    category = ethos.category if ethos else None
    vulns = set(answers.vulnerabilities)
    no_safe_bed = answers.sleeping_place_tonight in ("none", "unsafe")
    days = answers.days_until_move_out
    urgent_move = days is not None and days <= t.urgent_move_out_days
    soon_move = days is not None and days <= t.soon_move_out_days
    ratio = cost_ratio(answers)
    overburden = ratio is not None and ratio > t.affordable_cost_ratio
    debt = answers.debt_to_city_czk or 0

    urgency: Urgency
    if answers.immediate_danger or (no_safe_bed and (answers.children > 0 or vulns & _MEDICAL)):
        urgency = "emergency"
    elif (
        category == "roofless"
        or no_safe_bed
        or answers.situation == "violence_threat"
        or "domestic_violence" in vulns
        or urgent_move
    ):
        urgency = "high"
    elif category is not None or answers.eviction_notice or answers.rent_arrears or soon_move:
        urgency = "medium"
    else:
        urgency = "low"

    programs: set[Program] = set()
    flags: list[str] = []
    if urgency == "emergency":
        programs.add("emergency_help")
    if (
        no_safe_bed
        or answers.situation == "violence_threat"
        or "domestic_violence" in vulns
        or urgent_move
    ):
        programs.add("crisis_housing")

    homeless = category in ("roofless", "houseless")
    if "complex_needs" in vulns and homeless:
        unmet = [
            flag
            for flag, met in (
                ("hf_missing_id", answers.has_valid_id is True),
                ("hf_not_willing", answers.willing_to_cooperate is True),
                ("hf_no_income", (answers.monthly_income_czk or 0) > 0),
                ("hf_debt_over_limit", debt <= t.housing_first_max_debt_czk),
            )
            if not met
        ]
        if unmet:
            flags.extend(unmet)
        else:
            programs.add("housing_first")

    if (homeless or answers.situation in _SOCIAL_SITUATIONS) and "housing_first" not in programs:
        if answers.willing_to_cooperate is False:
            flags.append("social_housing_needs_cooperation")
        else:
            programs.add("social_housing")

    if (answers.children > 0 or vulns & _AFFORDABLE_GROUPS) and (
        category is not None or overburden
    ):
        programs.add("affordable_housing")
    if (
        answers.eviction_notice
        or answers.rent_arrears
        or answers.situation == "eviction_threat"
        or (answers.situation in _HOUSED and overburden)
    ):
        programs.add("housing_loss_prevention")
    if debt > 0 or answers.rent_arrears:
        programs.add("debt_counselling")
    if ratio is not None and ratio > t.benefit_cost_ratio:
        programs.add("benefits_advice")
    if not programs:
        programs.add("information_only")

    if overburden:
        flags.append("cost_overburden")
    if answers.children > 0:
        flags.append("children_in_household")

    reported_ratio = None if ratio is None or math.isinf(ratio) else _two_decimals(ratio)
    return Result(
        ethos=ethos,
        urgency=urgency,
        programs=tuple(p for p in PROGRAMS if p in programs),  # type: ignore[misc]
        flags=tuple(flags),
        cost_ratio=reported_ratio,
    )


def _two_decimals(value: float) -> float:
    """Rounded as people round (0.125 → 0.13), not to the even digit as round() does."""
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
