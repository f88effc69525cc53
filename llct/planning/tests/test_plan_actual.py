"""Plan against actual: courses planned vs held, learners nominated vs enrolled vs passed,
budget planned vs spent, per organization and per programme; expenses; constant query count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from llct.assessment.models import Result
from llct.courses.models import Course, Enrolment
from llct.organizations.tests.factories import make_person
from llct.planning.models import BudgetLine, Expense
from llct.planning.plans import actual as plan_vs_actual
from llct.planning.plans import courses as plan_courses
from llct.planning.plans import services as plan_services
from llct.planning.tests.plan_factories import make_plan, make_programme, nominate, plan_course


def _budget(planned):
    return sum(BudgetLine.objects.filter(planned_course=planned).values_list("amount", flat=True))


@pytest.fixture
def setup(world):
    new_members = make_programme("Đảng viên mới")
    professional = make_programme("Nghiệp vụ")
    a2 = make_person(world.org_a1, "Lê Thị Cúc")
    b2 = make_person(world.org_b1, "Phạm Văn Dũng")
    n_a = [nominate(world.person_a, new_members), nominate(a2, new_members)]
    n_b = [nominate(world.person_b, new_members)]
    nominate(b2, professional)
    plan = make_plan(world.province)
    held = plan_course(
        plan, new_members, world.department, name="Khóa A", organizer=world.org_a, nominations=n_a
    )
    not_held = plan_course(
        plan, new_members, world.department, name="Khóa B", organizer=world.org_b, nominations=n_b
    )
    never = plan_course(plan, professional, world.department, name="Khóa C", organizer=world.org_a)
    plan_services.plan_submit(plan=plan, actor=world.department)
    plan_services.plan_approve(plan=plan, actor=world.leader)
    plan.refresh_from_db()
    course_a = plan_courses.planned_course_create_course(
        planned=held, actor=world.department
    ).course
    course_b = plan_courses.planned_course_create_course(
        planned=not_held, actor=world.department
    ).course
    Course.objects.filter(pk=course_a.pk).update(status=Course.Status.FINISHED)
    passed = Enrolment.objects.get(course=course_a, person=world.person_a)
    Result.objects.create(enrolment=passed, passed=True)
    Result.objects.create(enrolment=Enrolment.objects.get(course=course_a, person=a2), passed=False)
    plan_services.expense_record(
        course=course_a,
        data={"kind": "materials", "amount": Decimal(100_000_000), "spent_on": dt.date(2027, 3, 9)},
        actor=world.department,
    )
    return {
        "plan": plan,
        "held": held,
        "not_held": not_held,
        "never": never,
        "course_a": course_a,
        "course_b": course_b,
    }


def _figures(row):
    return (
        row.courses_planned,
        row.courses_held,
        row.nominated,
        row.enrolled,
        row.passed,
        row.budget_planned,
        row.spent,
    )


def test_per_organization(world, setup):
    actual = plan_vs_actual.plan_actual(plan=setup["plan"])
    rows = {row.label: row for row in actual.by_organization}
    assert set(rows) == {"Đảng ủy Khối A", "Chi bộ A1", "Đảng ủy Khối B", "Chi bộ B1"}
    budget_a = _budget(setup["held"]) + _budget(setup["never"])
    assert _figures(rows["Đảng ủy Khối A"]) == (2, 1, 0, 0, 0, budget_a, Decimal(100_000_000))
    assert _figures(rows["Chi bộ A1"]) == (0, 0, 2, 2, 1, 0, 0)
    assert _figures(rows["Đảng ủy Khối B"]) == (1, 0, 0, 0, 0, _budget(setup["not_held"]), 0)
    assert _figures(rows["Chi bộ B1"]) == (0, 0, 2, 1, 0, 0, 0)
    assert rows["Đảng ủy Khối A"].held_gap and rows["Đảng ủy Khối A"].overspent
    assert rows["Chi bộ B1"].enrol_gap and not rows["Chi bộ A1"].enrol_gap


def test_per_programme_and_total(world, setup):
    actual = plan_vs_actual.plan_actual(plan=setup["plan"])
    rows = {row.label: row for row in actual.by_programme}
    budget_new = _budget(setup["held"]) + _budget(setup["not_held"])
    assert _figures(rows["Đảng viên mới"]) == (2, 1, 3, 3, 1, budget_new, Decimal(100_000_000))
    assert _figures(rows["Nghiệp vụ"]) == (1, 0, 1, 0, 0, _budget(setup["never"]), 0)
    assert rows["Nghiệp vụ"].held_gap and rows["Nghiệp vụ"].enrol_gap
    total = actual.total
    assert _figures(total)[:5] == (3, 1, 4, 3, 1)
    assert total.held_percent == 33 and total.pass_percent == 33


def test_withdrawn_learners_are_not_counted_as_enrolled(world, setup):
    Enrolment.objects.filter(person=world.person_b).update(
        status=Enrolment.Status.WITHDRAWN, withdrawn_on=dt.date(2027, 5, 2), withdrawal_reason="Ốm"
    )
    rows = {
        row.label: row for row in plan_vs_actual.plan_actual(plan=setup["plan"]).by_organization
    }
    assert rows["Chi bộ B1"].enrolled == 0


def test_the_page_highlights_the_gaps(client, world, setup):
    client.force_login(world.leader)
    response = client.get(reverse("planning:plan_actual", args=[setup["plan"].pk]))
    assert response.status_code == 200
    assert "Chi bộ B1" in response.text
    assert 'class="num gap"' in response.text
    assert "100.000.000 đ" in response.text


def test_the_page_query_count_does_not_grow_with_rows(
    client, world, setup, django_assert_max_num_queries
):
    client.force_login(world.department)
    url = reverse("planning:plan_actual", args=[setup["plan"].pk])
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    plan = setup["plan"]
    plan.status = "draft"
    plan.save()
    programme = make_programme("Thêm")
    for i in range(8):
        person = make_person(world.org_b1, f"Người Thêm {i}")
        plan_course(
            plan,
            programme,
            world.department,
            name=f"Thêm {i}",
            organizer=world.org_b1,
            nominations=[nominate(person, programme)],
        )
    plan.status = "approved"
    plan.save()
    for planned in plan.planned_courses.filter(course__isnull=True):
        course = plan_courses.planned_course_create_course(
            planned=planned, actor=world.department
        ).course
        plan_services.expense_record(
            course=course,
            data={"kind": "other", "amount": Decimal(5), "spent_on": dt.date(2027, 6, 1)},
            actor=world.department,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# --- Expenses -----------------------------------------------------------------------------------


def test_department_records_an_expense_on_the_course_page(client, world, setup):
    client.force_login(world.department)
    url = reverse("planning:expense_list", args=[setup["course_b"].pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url, {"kind": "venue", "amount": "4.500.000", "spent_on": "12/05/2027", "note": "Thuê"}
    )
    assert response.status_code == 302
    expense = Expense.objects.get(course=setup["course_b"])
    assert (expense.amount, expense.spent_on, expense.recorded_by) == (
        Decimal(4_500_000),
        dt.date(2027, 5, 12),
        world.department,
    )


def test_an_expense_needs_a_positive_amount_and_a_date(client, world, setup):
    client.force_login(world.department)
    url = reverse("planning:expense_list", args=[setup["course_b"].pk])
    response = client.post(url, {"kind": "venue", "amount": "0", "spent_on": ""})
    assert response.status_code == 422
    with pytest.raises(ValidationError) as raised:
        plan_services.expense_record(
            course=setup["course_b"],
            data={"kind": "nope", "amount": Decimal(-1), "spent_on": None},
            actor=world.department,
        )
    assert set(raised.value.message_dict) == {"kind", "amount", "spent_on"}


def test_expense_page_compares_planned_and_spent(client, world, setup):
    client.force_login(world.department)
    page = client.get(reverse("planning:expense_list", args=[setup["course_a"].pk])).text
    assert "over the plan" in page or "vượt kế hoạch" in page
    assert "100.000.000 đ" in page


def test_leader_reads_expenses_but_cannot_record_them(client, world, setup):
    client.force_login(world.leader)
    url = reverse("planning:expense_list", args=[setup["course_b"].pk])
    assert client.get(url).status_code == 200
    data = {"kind": "venue", "amount": "1", "spent_on": "12/05/2027"}
    assert client.post(url, data).status_code == 403
    expense = Expense.objects.get()
    assert client.post(reverse("planning:expense_delete", args=[expense.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        plan_services.expense_record(course=setup["course_b"], data=data, actor=world.leader)


def test_org_officer_cannot_see_expenses(client, world, setup):
    client.force_login(world.officer_a)
    url = reverse("planning:expense_list", args=[setup["course_a"].pk])
    assert client.get(url).status_code == 403


def test_department_deletes_an_expense(client, world, setup):
    client.force_login(world.department)
    expense = Expense.objects.get()
    response = client.post(reverse("planning:expense_delete", args=[expense.pk]))
    assert response.status_code == 302
    assert not Expense.objects.exists()
