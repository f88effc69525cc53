"""Nomination rounds: opening and editing (department only), the "Đề xuất học viên" page every
officer sees, the home-page notice and the nominations the annual plan reads.

The builders at the top serve the other nomination test files too."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from llct.assessment.certificates import certificates_issue
from llct.assessment.models import Certificate, Result, ResultsApproval
from llct.core.models import AuditEntry
from llct.courses.models import Course, Enrolment
from llct.courses.tests.factories import enrol, make_course
from llct.curriculum.models import Programme
from llct.organizations.models import Organization, Person
from llct.planning.models import Nomination, NominationRound, Submission
from llct.planning.nominations import selectors as nom_selectors
from llct.planning.nominations import services as nom_services

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Before the deadline of the 2027 round the tests open.
TODAY = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
DEADLINE = dt.date(2026, 12, 15)
_seq = itertools.count(1)


def programme(code: str) -> Programme:
    """The programmes the data migration made: NTVD (admission), DVM (new members), SC, TC."""
    return Programme.objects.get(code=code)


def make_round(
    year: int = 2027,
    deadline: dt.date = DEADLINE,
    codes: tuple[str, ...] = ("NTVD", "DVM", "SC", "TC"),
    **fields,
) -> NominationRound:
    nomination_round = NominationRound.objects.create(year=year, deadline=deadline, **fields)
    nomination_round.programmes.set(Programme.objects.filter(code__in=codes))
    return nomination_round


def past_course(
    code: str, organizer: Organization, *, ends_on: dt.date = dt.date(2025, 6, 30), **fields
) -> Course:
    return make_course(
        programme(code),
        organizer,
        starts_on=ends_on - dt.timedelta(days=5),
        ends_on=ends_on,
        status=fields.pop("status", Course.Status.FINISHED),
        **fields,
    )


def attended(
    person: Person,
    course: Course,
    *,
    passed: bool | None = None,
    approve: bool = False,
    withdrawn: bool = False,
) -> Enrolment:
    """An enrolment, with a result when `passed` is given, the course's results approved when
    `approve`."""
    fields = {}
    if withdrawn:
        fields = {
            "status": Enrolment.Status.WITHDRAWN,
            "withdrawn_on": course.starts_on,
            "withdrawal_reason": "Bận công tác",
        }
    enrolment = enrol(course, person, **fields)
    if passed is not None:
        Result.objects.create(enrolment=enrolment, passed=passed)
    if approve:
        ResultsApproval.objects.get_or_create(course=course)
    return enrolment


def certificate(
    person: Person,
    code: str,
    organizer: Organization,
    *,
    issued_on: dt.date,
    expires_on: dt.date | None = None,
) -> Certificate:
    course = past_course(code, organizer, ends_on=issued_on)
    enrolment = attended(person, course, passed=True, approve=True)
    (issued,) = certificates_issue(course=course, enrolments=[enrolment], issued_on=issued_on)
    if expires_on is not None:
        issued.expires_on = expires_on
        issued.save(update_fields=["expires_on"])
    return issued


def submitted(nomination_round: NominationRound, organization: Organization, *people, **kw):
    """A submitted submission nominating these people for DVM."""
    kw.setdefault("status", Submission.Status.SUBMITTED)
    if kw["status"] == Submission.Status.SUBMITTED:
        kw.setdefault("submitted_at", NOW)
    submission = Submission.objects.create(round=nomination_round, organization=organization, **kw)
    for person in people:
        Nomination.objects.create(
            submission=submission, person=person, programme=programme("DVM"), quarter=2
        )
    return submission


def round_form(**overrides):
    data = {
        "year": "2027",
        "deadline": "15/12/2026",
        "programmes": [programme("DVM").pk, programme("NTVD").pk],
        "instructions": "Các đảng bộ rà soát kỹ.\nGửi đúng hạn.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def at_today():
    with time_machine.travel(NOW, tick=False):
        yield


# --- Opening a round ---------------------------------------------------------------------------


def test_department_opens_a_round_with_programmes_deadline_and_instructions(
    client, world, at_today
):
    client.force_login(world.department)
    response = client.post(reverse("planning:round_create"), round_form())
    nomination_round = NominationRound.objects.get(year=2027)
    assert response.status_code == 302
    assert response.url == reverse("planning:round_status", args=[nomination_round.pk])
    assert nomination_round.deadline == DEADLINE
    assert set(nomination_round.programmes.values_list("code", flat=True)) == {"DVM", "NTVD"}
    assert nomination_round.instructions == "Các đảng bộ rà soát kỹ.\nGửi đúng hạn."
    assert nomination_round.opened_by == world.department
    assert AuditEntry.objects.filter(action="opened", object_id=nomination_round.pk).exists()


@pytest.mark.parametrize("who", ["officer_a", "leader", "learner"])
def test_only_the_department_opens_or_edits_a_round(client, world, at_today, who):
    nomination_round = make_round()
    client.force_login(getattr(world, who))
    assert client.get(reverse("planning:round_create")).status_code == 403
    assert client.post(reverse("planning:round_create"), round_form(year="2028")).status_code == 403
    assert client.get(reverse("planning:round_edit", args=[nomination_round.pk])).status_code == 403
    assert not NominationRound.objects.filter(year=2028).exists()


def test_opening_reports_every_mistake_at_once_and_keeps_the_input(client, world, at_today):
    make_round(year=2027)
    client.force_login(world.department)
    response = client.post(
        reverse("planning:round_create"),
        round_form(deadline="10/11/2026", programmes=[], instructions="Giữ lại"),
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert "programmes" in form.errors
    assert "Giữ lại" in response.text
    response = client.post(reverse("planning:round_create"), round_form(deadline="10/11/2026"))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "year" in errors  # 2027 exists
    assert "deadline" in errors  # in the past


@pytest.mark.django_db
def test_a_round_cannot_be_for_a_past_year_nor_end_after_its_year():
    with pytest.raises(ValidationError) as error:
        nom_services.round_open(
            year=2025,
            deadline=dt.date(2026, 12, 1),
            programmes=[],
            instructions="",
            actor=None,
            today=TODAY,
        )
    assert set(error.value.error_dict) == {"year", "deadline", "programmes"}


@pytest.mark.django_db
def test_a_round_cannot_drop_a_programme_already_nominated(world):
    nomination_round = make_round()
    submitted(nomination_round, world.org_a1, world.person_a)
    with pytest.raises(ValidationError) as error:
        nom_services.round_update(
            nomination_round=nomination_round,
            deadline=DEADLINE,
            programmes=[programme("SC")],
            instructions="",
            is_closed=False,
            actor=world.department,
        )
    assert "programmes" in error.value.error_dict
    assert set(nomination_round.programmes.values_list("code", flat=True)) >= {"DVM"}


def test_department_edits_the_deadline_and_closes_the_round(client, world, at_today):
    nomination_round = make_round()
    client.force_login(world.department)
    url = reverse("planning:round_edit", args=[nomination_round.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        round_form(year="1999", deadline="20/12/2026", is_closed="on"),
    )
    assert response.status_code == 302
    nomination_round.refresh_from_db()
    assert nomination_round.year == 2027  # the year is not editable
    assert nomination_round.deadline == dt.date(2026, 12, 20)
    assert nomination_round.is_closed


# --- The "Đề xuất học viên" page -------------------------------------------------------------


def test_every_officer_sees_the_open_round_with_their_grassroots_organizations(
    client, world, at_today
):
    nomination_round = make_round(instructions="Ưu tiên đảng viên dự bị.")
    client.force_login(world.officer_a)
    response = client.get(reverse("planning:nominations"))
    assert response.status_code == 200
    assert "Ưu tiên đảng viên dự bị." in response.text
    assert "Chi bộ A1" in response.text
    assert "Chi bộ B1" not in response.text
    assert reverse("planning:submission", args=[nomination_round.pk, world.org_a1.pk]) in (
        response.text
    )
    client.force_login(world.department)
    response = client.get(reverse("planning:nominations"))
    assert reverse("planning:round_status", args=[nomination_round.pk]) in response.text


def test_learners_and_lecturers_have_no_nomination_pages(client, world):
    client.force_login(world.learner)
    assert client.get(reverse("planning:nominations")).status_code == 403
    assert client.get(reverse("planning:requirement_list")).status_code == 403


def test_every_nomination_page_requires_login(client, world):
    nomination_round = make_round()
    for url in [
        reverse("planning:nominations"),
        reverse("planning:round_status", args=[nomination_round.pk]),
        reverse("planning:submission", args=[nomination_round.pk, world.org_a1.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


# --- The home-page notice ----------------------------------------------------------------------


@pytest.mark.django_db
def test_home_notice_tells_an_officer_what_is_left_to_submit(world):
    assert nom_selectors.open_round_for(world.officer_a, today=TODAY) is None  # no round yet
    nomination_round = make_round()
    notice = nom_selectors.open_round_for(world.officer_a, today=TODAY)
    assert notice is not None
    assert notice.round == nomination_round
    assert (notice.total, notice.submitted, notice.status) == (1, 0, "pending")
    assert notice.days_left == 25
    html = render_to_string("planning/round_notice.html", {"notice": notice})
    assert reverse("planning:nominations") in html
    assert "15/12/2026" in html

    submitted(nomination_round, world.org_a1)
    notice = nom_selectors.open_round_for(world.officer_a, today=TODAY)
    assert notice is not None and notice.status == "submitted"
    department = nom_selectors.open_round_for(world.department, today=TODAY)
    assert department is not None and (department.total, department.submitted) == (2, 1)
    assert department.status == "partial"
    assert nom_selectors.open_round_for(world.learner, today=TODAY) is None


@pytest.mark.django_db
def test_home_notice_takes_three_queries(world, django_assert_num_queries):
    make_round()
    with django_assert_num_queries(3):
        nom_selectors.open_round_for(world.officer_a, today=TODAY)


@pytest.mark.django_db
def test_a_closed_round_is_not_announced(world):
    make_round(is_closed=True)
    assert nom_selectors.open_round_for(world.officer_a, today=TODAY) is None


# --- What the annual plan reads ---------------------------------------------------------------


@pytest.mark.django_db
def test_nominations_for_year_are_those_of_submitted_submissions_only(world):
    nomination_round = make_round()
    submitted(nomination_round, world.org_a1, world.person_a)
    draft = Submission.objects.create(round=nomination_round, organization=world.org_b1)
    Nomination.objects.create(submission=draft, person=world.person_b, programme=programme("DVM"))
    other_year = make_round(year=2028)
    submitted(other_year, world.org_b1, world.person_b)
    rows = list(
        nom_selectors.nominations_for_year(year=2027).values_list(
            "person_id", "submission__organization_id", "programme__code", "quarter"
        )
    )
    assert rows == [(world.person_a.pk, world.org_a1.pk, "DVM", 2)]
