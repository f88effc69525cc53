"""The suggestion rules: small pure functions, facts in, a Due (or None) out.

They take the round's year and `today` as arguments, never the clock."""

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from llct.assessment.certificates import certificate_status_on
from llct.assessment.models import Certificate
from llct.assessment.selectors import Attempt
from llct.core.text import fold
from llct.organizations.models import MembershipStage

RULE_NEW_MEMBER = "new_member"


RULE_ADMISSION = "admission"


RULE_POSITION = "position"


RULE_RETAKE = "retake"


RULE_ORDER = {RULE_NEW_MEMBER: 0, RULE_ADMISSION: 1, RULE_POSITION: 2, RULE_RETAKE: 3}


RULE_LABELS = {
    RULE_NEW_MEMBER: gettext_lazy("Probationary member without the new-member class"),
    RULE_ADMISSION: gettext_lazy("Admission candidate without a valid certificate"),
    RULE_POSITION: gettext_lazy("Position requires a higher theory level"),
    RULE_RETAKE: gettext_lazy("Did not complete the programme last time"),
    "": gettext_lazy("Added by the organization"),
}


QUARTER_CHOICES = [
    (1, gettext_lazy("Quarter I")),
    (2, gettext_lazy("Quarter II")),
    (3, gettext_lazy("Quarter III")),
    (4, gettext_lazy("Quarter IV")),
]


@dataclass(frozen=True)
class Due:
    """Why someone must be nominated. `due_on` is the date the rule is about (the end of the
    probation, the expiry of the current certificate); `detail` qualifies the rule."""

    rule: str
    urgent: bool
    due_on: dt.date | None = None
    detail: str = ""


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def is_booked(attempts: Iterable[Attempt], *, today: dt.date) -> bool:
    """Already enrolled in a course of the programme that has not ended (a course ending today
    still counts) and whose results are not approved: nominating them again would be noise."""
    return any(
        not a.withdrawn and not a.cancelled and not a.approved and a.ends_on >= today
        for a in attempts
    )


def awaits_approval(attempts: Iterable[Attempt]) -> bool:
    """Passed a course whose results are not approved yet: not due again while they wait."""
    return any(a.has_passed and not a.approved for a in attempts)


def has_valid_certificate(certificates: Iterable[Certificate], *, on: dt.date) -> bool:
    return any(certificate_status_on(c, on) == "valid" for c in certificates)


def new_member_rule(
    *, stage: str, probation_ends_on: dt.date | None, trained: bool, year: int
) -> Due | None:
    """A probationary member must pass the new-member class during probation. Urgent when the
    probation ends within the round's year (31/12 included) or has already ended."""
    if stage != MembershipStage.PROBATIONARY or trained:
        return None
    urgent = probation_ends_on is not None and probation_ends_on <= year_end(year)
    return Due(RULE_NEW_MEMBER, urgent=urgent, due_on=probation_ends_on)


def admission_rule(
    *, stage: str, certificates: Sequence[Certificate], year: int, today: dt.date
) -> Due | None:
    """An admission candidate needs a certificate of the admission class valid on the day of
    the cell's resolution: due unless one is still valid at the end of the round's year.
    Urgent when none is valid at the start of the year (they cannot be admitted at all);
    otherwise due by the current certificate's expiry."""
    if stage != MembershipStage.CANDIDATE:
        return None
    if has_valid_certificate(certificates, on=year_end(year)):
        return None
    start = max(today, dt.date(year, 1, 1))
    current = [c for c in certificates if certificate_status_on(c, start) == "valid"]
    if not current:
        return Due(RULE_ADMISSION, urgent=True)
    expiries = [c.expires_on for c in current if c.expires_on]
    return Due(
        RULE_ADMISSION, urgent=False, due_on=max(expiries) if expiries else None, detail="expires"
    )


@dataclass(frozen=True)
class Requirement:
    """A PositionRequirement ready for matching: the phrase folded, as a whole-word pattern."""

    position: str
    required_level: int
    programme_id: int
    pattern: re.Pattern[str]

    @classmethod
    def build(cls, position: str, required_level: int, programme_id: int) -> "Requirement":
        phrase = re.escape(fold(position))
        return cls(
            position=position,
            required_level=required_level,
            programme_id=programme_id,
            pattern=re.compile(rf"(?<![0-9a-z]){phrase}(?![0-9a-z])"),
        )

    def matches(self, folded_position: str) -> bool:
        return bool(self.pattern.search(folded_position))


def position_rule(
    *, folded_position: str, theory_level: int, requirements: Sequence[Requirement]
) -> tuple[Due, Requirement] | None:
    """A cadre whose position (a phrase of it, without diacritics) requires a theory level they
    lack. Of several unmet requirements the strictest wins: meeting it meets the others."""
    if not folded_position:
        return None
    unmet = [
        r for r in requirements if theory_level < r.required_level and r.matches(folded_position)
    ]
    if not unmet:
        return None
    top = max(unmet, key=lambda r: (r.required_level, len(r.position)))
    return Due(RULE_POSITION, urgent=False, detail=top.position), top


def _attempt_order(a: Attempt) -> tuple[dt.date, dt.date, int]:
    return (a.starts_on, a.ends_on, a.enrolment_id)


def retake_rule(*, attempts: Sequence[Attempt], today: dt.date) -> Due | None:
    """Failed (in an approved course) or withdrew in a programme, and has not passed it since;
    not due while enrolled in a course of it that has not ended."""
    ordered = sorted(attempts, key=_attempt_order)
    last_failure = None
    for index, attempt in enumerate(ordered):
        if attempt.failed:
            last_failure = index
    if last_failure is None:
        return None
    if any(a.has_passed for a in ordered[last_failure + 1 :]):
        return None
    if is_booked(ordered, today=today):
        return None
    failure = ordered[last_failure]
    return Due(
        RULE_RETAKE,
        urgent=False,
        due_on=failure.ends_on,
        detail="withdrawn" if failure.withdrawn else "failed",
    )


def suggested_quarter(due_on: dt.date | None, year: int) -> int | None:
    """The quarter by which a dated rule falls due: the quarter of the date within the year,
    the first quarter when it is already past, none when it falls after the year."""
    if due_on is None or due_on.year > year:
        return None
    if due_on.year < year:
        return 1
    return (due_on.month - 1) // 3 + 1
