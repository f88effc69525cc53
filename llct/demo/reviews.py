"""Demo data of oversight and reviews: the department as a document issuer, a checklist, the
year's inspection programme with one concluded inspection (three findings, one overdue
recommendation, one remedied) and one planned, two briefings, and the half-year reporting
round with some organizations late and one report returned."""

import datetime as dt
import random
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from llct.organizations.models import Organization
from llct.reviews import briefings, inspections, rounds
from llct.reviews.models import (
    ChecklistTemplate,
    DocumentIssuer,
    Inspection,
    InspectionProgramme,
    Report,
    RoundKind,
)

# The tree's stable order (codes), as the other demo modules use.
STABLE = ("code",)  # not path: a path spells ids, which a reseed after a reset changes
DEPARTMENT_CODE_PREFERRED = "HBS-CQD"  # the demo officer "canbo_khoi" works there


def reviews_demo(*, rng: random.Random, today: dt.date, department: Any) -> dict[str, int]:
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        return _demo(rng, today=today, department=department)


def _demo(rng: random.Random, *, today: dt.date, department: Any) -> dict[str, int]:
    province = Organization.objects.filter(parent=None, dissolved_on=None).order_by(*STABLE).first()
    if province is None:
        return {}
    children = list(
        Organization.objects.filter(parent=province, dissolved_on=None).order_by(*STABLE)
    )
    if len(children) < 3:
        return {}
    DocumentIssuer.objects.create(
        organization=province,
        body="Ban Tuyên giáo và Dân vận",
        abbreviation="BTG",
        place="Hòa Bình Sơn",
        authority="K/T TRƯỞNG BAN",
        signer_position="Phó Trưởng ban Thường trực",
        signer_name="Nguyễn Thị Hạnh",
        is_department=True,
    )
    # The half-year of the latest half that has ended (and whose deadline has passed).
    year = today.year if today.month >= 8 else today.year - 1
    counts: dict[str, int] = {}
    counts.update(
        _inspection(rng, year=year, today=today, department=department, subjects=children)
    )
    counts.update(
        _briefings(today=today, department=department, province=province, children=children)
    )
    counts.update(_round(rng, year=year, today=today, department=department, children=children))
    return counts


def _checklist() -> ChecklistTemplate:
    checklist = ChecklistTemplate.objects.create(
        name="Bồi dưỡng lý luận chính trị cho đảng viên mới và đối tượng kết nạp",
        description="Dùng cho kiểm tra, giám sát việc thực hiện Kế hoạch đào tạo, bồi dưỡng.",
    )
    for position, (text, indicator, guidance) in enumerate(
        [
            (
                "Mọi đảng viên dự bị được cử học lớp bồi dưỡng đảng viên mới trong thời gian dự bị",
                "new_member_trained",
                "Đối chiếu danh sách đảng viên dự bị với danh sách học viên các lớp.",
            ),
            (
                "Đối tượng được kết nạp có giấy chứng nhận bồi dưỡng nhận thức về Đảng "
                "còn hiệu lực",
                "admission_certified",
                "Kiểm tra hồ sơ kết nạp và giấy chứng nhận.",
            ),
            (
                "Hồ sơ lớp học (điểm danh, bài thu hoạch, kết quả) được lưu trữ đầy đủ",
                "",
                "Xem hồ sơ lưu tại văn phòng cấp ủy.",
            ),
        ],
        start=1,
    ):
        checklist.items.create(position=position, text=text, indicator=indicator, guidance=guidance)
    return checklist


def _inspection(
    rng: random.Random, *, year: int, today: dt.date, department: Any, subjects: list[Organization]
) -> dict[str, int]:
    programme = InspectionProgramme.objects.create(
        year=year,
        title=f"Chương trình kiểm tra, giám sát công tác giáo dục lý luận chính trị năm {year}",
        notes="Kiểm tra chuyên đề ở hai đảng bộ trực thuộc; giám sát thường xuyên các lớp học.",
        created_by=department,
    )
    checklist = _checklist()
    subject = subjects[min(len(subjects) - 1, 4)]
    # In the half-year the round reports on, so its report counts the findings.
    held_on = min(today - dt.timedelta(days=60), dt.date(year, 5, 20))
    inspection = inspections.inspection_save(
        inspection=None,
        programme=programme,
        kind=Inspection.Kind.INSPECTION,
        title="Việc bồi dưỡng lý luận chính trị cho đảng viên mới",
        checklist=checklist,
        subjects=[subject],
        team=[department],
        lead=department,
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 6, 30),
        scheduled_on=held_on,
        actor=department,
    )
    items = list(checklist.items.order_by("position"))
    notes = [
        ("met", ""),
        ("not_met", "Hồ sơ kết nạp của 02 đối tượng thiếu bản sao giấy chứng nhận."),
        ("not_met", "Chưa lưu bài thu hoạch của lớp tháng 3."),
    ]
    findings = [
        inspections.finding_record(
            inspection=inspection,
            organization=subject,
            item=item,
            result=result,
            note=note,
            actor=department,
        )
        for item, (result, note) in zip(items, notes, strict=True)
    ]
    overdue = inspections.recommendation_create(
        inspection=inspection,
        organization=subject,
        text="Rà soát, bổ sung đầy đủ bản sao giấy chứng nhận bồi dưỡng nhận thức về Đảng vào "
        "hồ sơ kết nạp đảng viên.",
        deadline=held_on + dt.timedelta(days=30),
        finding=findings[1],
        today=held_on,
        actor=department,
    )
    remedied = inspections.recommendation_create(
        inspection=inspection,
        organization=subject,
        text="Lưu trữ đầy đủ bài thu hoạch, sổ điểm danh của các lớp học.",
        deadline=held_on + dt.timedelta(days=45),
        finding=findings[2],
        today=held_on,
        actor=department,
    )
    remedy = inspections.remedy_report(
        recommendation=remedied,
        text="Đã thu thập, lưu trữ đủ 38 bài thu hoạch lớp tháng 3 tại Văn phòng Đảng ủy.",
        actor=department,
    )
    inspections.remedy_decide(remedy=remedy, accept=True, comment="", actor=department)
    inspections.inspection_conclude(
        inspection=inspection,
        conclusion="Đảng ủy đã quan tâm lãnh đạo công tác bồi dưỡng lý luận chính trị; 100% "
        "đảng viên dự bị được cử đi học. Hồ sơ kết nạp và hồ sơ lớp học "
        "lưu trữ chưa đầy đủ.",
        today=held_on + dt.timedelta(days=3),
        actor=department,
    )
    planned = subjects[min(len(subjects) - 1, 1)]
    inspections.inspection_save(
        inspection=None,
        programme=programme,
        kind=Inspection.Kind.TOPIC,
        title="Giám sát chuyên đề việc tổ chức các lớp sơ cấp lý luận chính trị",
        checklist=checklist,
        subjects=[planned],
        team=[department],
        lead=department,
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 9, 30),
        scheduled_on=dt.date(year, 12, 20),
        actor=department,
    )
    return {
        "inspections": 2,
        "findings": len(findings),
        "overdue_recommendations": int(overdue.deadline < today),
    }


def _briefings(
    *, today: dt.date, department: Any, province: Organization, children: list[Organization]
) -> dict[str, int]:
    made = 0
    for kind, held_on in (
        ("quarterly", dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 5)),
        ("monthly", today.replace(day=1) + dt.timedelta(days=2)),
    ):
        held_on = min(held_on, today)
        start, end = briefings.period_for(kind, held_on)
        briefing = briefings.briefing_save(
            briefing=None,
            kind=kind,
            organization=province,
            period_start=start,
            period_end=end,
            held_on=held_on,
            place="Phòng họp Ban Tuyên giáo và Dân vận Tỉnh ủy",
            chair="Đồng chí Phó Trưởng ban Thường trực",
            attendees=[department],
            other_attendees="Đại diện Trường Chính trị tỉnh; cán bộ phụ trách công tác tuyên giáo "
            "các đảng bộ trực thuộc.",
            agenda="",
            minutes="Các đơn vị báo cáo tiến độ mở lớp; thống nhất đẩy nhanh bồi dưỡng đảng viên "
            "mới, hoàn thành khắc phục các kiến nghị sau kiểm tra.",
            actor=department,
        )
        for n, child in enumerate(children[:2]):
            briefings.action_add(
                briefing=briefing,
                text=f"Hoàn thành lớp bồi dưỡng đảng viên mới đợt {n + 1}",
                owner=child,
                owner_name="Trưởng ban Tuyên giáo",
                deadline=held_on + dt.timedelta(days=30 + 15 * n),
                actor=department,
            )
        made += 1
    return {"briefings": made}


def _round(
    rng: random.Random, *, year: int, today: dt.date, department: Any, children: list[Organization]
) -> dict[str, int]:
    opened = dt.date(year, 6, 15)
    reporting_round = rounds.round_open(
        kind=RoundKind.HALF_YEAR,
        title=f"Sơ kết công tác giáo dục lý luận chính trị 6 tháng đầu năm {year}",
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 6, 30),
        deadline=dt.date(year, 7, 10),
        organizations=children,
        today=opened,
        actor=department,
    )
    reports = {
        r.organization_id: r
        for r in Report.objects.filter(round=reporting_round, is_department=False).select_related(
            "organization", "round"
        )
    }
    # Most submit; the officer's own organization is returned; the last two are late.
    returned_org = next((o for o in children if o.code == DEPARTMENT_CODE_PREFERRED), children[0])
    late = [o for o in children if o != returned_org][-2:]
    submitted = 0
    for n, org in enumerate(children):
        if org in late:
            continue
        report = reports[org.pk]
        day = dt.date(year, 7, 1 + n % 9)
        report.results = (
            f"{org.name} đã tổ chức các lớp bồi dưỡng theo kế hoạch; đảng viên mới được cử đi "
            "học đầy đủ."
        )
        report.save()
        report = rounds.report_submit(report=report, actor=department, today=day)
        Report.objects.filter(pk=report.pk).update(
            submitted_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))
        )
        submitted += 1
        if org == returned_org:
            rounds.report_return(
                report=report,
                comment="Đề nghị bổ sung nguyên nhân của hạn chế và số liệu lớp sơ cấp.",
                actor=department,
            )
    return {
        "round_reports": len(children),
        "submitted": submitted - 1,
        "late": len(late),
        "returned": 1,
    }
