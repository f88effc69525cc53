"""Classification rules: the 10-point scale, rounded to 0.1, the programme's bands and the
attendance threshold (DOMAIN.md)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from llct.assessment.models import GradeBand
from llct.curriculum.models import AssessmentKind, Programme

TENTH = Decimal("0.1")


def round_score(value: Decimal) -> Decimal:
    """Half up, as a person would round: 4.95 → 5.0, 8.95 → 9.0."""
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def band_for(score: Decimal, programme: Programme) -> str:
    score = round_score(score)
    if score >= programme.band_excellent:
        return GradeBand.EXCELLENT
    if score >= programme.band_good:
        return GradeBand.GOOD
    if score >= programme.band_fair:
        return GradeBand.FAIR
    if score >= programme.band_pass:
        return GradeBand.AVERAGE
    return GradeBand.FAIL


def needed_scores(programme: Programme) -> list[str]:
    """Which score columns the grade sheet shows for a programme."""
    kind = programme.assessment_kind
    if kind == AssessmentKind.NONE:
        return []
    if kind == AssessmentKind.ESSAY:
        return ["essay_score"]
    if kind in (AssessmentKind.TEST, AssessmentKind.FINAL_EXAMS):
        return ["test_score"]
    return ["essay_score", "test_score"]


def final_score(
    programme: Programme, essay: Decimal | None, test: Decimal | None
) -> Decimal | None:
    """Essay or test alone counts as it is; where both exist the final is their mean; for
    "essay or test" whichever was given (the mean if both)."""
    kind = programme.assessment_kind
    given = [s for s in (essay, test) if s is not None]
    if kind == AssessmentKind.TESTS_AND_ESSAY:
        if essay is None or test is None:
            return None
        return round_score((essay + test) / 2)
    if not given:
        return None
    return round_score(sum(given, Decimal(0)) / len(given))


@dataclass(frozen=True)
class Outcome:
    final: Decimal | None
    band: str
    passed: bool
    reason: str


def classify(
    *, programme: Programme, essay: Decimal | None, test: Decimal | None, attendance_percent: int
) -> Outcome:
    final = final_score(programme, essay, test)
    reasons = []
    band = ""
    if (
        programme.assessment_kind in (AssessmentKind.NONE, AssessmentKind.OPTIONAL)
        and final is None
    ):
        passed_scores = True
    elif final is None:
        passed_scores = False
        reasons.append(_("no score yet"))
    else:
        band = band_for(final, programme)
        passed_scores = band != GradeBand.FAIL
        if not passed_scores:
            reasons.append(
                _("score below %(min)s") % {"min": number_format(programme.band_pass, 1)}
            )
    if attendance_percent < programme.attendance_threshold:
        reasons.append(
            _("attendance %(rate)s%% below %(min)s%%")
            % {"rate": attendance_percent, "min": programme.attendance_threshold}
        )
    return Outcome(
        final=final, band=band, passed=passed_scores and not reasons, reason="; ".join(reasons)
    )
