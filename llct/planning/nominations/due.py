"""Who is due under each suggestion rule, computed by the database.

Each rule is one query that returns only the people it finds due, with the facts the page
explains (the admission day, the current certificate's expiry, the last failed course): the
rolls, their enrolments and certificates never travel to Python, so a province of a million
people costs what its due people cost. The queries are plain ORM (Exists, Subquery,
annotations) and give the same answers on SQLite and PostgreSQL; `rules.py` states the rules
as pure functions and the tests hold both to the same answers.

"Finished the new-member class" is `assessment/records.py: new_member_class_finished`:
passed, results approved, no certificate revoked in its stead, the course ended between the
admission day and the probation's last day. `new_member_class_finished_exists` says the same
in SQL; a test compares the two on every probationary member of the test world.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from llct.assessment.models import Certificate
from llct.assessment.records import new_member_class_finished_sql
from llct.core.text import fold
from llct.courses.models import Course, Enrolment
from llct.curriculum.models import Programme
from llct.organizations.models import MembershipStage, Person
from llct.planning.nominations.rules import Requirement, position_rule

WITHDRAWN = Enrolment.Status.WITHDRAWN
CANCELLED = Course.Status.CANCELLED
REVOKED = Certificate.Status.REVOKED
PERSON_FIELDS = ("id", "full_name", "sort_key", "organization_id", "stage")


# --- Facts about an enrolment (a row of Enrolment) --------------------------------------------

RAN = ~Q(course__status=CANCELLED)
HAS_PASSED = Q(result__passed=True) & ~Q(status=WITHDRAWN) & RAN
APPROVED = Q(course__results_approval__isnull=False)
# Withdrew, or failed in a course whose results are approved (a fail may still be corrected
# until then); a cancelled course is nobody's failure.
FAILED = RAN & (Q(status=WITHDRAWN) | (APPROVED & Q(result__passed=False)))


def _booked(today: dt.date) -> Q:
    """Enrolled in a course that has not ended (ending today counts) and whose results are not
    approved: nominating them again would be noise."""
    return (
        ~Q(status=WITHDRAWN)
        & RAN
        & Q(course__results_approval__isnull=True, course__ends_on__gte=today)
    )


def _not_revoked() -> Q:
    """No certificate was issued for the enrolment, or one of them is still in force."""
    certificates = Certificate.objects.filter(enrolment=OuterRef("pk"))
    return ~Exists(certificates) | Exists(certificates.exclude(status=REVOKED))


def _valid_on(day: dt.date) -> Q:
    """A certificate valid on the day (`certificate_status_on(...) == "valid"`)."""
    return (
        Q(issued_on__lte=day)
        & (Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        & (~Q(status=REVOKED) | Q(revoked_on__isnull=True) | Q(revoked_on__gt=day))
    )


def _attempts(kind: str) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(person=OuterRef("pk"), course__programme__kind=kind)


def new_member_class_finished_exists() -> Exists:
    """Over Person rows: the one SQL definition (`assessment/records.py`)."""
    return Exists(new_member_class_finished_sql())


# --- The rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueRow:
    """A person found due by a rule, with the facts the rule is about."""

    person: tuple[int, str, str, int, str]  # PERSON_FIELDS
    rule: str
    # new_member: the admission day; admission: the current certificate's expiry;
    # retake: the failed course's end.
    day: dt.date | None = None
    flag: bool = False  # admission: a certificate is valid now; retake: withdrew
    programme_id: int | None = None  # position and retake: the rule's programme
    detail: str = ""  # position: the requirement's position


def new_member_due(people: QuerySet[Person], *, today: dt.date) -> Iterator[DueRow]:
    """Probationary members without the new-member class, neither booked on one nor waiting
    for a passed course's approval."""
    attempts = _attempts(Programme.Kind.NEW_MEMBER)
    rows = (
        people.filter(stage=MembershipStage.PROBATIONARY)
        .filter(
            ~Exists(attempts.filter(_booked(today))),
            ~Exists(attempts.filter(HAS_PASSED, course__results_approval__isnull=True)),
            ~new_member_class_finished_exists(),
        )
        .order_by()  # one row per person; `_suggest` sorts
        .values_list(*PERSON_FIELDS, "admitted_on")
    )
    for *person, admitted_on in rows.iterator(chunk_size=5000):
        yield DueRow(tuple(person), "new_member", day=admitted_on)


def admission_due(people: QuerySet[Person], *, year: int, today: dt.date) -> Iterator[DueRow]:
    """Admission candidates without a certificate valid at the end of the round's year, not
    booked on an admission class; with the latest expiry of those valid at the year's start."""
    start = max(today, dt.date(year, 1, 1))
    certificates = Certificate.objects.filter(
        person=OuterRef("pk"), programme__kind=Programme.Kind.ADMISSION
    )
    current = certificates.filter(_valid_on(start))
    rows = (
        people.filter(stage=MembershipStage.CANDIDATE)
        .filter(
            ~Exists(certificates.filter(_valid_on(dt.date(year, 12, 31)))),
            ~Exists(_attempts(Programme.Kind.ADMISSION).filter(_booked(today))),
        )
        .annotate(
            has_current=Exists(current),
            current_expiry=Subquery(
                current.filter(expires_on__isnull=False)
                .order_by("-expires_on")
                .values("expires_on")[:1]
            ),
        )
        .order_by()  # one row per person; `_suggest` sorts
        .values_list(*PERSON_FIELDS, "has_current", "current_expiry")
    )
    for *person, has_current, expiry in rows.iterator(chunk_size=5000):
        yield DueRow(tuple(person), "admission", day=expiry, flag=has_current)


def position_due(
    people: QuerySet[Person], *, requirements: list[Requirement], today: dt.date
) -> Iterator[DueRow]:
    """Cadres whose position requires a theory level they lack. The distinct (position, level)
    pairs below the strictest requirement are matched against the table (a province has a
    million people but a few hundred positions), then one query per programme finds the people
    holding them who are not booked on that programme."""
    if not requirements:
        return
    top = max(r.required_level for r in requirements)
    pairs = (
        people.exclude(position="")
        .filter(theory_level__lt=top)
        # Without the people's name order, which would make every person a distinct pair.
        .order_by()
        .values_list("position", "theory_level")
        .distinct()
    )
    by_programme: dict[int, dict[tuple[str, int], Requirement]] = {}
    for position, level in pairs.iterator(chunk_size=5000):
        matched = position_rule(
            folded_position=fold(position), theory_level=level, requirements=requirements
        )
        if matched:
            requirement = matched[1]
            by_programme.setdefault(requirement.programme_id, {})[position, level] = requirement
    for programme_id, wanted in sorted(by_programme.items()):
        holders = Q()
        for position, level in wanted:
            holders |= Q(position=position, theory_level=level)
        booked = Enrolment.objects.filter(
            _booked(today), person=OuterRef("pk"), course__programme_id=programme_id
        )
        rows = (
            people.filter(holders)
            .filter(~Exists(booked))
            .order_by()  # one row per person; `_suggest` sorts
            .values_list(*PERSON_FIELDS, "position", "theory_level")
        )
        for *person, position, level in rows.iterator(chunk_size=5000):
            requirement = wanted[position, level]
            yield DueRow(
                tuple(person),
                "position",
                programme_id=programme_id,
                detail=requirement.position,
            )


def retake_due(people: QuerySet[Person], *, today: dt.date) -> Iterator[DueRow]:
    """The last failure (withdrawal, or an approved fail) of each person in each programme,
    with no pass after it and no course of the programme booked: one query over the failures,
    for every programme at once."""
    same = Enrolment.objects.filter(
        person_id=OuterRef("person_id"), course__programme_id=OuterRef("course__programme_id")
    )
    start, end = OuterRef("course__starts_on"), OuterRef("course__ends_on")
    # Later in (start, end, id) order, the order attempts are read in.
    later = (
        Q(course__starts_on__gt=start)
        | Q(course__starts_on=start, course__ends_on__gt=end)
        | Q(course__starts_on=start, course__ends_on=end, pk__gt=OuterRef("pk"))
    )
    # FAILED in two halves, each found from a small set through its own index (the
    # withdrawals' partial index, the results of failed learners) where FAILED as one condition
    # makes the database read every enrolment of the province.
    halves = (
        Q(status=WITHDRAWN) & RAN,
        ~Q(status=WITHDRAWN) & RAN & APPROVED & Q(result__passed=False),
    )
    found: list[tuple[Any, ...]] = []
    for half in halves:
        found.extend(
            Enrolment.objects.filter(half, person__in=people.values("pk"))
            .filter(
                ~Exists(same.filter(later).filter(FAILED | HAS_PASSED)),
                ~Exists(same.filter(_booked(today))),
            )
            .order_by()
            .values_list(
                "course_id",
                "id",
                "person_id",
                "person__full_name",
                "person__sort_key",
                "person__organization_id",
                "person__stage",
                "course__programme_id",
                "course__ends_on",
                "status",
            )
        )
    found.sort(key=lambda row: (row[0], row[1]))  # the enrolments' own order, as one query gave
    for _c, _e, person_id, name, sort_key, org_id, stage, programme_id, ends_on, status in found:
        yield DueRow(
            (person_id, name, sort_key, org_id, stage),
            "retake",
            day=ends_on,
            flag=status == WITHDRAWN,
            programme_id=programme_id,
        )
