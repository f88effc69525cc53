"""Projects, targets, tasks, progress reports and values entered by hand: who may act, and
what the database holds afterwards."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from llct.monitoring.models import (
    Assignment,
    Milestone,
    MonitoringSettings,
    ProgressReport,
    Project,
    Target,
    TargetEntry,
    Task,
)


@pytest.fixture
def project(world):
    return Project.objects.create(
        number="06-ĐA/TU", title="Đề án thử", issuer=world.province, start_year=2021, end_year=2025
    )


def test_department_creates_a_project(client, world):
    client.force_login(world.department)
    response = client.post(
        reverse("monitoring:project_create"),
        {
            "number": "15-ĐA/TU",
            "title": "Đề án giai đoạn 2026–2030",
            "issuer": world.province.pk,
            "start_year": 2026,
            "end_year": 2030,
            "resolutions": "Nghị quyết số 35-NQ/TW\n\nhttps://example.vn/nq35",
        },
    )
    project = Project.objects.get(number="15-ĐA/TU")
    assert response.status_code == 302
    assert project.resolutions == "Nghị quyết số 35-NQ/TW\nhttps://example.vn/nq35"
    page = client.get(reverse("monitoring:project", args=[project.pk])).text
    assert 'href="https://example.vn/nq35"' in page


def test_period_must_be_ordered(client, world):
    client.force_login(world.department)
    response = client.post(
        reverse("monitoring:project_create"),
        {
            "number": "X",
            "title": "X",
            "issuer": world.province.pk,
            "start_year": 2030,
            "end_year": 2026,
        },
    )
    assert response.status_code == 422
    assert not Project.objects.exists()


@pytest.mark.parametrize("who", ["leader", "officer_a", "learner"])
def test_only_the_department_manages_projects(client, world, project, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("monitoring:project_create")).status_code == 403
    assert (
        client.post(
            reverse("monitoring:target_create", args=[project.pk]),
            {"code": "1", "title": "x", "final_value": "1"},
        ).status_code
        == 403
    )
    assert not Target.objects.exists()


def test_target_with_an_indicator_and_milestones(client, world, project):
    client.force_login(world.department)
    response = client.post(
        reverse("monitoring:target_create", args=[project.pk]),
        {
            "code": "1.1",
            "title": "Đảng viên mới được bồi dưỡng",
            "indicator": "new_member_trained",
            "direction": "at_least",
            "final_value": "100",
            "scope": "whole",
            "manual_unit": "percent",
            "milestone_2021": "90",
            "milestone_2025": "100",
        },
    )
    assert response.status_code == 302
    target = Target.objects.get()
    assert dict(target.milestones.values_list("year", "value")) == {
        2021: Decimal(90),
        2025: Decimal(100),
    }
    client.post(
        reverse("monitoring:target_edit", args=[target.pk]),
        {
            "code": "1.1",
            "title": "Đảng viên mới được bồi dưỡng",
            "indicator": "new_member_trained",
            "direction": "at_least",
            "final_value": "100",
            "scope": "whole",
            "manual_unit": "percent",
            "milestone_2022": "93",
        },
    )
    assert list(Milestone.objects.values_list("year", flat=True)) == [2022]


def test_each_of_kind_needs_the_kind(client, world, project):
    client.force_login(world.department)
    response = client.post(
        reverse("monitoring:target_create", args=[project.pk]),
        {
            "code": "1.6",
            "title": "Cán bộ trung cấp",
            "indicator": "cadres_trung_cap",
            "direction": "at_least",
            "final_value": "30",
            "scope": "each_of_kind",
            "manual_unit": "percent",
        },
    )
    assert response.status_code == 422
    assert not Target.objects.exists()


def test_position_group_must_be_a_required_position(client, world, project):
    client.force_login(world.department)
    data = {
        "code": "1.7",
        "title": "Trưởng phòng",
        "indicator": "cadres_trung_cap",
        "direction": "at_least",
        "final_value": "100",
        "scope": "whole",
        "manual_unit": "percent",
        "variant": "trưởng phòng",
    }
    assert (
        client.post(reverse("monitoring:target_create", args=[project.pk]), data).status_code == 302
    )
    assert Target.objects.get().variant == "trưởng phòng"


@pytest.fixture
def task(world, project):
    created = Task.objects.create(
        project=project, title="Xây dựng kế hoạch", deadline=dt.date(2021, 6, 30)
    )
    Assignment.objects.create(task=created, organization=world.org_a)
    Assignment.objects.create(task=created, organization=world.org_b)
    return created


def test_department_assigns_a_task(client, world, project):
    client.force_login(world.department)
    response = client.post(
        reverse("monitoring:task_create", args=[project.pk]),
        {
            "kind": "task",
            "code": "1",
            "title": "Rà soát cán bộ",
            "deadline": "2022-03-31",
            "organizations": [world.org_a.pk, world.org_b1.pk],
        },
    )
    assert response.status_code == 302
    assigned = set(Assignment.objects.values_list("organization_id", flat=True))
    assert assigned == {world.org_a.pk, world.org_b1.pk}


def test_an_organization_that_reported_stays_on_the_task(client, world, task):
    ProgressReport.objects.create(
        assignment=task.assignments.get(organization=world.org_b),
        status="in_progress",
        note="Đang làm",
        reported_on=dt.date(2021, 5, 1),
    )
    client.force_login(world.department)
    response = client.post(
        reverse("monitoring:task_edit", args=[task.pk]),
        {
            "kind": "task",
            "title": task.title,
            "deadline": "2021-06-30",
            "organizations": [world.org_a.pk],
        },
    )
    assert response.status_code == 422
    assert task.assignments.count() == 2


def test_officer_reports_progress_with_evidence(client, world, task):
    mine = task.assignments.get(organization=world.org_a)
    client.force_login(world.officer_a)
    response = client.post(
        reverse("monitoring:assignment_report", args=[mine.pk]),
        {
            "status": "done",
            "note": "Đã ban hành Kế hoạch số 12-KH/ĐU",
            "reported_on": "2021-06-20",
            "evidence": SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.4 ke hoach"),
        },
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.done_on) == ("done", dt.date(2021, 6, 20))
    report = ProgressReport.objects.get()
    download = client.get(reverse("monitoring:report_evidence", args=[report.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 ke hoach"
    client.force_login(world.officer_b)
    assert client.get(reverse("monitoring:report_evidence", args=[report.pk])).status_code == 404


def test_officer_cannot_report_for_another_subtree_nor_leader_at_all(client, world, task):
    theirs = task.assignments.get(organization=world.org_b)
    client.force_login(world.officer_a)
    data = {"status": "done", "note": "x", "reported_on": "2021-06-20"}
    assert (
        client.post(reverse("monitoring:assignment_report", args=[theirs.pk]), data).status_code
        == 404
    )
    assert client.get(reverse("monitoring:assignment", args=[theirs.pk])).status_code == 404
    client.force_login(world.leader)
    assert (
        client.post(reverse("monitoring:assignment_report", args=[theirs.pk]), data).status_code
        == 403
    )
    assert not ProgressReport.objects.exists()


def test_overdue_assignments_stand_out(client, world, task):
    client.force_login(world.officer_a)
    page = client.get(reverse("monitoring:project", args=[task.project_id])).text
    assert "Quá hạn" in page
    assert "Đảng ủy Khối B" not in page  # B's assignment is not shown to A's officer


@pytest.fixture
def manual(project):
    return Target.objects.create(
        project=project, code="1.8", title="Hội trường đạt chuẩn", final_value=Decimal(80)
    )


def test_values_of_a_manual_target_need_evidence(client, world, manual):
    client.force_login(world.department)
    url = reverse("monitoring:target_entries", args=[manual.pk])
    data = {"organization": world.province.pk, "year": 2023, "value": "66", "note": "Kiểm tra"}
    assert client.post(url, data).status_code == 422
    data["evidence"] = SimpleUploadedFile("bien-ban.docx", b"PK bien ban")
    assert client.post(url, data).status_code == 302
    entry = TargetEntry.objects.get()
    assert (entry.value, entry.evidence_name) == (Decimal(66), "bien-ban.docx")
    download = reverse("monitoring:entry_evidence", args=[entry.pk])
    assert b"".join(client.get(download).streaming_content) == b"PK bien ban"
    # A file lost from storage (a restore without the media folder) is not found, not an error.
    name = entry.evidence.name
    assert name
    entry.evidence.storage.delete(name)
    assert client.get(download).status_code == 404


def test_officer_enters_values_only_for_their_subtree(client, world, manual):
    client.force_login(world.officer_a)
    url = reverse("monitoring:target_entries", args=[manual.pk])
    data = {
        "organization": world.org_b.pk,
        "year": 2023,
        "value": "66",
        "evidence": SimpleUploadedFile("b.docx", b"PK"),
    }
    assert client.post(url, data).status_code == 422  # not a choice for A's officer
    assert not TargetEntry.objects.exists()


def test_settings_are_the_departments(client, world):
    client.force_login(world.leader)
    assert client.get(reverse("monitoring:settings")).status_code == 403
    client.force_login(world.department)
    client.post(
        reverse("monitoring:settings"),
        {"probation_watch_days": 45, "certificate_watch_days": 90, "at_risk_points": "3"},
    )
    assert MonitoringSettings.current().probation_watch_days == 45


def test_project_pages_pin_their_queries(client, world, task, django_assert_max_num_queries):
    client.force_login(world.department)
    with django_assert_max_num_queries(14):
        client.get(reverse("monitoring:projects"))
    with django_assert_max_num_queries(16):
        client.get(reverse("monitoring:project", args=[task.project_id]))
