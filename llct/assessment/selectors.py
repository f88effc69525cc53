"""Reads for results: who may enter and approve them, the grade sheet of a course, its change
log, the courses awaiting results, and a person's courses, results and certificates.

Every read starts from the user's scope: the grade sheet lists only the learners that
llct.courses.selectors.enrolment_list lets the user see, and a person's results are reached
through llct.organizations.selectors.person_get.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from llct.assessment.grading import Outcome, classify, needed_scores
from llct.assessment.models import Certificate, GradeBand, Result, ResultsApproval, ScoreChange
from llct.core.capabilities import Capability, has_capability
from llct.core.models import Role, User
from llct.core.permissions import ALL, scope_path
from llct.core.versions import canonical
from llct.courses.models import Course, Enrolment
from llct.courses.selectors import attendance_rates, can_manage_course, course_list, enrolment_list
from llct.curriculum.models import AssessmentKind, Programme

# ---------------------------------------------------------------------------------------------
# Who may do what


def teaches(user: User, course: Course) -> bool:
    """The user is the lecturer of at least one session of the course."""
    return bool(
        has_capability(user, Capability.ENTER_RESULTS)
        and getattr(user, "role", None) == Role.LECTURER
        and course.sessions.filter(lecturer__user=user).exists()
    )


def may_enter_results(user: User, course: Course) -> bool:
    """Department officers, organization officers who manage the course, and the lecturers
    who teach one of its sessions."""
    if not has_capability(user, Capability.ENTER_RESULTS):
        return False
    return can_manage_course(user, course) or teaches(user, course)


def may_approve_results(user: User) -> bool:
    """Approving results is the department's act, and only the department's."""
    return has_capability(user, Capability.APPROVE_RESULTS)


# ---------------------------------------------------------------------------------------------
# Attendance as the pass rule counts it


def rates_day(course: Course, today: dt.date) -> dt.date:
    """The day up to which sessions count: all of them once the course is finished, otherwise
    those held so far (a session next week is not an absence yet)."""
    return dt.date.max if course.status == Course.Status.FINISHED else today


def attendance_percent(present: int, held: int) -> int:
    """Rounded down: 79.9% is not 80%, and the rule is "at least 80% of sessions"."""
    return present * 100 // held if held else 0


def course_attendance(*, course: Course, today: dt.date) -> dict[int, tuple[int, int]]:
    """Per enrolment: (sessions present, sessions that count)."""
    return attendance_rates(course=course, today=rates_day(course, today))


# ---------------------------------------------------------------------------------------------
# The grade sheet


def score_label(programme: Programme, field_name: str) -> str:
    if field_name == "essay_score":
        return _("Essay")
    if programme.assessment_kind == AssessmentKind.FINAL_EXAMS:
        return _("Final exam")
    return _("Written test")


@dataclass(frozen=True)
class Column:
    field: str
    label: str


def columns_for(programme: Programme) -> list[Column]:
    return [Column(f, score_label(programme, f)) for f in needed_scores(programme)]


@dataclass(frozen=True)
class Cell:
    """One score input: the stored value, or what was typed when it was refused."""

    field: str
    label: str
    value: Decimal | None
    typed: str | None = None
    error: str = ""

    @property
    def original(self) -> str:
        """The stored value the page was given, sent back with every save of the cell."""
        return canonical(self.value)


@dataclass
class GradeRow:
    number: int
    enrolment: Enrolment
    result: Result | None
    cells: list[Cell]
    outcome: Outcome
    present: int
    held: int
    percent: int
    threshold: int
    # After approval: "issue" when the learner passed but holds no certificate of the course,
    # "revoke" when they did not pass but hold one in force (a correction changed the result).
    certificate_action: str = ""
    # Before approval, while no session of the course has been held: nothing to judge yet
    # (an attendance of 0 out of 0 is not a fail).
    not_started: bool = False

    @property
    def band_label(self) -> str:
        return str(GradeBand(self.outcome.band).label) if self.outcome.band else ""

    @property
    def below_threshold(self) -> bool:
        return not self.not_started and self.percent < self.threshold

    @property
    def missing_score(self) -> bool:
        return bool(self.cells) and self.outcome.final is None and not self.outcome.passed

    @property
    def pending(self) -> bool:
        """Not failed yet: only the score is missing (the attendance is enough)."""
        return self.missing_score and not self.below_threshold

    def cell(self, field_name: str) -> Cell:
        return next(c for c in self.cells if c.field == field_name)


@dataclass
class Counts:
    passed: int = 0
    failed: int = 0
    pending: int = 0  # only the score is missing
    not_started: int = 0  # no session held yet


@dataclass
class GradeSheet:
    course: Course
    columns: list[Column]
    rows: list[GradeRow]
    approval: ResultsApproval | None
    counts: Counts = field(default_factory=Counts)

    @property
    def approved(self) -> bool:
        return self.approval is not None


def approval_of(course: Course) -> ResultsApproval | None:
    return ResultsApproval.objects.filter(course=course).select_related("approved_by").first()


def stored_outcome(result: Result) -> Outcome:
    return Outcome(
        final=result.final_score,
        band=result.band,
        passed=result.passed,
        reason=result.fail_reason,
    )


def outcome_for(
    *, programme: Programme, result: Result | None, percent: int, approved: bool
) -> Outcome:
    """Before approval the outcome is computed afresh (attendance keeps changing while the
    course runs); once approved, it is what was approved, changed only by corrections."""
    if approved and result is not None:
        return stored_outcome(result)
    return classify(
        programme=programme,
        essay=result.essay_score if result else None,
        test=result.test_score if result else None,
        attendance_percent=percent,
    )


def sheet_enrolments(*, user: User, course: Course) -> QuerySet[Enrolment]:
    """Enrolled learners the user may see, in Vietnamese name order, each with its result
    (a reverse one-to-one, joined in the same query)."""
    return (
        enrolment_list(user=user, course=course)
        .filter(status=Enrolment.Status.ENROLLED)
        .select_related("result")
        .order_by("person__sort_key", "id")
    )


def result_of(enrolment: Enrolment) -> Result | None:
    try:
        return enrolment.result
    except Result.DoesNotExist:
        return None


def _row(
    *,
    number: int,
    enrolment: Enrolment,
    columns: list[Column],
    programme: Programme,
    rates: Mapping[int, tuple[int, int]],
    approved: bool,
    typed: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> GradeRow:
    result = result_of(enrolment)
    present, held = rates.get(enrolment.pk, (0, 0))
    percent = attendance_percent(present, held)
    typed = typed or {}
    errors = errors or {}
    cells = [
        Cell(
            field=c.field,
            label=c.label,
            value=getattr(result, c.field) if result else None,
            typed=typed.get(c.field) if c.field in errors else None,
            error=errors.get(c.field, ""),
        )
        for c in columns
    ]
    return GradeRow(
        number=number,
        enrolment=enrolment,
        result=result,
        cells=cells,
        outcome=outcome_for(programme=programme, result=result, percent=percent, approved=approved),
        present=present,
        held=held,
        percent=percent,
        threshold=programme.attendance_threshold,
        not_started=not approved and held == 0,
    )


def grade_sheet(
    *,
    user: User,
    course: Course,
    today: dt.date,
    typed: Mapping[int, Mapping[str, str]] | None = None,
    errors: Mapping[int, Mapping[str, str]] | None = None,
) -> GradeSheet:
    """Every visible learner with their scores, attendance and outcome. A fixed number of
    queries, whatever the number of learners. `typed` and `errors` (per enrolment, per field)
    put refused values back in their cells."""
    programme = course.programme
    columns = columns_for(programme)
    approval = approval_of(course)
    rates = course_attendance(course=course, today=today)
    typed = typed or {}
    errors = errors or {}
    holders: set[int] = set()
    if approval is not None:
        holders = set(
            Certificate.objects.filter(course=course, status=Certificate.Status.VALID).values_list(
                "enrolment_id", flat=True
            )
        )
    rows = [
        _row(
            number=n,
            enrolment=e,
            columns=columns,
            programme=programme,
            rates=rates,
            approved=approval is not None,
            typed=typed.get(e.pk),
            errors=errors.get(e.pk),
        )
        for n, e in enumerate(sheet_enrolments(user=user, course=course), start=1)
    ]
    if approval is not None:
        for row in rows:
            row.certificate_action = certificate_action(
                programme=programme, passed=row.outcome.passed, holds=row.enrolment.pk in holders
            )
    return GradeSheet(
        course=course,
        columns=columns,
        rows=rows,
        approval=approval,
        counts=count_rows(rows),
    )


def certificate_action(*, programme: Programme, passed: bool, holds: bool) -> str:
    if passed and not holds and programme.issues_certificate:
        return "issue"
    if not passed and holds:
        return "revoke"
    return ""


def count_rows(rows: list[GradeRow]) -> Counts:
    counts = Counts()
    for row in rows:
        if row.not_started:
            counts.not_started += 1
        elif row.outcome.passed:
            counts.passed += 1
        elif row.pending:
            counts.pending += 1
        else:
            counts.failed += 1
    return counts


def sheet_enrolment_get(*, user: User, course: Course, enrolment_id: int) -> Enrolment:
    """An enrolled learner of the course whom the user may see; 404 otherwise, so that
    nobody can probe the learners of another organization."""
    enrolment = sheet_enrolments(user=user, course=course).filter(pk=enrolment_id).first()
    if enrolment is None:
        raise Http404
    return enrolment


# ---------------------------------------------------------------------------------------------
# The change log


def course_changes(*, user: User, course: Course) -> QuerySet[ScoreChange]:
    """Every score change of the course's learners that the user may see, newest first."""
    visible = enrolment_list(user=user, course=course).values("pk")
    return (
        ScoreChange.objects.filter(result__enrolment__in=visible)
        .select_related("actor", "result__enrolment__person")
        .order_by("-at", "-id")
    )


@dataclass(frozen=True)
class LabelledChange:
    """A score change with `label`, the name of its score column."""

    change: ScoreChange
    label: str


def with_labels(
    changes: Iterable[ScoreChange], programme: Programme | None = None
) -> list[LabelledChange]:
    """The changes, each with the name of its score column. Without `programme`, each
    change's course programme must have been joined."""
    return [
        LabelledChange(
            change, score_label(programme or change.result.enrolment.course.programme, change.field)
        )
        for change in changes
    ]


# ---------------------------------------------------------------------------------------------
# The courses whose results a user enters or approves


def results_courses(*, user: User, year: int | None = None) -> QuerySet[Course]:
    """Courses whose results this user may enter (or, for the department, approve), newest
    first, each with its approval joined. Draft and cancelled courses have no results."""
    qs = course_list(user=user, year=year).exclude(
        status__in=[Course.Status.DRAFT, Course.Status.CANCELLED]
    )
    if not has_capability(user, Capability.ENTER_RESULTS):
        # Leaders read results on reports and people's pages; learners on their own page.
        return qs.none()
    # The department sees every course; course_list limits a lecturer to the courses they
    # teach; an organization officer enters the results of the courses their subtree organizes.
    path = scope_path(user)
    if path is not None and path != ALL:
        qs = qs.filter(organizer__path__startswith=path)
    return qs.select_related("results_approval").order_by("-starts_on", "code")
