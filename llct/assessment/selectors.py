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
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from llct.assessment.certificates import certificate_status_on
from llct.assessment.grading import Outcome, classify, needed_scores
from llct.assessment.models import Certificate, GradeBand, Result, ResultsApproval, ScoreChange
from llct.core.capabilities import Capability, has_capability
from llct.core.models import Role
from llct.core.permissions import ALL, scope_path
from llct.core.versions import canonical
from llct.courses.models import Course, Enrolment
from llct.courses.selectors import attendance_rates, can_manage_course, course_list, enrolment_list
from llct.curriculum.models import AssessmentKind, Programme
from llct.organizations.models import MembershipStage, Person

# ---------------------------------------------------------------------------------------------
# Who may do what


def teaches(user: Any, course: Course) -> bool:
    """The user is the lecturer of at least one session of the course."""
    return bool(
        has_capability(user, Capability.ENTER_RESULTS)
        and getattr(user, "role", None) == Role.LECTURER
        and course.sessions.filter(lecturer__user=user).exists()
    )


def may_enter_results(user: Any, course: Course) -> bool:
    """Department officers, organization officers who manage the course, and the lecturers
    who teach one of its sessions."""
    if not has_capability(user, Capability.ENTER_RESULTS):
        return False
    return can_manage_course(user, course) or teaches(user, course)


def may_approve_results(user: Any) -> bool:
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


def sheet_enrolments(*, user: Any, course: Course) -> QuerySet[Enrolment]:
    """Enrolled learners the user may see, in Vietnamese name order, each with its result
    (a reverse one-to-one, joined in the same query)."""
    return (
        enrolment_list(user=user, course=course)
        .filter(status=Enrolment.Status.ENROLLED)
        .select_related("result")
        .order_by("person__sort_key", "id")
    )


def _result_of(enrolment: Enrolment) -> Result | None:
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
    result = _result_of(enrolment)
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
    user: Any,
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


def sheet_enrolment_get(*, user: Any, course: Course, enrolment_id: int) -> Enrolment:
    """An enrolled learner of the course whom the user may see; 404 otherwise, so that
    nobody can probe the learners of another organization."""
    enrolment = sheet_enrolments(user=user, course=course).filter(pk=enrolment_id).first()
    if enrolment is None:
        raise Http404
    return enrolment


# ---------------------------------------------------------------------------------------------
# The change log


def course_changes(*, user: Any, course: Course) -> QuerySet[ScoreChange]:
    """Every score change of the course's learners that the user may see, newest first."""
    visible = enrolment_list(user=user, course=course).values("pk")
    return (
        ScoreChange.objects.filter(result__enrolment__in=visible)
        .select_related("actor", "result__enrolment__person")
        .order_by("-at", "-id")
    )


def with_labels(
    changes: Iterable[ScoreChange], programme: Programme | None = None
) -> list[ScoreChange]:
    """The changes, each with `label`, the name of its score column. Without `programme`, each
    change's course programme must have been joined."""
    rows = list(changes)
    for change in rows:
        owner = programme or change.result.enrolment.course.programme
        change.label = score_label(owner, change.field)  # type: ignore[attr-defined]
    return rows


# ---------------------------------------------------------------------------------------------
# The courses whose results a user enters or approves


def results_courses(*, user: Any, year: int | None = None) -> QuerySet[Course]:
    """Courses whose results this user may enter (or, for the department, approve), newest
    first, each with its approval joined. Draft and cancelled courses have no results."""
    qs = course_list(user=user, year=year).exclude(
        status__in=[Course.Status.DRAFT, Course.Status.CANCELLED]
    )
    if user.role == Role.ORG_OFFICER and not user.is_superuser:
        path = scope_path(user)
        if path is None or path == ALL:
            return qs.none()
        qs = qs.filter(organizer__path__startswith=path)
    elif not (user.is_superuser or user.role in (Role.DEPARTMENT, Role.LECTURER)):
        # Leaders read results on reports and people's pages; learners on their own page.
        # (course_list already limits a lecturer to the courses they teach.)
        return qs.none()
    return qs.select_related("results_approval").order_by("-starts_on", "code")


# ---------------------------------------------------------------------------------------------
# Has a person finished a class? One definition, for every rule that asks.


@dataclass(frozen=True)
class Attempt:
    """One enrolment of a person in a course of a programme, as far as the rules care."""

    programme_id: int
    starts_on: dt.date
    ends_on: dt.date
    enrolment_id: int
    withdrawn: bool
    passed: bool | None  # None: no result yet
    approved: bool  # the course's results are approved
    cancelled: bool  # the course did not run
    # Certificates were issued for this enrolment and none of them is in force any more.
    revoked: bool = False

    @property
    def has_passed(self) -> bool:
        return self.passed is True and not self.withdrawn and not self.cancelled

    @property
    def failed(self) -> bool:
        """Withdrew, or failed in a course whose results are approved (until approval a fail
        may still be corrected)."""
        if self.cancelled:
            return False
        return self.withdrawn or (self.approved and self.passed is False)


def revoked_enrolments(certificates: Iterable[Certificate]) -> set[int]:
    """The enrolments whose certificates have all been revoked (a re-issued one is in force)."""
    issued: set[int] = set()
    in_force: set[int] = set()
    for certificate in certificates:
        issued.add(certificate.enrolment_id)
        if certificate.status != Certificate.Status.REVOKED:
            in_force.add(certificate.enrolment_id)
    return issued - in_force


def new_member_class_finished(
    attempts: Iterable[Attempt],
    *,
    admitted_on: dt.date | None,
    probation_ends_on: dt.date | None,
) -> Attempt | None:
    """Has the member finished the new-member class? The one definition, used by the full
    membership decision, the person's page and the nomination suggestions: passed, the course's
    results approved, its certificate (where it issues one) not revoked, in a course that ended
    within the probation (from the admission day to the probation's last day, both included).
    `attempts` are the member's attempts at new-member programmes. The earliest such attempt,
    or None."""
    if admitted_on is None or probation_ends_on is None:
        return None
    done = [
        a
        for a in attempts
        if a.has_passed
        and a.approved
        and not a.revoked
        and admitted_on <= a.ends_on <= probation_ends_on
    ]
    return min(done, key=lambda a: (a.ends_on, a.enrolment_id), default=None)


def new_member_attempts(*, person: Person) -> tuple[list[Attempt], dict[int, Course]]:
    """The person's attempts at new-member programmes, and their courses by enrolment. Two
    queries."""
    enrolments = list(
        Enrolment.objects.filter(person=person, course__programme__kind=Programme.Kind.NEW_MEMBER)
        .select_related("course__programme", "course__results_approval", "result")
        .order_by("course__ends_on", "id")
    )
    revoked = revoked_enrolments(
        Certificate.objects.filter(enrolment__in=[e.pk for e in enrolments]).only(
            "enrolment_id", "status"
        )
    )
    attempts = [
        attempt_of(
            PersonCourse(
                enrolment=e,
                result=_result_of(e),
                approval=_approval_of(e),
                certificates=[],
                changes=[],
            ),
            revoked=e.pk in revoked,
        )
        for e in enrolments
    ]
    return attempts, {e.pk: e.course for e in enrolments}


# ---------------------------------------------------------------------------------------------
# A person's courses, results and certificates


@dataclass
class PersonCourse:
    enrolment: Enrolment
    result: Result | None
    approval: ResultsApproval | None
    certificates: list[Certificate]
    changes: list[ScoreChange]

    @property
    def band_label(self) -> str:
        return str(GradeBand(self.result.band).label) if self.result and self.result.band else ""

    @property
    def scores(self) -> list[tuple[str, Decimal]]:
        """(column label, score) for the scores entered."""
        if self.result is None:
            return []
        programme = self.enrolment.course.programme
        return [
            (score_label(programme, f), value)
            for f in needed_scores(programme)
            if (value := getattr(self.result, f)) is not None
        ]


@dataclass(frozen=True)
class NewMemberStatus:
    """Whether a probationary member has finished the new-member class (see
    new_member_class_finished), and when probation ends. `outside` is a class they passed that
    does not count, because it ended outside the probation."""

    done: bool
    done_on: dt.date | None
    course: Course | None
    probation_ends_on: dt.date | None
    within_probation: bool
    overdue: bool
    outside: Course | None = None


@dataclass(frozen=True)
class AdmissionStatus:
    """Whether an admission candidate holds an admission-class certificate valid on a day
    (the date of the cell's resolution)."""

    on: dt.date
    valid: bool
    status: str  # valid | expired | revoked | not_yet | none
    certificate: Certificate | None


@dataclass
class PersonResults:
    person: Person
    courses: list[PersonCourse]
    certificates: list[tuple[Certificate, str]]  # with the status today
    changes: list[ScoreChange]
    new_member: NewMemberStatus | None
    admission: AdmissionStatus | None


def _approval_of(enrolment: Enrolment) -> ResultsApproval | None:
    try:
        return enrolment.course.results_approval
    except ResultsApproval.DoesNotExist:
        return None


def person_results(*, person: Person, today: dt.date, on: dt.date | None = None) -> PersonResults:
    """The person's courses with results, certificates and changes, and, for a probationary
    member or an admission candidate, the status their stage asks about. Three queries."""
    enrolments = list(
        Enrolment.objects.filter(person=person)
        .select_related("course__programme", "course__results_approval", "result")
        .order_by("-course__starts_on", "-id")
    )
    certificates = list(
        Certificate.objects.filter(person=person)
        .select_related("programme", "course")
        .order_by("-issued_on", "-id")
    )
    changes = with_labels(
        ScoreChange.objects.filter(result__enrolment__person=person)
        .select_related("actor", "result__enrolment__course__programme")
        .order_by("-at", "-id")
    )
    by_result: dict[int, list[ScoreChange]] = {}
    for change in changes:
        by_result.setdefault(change.result_id, []).append(change)
    by_enrolment: dict[int, list[Certificate]] = {}
    for certificate in certificates:
        by_enrolment.setdefault(certificate.enrolment_id, []).append(certificate)
    courses = []
    for enrolment in enrolments:
        result = _result_of(enrolment)
        courses.append(
            PersonCourse(
                enrolment=enrolment,
                result=result,
                approval=_approval_of(enrolment),
                certificates=by_enrolment.get(enrolment.pk, []),
                changes=by_result.get(result.pk, []) if result else [],
            )
        )
    new_member = None
    if person.stage == MembershipStage.PROBATIONARY:
        new_member = _new_member_status(person, courses, certificates, today)
    admission = None
    if person.stage == MembershipStage.CANDIDATE:
        admission = admission_status(certificates, on or today)
    return PersonResults(
        person=person,
        courses=courses,
        certificates=[(c, certificate_status_on(c, today)) for c in certificates],
        changes=changes,
        new_member=new_member,
        admission=admission,
    )


def _new_member_status(
    person: Person,
    courses: list[PersonCourse],
    certificates: list[Certificate],
    today: dt.date,
) -> NewMemberStatus:
    revoked = revoked_enrolments(certificates)
    attempts = {
        item.enrolment.pk: (attempt_of(item, revoked=item.enrolment.pk in revoked), item)
        for item in courses
        if item.enrolment.course.programme.kind == Programme.Kind.NEW_MEMBER
    }
    ends_on = person.probation_ends_on()
    finished = new_member_class_finished(
        (a for a, _item in attempts.values()),
        admitted_on=person.admitted_on,
        probation_ends_on=ends_on,
    )
    outside = next(
        (
            item.enrolment.course
            for a, item in attempts.values()
            if finished is None and a.has_passed and a.approved and not a.revoked
        ),
        None,
    )
    course = attempts[finished.enrolment_id][1].enrolment.course if finished else None
    return NewMemberStatus(
        done=finished is not None,
        done_on=finished.ends_on if finished else None,
        course=course,
        probation_ends_on=ends_on,
        within_probation=finished is not None,
        overdue=finished is None and ends_on is not None and today > ends_on,
        outside=outside,
    )


def attempt_of(item: PersonCourse, *, revoked: bool = False) -> Attempt:
    enrolment = item.enrolment
    return Attempt(
        programme_id=enrolment.course.programme_id,
        starts_on=enrolment.course.starts_on,
        ends_on=enrolment.course.ends_on,
        enrolment_id=enrolment.pk,
        withdrawn=enrolment.status == Enrolment.Status.WITHDRAWN,
        passed=item.result.passed if item.result is not None else None,
        approved=item.approval is not None,
        cancelled=enrolment.course.status == Course.Status.CANCELLED,
        revoked=revoked,
    )


def admission_status(certificates: list[Certificate], on: dt.date) -> AdmissionStatus:
    """The certificate that decides: one valid on the day if any (the latest issued), else the
    latest issued one, to say why there is none."""
    admission = [c for c in certificates if c.programme.kind == Programme.Kind.ADMISSION]
    for certificate in admission:  # newest first
        if certificate_status_on(certificate, on) == "valid":
            return AdmissionStatus(on=on, valid=True, status="valid", certificate=certificate)
    if admission:
        latest = admission[0]
        return AdmissionStatus(
            on=on, valid=False, status=certificate_status_on(latest, on), certificate=latest
        )
    return AdmissionStatus(on=on, valid=False, status="none", certificate=None)
