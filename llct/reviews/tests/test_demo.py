"""The demo's oversight and reports: the half-year round with organizations late and one
report returned, an inspection with three findings and an overdue recommendation, two
briefings; the department's roll-up report downloads."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from docx import Document

from llct.core.models import User
from llct.organizations.demo import demo_reset, demo_seed
from llct.reviews import inspections, rounds
from llct.reviews.models import Briefing, Finding, Inspection, Report, ReportingRound

TODAY = dt.date(2026, 12, 5)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        summary = demo_seed(people=300, seed=7, today=TODAY)
        yield summary
        demo_reset()


@pytest.mark.django_db
def test_the_half_year_round_has_late_and_returned_reports(demo):
    assert demo.reviews is not None
    reporting_round = ReportingRound.objects.get()
    assert reporting_round.title.endswith("năm 2026")
    department = User.objects.get(username="bantuyengiao")
    table = rounds.status_table(user=department, reporting_round=reporting_round, today=TODAY)
    assert table.late >= 2
    assert table.returned == 1
    returned = Report.objects.get(status=Report.Status.RETURNED)
    assert returned.organization.code == "HBS-CQD"  # the demo officer canbo_khoi's
    assert returned.events.filter(action="returned").exists()


@pytest.mark.django_db
def test_an_inspection_with_three_findings_and_an_overdue_recommendation(demo):
    concluded = Inspection.objects.get(status=Inspection.Status.CONCLUDED)
    assert Finding.objects.filter(inspection=concluded).count() == 3
    assert concluded.number == "01-TB/BTG"
    department = User.objects.get(username="bantuyengiao")
    assert inspections.recommendations_overdue(user=department, today=TODAY).count() == 1
    assert Briefing.objects.count() == 2


@pytest.mark.django_db
def test_the_provinces_report_downloads(client, demo):
    client.force_login(User.objects.get(username="bantuyengiao"))
    report = Report.objects.get(is_department=True)
    response = client.get(reverse("reviews:report_docx", args=[report.pk]))
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    assert "BAN TUYÊN GIÁO VÀ DÂN VẬN" in [p.text for p in document.tables[0].cell(0, 0).paragraphs]
