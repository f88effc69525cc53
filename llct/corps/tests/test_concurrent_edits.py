"""Two officers edit the same standards, equipment, investment proposal, follow-up settings or
follow-up evaluation at once: neither silently undoes the other (a stale save merges what the
other did not touch, or is refused with both values, keeping what was typed)."""

import datetime as dt

import pytest
from django.urls import reverse

from llct.core.models import Role
from llct.core.tests.pages import assert_no_lost_update, two_clients
from llct.corps import followups, services
from llct.corps.models import Equipment, FollowUp, FollowUpCriterion, InvestmentProposal
from llct.corps.tests.factories import make_finished_course
from llct.curriculum.tests.factories import make_lecturer
from llct.organizations.models import TheoryLevel
from llct.organizations.tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(world):
    return two_clients(world.department, make_user("bantuyengiao2", Role.DEPARTMENT))


def test_standards_edits_at_once_merge_or_refuse(two, world):
    lecturer = make_lecturer()
    services.standards_set(
        lecturer=lecturer,
        post="part_time",
        theory_level=TheoryLevel.CAO_CAP,
        actor=world.department,
    )
    assert_no_lost_update(
        two,
        reverse("corps:standards", args=[lecturer.pk]),
        having="degree",
        first={"degree": "Thạc sĩ Chính trị học"},
        second={"lecturer_training_year": "2024"},
        clash=("lecturer_training", "Lớp nghiệp vụ báo cáo viên", "Lớp giảng viên kiêm chức"),
    )


def test_equipment_edits_at_once_merge_or_refuse(two):
    item = Equipment.objects.create(name="Máy chiếu hội trường", kind="projector")
    assert_no_lost_update(
        two,
        reverse("corps:equipment_edit", args=[item.pk]),
        having="location",
        first={"location": "Hội trường tầng 2"},
        second={"condition": "worn"},
        clash=("name", "Máy chiếu Epson", "Máy chiếu phòng học"),
    )


def test_proposal_edits_at_once_merge_or_refuse(two):
    item = InvestmentProposal.objects.create(
        title="Trang bị phòng học trực tuyến", cost=100, year=2026
    )
    assert_no_lost_update(
        two,
        reverse("corps:proposal_edit", args=[item.pk]),
        having="cost",
        first={"note": "Ưu tiên năm 2026"},
        second={"status": "approved"},
        clash=("cost", "120.000.000", "150.000.000"),
    )


def test_followup_settings_edits_at_once_merge_or_refuse(two):
    assert_no_lost_update(
        two,
        reverse("corps:followup_settings"),
        having="months_after",
        first={"months_after": "9"},
        second={},
        clash=("months_after", "12", "3"),
    )


def test_followup_evaluations_at_once_merge_or_refuse(world):
    make_finished_course(world.province, [world.person_a], dt.date(2025, 5, 30))
    followups.followups_open(today=dt.date(2026, 12, 5))
    asked = FollowUp.objects.get(enrolment__person=world.person_a)
    first, second = FollowUpCriterion.objects.filter(is_active=True).order_by("order", "pk")[:2]
    criteria = FollowUpCriterion.objects.filter(is_active=True)
    followups.followup_answer(
        follow_up=asked, scores={c.pk: (3, "") for c in criteria}, actor=world.officer_a
    )
    officers = two_clients(world.officer_a, make_user("canbo_a2", Role.ORG_OFFICER, world.org_a))
    assert_no_lost_update(
        officers,
        reverse("corps:followup", args=[asked.pk]),
        having=f"score_{first.pk}",
        first={f"note_{first.pk}": "Tích cực"},
        second={f"score_{second.pk}": "5"},
        clash=(f"score_{first.pk}", "4", "2"),
    )
