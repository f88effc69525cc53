"""From plan to courses: an approved planned course becomes a course open for enrolment, its
nominees are enrolled through the course rules (eligibility warnings need a reason, conflicts
per the scheduling rules), and asking twice creates nothing more."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from llct.courses.models import Course, Enrolment, Holiday, SchedulingRules
from llct.courses.services.conflicts import ConflictError
from llct.courses.tests.factories import make_course
from llct.organizations.models import MembershipStage
from llct.organizations.tests.factories import make_person
from llct.planning.models import AnnualPlan
from llct.planning.plans import courses as plan_courses
from llct.planning.plans import services as plan_services
from llct.planning.tests.factories import (
    make_plan,
    make_programme,
    make_venue,
    nominate,
    plan_course,
)

PROBATIONARY = MembershipStage.PROBATIONARY


@pytest.fixture
def programme(db):
    return make_programme(
        "Bồi dưỡng lý luận chính trị cho đảng viên mới",
        code="DVM27",
        eligible_stages=[PROBATIONARY],
    )


@pytest.fixture
def setup(world, programme):
    """An approved plan with one planned course in May 2027 (1 May is a Saturday and 3 May a
    holiday here) and three nominees, one of them a full member (not eligible)."""
    for person in (world.person_a, world.person_b):
        person.stage = PROBATIONARY
        person.admitted_on = dt.date(2026, 6, 1)
        person.save()
    full = make_person(
        world.org_b1, "Hoàng Văn Chính", stage=MembershipStage.FULL, admitted_on=dt.date(2010, 1, 1)
    )
    nominations = [
        nominate(world.person_a, programme, quarter=2),
        nominate(world.person_b, programme, quarter=2),
        nominate(full, programme, quarter=2),
    ]
    plan = make_plan(world.province)
    planned = plan_course(
        plan,
        programme,
        world.department,
        name="Lớp đảng viên mới khóa 1",
        month=5,
        expected_learners=2,
        days=Decimal("2"),
        venue=make_venue(),
        organizer=world.org_a,
        nominations=nominations,
    )
    Holiday.objects.create(date=dt.date(2027, 5, 3), name="Nghỉ bù")
    plan_services.plan_submit(plan=plan, actor=world.department)
    plan_services.plan_approve(plan=plan, actor=world.leader)
    planned.refresh_from_db()
    return {"plan": plan, "planned": planned, "full": full}


def test_the_code_takes_the_next_number_of_the_programmes_classes_that_year(world, setup):
    # Two classes of the programme already that year, one of them numbered by hand past the count.
    for code in ("DVM27-2027-01", "DVM27-2027-03"):
        make_course(setup["planned"].programme, world.org_a, code=code)
    course = plan_courses.planned_course_create_course(
        planned=setup["planned"], actor=world.department, override_reason="Đồng chí được cử học"
    ).course
    assert course.code == "DVM27-2027-04"  # the third is taken: the next free number


def test_eligibility_warnings_need_a_reason_and_nothing_is_created_without_it(world, setup):
    with pytest.raises(ConflictError) as raised:
        plan_courses.planned_course_create_course(planned=setup["planned"], actor=world.department)
    assert "override_reason" in raised.value.message_dict
    assert any("Hoàng Văn Chính" in w for w in raised.value.eligibility)
    assert not Course.objects.exists()
    setup["planned"].refresh_from_db()
    assert setup["planned"].course is None


def test_with_a_reason_the_course_is_created_and_the_nominees_enrolled(world, setup):
    result = plan_courses.planned_course_create_course(
        planned=setup["planned"], actor=world.department, override_reason="Đồng chí được cử học"
    )
    course = result.course
    assert result.created and result.enrolled == 3
    assert (course.name, course.programme, course.organizer) == (
        "Lớp đảng viên mới khóa 1",
        setup["planned"].programme,
        world.org_a,
    )
    assert course.status == Course.Status.OPEN
    # First working day of May 2027: not Saturday 1, Sunday 2 nor the holiday on Monday 3.
    assert (course.starts_on, course.ends_on) == (dt.date(2027, 5, 4), dt.date(2027, 5, 5))
    # Every nominee gets a seat even though 2 learners were expected.
    assert course.capacity == 3
    # The programme, the year and the number of the programme's classes that year: the first,
    # whatever the row's id.
    assert course.code == "DVM27-2027-01"
    assert course.venue == setup["planned"].venue
    enrolments = {e.person_id: e for e in Enrolment.objects.filter(course=course)}
    assert set(enrolments) == {world.person_a.pk, world.person_b.pk, setup["full"].pk}
    assert enrolments[setup["full"].pk].override_reason == "Đồng chí được cử học"
    assert enrolments[world.person_a.pk].override_reason == ""
    setup["planned"].refresh_from_db()
    assert setup["planned"].course == course


def test_a_second_click_creates_nothing(world, setup):
    first = plan_courses.planned_course_create_course(
        planned=setup["planned"], actor=world.department, override_reason="Được cử"
    )
    again = plan_courses.planned_course_create_course(
        planned=setup["planned"], actor=world.department
    )
    assert again.course == first.course and not again.created
    assert Course.objects.count() == 1
    assert Enrolment.objects.count() == 3


def test_expected_learners_become_the_capacity(world, setup, programme):
    plan = AnnualPlan.objects.get()
    plan.status = AnnualPlan.Status.DRAFT
    plan.save()
    planned = plan_course(plan, programme, world.department, expected_learners=45, month=3)
    plan.status = AnnualPlan.Status.APPROVED
    plan.save()
    result = plan_courses.planned_course_create_course(planned=planned, actor=world.department)
    assert result.course.capacity == 45 and result.enrolled == 0
    assert result.course.starts_on == dt.date(2027, 3, 1)


def test_scheduling_blocks_stop_the_creation(world, setup):
    SchedulingRules.current()
    venue = setup["planned"].venue
    venue.capacity = 2
    venue.save()
    with pytest.raises(ConflictError) as raised:
        plan_courses.planned_course_create_course(
            planned=setup["planned"], actor=world.department, override_reason="Được cử"
        )
    assert raised.value.blocked
    assert not Course.objects.exists()


def test_only_an_approved_plan_makes_courses(world, programme):
    plan = make_plan(world.province, year=2028)
    planned = plan_course(plan, programme, world.department)
    with pytest.raises(ValidationError, match="đã được phê duyệt"):
        plan_courses.planned_course_create_course(planned=planned, actor=world.department)


@pytest.mark.parametrize("who", ["leader", "officer_a"])
def test_only_department_officers_create_courses(world, setup, who):
    with pytest.raises(PermissionDenied):
        plan_courses.planned_course_create_course(
            planned=setup["planned"], actor=getattr(world, who)
        )


# --- Pages ---------------------------------------------------------------------------------------


def test_the_page_shows_the_warnings_then_asks_for_a_reason(client, world, setup):
    client.force_login(world.department)
    url = reverse("planning:planned_course_to_course", args=[setup["planned"].pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Hoàng Văn Chính" in page.text
    assert "04/05/2027" in page.text
    refused = client.post(url, {"override_reason": ""})
    assert refused.status_code == 422
    assert not Course.objects.exists()
    created = client.post(url, {"override_reason": "Đảng ủy cử đi học"})
    course = Course.objects.get()
    assert created.status_code == 302
    assert created["Location"] == reverse("courses:detail", args=[course.pk])
    again = client.post(url, {"override_reason": "Đảng ủy cử đi học"})
    assert again.status_code == 302 and again["Location"] == created["Location"]
    assert Course.objects.count() == 1
    plan_page = client.get(reverse("planning:plan_detail", args=[setup["plan"].pk])).text
    assert course.code in plan_page


@pytest.mark.parametrize("who", ["leader", "officer_a"])
def test_the_page_is_for_department_officers(client, world, setup, who):
    client.force_login(getattr(world, who))
    url = reverse("planning:planned_course_to_course", args=[setup["planned"].pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"override_reason": "x"}).status_code == 403
    assert not Course.objects.exists()


def test_the_button_is_shown_only_on_an_approved_plan(client, world, programme):
    plan = make_plan(world.province, year=2028)
    planned = plan_course(plan, programme, world.department)
    client.force_login(world.department)
    url = reverse("planning:planned_course_to_course", args=[planned.pk])
    page = client.get(reverse("planning:plan_detail", args=[plan.pk])).text
    assert url not in page
    assert client.get(url).status_code == 403
