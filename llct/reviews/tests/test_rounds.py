"""Reporting rounds: opening, writing, submitting, returning, resubmitting, reminding; who may
see, edit, submit and return what."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from llct.reviews import rounds
from llct.reviews.models import Report, ReportEvent
from llct.reviews.tests.factories import department_issuer, half_year_round

pytestmark = pytest.mark.django_db
SUBMIT = {
    "results": "Đã tổ chức các lớp theo kế hoạch.",
    "limitations": "Một số lớp chậm.",
    "lessons": "",
    "directions": "Tiếp tục bồi dưỡng đảng viên mới.",
    "proposals": "",
    "submit": "1",
}


def _report(reporting_round, org):
    return Report.objects.get(round=reporting_round, organization=org, is_department=False)


def test_opening_a_round_gives_each_organization_a_report_from_the_template(world):
    reporting_round = half_year_round(world)
    reports = Report.objects.filter(round=reporting_round)
    assert reports.count() == 3  # A, B and the department's roll-up
    dept = reports.get(is_department=True)
    assert dept.organization == world.province
    assert _report(reporting_round, world.org_a).results.startswith("Công tác giáo dục")


@time_machine.travel(dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC))
def test_officer_fills_submits_and_gets_a_number(client, world):
    reporting_round = half_year_round(world)
    report = _report(reporting_round, world.org_a)
    client.force_login(world.officer_a)
    response = client.post(reverse("reviews:report", args=[report.pk]), SUBMIT)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    assert report.number == "01-BC/ĐU"
    assert report.results == SUBMIT["results"]


@time_machine.travel(dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC))
def test_department_returns_and_the_resubmission_keeps_the_number(client, world):
    reporting_round = half_year_round(world)
    report = _report(reporting_round, world.org_a)
    rounds.report_submit(report=report, actor=world.officer_a, today=dt.date(2026, 7, 1))
    client.force_login(world.department)
    url = reverse("reviews:report_return", args=[report.pk])
    assert client.post(url, {"comment": ""}).status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED  # a return needs a comment
    client.post(url, {"comment": "Bổ sung nguyên nhân hạn chế."})
    report.refresh_from_db()
    assert report.status == Report.Status.RETURNED
    client.force_login(world.officer_a)
    client.post(reverse("reviews:report", args=[report.pk]), SUBMIT)
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    assert report.number == "01-BC/ĐU"
    actions = list(report.events.values_list("action", flat=True))
    assert actions == ["submitted", "returned", "submitted"]


def test_officer_of_b_cannot_see_a_report_of_a(client, world):
    reporting_round = half_year_round(world)
    report = _report(reporting_round, world.org_a)
    client.force_login(world.officer_b)
    assert client.get(reverse("reviews:report", args=[report.pk])).status_code == 404
    assert client.post(reverse("reviews:report", args=[report.pk]), SUBMIT).status_code == 404
    assert client.get(reverse("reviews:report_docx", args=[report.pk])).status_code == 404
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT


def test_officer_cannot_see_the_departments_report(client, world):
    reporting_round = half_year_round(world)
    dept = Report.objects.get(round=reporting_round, is_department=True)
    client.force_login(world.officer_a)
    assert client.get(reverse("reviews:report", args=[dept.pk])).status_code == 404


def test_officer_may_not_return_nor_open_rounds(client, world):
    reporting_round = half_year_round(world)
    report = _report(reporting_round, world.org_a)
    rounds.report_submit(report=report, actor=world.officer_a, today=dt.date(2026, 6, 25))
    client.force_login(world.officer_a)
    url = reverse("reviews:report_return", args=[report.pk])
    assert client.post(url, {"comment": "x"}).status_code == 403
    assert client.get(reverse("reviews:round_open")).status_code == 403
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED


def test_leader_reads_but_cannot_edit(client, world):
    reporting_round = half_year_round(world)
    report = _report(reporting_round, world.org_a)
    client.force_login(world.leader)
    response = client.get(reverse("reviews:report", args=[report.pk]))
    assert response.status_code == 200
    assert not response.context["editable"]
    client.post(reverse("reviews:report", args=[report.pk]), SUBMIT)
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT


def test_learner_sees_no_rounds(client, world):
    half_year_round(world)
    client.force_login(world.learner)
    assert client.get(reverse("reviews:rounds")).status_code == 403


def test_submission_needs_the_main_sections(world):
    reporting_round = half_year_round(world)
    report = _report(reporting_round, world.org_a)
    rounds.report_save(report=report, sections={"results": ""}, actor=world.officer_a)
    with pytest.raises(Exception, match="Kết quả đạt được"):
        rounds.report_submit(report=report, actor=world.officer_a, today=dt.date(2026, 6, 25))


def test_late_organizations_are_listed_and_reminded(client, world, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    world.officer_b.email = "canbo_b@example.vn"
    world.officer_b.save()
    reporting_round = half_year_round(world)
    rounds.report_submit(
        report=_report(reporting_round, world.org_a),
        actor=world.officer_a,
        today=dt.date(2026, 7, 1),
    )
    table = rounds.status_table(
        user=world.department, reporting_round=reporting_round, today=dt.date(2026, 7, 6)
    )
    assert [(r.organization, r.late) for r in table.rows] == [
        (world.org_a, False),
        (world.org_b, True),
    ]
    assert table.late == 1
    client.force_login(world.department)
    client.post(reverse("reviews:round_remind", args=[reporting_round.pk]))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["canbo_b@example.vn"]
    assert "Đảng ủy Khối B" in mail.outbox[0].subject
    assert ReportEvent.objects.filter(action="reminded").count() == 1


def test_status_page_queries_do_not_grow_with_organizations(
    client, world, django_assert_max_num_queries
):
    from llct.organizations.tests.factories import make_org

    reporting_round = half_year_round(world)
    client.force_login(world.department)
    url = reverse("reviews:round_status", args=[reporting_round.pk])
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    baseline = len(few.captured_queries)
    extra = [
        make_org(f"Đảng ủy {n}", parent=world.province, kind_code="truc_thuoc") for n in range(5)
    ]
    Report.objects.bulk_create([Report(round=reporting_round, organization=o) for o in extra])
    with django_assert_max_num_queries(baseline):
        response = client.get(url)
    assert response.content.decode().count('id="report-') == 7
    # A province's thousand organizations: counted in one query, listed a page at a time.
    more = [make_org(f"Chi bộ {n}", parent=world.province) for n in range(60)]
    Report.objects.bulk_create([Report(round=reporting_round, organization=o) for o in more])
    with django_assert_max_num_queries(baseline + 1):
        response = client.get(url)
    assert response.content.decode().count('id="report-') == 50
    assert response.context["table"].total == 67


def test_department_issues_its_roll_up_with_its_own_number(client, world):
    department_issuer(world)
    reporting_round = half_year_round(world)
    dept = Report.objects.get(round=reporting_round, is_department=True)
    client.force_login(world.department)
    client.post(reverse("reviews:report_issue", args=[dept.pk]))
    dept.refresh_from_db()
    assert dept.number.endswith("-BC/BTG")
    assert dept.status == Report.Status.SUBMITTED
