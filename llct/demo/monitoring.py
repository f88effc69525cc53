"""Demo data for steering the project: 06-ĐA/TU (2021–2025) with its yearly values stored as
snapshots, and the 2026–2030 project in progress, computed from the demo's data, with some
organizations off track; tasks assigned to organizations with progress reports (some overdue),
a target measured by hand with evidence files.

The demo rolls begin in the demo's year, so the years before it have no data to compute from:
their snapshots are drawn here (each organization's own counts, summed up the tree exactly as
the indicators roll up), around a trend from the baseline to the final value, with a few
organizations lagging. The awareness certificates and new-member classes of the people admitted
in the last two years are added too, so that the admission indicators have a history to read.
"""

import datetime as dt
import io
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count
from django.utils import translation

from llct.assessment.models import (
    Certificate,
    CertificateSeries,
    GradeBand,
    Result,
    ResultsApproval,
)
from llct.core.models import User
from llct.courses.models import Course, Enrolment
from llct.curriculum.models import Programme
from llct.demo.project_targets import (
    MANUAL_TITLE,
    NEW_TARGETS,
    OLD_TARGETS,
    RESOLUTIONS_NEW,
    RESOLUTIONS_OLD,
)
from llct.monitoring import indicators
from llct.monitoring.models import (
    Assignment,
    IndicatorSnapshot,
    Milestone,
    ProgressReport,
    Project,
    Target,
    TargetEntry,
    TargetUnit,
    Task,
)
from llct.monitoring.services import snapshots_compute
from llct.organizations.models import (
    MembershipStage,
    Organization,
    OrganizationKind,
    Person,
    add_months,
)

# Each organization's own people times this gives its own yearly denominator (demo scale).
DENOMINATOR_SHARE = {
    "new_member_trained": 0.03,
    "admission_certified": 0.035,
    "pass_rate": 0.25,
    "fair_or_better": 0.25,
    "courses_held": 0.01,
    "cadres_trung_cap": 0.5,
    "nominated_required": 0.1,
    "budget_spent": 25_000.0,  # đồng per person on the rolls
    "lecturer_rating": 1.2,  # three points per answer
}


def monitoring_demo(*, rng: random.Random, today: dt.date, department: Any) -> dict[str, int]:
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        return _demo(rng, today=today, department=department)


def _demo(rng: random.Random, *, today: dt.date, department: Any) -> dict[str, int]:
    province = Organization.objects.filter(parent=None, dissolved_on=None).order_by("code").first()
    if province is None:
        return {}
    counts = _admission_history(rng, today=today)
    kinds = {k.code: k for k in OrganizationKind.objects.all()}
    old = _project(
        number="06-ĐA/TU",
        title="Đề án nâng cao chất lượng công tác giáo dục lý luận chính trị trong Đảng bộ tỉnh "
        "giai đoạn 2021–2025",
        issuer=province,
        years=(2021, 2025),
        issued_on=dt.date(2021, 3, 15),
        resolutions=RESOLUTIONS_OLD,
        specs=OLD_TARGETS,
        kinds=kinds,
    )
    new = _project(
        number="15-ĐA/TU",
        title="Đề án đổi mới, nâng cao chất lượng giáo dục lý luận chính trị cho cán bộ, đảng "
        "viên giai đoạn 2026–2030",
        issuer=province,
        years=(2026, 2030),
        issued_on=dt.date(2026, 1, 20),
        resolutions=RESOLUTIONS_NEW,
        specs=NEW_TARGETS,
        kinds=kinds,
    )
    manual_old = _manual_target(
        old,
        "1.8",
        baseline="40",
        final="80",
        milestones={2021: 50, 2022: 60, 2023: 65, 2024: 75, 2025: 80},
    )
    manual_new = _manual_target(
        new,
        "1.11",
        baseline="75",
        final="100",
        milestones={2026: 80, 2027: 85, 2028: 90, 2029: 95, 2030: 100},
    )
    counts["projects"] = 2
    counts["targets"] = Target.objects.count()
    counts["entries"] = _entries(
        rng, manual_old, {2021: 48, 2022: 58, 2023: 66, 2024: 72, 2025: 78}, today, department
    )
    counts["entries"] += _entries(rng, manual_new, {2026: 75}, today, department)
    counts.update(_tasks(rng, old, new, today=today, department=department))
    counts["snapshots_drawn"] = _drawn_snapshots(rng, [old, new], today=today)
    if new.start_year <= today.year <= new.end_year:
        counts["snapshots_computed"] = snapshots_compute(year=today.year, as_of=today)
    return counts


def _project(
    *,
    number: str,
    title: str,
    issuer: Organization,
    years: tuple[int, int],
    issued_on: dt.date,
    resolutions: str,
    specs: list[tuple[Any, ...]],
    kinds: dict[str, OrganizationKind],
) -> Project:
    project = Project.objects.create(
        number=number,
        title=title,
        issuer=issuer,
        issued_on=issued_on,
        start_year=years[0],
        end_year=years[1],
        resolutions=resolutions,
        summary="Nâng cao chất lượng, hiệu quả công tác giáo dục lý luận chính trị; chuẩn hóa "
        "trình độ lý luận chính trị của cán bộ theo chức danh; đổi mới nội dung, phương pháp "
        "giảng dạy, gắn lý luận với thực tiễn của tỉnh.",
    )
    for code, title_, indicator, variant, direction, base, final, milestones, kind in specs:
        target = Target.objects.create(
            project=project,
            code=code,
            title=title_,
            indicator=indicator,
            variant=variant,
            direction=direction,
            baseline=Decimal(base),
            baseline_year=years[0] - 1,
            final_value=Decimal(final),
            scope=Target.Scope.EACH_OF_KIND if kind else Target.Scope.WHOLE,
            scope_kind=kinds.get(kind) if kind else None,
        )
        Milestone.objects.bulk_create(
            Milestone(target=target, year=y, value=Decimal(str(v))) for y, v in milestones.items()
        )
    return project


def _manual_target(
    project: Project, code: str, *, baseline: str, final: str, milestones: dict[int, int]
) -> Target:
    target = Target.objects.create(
        project=project,
        code=code,
        title=MANUAL_TITLE,
        manual_unit=TargetUnit.PERCENT,
        baseline=Decimal(baseline),
        baseline_year=project.start_year - 1,
        final_value=Decimal(final),
    )
    Milestone.objects.bulk_create(
        Milestone(target=target, year=y, value=Decimal(v)) for y, v in milestones.items()
    )
    return target


def _evidence(title: str, lines: list[str]) -> ContentFile[bytes]:
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return ContentFile(buffer.getvalue())


def _entries(
    rng: random.Random, target: Target, values: dict[int, int], today: dt.date, actor: User
) -> int:
    made = 0
    for year, value in values.items():
        if year > today.year:
            continue
        name = f"bien-ban-kiem-tra-co-so-vat-chat-{year}.docx"
        entry = TargetEntry(
            target=target,
            organization=target.project.issuer,
            year=year,
            value=Decimal(value),
            note=f"Kiểm tra thực tế {rng.randint(8, 12)} trung tâm chính trị; biên bản kèm theo.",
            evidence_name=name,
            entered_by=actor,
        )
        entry.evidence.save(
            name,
            _evidence(
                f"Biên bản kiểm tra cơ sở vật chất năm {year}",
                [
                    f"Tỷ lệ trung tâm chính trị có hội trường, phòng học trực tuyến đạt chuẩn: "
                    f"{value}%."
                ],
            ),
            save=False,
        )
        entry.save()
        TargetEntry.objects.filter(pk=entry.pk).update(
            entered_at=_noon(min(dt.date(year, 12, 20), today))
        )
        made += 1
    return made


def _noon(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


# -- tasks --------------------------------------------------------------------------------------


def _tasks(
    rng: random.Random, old: Project, new: Project, *, today: dt.date, department: Any
) -> dict[str, int]:
    committees = list(
        Organization.objects.filter(parent=old.issuer, dissolved_on=None).order_by("code")
    )
    specs = [
        (
            old,
            "1",
            Task.Kind.TASK,
            "Xây dựng kế hoạch thực hiện Đề án 06-ĐA/TU",
            dt.date(2021, 6, 30),
            1.0,
        ),
        (
            old,
            "2",
            Task.Kind.SOLUTION,
            "Tổng kết 5 năm thực hiện Đề án 06-ĐA/TU",
            dt.date(2025, 11, 30),
            1.0,
        ),
        (
            new,
            "1",
            Task.Kind.TASK,
            "Xây dựng kế hoạch thực hiện Đề án giai đoạn 2026–2030",
            dt.date(2026, 3, 31),
            0.8,
        ),
        (
            new,
            "2",
            Task.Kind.TASK,
            "Rà soát, lập danh sách cán bộ chưa đạt chuẩn trình độ lý "
            "luận chính trị theo chức danh",
            dt.date(2026, 6, 30),
            0.5,
        ),
        (
            new,
            "3",
            Task.Kind.SOLUTION,
            "Chuẩn hóa hội trường, phòng học trực tuyến tại các trung tâm chính trị",
            dt.date(2027, 12, 31),
            0.2,
        ),
        (new, "4", Task.Kind.TASK, "Sơ kết 1 năm thực hiện Đề án", dt.date(2026, 12, 20), 0.1),
    ]
    reports = 0
    for project, code, kind, title, deadline, done_share in specs:
        task = Task.objects.create(
            project=project,
            code=code,
            kind=kind,
            title=title,
            deadline=deadline,
            description="Các đảng ủy trực thuộc tổ chức thực hiện, báo cáo kết quả về Ban "
            "Tuyên giáo và Dân vận Tỉnh ủy.",
        )
        for organization in committees:
            assignment = Assignment.objects.create(task=task, organization=organization)
            start = min(deadline - dt.timedelta(days=60), today)
            if start > today:
                continue
            done = rng.random() < done_share and deadline - dt.timedelta(days=10) <= today
            if done:
                reported = min(deadline - dt.timedelta(days=rng.randint(0, 10)), today)
                status, note = Assignment.Status.DONE, "Đã hoàn thành, có văn bản kèm theo."
            elif rng.random() < 0.7:
                reported = min(start + dt.timedelta(days=rng.randint(5, 40)), today)
                status, note = Assignment.Status.IN_PROGRESS, "Đang triển khai tại các chi bộ."
            else:
                continue
            ProgressReport.objects.create(
                assignment=assignment,
                status=status,
                note=note,
                reported_on=reported,
                reported_by=department,
            )
            assignment.status = status
            assignment.done_on = reported if status == Assignment.Status.DONE else None
            assignment.save(update_fields=["status", "done_on"])
            reports += 1
    return {
        "tasks": len(specs),
        "assignments": Assignment.objects.count(),
        "progress_reports": reports,
    }


# -- drawn snapshots of the years before the demo's data ----------------------------------------


def _drawn_snapshots(rng: random.Random, projects: list[Project], *, today: dt.date) -> int:
    """Each organization's own yearly counts, around a trend from the target's baseline to its
    final value, summed up the tree into every ancestor: the same roll-up as the indicators'."""
    # By code, not path: a path spells ids, which a reseed after a reset changes.
    organizations = list(Organization.objects.order_by("code"))
    people = dict(
        Person.objects.exclude(stage=MembershipStage.LEFT)
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
    )
    # A few committees lag behind: everything under them does.
    committees = [o for o in organizations if o.depth == 1]
    laggards = {o.pk for o in rng.sample(committees, k=min(2, len(committees)))}
    lag = {
        o.pk: (-6.0 if any(f"/{pk}/" in o.path for pk in laggards) else 0.0)
        + rng.uniform(-2.5, 2.5)
        for o in organizations
    }
    rows: list[IndicatorSnapshot] = []
    seen: set[tuple[str, str, int]] = set()
    for project in projects:
        for target in project.targets.exclude(indicator="").prefetch_related("milestones"):
            indicator = indicators.get(target.indicator)
            points = indicator.unit == indicators.Unit.POINTS
            for year in project.years:
                key = (target.indicator, target.variant, year)
                if year >= today.year or key in seen:
                    continue
                seen.add(key)
                share = (year - project.start_year + 1) / len(project.years)
                trend = float(target.baseline or 0) + share * float(
                    target.final_value - (target.baseline or 0)
                )
                own: dict[int, tuple[Decimal, Decimal]] = {}
                for o in organizations:
                    size = people.get(o.pk, 0)
                    den = _some(rng, size * DENOMINATOR_SHARE[target.indicator])
                    if den <= 0:
                        continue
                    if points:
                        rate = min(5.0, max(1.0, trend + lag[o.pk] / 20 + rng.uniform(-0.1, 0.1)))
                        num = _round(float(den) * rate)
                    else:
                        rate = min(100.0, max(0.0, trend + lag[o.pk] + rng.uniform(-2, 2)))
                        num = _draw(rng, den, rate / 100)
                    own[o.pk] = (num, den)
                rows += _rolled(target.indicator, target.variant, year, organizations, own)
    IndicatorSnapshot.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _some(rng: random.Random, expected: float) -> Decimal:
    """A whole count near `expected`, rounded up or down at random so that small
    organizations sum to the right total (0.3 a year each is 3 in ten organizations)."""
    value = expected * rng.uniform(0.8, 1.2)
    whole = int(value)
    return Decimal(whole + (1 if rng.random() < value - whole else 0))


def _draw(rng: random.Random, den: Decimal, share: float) -> Decimal:
    """How many of `den` succeed at a rate: drawn one by one when few (rounding a small
    count would turn 0.9 into 1 of 1, everywhere), by the normal law when many or money."""
    n = int(den)
    if n <= 60:
        return Decimal(sum(1 for _ in range(n) if rng.random() < share))
    spread = (n * share * (1 - share)) ** 0.5
    return _round(min(float(n), max(0.0, rng.gauss(n * share, spread))))


def _round(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def _rolled(
    code: str,
    variant: str,
    year: int,
    organizations: list[Organization],
    own: dict[int, tuple[Decimal, Decimal]],
) -> list[IndicatorSnapshot]:
    by_path = {o.path: o.pk for o in organizations}
    sums: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for o in organizations:
        if o.pk not in own:
            continue
        num, den = own[o.pk]
        for path in indicators.ancestor_paths(o.path):
            pk = by_path.get(path)
            if pk is not None:
                sums[pk][0] += num
                sums[pk][1] += den
    as_of = dt.date(year, 12, 31)
    return [
        IndicatorSnapshot(
            indicator=code,
            variant=variant,
            organization_id=o.pk,
            year=year,
            numerator=sums[o.pk][0],
            denominator=sums[o.pk][1],
            as_of=as_of,
            computed_at=_noon(as_of),
        )
        for o in organizations
    ]


# -- the classes behind the admission indicators ------------------------------------------------


def _admission_history(rng: random.Random, *, today: dt.date) -> dict[str, int]:
    """Awareness certificates for most people admitted since 1 January of last year (issued
    before their admission), and a passed new-member class for most of those whose probation
    ended since then: in one organization in five, fewer."""
    since = dt.date(today.year - 1, 1, 1)
    admission = Programme.objects.filter(kind=Programme.Kind.ADMISSION).order_by("code").first()
    new_member = Programme.objects.filter(kind=Programme.Kind.NEW_MEMBER).order_by("code").first()
    if admission is None or new_member is None:
        return {}
    admitted = list(
        Person.objects.filter(admitted_on__gte=since, admitted_on__lte=today)
        .exclude(certificates__programme=admission)
        .select_related("organization")
        .order_by("admitted_on", "pk")
    )
    # In id order: a set's own order follows the id values, which a reseed after a reset changes.
    parents = sorted({p.organization.parent_id for p in admitted if p.organization.parent_id})
    weak = {o for o in parents if rng.random() < 0.2}
    certified = [
        p for p in admitted if rng.random() < (0.85 if p.organization.parent_id in weak else 0.98)
    ]
    made = _classes(rng, admission, certified, today=today, before=True)
    low, _high = since, today
    ended = [
        p
        for p in Person.objects.filter(
            admitted_on__gte=add_months(low, -12), admitted_on__lte=add_months(today, -12)
        ).select_related("organization")
        if p.stage != MembershipStage.LEFT
    ]
    trained = [
        p for p in ended if rng.random() < (0.8 if p.organization.parent_id in weak else 0.96)
    ]
    made += _classes(rng, new_member, trained, today=today, before=False)
    return {"history_certificates": made}


def _classes(
    rng: random.Random,
    programme: Programme,
    people: list[Person],
    *,
    today: dt.date,
    before: bool,
) -> int:
    """One finished, approved class per quarter of the people's key dates, at the province's
    school; everyone listed passes and gets a certificate."""
    province = Organization.objects.filter(parent=None).order_by("code").first()
    if province is None or not people:
        return 0
    groups: dict[tuple[int, int], list[Person]] = defaultdict(list)
    for person in people:
        assert person.admitted_on is not None
        key_day = (
            person.admitted_on - dt.timedelta(days=40)
            if before
            else add_months(person.admitted_on, 6)
        )
        key_day = min(key_day, today - dt.timedelta(days=10))
        groups[key_day.year, (key_day.month - 1) // 3].append(person)
    top = Course.objects.filter(code__startswith="LS-").count()  # ids differ after a reset
    issued = 0
    for n, ((year, quarter), members) in enumerate(sorted(groups.items()), start=1):
        starts = dt.date(year, quarter * 3 + 1, 3)
        ends = starts + dt.timedelta(days=4)
        course = Course.objects.create(
            code=f"LS-{programme.code}-{year}-{quarter + 1}-{top + n}",
            name=f"{programme.name} quý {quarter + 1}/{year}",
            programme=programme,
            organizer=province,
            starts_on=starts,
            ends_on=ends,
            status=Course.Status.FINISHED,
            partner="Trường Chính trị tỉnh",
        )
        approval = ResultsApproval.objects.create(course=course)
        ResultsApproval.objects.filter(pk=approval.pk).update(approved_at=_noon(ends))
        series, _created = CertificateSeries.objects.get_or_create(
            programme=programme, year=ends.year
        )
        enrolments = Enrolment.objects.bulk_create(
            [Enrolment(course=course, person=p) for p in members]
        )
        Result.objects.bulk_create(
            [
                Result(
                    enrolment=e,
                    essay_score=score,
                    final_score=score,
                    band=GradeBand.GOOD if score >= 8 else GradeBand.FAIR,
                    attendance_percent=100,
                    passed=True,
                )
                for e in enrolments
                for score in [Decimal(rng.choice(["7.5", "8.0", "8.5", "7.0", "9.0"]))]
            ]
        )
        number = series.last_number
        certificates = []
        for enrolment, person in zip(enrolments, members, strict=True):
            number += 1
            certificates.append(
                Certificate(
                    enrolment=enrolment,
                    person=person,
                    programme=programme,
                    course=course,
                    series=series,
                    number=number,
                    serial=f"{number:03d}/GCN-{programme.code}-{ends.year}",
                    issued_on=ends,
                    issuer=province,
                    issuer_name=province.name,
                    holder_name=person.full_name,
                    expires_on=add_months(ends, programme.certificate_valid_months)
                    if programme.certificate_valid_months
                    else None,
                )
            )
        Certificate.objects.bulk_create(certificates)
        series.last_number = number
        series.save(update_fields=["last_number"])
        issued += len(certificates)
    return issued
