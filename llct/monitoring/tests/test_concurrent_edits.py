"""Two department officers edit the same project, target, task or settings at once: neither
silently undoes the other (a stale save merges what the other did not touch, or is refused
with both values, keeping what was typed)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from llct.core.models import Role
from llct.core.tests.pages import assert_no_lost_update, two_clients
from llct.monitoring.models import Assignment, Project, Target, Task
from llct.organizations.tests.factories import make_user


@pytest.fixture
def two(world):
    return two_clients(world.department, make_user("bantuyengiao2", Role.DEPARTMENT))


@pytest.fixture
def project(world):
    return Project.objects.create(
        number="06-ĐA/TU", title="Đề án thử", issuer=world.province, start_year=2021, end_year=2025
    )


def test_project_edits_at_once_merge_or_refuse(two, project):
    assert_no_lost_update(
        two,
        reverse("monitoring:project_edit", args=[project.pk]),
        having="start_year",
        first={"title": "Đề án nâng cao chất lượng học tập lý luận"},
        second={"summary": "Tóm tắt mới", "end_year": "2026"},
        clash=("number", "07-ĐA/TU", "08-ĐA/TU"),
    )


def test_target_edits_at_once_merge_or_refuse(two, project):
    target = Target.objects.create(
        project=project, code="1.8", title="Hội trường đạt chuẩn", final_value=Decimal(80)
    )
    assert_no_lost_update(
        two,
        reverse("monitoring:target_edit", args=[target.pk]),
        having="final_value",
        first={"title": "Hội trường đạt chuẩn quốc gia"},
        second={"milestone_2023": "50"},
        clash=("final_value", "85", "90"),
    )


def test_task_edits_at_once_merge_or_refuse(two, world, project):
    task = Task.objects.create(
        project=project, title="Xây dựng kế hoạch", deadline=dt.date(2021, 6, 30)
    )
    Assignment.objects.create(task=task, organization=world.org_a)
    assert_no_lost_update(
        two,
        reverse("monitoring:task_edit", args=[task.pk]),
        having="deadline",
        first={"description": "Mỗi đảng ủy xây dựng một kế hoạch"},
        second={"organizations": [str(world.org_a.pk), str(world.org_b.pk)]},
        clash=("title", "Xây dựng kế hoạch năm", "Ban hành kế hoạch"),
    )


def test_settings_edits_at_once_merge_or_refuse(two):
    assert_no_lost_update(
        two,
        reverse("monitoring:settings"),
        having="probation_watch_days",
        first={"certificate_watch_days": "120"},
        second={"at_risk_points": "3"},
        clash=("probation_watch_days", "45", "30"),
    )
