"""Every list answers in a fixed number of queries, whatever the number of rows."""

import pytest

from llct.api.tests.factories import bearer, make_token
from llct.assessment.certificates import certificates_issue
from llct.core.models import Role
from llct.courses.models import Attendance, Enrolment
from llct.organizations.tests.factories import make_person


@pytest.fixture
def many(world, data):
    people = [make_person(world.org_a1, f"Người Số {n}") for n in range(40)]
    enrolments = [Enrolment.objects.create(course=data.course, person=p) for p in people]
    Attendance.objects.bulk_create(
        Attendance(session=data.sessions[0], enrolment=e, status="present") for e in enrolments
    )
    certificates_issue(
        course=data.course, enrolments=enrolments, issued_on=data.certificate_a.issued_on
    )
    return people


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/people",
        "/api/v1/organizations",
        "/api/v1/certificates",
        "/api/v1/nominations",
        "/api/v1/sessions",
        "/api/v1/courses",
        "/api/v1/programmes",
        "/api/v1/courses/{course}/enrolments",
        "/api/v1/courses/{course}/attendance",
        "/api/v1/courses/{course}/results",
    ],
)
def test_lists_use_a_fixed_number_of_queries(
    client, world, data, many, url, django_assert_max_num_queries
):
    _token, raw = make_token(world, role=Role.DEPARTMENT)
    # Auth (1), rate limit (cache), the list's reads, the audit (2).
    with django_assert_max_num_queries(9):
        response = client.get(url.format(course=data.course.pk) + "?limit=500", headers=bearer(raw))
    assert response.status_code == 200
