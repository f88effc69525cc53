"""A person's record in the courses: has a person finished a class (one definition, for every
rule that asks: the new-member class within probation, the awareness certificate valid on a day),
and a person's courses, results, certificates and score changes."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from llct.assessment.certificates import certificate_status_on
from llct.assessment.grading import needed_scores
from llct.assessment.models import Certificate, GradeBand, Result, ResultsApproval, ScoreChange
from llct.assessment.selectors import LabelledChange, result_of, score_label, with_labels
from llct.core.dates import date_key
from llct.courses.models import Course, Enrolment
from llct.curriculum.models import Programme
from llct.organizations.models import MembershipStage, Person

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
                result=result_of(e),
                approval=_approval_of(e),
                certificates=[],
                changes=[],
            ),
            revoked=e.pk in revoked,
        )
        for e in enrolments
    ]
    return attempts, {e.pk: e.course for e in enrolments}


# A person's courses, results and certificates


@dataclass
class PersonCourse:
    enrolment: Enrolment
    result: Result | None
    approval: ResultsApproval | None
    certificates: list[Certificate]
    changes: list[LabelledChange]

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
    changes: list[LabelledChange]
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
    by_result: dict[int, list[LabelledChange]] = {}
    for row in changes:
        by_result.setdefault(row.change.result_id, []).append(row)
    by_enrolment: dict[int, list[Certificate]] = {}
    for certificate in certificates:
        by_enrolment.setdefault(certificate.enrolment_id, []).append(certificate)
    courses = []
    for enrolment in enrolments:
        result = result_of(enrolment)
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


# The same rule in SQL, for `Exists` over people: the suggestions, the indicator and the
# watchlist ask it of a whole province at once.


def new_member_class_finished_sql(*, by: dt.date | None = None) -> QuerySet[Enrolment]:
    """The SQL twin of `new_member_class_finished`, for `Exists`
    over people: the person's (OuterRef "pk") enrolments in a new-member class that they
    passed (not withdrawn, course not cancelled), whose results are approved, whose
    certificate (where one was issued) was not revoked without another in force, in a course
    that ended between the admission day and the probation's last day (admission + 12 months
    as `add_months` counts them, compared as `date_key`s, read through the enrolment's own
    person so that the outer query may filter, annotate or aggregate alike). With `by`, as
    of that day: the course ended and its results were approved by then.
    The twin tests of monitoring and planning (`test_new_member_class_twin.py`,
    `test_new_member_class.py`) prove both definitions agree."""
    certificates = Certificate.objects.filter(enrolment_id=OuterRef("pk"))
    revoked = Q(Exists(certificates)) & ~Q(
        Exists(certificates.exclude(status=Certificate.Status.REVOKED))
    )
    qs = (
        Enrolment.objects.filter(
            person_id=OuterRef("pk"),
            status=Enrolment.Status.ENROLLED,
            course__programme__kind=Programme.Kind.NEW_MEMBER,
            result__passed=True,
            course__results_approval__isnull=False,
            course__ends_on__gte=F("person__admitted_on"),
        )
        .exclude(course__status=Course.Status.CANCELLED)
        .alias(ends_key=date_key("course__ends_on"), admitted_key=date_key("person__admitted_on"))
        .filter(ends_key__lte=F("admitted_key") + Value(10000))
        .exclude(revoked)
    )
    if by is not None:
        qs = qs.filter(
            course__ends_on__lte=by,
            course__results_approval__approved_at__lt=timezone.make_aware(
                dt.datetime.combine(by + dt.timedelta(days=1), dt.time.min)
            ),
        )
    return qs
