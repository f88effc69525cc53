"""A world with something in every list: a course of A with a learner of A1 and one of B1,
its sessions, marks, results and certificates, nominations from both branches, a plan."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from llct.assessment.certificates import certificates_issue
from llct.assessment.models import Certificate, Result
from llct.courses.models import Attendance, Course, Enrolment, Session
from llct.courses.tests.course_factories import enrol, make_course, make_session
from llct.curriculum.tests.factories import make_programme
from llct.planning.models import AnnualPlan, Nomination, NominationRound, Submission


@dataclass
class Data:
    course: Course
    sessions: list[Session]
    enrolment_a: Enrolment
    enrolment_b: Enrolment
    certificate_a: Certificate
    certificate_b: Certificate
    nomination_a: Nomination
    nomination_b: Nomination
    plan: AnnualPlan


@pytest.fixture
def data(world) -> Data:
    programme = make_programme(topics=0, assessment_kind="essay", issues_certificate=True)
    course = make_course(
        programme, world.org_a, status=Course.Status.IN_PROGRESS, code="LOP-A", name="Lớp A"
    )
    sessions = [make_session(course, course.starts_on + dt.timedelta(days=i)) for i in range(3)]
    enrolment_a, enrolment_b = enrol(course, world.person_a), enrol(course, world.person_b)
    Attendance.objects.create(
        session=sessions[0], enrolment=enrolment_a, status=Attendance.Status.PRESENT
    )
    Attendance.objects.create(
        session=sessions[0], enrolment=enrolment_b, status=Attendance.Status.ABSENT
    )
    Result.objects.create(enrolment=enrolment_a, essay_score=Decimal("8.0"))
    Result.objects.create(enrolment=enrolment_b, essay_score=Decimal("6.5"))
    certificate_a, certificate_b = certificates_issue(
        course=course, enrolments=[enrolment_a, enrolment_b], issued_on=dt.date(2026, 4, 1)
    )
    nomination_round = NominationRound.objects.create(year=2027, deadline=dt.date(2026, 11, 30))
    nominations = []
    for organization, person in ((world.org_a1, world.person_a), (world.org_b1, world.person_b)):
        submission = Submission.objects.create(round=nomination_round, organization=organization)
        nominations.append(
            Nomination.objects.create(submission=submission, person=person, programme=programme)
        )
    plan = AnnualPlan.objects.create(year=2027, title="Kế hoạch 2027", issuer=world.province)
    return Data(
        course=course,
        sessions=sessions,
        enrolment_a=enrolment_a,
        enrolment_b=enrolment_b,
        certificate_a=certificate_a,
        certificate_b=certificate_b,
        nomination_a=nominations[0],
        nomination_b=nominations[1],
        plan=plan,
    )
