"""Builders for the reviews tests: issuers, checklists, inspections, rounds, and a small world
of results, plans and ratings on the three levels of the base fixture (province, A and B, A1
and B1), so figures can be counted by hand."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from llct.assessment.models import GradeBand
from llct.curriculum.models import Programme
from llct.monitoring.tests import factories as mf
from llct.organizations.models import Organization
from llct.organizations.tests.factories import make_person
from llct.reviews import inspections as ins
from llct.reviews import rounds
from llct.reviews.models import (
    ChecklistTemplate,
    DocumentIssuer,
    Inspection,
    InspectionProgramme,
    ReportingRound,
    RoundKind,
)

TODAY = dt.date(2026, 7, 10)
H1_START, H1_END = dt.date(2026, 1, 1), dt.date(2026, 6, 30)


def department_issuer(world: Any) -> DocumentIssuer:
    return DocumentIssuer.objects.create(
        organization=world.province,
        body="Ban Tuyên giáo và Dân vận",
        abbreviation="BTG",
        place="Hòa Bình Sơn",
        authority="K/T TRƯỞNG BAN",
        signer_position="Phó Trưởng ban",
        signer_name="Nguyễn Thị Thu",
        is_department=True,
    )


def checklist(name: str = "Bồi dưỡng đảng viên mới") -> ChecklistTemplate:
    template = ChecklistTemplate.objects.create(name=name)
    template.items.create(
        position=1,
        text="Mọi đảng viên dự bị được cử học lớp bồi dưỡng đảng viên mới",
        indicator="new_member_trained",
    )
    template.items.create(position=2, text="Tỷ lệ học viên đạt yêu cầu", indicator="pass_rate")
    template.items.create(position=3, text="Hồ sơ lớp học lưu trữ đầy đủ")
    return template


def inspection(world: Any, *, subjects: list[Organization] | None = None) -> Inspection:
    programme, _created = InspectionProgramme.objects.get_or_create(
        year=2026, defaults={"title": "Chương trình kiểm tra, giám sát năm 2026"}
    )
    return ins.inspection_save(
        inspection=None,
        programme=programme,
        kind=Inspection.Kind.INSPECTION,
        title="Việc bồi dưỡng lý luận chính trị cho đảng viên mới",
        checklist=checklist(),
        subjects=subjects or [world.org_a],
        team=[world.department],
        lead=world.department,
        period_start=H1_START,
        period_end=H1_END,
        scheduled_on=dt.date(2026, 7, 5),
        actor=world.department,
    )


def half_year_round(world: Any, *, today: dt.date = dt.date(2026, 6, 20)) -> ReportingRound:
    return rounds.round_open(
        kind=RoundKind.HALF_YEAR,
        title="Sơ kết công tác giáo dục lý luận chính trị 6 tháng đầu năm 2026",
        period_start=H1_START,
        period_end=H1_END,
        deadline=dt.date(2026, 7, 5),
        organizations=[world.org_a, world.org_b],
        today=today,
        actor=world.department,
    )


@dataclass
class Data:
    courses: int


def results_world(world: Any) -> Data:
    """Results in the first half of 2026 on all three levels:
    A1: 4 learners of a new-member course (3 passed: Giỏi, Khá, Khá; 1 Không đạt);
    A (own): 2 learners of a professional course (both passed, Xuất sắc);
    B1: 3 learners of a new-member course (2 passed Trung bình; 1 Không đạt);
    a plan with 3 planned courses (2 held) and budgets; expenses; two ratings."""
    day = dt.date(2026, 3, 10)
    approved = dt.date(2026, 3, 20)
    new_member = mf.course(
        Programme.Kind.NEW_MEMBER, world.org_a, starts_on=day, approved_on=approved
    )
    professional = mf.course(
        Programme.Kind.PROFESSIONAL, world.org_a, starts_on=day, approved_on=approved
    )
    in_b = mf.course(Programme.Kind.NEW_MEMBER, world.org_b, starts_on=day, approved_on=approved)
    bands_a1 = [
        (True, GradeBand.GOOD),
        (True, GradeBand.FAIR),
        (True, GradeBand.FAIR),
        (False, GradeBand.FAIL),
    ]
    for n, (passed, band) in enumerate(bands_a1):
        mf.result(
            new_member, make_person(world.org_a1, f"Học viên A1 {n}"), passed=passed, band=band
        )
    for n in range(2):
        mf.result(
            professional,
            make_person(world.org_a, f"Cán bộ A {n}"),
            passed=True,
            band=GradeBand.EXCELLENT,
        )
    bands_b1 = [(True, GradeBand.AVERAGE), (True, GradeBand.AVERAGE), (False, GradeBand.FAIL)]
    for n, (passed, band) in enumerate(bands_b1):
        mf.result(in_b, make_person(world.org_b1, f"Học viên B1 {n}"), passed=passed, band=band)
    plan = mf.approved_plan(world.province, 2026)
    mf.planned(plan, world.org_a, month=3, held=new_member, budget=10_000_000)
    mf.planned(plan, world.org_b, month=3, held=in_b, budget=8_000_000)
    mf.planned(plan, world.org_b, month=5, budget=6_000_000)
    mf.expense(new_member, 7_500_000, dt.date(2026, 3, 15))
    mf.expense(in_b, 5_000_000, dt.date(2026, 3, 15))
    teacher = mf.lecturer()
    mf.rating(new_member, teacher, (5, 4, 4), dt.date(2026, 3, 12))
    mf.rating(in_b, teacher, (4, 4, 3), dt.date(2026, 3, 12))
    return Data(courses=3)
