"""The registry of indicators a target may measure itself by.

Usage (the reviews app does the same)::

    from llct.monitoring import indicators

    indicator = indicators.get("pass_rate")
    value = indicator.compute(org=org, as_of=day, year=2026)      # Value(numerator, denominator)
    indicator.value_of(value)                                     # Decimal("97.5") or None
    by_org = indicator.compute_many(orgs=[org, *children], as_of=day, year=2026)  # one query
    listing = indicator.rows(user=user, org=org, as_of=day, year=2026)  # 404 outside scope

`compute` trusts its caller with the organization (take it from a scoped selector such as
`llct.organizations.selectors.organization_get`); `rows` checks the user's scope itself.
Roll up with `Value.__add__` (numerators and denominators summed), never by averaging.

To break a total down (by programme, by band), group the rows the indicator counts, never a
copy of its filter: `learners_with_results` (pass rate, share Khá or better) and
`planned_courses_due` with `planned_course_held` (planned courses held).
"""

from llct.monitoring.indicators.base import (
    Column,
    Indicator,
    Listing,
    Period,
    Row,
    Subject,
    Tally,
    Unit,
    Value,
    ancestor_paths,
    common_prefix,
    roll_up,
    shared,
    value_in_unit,
)
from llct.monitoring.indicators.courses import (
    BudgetSpent,
    CoursesHeld,
    FairOrBetter,
    LecturerRatings,
    PassRate,
    learners_with_results,
    planned_course_held,
    planned_courses_due,
)
from llct.monitoring.indicators.people import (
    AdmissionCertified,
    CadresTrungCap,
    NewMemberTrained,
    NominatedRequired,
)

__all__ = [
    "REGISTRY",
    "Column",
    "Indicator",
    "Listing",
    "Period",
    "Row",
    "Subject",
    "Tally",
    "Unit",
    "Value",
    "all_indicators",
    "ancestor_paths",
    "choices",
    "common_prefix",
    "get",
    "learners_with_results",
    "planned_course_held",
    "planned_courses_due",
    "roll_up",
    "shared",
    "value_in_unit",
]

REGISTRY: dict[str, Indicator] = {
    indicator.code: indicator
    for indicator in (
        NewMemberTrained(),
        AdmissionCertified(),
        PassRate(),
        FairOrBetter(),
        CoursesHeld(),
        CadresTrungCap(),
        NominatedRequired(),
        BudgetSpent(),
        LecturerRatings(),
    )
}


def get(code: str) -> Indicator:
    """The indicator with this code; KeyError for an unknown one."""
    return REGISTRY[code]


def all_indicators() -> list[Indicator]:
    return list(REGISTRY.values())


def choices() -> list[tuple[str, str]]:
    """(code, label) pairs for a form's select."""
    return [(i.code, str(i.label)) for i in REGISTRY.values()]
