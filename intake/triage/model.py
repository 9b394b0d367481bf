"""Typed input and output of the triage, as the triage specification defines them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveInt, StrictBool

Situation = Literal[
    "rough_sleeping",
    "night_shelter",
    "homeless_hostel",
    "womens_shelter",
    "migrant_accommodation",
    "institution_release",
    "with_friends_or_family",
    "no_legal_tenancy",
    "commercial_hostel",
    "eviction_threat",
    "violence_threat",
    "temporary_structure",
    "unfit_housing",
    "overcrowding",
    "housed_unaffordable",
    "housed_stable",
]
Vulnerability = Literal[
    "disability",
    "serious_illness",
    "senior",
    "pregnancy",
    "single_parent",
    "domestic_violence",
    "leaving_care",
    "complex_needs",
]
SleepingPlace = Literal["safe", "unsafe", "none"]
Urgency = Literal["emergency", "high", "medium", "low"]
Category = Literal["roofless", "houseless", "insecure", "inadequate"]
Program = Literal[
    "emergency_help",
    "crisis_housing",
    "housing_first",
    "social_housing",
    "affordable_housing",
    "housing_loss_prevention",
    "debt_counselling",
    "benefits_advice",
    "information_only",
]

# ETHOS operational code and conceptual category of each situation (None: housed).
ETHOS_BY_SITUATION: dict[str, tuple[int, Category] | None] = {
    "rough_sleeping": (1, "roofless"),
    "night_shelter": (2, "roofless"),
    "homeless_hostel": (3, "houseless"),
    "womens_shelter": (4, "houseless"),
    "migrant_accommodation": (5, "houseless"),
    "institution_release": (6, "houseless"),
    "with_friends_or_family": (8, "insecure"),
    "no_legal_tenancy": (8, "insecure"),
    "commercial_hostel": (8, "insecure"),
    "eviction_threat": (9, "insecure"),
    "violence_threat": (10, "insecure"),
    "temporary_structure": (11, "inadequate"),
    "unfit_housing": (12, "inadequate"),
    "overcrowding": (13, "inadequate"),
    "housed_unaffordable": None,
    "housed_stable": None,
}
SITUATIONS: tuple[str, ...] = tuple(ETHOS_BY_SITUATION)
VULNERABILITIES: tuple[str, ...] = Vulnerability.__args__  # type: ignore[attr-defined]
PROGRAMS: tuple[str, ...] = Program.__args__  # type: ignore[attr-defined]
URGENCIES: tuple[str, ...] = Urgency.__args__  # type: ignore[attr-defined]


class Answers(BaseModel):
    """The answers document. Unknown fields and wrong types are rejected."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    situation: Situation
    sleeping_place_tonight: SleepingPlace | None = None
    immediate_danger: StrictBool = False
    adults: PositiveInt = 1
    children: NonNegativeInt = 0
    vulnerabilities: tuple[Vulnerability, ...] = ()
    monthly_income_czk: NonNegativeInt | None = None
    monthly_housing_cost_czk: NonNegativeInt | None = None
    debt_to_city_czk: NonNegativeInt | None = None
    rent_arrears: StrictBool = False
    eviction_notice: StrictBool = False
    days_until_move_out: NonNegativeInt | None = None
    has_valid_id: StrictBool | None = None
    willing_to_cooperate: StrictBool | None = None

    @classmethod
    def from_document(cls, document: object) -> Answers:
        """Validate a decoded JSON document (lists are accepted where tuples are kept)."""
        if isinstance(document, dict) and isinstance(document.get("vulnerabilities"), list):
            document = {**document, "vulnerabilities": tuple(document["vulnerabilities"])}
        return cls.model_validate(document)


class Thresholds(BaseModel):
    """Every number of the triage rules that a city may change (settings)."""

    model_config = ConfigDict(frozen=True)

    affordable_cost_ratio: float = Field(
        0.40, gt=0, description="Housing cost / income above which a household is overburdened"
    )
    benefit_cost_ratio: float = Field(
        0.30, gt=0, description="Housing cost / income above which benefits advice is offered"
    )
    housing_first_max_debt_czk: int = Field(
        10_000, ge=0, description="Debt to the city still allowed for Housing First"
    )
    urgent_move_out_days: int = Field(
        14, ge=0, description="Days until moving out that make a case urgent"
    )
    soon_move_out_days: int = Field(
        60, ge=0, description="Days until moving out that make a case medium"
    )
    crisis_housing_max_months: int = Field(
        6, ge=1, description="Longest stay in crisis housing, told to people offered it"
    )


@dataclass(frozen=True, slots=True)
class Ethos:
    code: int
    category: Category


@dataclass(frozen=True, slots=True)
class Result:
    ethos: Ethos | None
    urgency: Urgency
    programs: tuple[Program, ...]
    flags: tuple[str, ...]
    cost_ratio: float | None

    def to_document(self) -> dict[str, object]:
        """The result document with the keys of the specification."""
        return {
            "ethos": None
            if self.ethos is None
            else {"code": self.ethos.code, "category": self.ethos.category},
            "urgency": self.urgency,
            "programs": list(self.programs),
            "flags": list(self.flags),
            "cost_ratio": self.cost_ratio,
        }
