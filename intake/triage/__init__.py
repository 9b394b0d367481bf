"""First-contact triage: turns an answers document into a result for staff.

The triage is advice, never a decision: staff at the contact point decide.
"""

from intake.triage.model import (
    PROGRAMS,
    SITUATIONS,
    VULNERABILITIES,
    Answers,
    Ethos,
    Result,
    Thresholds,
)
from intake.triage.rules import triage

__all__ = [
    "PROGRAMS",
    "SITUATIONS",
    "VULNERABILITIES",
    "Answers",
    "Ethos",
    "Result",
    "Thresholds",
    "triage",
]
