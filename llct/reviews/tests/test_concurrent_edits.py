"""Two officers edit the same programme, inspection, checklist, briefing, round, report,
template or issuer at once: neither silently undoes the other (a stale save merges what the
other did not touch, or is refused with both values, keeping what was typed)."""

import datetime as dt

import pytest
from django.urls import reverse

from llct.core.models import Role
from llct.core.tests.pages import assert_no_lost_update, two_clients
from llct.organizations.tests.factories import make_user
from llct.reviews import briefings as brief
from llct.reviews.models import InspectionProgramme, Report, RoundKind
from llct.reviews.tests import factories as rf


@pytest.fixture
def two(world):
    return two_clients(world.department, make_user("bantuyengiao2", Role.DEPARTMENT))


def test_programme_edits_at_once_merge_or_refuse(two, world):
    InspectionProgramme.objects.create(
        year=2026, title="Chương trình kiểm tra năm 2026", created_by=world.department
    )
    assert_no_lost_update(
        two,
        reverse("reviews:programme_edit", args=[2026]),
        having="notes",
        first={"notes": "Tập trung vào bồi dưỡng đảng viên mới"},
        second={"title": "Chương trình kiểm tra, giám sát năm 2026"},
        clash=("title", "Chương trình năm 2026", "Chương trình kiểm tra 2026"),
    )


def test_inspection_edits_at_once_merge_or_refuse(two, world):
    inspection = rf.inspection(world)
    assert_no_lost_update(
        two,
        reverse("reviews:inspection_edit", args=[inspection.pk]),
        having="scheduled_on",
        first={"scheduled_on": "20/07/2026"},
        second={"subjects": [str(world.org_a.pk), str(world.org_b.pk)]},
        clash=("title", "Việc học tập nghị quyết", "Việc bồi dưỡng cấp ủy viên"),
    )


def test_checklist_edits_at_once_merge_or_refuse(two):
    checklist = rf.checklist()
    assert_no_lost_update(
        two,
        reverse("reviews:checklist_edit", args=[checklist.pk]),
        having="description",
        first={"description": "Dùng cho các cuộc kiểm tra năm 2026"},
        second={"is_active": ""},
        clash=("name", "Bồi dưỡng đảng viên", "Đảng viên mới"),
    )


def test_briefing_edits_at_once_merge_or_refuse(two, world):
    briefing = brief.briefing_save(
        briefing=None,
        kind="monthly",
        organization=world.province,
        period_start=dt.date(2026, 6, 1),
        period_end=dt.date(2026, 6, 30),
        held_on=dt.date(2026, 7, 3),
        place="Hội trường tầng 2",
        chair="",
        attendees=[],
        other_attendees="",
        agenda="Tình hình tháng 6",
        minutes="",
        actor=world.department,
    )
    assert_no_lost_update(
        two,
        reverse("reviews:briefing_edit", args=[briefing.pk]),
        having="minutes",
        first={"minutes": "Thống nhất các nội dung"},
        second={"chair": "Đồng chí Trưởng ban"},
        clash=("place", "Phòng họp số 1", "Phòng họp số 3"),
    )


def test_round_edits_at_once_merge_or_refuse(two, world):
    reporting_round = rf.half_year_round(world)
    assert_no_lost_update(
        two,
        reverse("reviews:round_edit", args=[reporting_round.pk]),
        having="deadline",
        first={"is_closed": "on"},
        second={},
        clash=("deadline", "10/07/2026", "15/07/2026"),
    )


def test_report_edits_at_once_merge_or_refuse(two, world):
    reporting_round = rf.half_year_round(world)
    report = Report.objects.get(round=reporting_round, is_department=True)
    assert_no_lost_update(
        two,
        reverse("reviews:report", args=[report.pk]),
        having="lessons",
        first={"lessons": "Phải bám sát cơ sở."},
        second={"proposals": "Đề nghị bổ sung kinh phí."},
        clash=("directions", "Tiếp tục bồi dưỡng.", "Mở rộng học tập trực tuyến."),
    )


def test_template_edits_at_once_merge_or_refuse(two):
    assert_no_lost_update(
        two,
        reverse("reviews:template_edit", args=[RoundKind.HALF_YEAR]),
        having="lessons",
        first={"lessons": "Bài học kinh nghiệm: ..."},
        second={"proposals": "Kiến nghị, đề xuất: ..."},
        clash=("results", "Kết quả đạt được: ...", "Những kết quả chủ yếu: ..."),
    )


def test_issuer_edits_at_once_merge_or_refuse(two, world):
    issuer = rf.department_issuer(world)
    assert_no_lost_update(
        two,
        reverse("reviews:issuer_edit", args=[issuer.pk]),
        having="abbreviation",
        first={"signer_name": "Trần Văn Ký"},
        second={"place": "Thành phố Hòa Bình Sơn"},
        clash=("abbreviation", "BTGDV", "TGDV"),
    )
