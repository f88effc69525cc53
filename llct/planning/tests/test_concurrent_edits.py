"""Two officers edit the same annual plan, planned course, budget line, facility need, norms,
nomination round, position requirement or submitted list at once: neither silently undoes the
other."""

from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from llct.core.models import Role
from llct.core.tests.pages import assert_no_lost_update, two_clients
from llct.organizations.tests.factories import make_user
from llct.planning.models import FacilityNeed, PositionRequirement
from llct.planning.nominations import services as nom_services
from llct.planning.plans import services as plan_services
from llct.planning.tests.plan_factories import (
    make_lecturer,
    make_plan,
    make_programme,
    make_venue,
    plan_course,
)
from llct.planning.tests.test_rounds import NOW, make_round, programme
from llct.planning.tests.test_suggestions import probationary


@pytest.fixture
def departments(world):
    return two_clients(world.department, make_user("bantuyengiao2", Role.DEPARTMENT))


@pytest.fixture
def plan(world):
    return make_plan(world.province)


def test_annual_plan_edits_at_once_merge_or_refuse(departments, plan):
    assert_no_lost_update(
        departments,
        reverse("planning:plan_edit", args=[plan.pk]),
        having="introduction",
        first={"number": "131-KH/BTG"},
        second={"place": "Hòa Bình"},
        clash=("title", "Kế hoạch bồi dưỡng năm 2027", "Kế hoạch đào tạo năm 2027"),
    )


def test_planned_course_edits_at_once_merge_or_refuse(world, departments, plan):
    planned = plan_course(plan, make_programme("Bồi dưỡng nghiệp vụ"), world.department)
    lecturer = make_lecturer("Trần Văn Báo")
    assert_no_lost_update(
        departments,
        reverse("planning:planned_course_edit", args=[planned.pk]),
        having="expected_learners",
        first={"expected_learners": "45", "lecturers": str(lecturer.pk)},
        second={"venue": str(make_venue().pk), "month": "5"},
        clash=("sessions", "6", "8"),
    )


def test_budget_line_edits_at_once_merge_or_refuse(world, departments, plan):
    planned = plan_course(plan, make_programme("Bồi dưỡng nghiệp vụ"), world.department)
    line = planned.budget_lines.get(kind="materials")
    plan_services.budget_line_adjust(
        line=line, amount=Decimal(4_000_000), note="Tài liệu in màu", actor=world.department
    )
    assert_no_lost_update(
        departments,
        reverse("planning:budget_adjust", args=[line.pk]),
        having="amount",
        first={"adjustment_note": "Tài liệu in màu, có bìa cứng"},
        second={"amount": "4.800.000"},
        clash=("amount", "5.000.000", "3.000.000"),
    )


def test_facility_need_edits_at_once_merge_or_refuse(departments, plan):
    need = FacilityNeed.objects.create(
        plan=plan, kind="equipment", description="Máy chiếu", quantity=1, estimated_cost=0
    )
    assert_no_lost_update(
        departments,
        reverse("planning:facility_edit", args=[need.pk]),
        having="quantity",
        first={"description": "Máy chiếu và màn chiếu"},
        second={"estimated_cost": "15.000.000"},
        clash=("quantity", "2", "3"),
    )


def test_budget_norms_edits_at_once_merge_or_refuse(departments):
    assert_no_lost_update(
        departments,
        reverse("planning:norms"),
        having="fee_guest",
        first={"fee_guest": "900.000"},
        second={"materials_per_learner": "200.000"},
        clash=("venue_per_day", "2.500.000", "3.000.000"),
    )


def test_nomination_round_edits_at_once_merge_or_refuse(departments):
    nomination_round = make_round(codes=("NTVD", "DVM"))
    with time_machine.travel(NOW, tick=False):
        assert_no_lost_update(
            departments,
            reverse("planning:round_edit", args=[nomination_round.pk]),
            having="deadline",
            first={"instructions": "Gửi danh sách trước ngày 15/12."},
            second={"programmes": [str(programme("NTVD").pk), str(programme("SC").pk)]},
            clash=("deadline", "20/12/2026", "10/12/2026"),
        )


def test_position_requirement_edits_at_once_merge_or_refuse(departments):
    requirement = PositionRequirement.objects.create(
        position="trưởng ban tuyên giáo", required_level=1, programme=programme("DVM")
    )
    assert_no_lost_update(
        departments,
        reverse("planning:requirement_edit", args=[requirement.pk]),
        having="position",
        first={"programme": str(programme("SC").pk)},
        second={"required_level": "2"},
        clash=("position", "trưởng ban tuyên giáo tỉnh", "phó trưởng ban tuyên giáo"),
    )


def test_nomination_list_edits_at_once_merge_or_refuse(world):
    nomination_round = make_round()
    with time_machine.travel(NOW, tick=False):
        people = [probationary(world.org_a1, name) for name in ("Lê Văn Một", "Lê Văn Hai")]
        nom_services.nominations_accept(
            keys=[],
            all_urgent=True,
            nomination_round=nomination_round,
            organization=world.org_a1,
            actor=world.officer_a,
            today=NOW.date(),
        )
        one, two = (p.nominations.get() for p in people)
        assert_no_lost_update(
            two_clients(world.officer_a, world.department),
            reverse("planning:submission", args=[nomination_round.pk, world.org_a1.pk]),
            having=f"note-{one.pk}",
            first={f"note-{one.pk}": "Học xong trước tháng 9", f"quarter-{two.pk}": "2"},
            second={f"priority-{two.pk}": "1"},
            clash=(f"quarter-{one.pk}", "3", "4"),
            extra=lambda data: data.update(action="save"),
        )
