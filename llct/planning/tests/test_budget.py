"""Budget lines: computed from the norms (lecturer fees, materials, venue, other), adjusted by hand
only with a note, recomputing keeps adjustments; the norms page; facility needs and totals."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from llct.curriculum.models import Lecturer
from llct.planning.forms_plans import MoneyField
from llct.planning.models import BudgetLine, BudgetNorms, FacilityNeed
from llct.planning.plans import budget as plan_budget
from llct.planning.plans import selectors as plan_selectors
from llct.planning.plans import services as plan_services
from llct.planning.tests.plan_factories import (
    make_lecturer,
    make_plan,
    make_programme,
    make_venue,
    norms,
    plan_course,
)

D = Decimal


@pytest.fixture
def plan(world):
    return make_plan(world.province)


@pytest.fixture
def programme(db):
    return make_programme("Bồi dưỡng nghiệp vụ")


@pytest.fixture(autouse=True)
def _norms(db):
    norms(
        fee_part_time=500_000,
        fee_guest=800_000,
        fee_full_time=300_000,
        materials_per_learner=150_000,
        venue_per_day=2_000_000,
        other_per_course=1_000_000,
    )


def amounts(planned):
    return {line.kind: line.amount for line in planned.budget_lines.all()}


# --- Arithmetic ---------------------------------------------------------------------------------


def test_lines_are_norms_times_quantities(world, plan, programme):
    guest = make_lecturer("Trần Báo Cáo", Lecturer.Kind.GUEST)
    planned = plan_course(
        plan,
        programme,
        world.department,
        expected_learners=40,
        sessions=6,
        days=D("3"),
        venue=make_venue(),
        lecturers=[guest],
    )
    assert amounts(planned) == {
        "lecturer_fees": D(6 * 800_000),
        "materials": D(40 * 150_000),
        "venue": D(3 * 2_000_000),
        "other": D(1_000_000),
    }
    lines = {line.kind: line for line in planned.budget_lines.all()}
    assert all(line.computed_amount == line.amount for line in lines.values())
    assert lines["materials"].description == "40 × 150.000 đ"


def test_without_a_lecturer_the_fees_are_the_part_time_fee(world, plan, programme):
    planned = plan_course(plan, programme, world.department, sessions=10)
    assert amounts(planned)["lecturer_fees"] == D(10 * 500_000)


def test_sessions_are_shared_among_lecturers_each_at_their_kinds_fee(world, plan, programme):
    lecturers = [
        make_lecturer("An Kiêm Chức", Lecturer.Kind.PART_TIME),
        make_lecturer("Bình Báo Cáo", Lecturer.Kind.GUEST),
        make_lecturer("Chi Chuyên Trách", Lecturer.Kind.FULL_TIME),
    ]
    planned = plan_course(plan, programme, world.department, sessions=10, lecturers=lecturers)
    # 10 sessions over 3 lecturers: 4 + 3 + 3, the extra session to the best-paid (the guest).
    assert amounts(planned)["lecturer_fees"] == D(4 * 800_000 + 3 * 500_000 + 3 * 300_000)
    line = planned.budget_lines.get(kind="lecturer_fees")
    assert line.description.startswith("4 × 800.000 đ")


def test_two_lecturers_of_one_kind_are_counted_together(world, plan, programme):
    lecturers = [make_lecturer("A Một"), make_lecturer("B Hai")]
    planned = plan_course(plan, programme, world.department, sessions=5, lecturers=lecturers)
    assert amounts(planned)["lecturer_fees"] == D(5 * 500_000)
    assert planned.budget_lines.get(kind="lecturer_fees").description.startswith("5 × 500.000 đ")


def test_an_online_room_costs_nothing_and_half_days_round_to_whole_dong(world, plan, programme):
    online = plan_course(
        plan, programme, world.department, days=D("2.5"), venue=make_venue("Zoom", online=True)
    )
    assert amounts(online)["venue"] == 0
    hall = plan_course(plan, programme, world.department, name="Lớp 2", days=D("2.5"))
    assert amounts(hall)["venue"] == D(5_000_000)


def test_editing_a_planned_course_recomputes_its_lines(world, plan, programme):
    planned = plan_course(plan, programme, world.department, expected_learners=10)
    plan_services.planned_course_save(
        planned=planned, data={"expected_learners": 20}, actor=world.department
    )
    assert amounts(planned)["materials"] == D(20 * 150_000)
    assert planned.budget_lines.count() == 4


# --- Adjustments ----------------------------------------------------------------------------------


def test_an_adjustment_needs_a_note(world, plan, programme):
    planned = plan_course(plan, programme, world.department)
    line = planned.budget_lines.get(kind="other")
    with pytest.raises(ValidationError) as raised:
        plan_services.budget_line_adjust(
            line=line, amount=D(1_500_000), note="  ", actor=world.department
        )
    assert "adjustment_note" in raised.value.message_dict
    line.refresh_from_db()
    assert line.amount == D(1_000_000)


def test_the_database_refuses_an_adjustment_without_a_note(world, plan, programme):
    planned = plan_course(plan, programme, world.department)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.filter(planned_course=planned, kind="other").update(amount=D(5))


def test_recompute_keeps_adjusted_lines_flagged(world, plan, programme):
    planned = plan_course(plan, programme, world.department, expected_learners=10)
    line = planned.budget_lines.get(kind="materials")
    plan_services.budget_line_adjust(
        line=line, amount=D(2_000_000), note="Tài liệu in màu", actor=world.department
    )
    norms(materials_per_learner=200_000, other_per_course=1_200_000)
    assert plan_services.budget_recompute(plan=plan, actor=world.department) == 2
    line.refresh_from_db()
    assert (line.computed_amount, line.amount, line.adjustment_note) == (
        D(2_000_000),
        D(2_000_000),
        "Tài liệu in màu",
    )
    other = planned.budget_lines.get(kind="other")
    assert other.amount == other.computed_amount == D(1_200_000)
    norms(materials_per_learner=250_000)
    plan_services.budget_recompute(plan=plan, actor=world.department)
    line.refresh_from_db()
    assert line.computed_amount == D(2_500_000)
    assert line.amount == D(2_000_000) and line.adjustment_note


def test_giving_back_the_computed_amount_clears_the_adjustment(world, plan, programme):
    planned = plan_course(plan, programme, world.department)
    line = planned.budget_lines.get(kind="other")
    plan_services.budget_line_adjust(line=line, amount=D(1), note="Thử", actor=world.department)
    plan_services.budget_line_adjust(
        line=line, amount=D(1_000_000), note="", actor=world.department
    )
    line.refresh_from_db()
    assert line.adjustment_note == "" and line.amount == line.computed_amount


def test_stale_budget_is_detected_after_the_norms_change(world, plan, programme):
    plan_course(plan, programme, world.department)
    courses = list(plan_selectors.planned_courses(plan=plan))
    assert not plan_budget.budget_is_stale(
        courses=courses, lines=plan_budget.budget_lines(plan=plan), norms=BudgetNorms.current()
    )
    norms(fee_part_time=600_000)
    assert plan_budget.budget_is_stale(
        courses=courses, lines=plan_budget.budget_lines(plan=plan), norms=BudgetNorms.current()
    )


def test_only_department_officers_change_the_budget(world, plan, programme):
    planned = plan_course(plan, programme, world.department)
    line = planned.budget_lines.get(kind="other")
    for user in (world.leader, world.officer_a):
        with pytest.raises(PermissionDenied):
            plan_services.budget_line_adjust(line=line, amount=D(1), note="x", actor=user)
        with pytest.raises(PermissionDenied):
            plan_services.budget_recompute(plan=plan, actor=user)


def test_adjust_page_shows_the_error_and_keeps_what_was_typed(client, world, plan, programme):
    planned = plan_course(plan, programme, world.department)
    line = planned.budget_lines.get(kind="venue")
    client.force_login(world.department)
    url = reverse("planning:budget_adjust", args=[line.pk])
    response = client.post(url, {"amount": "3.500.000", "adjustment_note": ""})
    assert response.status_code == 422
    assert "3.500.000" in response.text
    response = client.post(url, {"amount": "3.500.000 đ", "adjustment_note": "Thuê thêm máy"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.amount == D(3_500_000) and line.adjustment_note == "Thuê thêm máy"


def test_plan_page_shows_money_vietnamese_style_and_flags_adjusted_lines(
    client, world, plan, programme
):
    planned = plan_course(plan, programme, world.department, expected_learners=10)
    line = planned.budget_lines.get(kind="materials")
    plan_services.budget_line_adjust(
        line=line, amount=D(1_750_000), note="In thêm", actor=world.department
    )
    FacilityNeed.objects.create(
        plan=plan, kind="equipment", description="Máy chiếu", estimated_cost=D(12_000_000)
    )
    client.force_login(world.leader)
    page = client.get(reverse("planning:plan_detail", args=[plan.pk])).text
    assert "1.750.000 đ" in page
    assert "In thêm" in page
    assert "Máy chiếu" in page
    totals = plan_budget.plan_totals(plan_budget.budget_lines(plan=plan), plan.facility_needs.all())
    assert totals.courses == D(4 * 500_000 + 1_750_000 + 2 * 2_000_000 + 1_000_000)
    assert totals.grand == totals.courses + D(12_000_000)
    assert f"{plan_budget.vnd(totals.grand)}" in page


# --- Money ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [(D(1_500_000), "1.500.000 đ"), (0, "0 đ"), (D(999), "999 đ"), (D(-2500), "-2.500 đ")],
)
def test_money_is_shown_vietnamese_style(value, text):
    assert plan_budget.vnd(value) == text


@pytest.mark.parametrize(
    ("typed", "value"),
    [("1.500.000", D(1_500_000)), ("1.500.000 đ", D(1_500_000)), ("2000", D(2000))],
)
def test_money_is_typed_vietnamese_style(typed, value):
    assert MoneyField().clean(typed) == value


def test_money_field_refuses_words():
    with pytest.raises(ValidationError):
        MoneyField().clean("một triệu")


# --- Norms page ----------------------------------------------------------------------------------


def test_department_edits_the_norms(client, world):
    client.force_login(world.department)
    url = reverse("planning:norms")
    assert client.get(url).status_code == 200
    data = {
        "fee_part_time": "550.000",
        "fee_guest": "900.000",
        "fee_full_time": "300.000",
        "materials_per_learner": "160.000",
        "venue_per_day": "2.500.000",
        "other_per_course": "1.000.000",
    }
    assert client.post(url, data).status_code == 302
    current = BudgetNorms.current()
    assert (current.fee_part_time, current.venue_per_day) == (D(550_000), D(2_500_000))


def test_norms_refuse_negative_amounts(client, world):
    client.force_login(world.department)
    data = dict.fromkeys(plan_services.NORM_FIELDS, "100")
    data["fee_guest"] = "-5"
    response = client.post(reverse("planning:norms"), data)
    assert response.status_code == 422


def test_leader_reads_the_norms_but_cannot_change_them(client, world):
    client.force_login(world.leader)
    url = reverse("planning:norms")
    response = client.get(url)
    assert response.status_code == 200 and "500.000 đ" in response.text
    assert client.post(url, dict.fromkeys(plan_services.NORM_FIELDS, "1")).status_code == 403


def test_org_officer_and_learner_cannot_see_the_norms(client, world):
    for user in (world.officer_a, world.learner):
        client.force_login(user)
        assert client.get(reverse("planning:norms")).status_code == 403


# --- Facility needs -------------------------------------------------------------------------------


def test_facility_need_needs_a_description_and_a_quantity(world, plan):
    need = FacilityNeed(plan=plan)
    with pytest.raises(ValidationError) as raised:
        plan_services.facility_save(
            need=need,
            data={"kind": "hall", "description": " ", "quantity": 0, "estimated_cost": D(-1)},
            actor=world.department,
        )
    assert set(raised.value.message_dict) == {"description", "quantity", "estimated_cost"}


def test_facility_need_pages(client, world, plan):
    client.force_login(world.department)
    response = client.post(
        reverse("planning:facility_create", args=[plan.pk]),
        {
            "kind": "online",
            "description": "Phòng họp trực tuyến 100 điểm cầu",
            "quantity": "1",
            "estimated_cost": "45.000.000",
        },
    )
    assert response.status_code == 302
    need = plan.facility_needs.get()
    assert need.estimated_cost == D(45_000_000)
    response = client.post(reverse("planning:facility_delete", args=[need.pk]))
    assert response.status_code == 302 and not plan.facility_needs.exists()
