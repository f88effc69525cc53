"""Building the annual plan: plan pages, who may see and edit them, the nominations summed by
programme, organization and quarter, planned courses made from nominations, and query counts."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from llct.organizations.tests.factories import make_person
from llct.planning.models import AnnualPlan, Nomination, PlannedCourse, Submission
from llct.planning.plans import selectors as plan_selectors
from llct.planning.plans import services as plan_services
from llct.planning.tests.plan_factories import (
    make_lecturer,
    make_plan,
    make_programme,
    make_venue,
    nominate,
    plan_course,
)


@pytest.fixture
def programme(db):
    return make_programme("Bồi dưỡng lý luận chính trị cho đảng viên mới")


@pytest.fixture
def other_programme(db):
    return make_programme("Bồi dưỡng nghiệp vụ công tác đảng")


@pytest.fixture
def plan(world):
    return make_plan(world.province)


# --- Plan pages and who may use them -------------------------------------------------------------


def test_department_creates_a_plan(client, world):
    client.force_login(world.department)
    assert client.get(reverse("planning:plan_create")).status_code == 200
    response = client.post(
        reverse("planning:plan_create"),
        {
            "year": "2027",
            "number": "131-KH/ĐUK",
            "title": "Kế hoạch đào tạo, bồi dưỡng lý luận chính trị năm 2027",
            "issuer": world.org_a.pk,
            "place": "Hòa Bình Sơn",
            "introduction": "Nâng cao chất lượng.",
        },
    )
    plan = AnnualPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("planning:plan_detail", args=[plan.pk])
    assert (plan.status, plan.created_by, plan.number) == ("draft", world.department, "131-KH/ĐUK")


def test_one_plan_per_year(client, world, plan):
    client.force_login(world.department)
    response = client.post(
        reverse("planning:plan_create"),
        {"year": "2027", "title": "Trùng năm", "issuer": world.province.pk},
    )
    assert response.status_code == 422
    assert AnnualPlan.objects.count() == 1


def test_plan_service_reports_every_error_at_once(world):
    with pytest.raises(ValidationError) as raised:
        plan_services.plan_create(
            data={"year": 1800, "title": " ", "issuer": None}, actor=world.department
        )
    assert set(raised.value.message_dict) == {"year", "title", "issuer"}


def test_leader_reads_plans_but_sees_no_edit_links(client, world, plan, programme):
    plan_course(plan, programme, world.department)
    client.force_login(world.leader)
    assert client.get(reverse("planning:plan_list")).status_code == 200
    page = client.get(reverse("planning:plan_detail", args=[plan.pk])).text
    assert reverse("planning:plan_edit", args=[plan.pk]) not in page
    assert reverse("planning:planned_course_create", args=[plan.pk]) not in page
    assert client.get(reverse("planning:plan_create")).status_code == 403


PAGES = [
    ("planning:plan_list", False),
    ("planning:plan_create", False),
    ("planning:plan_detail", True),
    ("planning:plan_edit", True),
    ("planning:plan_nominations", True),
    ("planning:planned_course_create", True),
    ("planning:facility_create", True),
    ("planning:plan_actual", True),
    ("planning:plan_docx", True),
    ("planning:plan_xlsx", True),
]


@pytest.mark.parametrize("who", ["officer_a", "officer_b", "learner"])
@pytest.mark.parametrize(("name", "with_plan"), PAGES)
def test_organization_officers_and_learners_may_not_use_plans(
    client, world, plan, who, name, with_plan
):
    client.force_login(getattr(world, who))
    url = reverse(name, args=[plan.pk] if with_plan else [])
    assert client.get(url).status_code == 403
    assert client.post(url, {"year": "2031", "title": "x"}).status_code in (403, 405)


def test_org_officer_cannot_edit_a_planned_course(client, world, plan, programme):
    planned = plan_course(plan, programme, world.department)
    client.force_login(world.officer_a)
    for name in ("planning:planned_course_edit", "planning:planned_course_delete"):
        assert client.get(reverse(name, args=[planned.pk])).status_code == 403
    assert client.post(reverse("planning:plan_submit", args=[plan.pk])).status_code == 403


def test_unknown_plan_is_not_found(client, world):
    client.force_login(world.department)
    assert client.get(reverse("planning:plan_detail", args=[999])).status_code == 404


# --- Planned courses ------------------------------------------------------------------------------


def test_department_adds_a_planned_course_with_lecturers(client, world, plan, programme):
    lecturer = make_lecturer("Lê Văn Giảng")
    venue = make_venue()
    client.force_login(world.department)
    response = client.post(
        reverse("planning:planned_course_create", args=[plan.pk]),
        {
            "programme": programme.pk,
            "name": "Lớp đảng viên mới khóa 1",
            "month": "4",
            "expected_learners": "60",
            "sessions": "10",
            "days": "5",
            "venue": venue.pk,
            "organizer": world.org_a.pk,
            "lecturers": [lecturer.pk],
        },
    )
    assert response.status_code == 302
    planned = PlannedCourse.objects.get()
    assert (planned.month, planned.expected_learners, planned.organizer) == (4, 60, world.org_a)
    assert list(planned.lecturers.all()) == [lecturer]
    assert planned.budget_lines.count() == 4


def test_planned_course_form_keeps_what_was_typed(client, world, plan, programme):
    client.force_login(world.department)
    response = client.post(
        reverse("planning:planned_course_create", args=[plan.pk]),
        {
            "programme": programme.pk,
            "name": "Lớp thiếu số",
            "month": "4",
            "expected_learners": "0",
            "sessions": "10",
            "days": "0",
            "organizer": world.org_a.pk,
        },
    )
    assert response.status_code == 422
    assert "Lớp thiếu số" in response.text
    assert not PlannedCourse.objects.exists()


# --- Nominations ----------------------------------------------------------------------------------


@pytest.fixture
def nominations(world, programme, other_programme):
    a2 = make_person(world.org_a1, "Lê Thị Cúc")
    b2 = make_person(world.org_b1, "Phạm Văn Dũng")
    return {
        "a1": nominate(world.person_a, programme, quarter=1),
        "a2": nominate(a2, programme, quarter=2),
        "b1": nominate(world.person_b, programme, quarter=2),
        "b2": nominate(b2, programme),
        "other": nominate(b2, other_programme, quarter=3),
    }


def test_draft_and_other_year_nominations_are_left_out(world, programme, plan, nominations):
    late = make_person(world.org_a1, "Đỗ Văn Muộn")
    nominate(late, programme, organization=world.org_a, status=Submission.Status.DRAFT)
    nominate(late, programme, year=2028)
    ids = set(plan_selectors.nomination_choices(plan=plan).values_list("pk", flat=True))
    assert ids == {n.pk for n in nominations.values()}


def test_summary_by_programme_organization_and_quarter(world, plan, programme, nominations):
    rows = plan_selectors.nomination_summary(plan=plan)
    table = [
        (r.programme, r.organization, r.quarters, r.total, r.is_subtotal)
        for r in rows
        if r.programme_id == programme.pk
    ]
    assert table == [
        (programme.name, "Chi bộ A1", [1, 1, 0, 0, 0], 2, False),
        (programme.name, "Chi bộ B1", [0, 1, 0, 0, 1], 2, False),
        (programme.name, "", [1, 2, 0, 0, 1], 4, True),
    ]


def test_create_a_planned_course_from_nominations_of_one_programme(
    client, world, plan, programme, nominations
):
    client.force_login(world.department)
    url = reverse("planning:plan_nominations", args=[plan.pk])
    chosen = [nominations[k].pk for k in ("a1", "a2", "b1")]
    response = client.post(url, {"nominations": chosen})
    planned = PlannedCourse.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("planning:planned_course_edit", args=[planned.pk])
    assert planned.programme == programme
    assert planned.expected_learners == 3
    assert planned.month == 4  # quarter 2 was asked for most
    assert planned.organizer == world.province
    assert set(planned.nominations.values_list("pk", flat=True)) == set(chosen)
    assert planned.budget_lines.count() == 4
    rows = {
        r.organization: r.planned
        for r in plan_selectors.nomination_summary(plan=plan)
        if r.programme_id == programme.pk
    }
    assert rows == {"Chi bộ A1": 2, "Chi bộ B1": 1, "": 3}


def test_nominations_of_two_programmes_make_no_course(client, world, plan, nominations):
    client.force_login(world.department)
    response = client.post(
        reverse("planning:plan_nominations", args=[plan.pk]),
        {"nominations": [nominations["a1"].pk, nominations["other"].pk]},
    )
    assert response.status_code == 422
    assert not PlannedCourse.objects.exists()


def test_a_nomination_goes_into_one_planned_course_only(world, plan, programme, nominations):
    first = plan_services.planned_course_from_nominations(
        plan=plan, nominations=[nominations["a1"]], actor=world.department
    )
    with pytest.raises(ValidationError, match=first.name):
        plan_course(plan, programme, world.department, nominations=[nominations["a1"]])
    free = plan_selectors.nomination_choices(plan=plan, free=True)
    assert nominations["a1"] not in free
    assert nominations["a1"] in plan_selectors.nomination_choices(
        plan=plan, free=True, keep=first.pk
    )


def test_linked_nominations_must_be_of_the_course_programme(world, plan, programme, nominations):
    with pytest.raises(ValidationError) as raised:
        plan_course(plan, programme, world.department, nominations=[nominations["other"]])
    assert "nominations" in raised.value.message_dict


def test_nominations_of_another_year_cannot_be_linked(world, plan, programme):
    stale = nominate(world.person_a, programme, year=2026)
    with pytest.raises(ValidationError):
        plan_course(plan, programme, world.department, nominations=[stale])


def test_edit_form_offers_only_free_nominations_of_the_programme(
    client, world, plan, programme, nominations
):
    taken = plan_services.planned_course_from_nominations(
        plan=plan, nominations=[nominations["b2"]], actor=world.department
    )
    planned = plan_services.planned_course_from_nominations(
        plan=plan, nominations=[nominations["a1"]], actor=world.department
    )
    client.force_login(world.department)
    page = client.get(reverse("planning:planned_course_edit", args=[planned.pk])).text
    assert f'name="nominations" value="{nominations["a1"].pk}"' in page
    assert f'name="nominations" value="{nominations["a2"].pk}"' in page
    assert f'name="nominations" value="{nominations["b2"].pk}"' not in page  # in "taken"
    assert f'name="nominations" value="{nominations["other"].pk}"' not in page  # another programme
    assert taken.pk != planned.pk


def test_leader_sees_the_nominations_but_cannot_plan_from_them(client, world, plan, nominations):
    client.force_login(world.leader)
    url = reverse("planning:plan_nominations", args=[plan.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Lê Thị Cúc" in page.text
    assert 'name="nominations"' not in page.text
    assert client.post(url, {"nominations": [nominations["a1"].pk]}).status_code == 403


# --- Query counts ---------------------------------------------------------------------------------


def _grow(world, plan, programme, n):
    venue = make_venue(f"Hội trường {n}")
    lecturers = [make_lecturer(f"Giảng viên {n} {i}") for i in range(2)]
    for i in range(n):
        person = make_person(world.org_a1 if i % 2 else world.org_b1, f"Người Thứ {n}x{i}")
        nomination = nominate(person, programme, quarter=i % 4 + 1)
        plan_course(
            plan,
            programme,
            world.department,
            name=f"Lớp {n}-{i}",
            venue=venue,
            lecturers=lecturers,
            nominations=[nomination],
            month=i % 12 + 1,
        )
    plan.facility_needs.create(kind="hall", description="Bàn ghế", estimated_cost=Decimal(1))


def test_plan_page_query_count_does_not_grow_with_rows(
    client, world, plan, programme, django_assert_max_num_queries
):
    client.force_login(world.department)
    url = reverse("planning:plan_detail", args=[plan.pk])
    _grow(world, plan, programme, 2)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    _grow(world, plan, programme, 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_nominations_page_query_count_does_not_grow_with_rows(
    client, world, plan, programme, django_assert_max_num_queries
):
    client.force_login(world.department)
    url = reverse("planning:plan_nominations", args=[plan.pk])
    _grow(world, plan, programme, 2)
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    _grow(world, plan, programme, 12)
    for i in range(10):
        nominate(make_person(world.org_b1, f"Chưa Xếp {i}"), programme)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_nomination_rows_are_one_per_nomination(world, plan, programme, nominations):
    plan_services.planned_course_from_nominations(
        plan=plan, nominations=[nominations["a1"]], actor=world.department
    )
    assert plan_selectors.nomination_choices(plan=plan).count() == Nomination.objects.count()


def test_filtering_by_programme_answers_htmx_with_the_list_only(
    client, world, plan, programme, nominations
):
    client.force_login(world.department)
    url = reverse("planning:plan_nominations", args=[plan.pk])
    response = client.get(url, {"programme": programme.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="nominations"' in response.text
    assert "Lê Thị Cúc" in response.text
    assert f'value="{nominations["other"].pk}"' not in response.text
