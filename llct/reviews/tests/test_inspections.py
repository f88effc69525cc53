"""Inspections: subject figures from the data, findings per checklist item, recommendations,
remedies accepted or reopened, overdue recommendations for the watchlists, and who may act."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from llct.reviews import inspections as ins
from llct.reviews.models import Evidence, Finding, Recommendation, Remedy
from llct.reviews.tests.factories import department_issuer, inspection, results_world

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 7, 10)


def _recommendation(world, insp, *, deadline=dt.date(2026, 8, 31), org=None):
    return ins.recommendation_create(
        inspection=insp,
        organization=org or world.org_a1,
        text="Cử đủ đảng viên dự bị đi học lớp đảng viên mới.",
        deadline=deadline,
        finding=None,
        today=TODAY,
        actor=world.department,
    )


def test_subject_figures_come_from_the_registry(world):
    results_world(world)
    insp = inspection(world)
    sheet = ins.subject_sheet(insp)
    rows = sheet[0]["rows"]
    assert sheet[0]["organization"] == world.org_a
    assert rows[1]["figure"].startswith("83,3%")  # 5 of A's 6 learners passed
    assert rows[1]["figure"].endswith("(5/6)")
    assert rows[2]["figure"] == ""  # no figure for a paper check


def test_team_records_findings_with_evidence(client, world):
    insp = inspection(world)
    item = insp.checklist.items.get(position=3)
    client.force_login(world.department)
    url = reverse("reviews:finding_record", args=[insp.pk, world.org_a.pk, item.pk])
    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client.post(
        url, {"result": "not_met", "note": "Thiếu sổ điểm danh.", "file": upload}
    )
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert finding.result == "not_met"
    assert Evidence.objects.get().finding == finding
    insp.refresh_from_db()
    assert insp.status == "in_progress"


def test_not_met_needs_a_note(world):
    insp = inspection(world)
    with pytest.raises(ValidationError):
        ins.finding_record(
            inspection=insp,
            organization=world.org_a,
            item=insp.checklist.items.get(position=1),
            result="not_met",
            note="",
            actor=world.department,
        )


def test_officer_outside_the_team_cannot_record(client, world):
    insp = inspection(world)
    item = insp.checklist.items.first()
    client.force_login(world.officer_a)
    url = reverse("reviews:finding_record", args=[insp.pk, world.org_a.pk, item.pk])
    assert client.post(url, {"result": "met"}).status_code == 403
    client.force_login(world.officer_b)
    assert client.get(reverse("reviews:inspection", args=[insp.pk])).status_code == 404
    assert client.post(url, {"result": "met"}).status_code == 404
    assert not Finding.objects.exists()


def test_subject_reports_a_remedy_and_the_team_reopens_then_accepts(client, world):
    insp = inspection(world)
    rec = _recommendation(world, insp)
    client.force_login(world.officer_a)
    url = reverse("reviews:recommendation", args=[rec.pk])
    client.post(url, {"text": "Đã cử 5 đồng chí học lớp tháng 8."})
    rec.refresh_from_db()
    assert rec.status == Recommendation.Status.REPORTED
    remedy = Remedy.objects.get()
    # The subject may not decide on its own remedy.
    decide = reverse("reviews:remedy_decide", args=[remedy.pk])
    assert client.post(decide, {"decision": "accept"}).status_code == 403
    client.force_login(world.department)
    client.post(decide, {"decision": "reopen", "comment": ""})
    remedy.refresh_from_db()
    assert remedy.decision == "pending"  # reopening needs a comment
    client.post(decide, {"decision": "reopen", "comment": "Chưa có quyết định cử đi học."})
    rec.refresh_from_db()
    assert rec.status == Recommendation.Status.REOPENED
    client.force_login(world.officer_a)
    client.post(url, {"text": "Đã có Quyết định số 12-QĐ/ĐU."})
    second = Remedy.objects.latest("id")
    client.force_login(world.department)
    client.post(reverse("reviews:remedy_decide", args=[second.pk]), {"decision": "accept"})
    rec.refresh_from_db()
    assert rec.status == Recommendation.Status.ACCEPTED


def test_officer_of_b_cannot_report_a_remedy_for_a(client, world):
    rec = _recommendation(world, inspection(world))
    client.force_login(world.officer_b)
    response = client.post(reverse("reviews:recommendation", args=[rec.pk]), {"text": "x"})
    assert response.status_code == 404
    assert not Remedy.objects.exists()


def test_overdue_recommendations_for_the_watchlists(world):
    insp = inspection(world)
    overdue = _recommendation(world, insp, deadline=dt.date(2026, 7, 20))
    _recommendation(world, insp, deadline=dt.date(2026, 9, 1))
    later = dt.date(2026, 8, 1)
    assert list(ins.recommendations_overdue(user=world.department, today=later)) == [overdue]
    assert list(ins.recommendations_overdue(user=world.officer_a, today=later)) == [overdue]
    assert list(ins.recommendations_overdue(user=world.officer_b, today=later)) == []
    overdue.status = Recommendation.Status.ACCEPTED
    overdue.save()
    assert not ins.recommendations_overdue(user=world.department, today=later).exists()


def test_a_recommendation_goes_to_a_subject_or_below(world):
    insp = inspection(world)
    with pytest.raises(ValidationError):
        _recommendation(world, insp, org=world.org_b1)


def test_conclusion_takes_a_notice_number(client, world):
    department_issuer(world)
    insp = inspection(world)
    ins.finding_record(
        inspection=insp,
        organization=world.org_a,
        item=insp.checklist.items.get(position=1),
        result="met",
        note="",
        actor=world.department,
    )
    insp = ins.inspection_conclude(
        inspection=insp, conclusion="Cơ bản thực hiện tốt.", today=TODAY, actor=world.department
    )
    assert insp.number == "01-TB/BTG"
    client.force_login(world.department)
    response = client.get(reverse("reviews:inspection_docx", args=[insp.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_programme_page_queries_are_pinned(client, world, django_assert_max_num_queries):
    insp = inspection(world)
    _recommendation(world, insp, deadline=dt.date(2026, 7, 20))
    client.force_login(world.department)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reviews:inspections") + "?year=2026")
    assert response.status_code == 200
    assert insp.title in response.content.decode()


def test_the_watchlist_selector_and_the_home_page(client, world):
    from llct.reviews.selectors import overdue_recommendations

    insp = inspection(world)
    overdue = _recommendation(world, insp, deadline=dt.date(2026, 7, 20))
    later = dt.date(2026, 8, 1)
    assert list(overdue_recommendations(prefix="/", today=later)) == [overdue]
    assert list(overdue_recommendations(prefix=world.org_a.path, today=later)) == [overdue]
    assert not overdue_recommendations(prefix=world.org_b.path, today=later).exists()
    import time_machine

    with time_machine.travel(dt.datetime(2026, 8, 1, 9, tzinfo=dt.UTC)):
        client.force_login(world.officer_a)
        assert "1 kiến nghị sau kiểm tra đã quá hạn" in client.get("/").content.decode()
        client.force_login(world.officer_b)
        assert "kiến nghị sau kiểm tra" not in client.get("/").content.decode()
