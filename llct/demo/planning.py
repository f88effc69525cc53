"""Demo data for the yearly cycle: nomination rounds, the annual plan and its budget, the plan
set against what happened. `manage.py seed_demo` calls `planning_demo` once the courses
(llct.demo.courses) and their results (llct.demo.assessment) are seeded.

Everything is drawn from the caller's `random.Random` and dated relative to `today`, and every
write goes through the services of llct.planning.nominations and llct.planning.plans, so the
rows are what the department, the organizations and the leader would have made:

- this year's round, opened and closed last autumn, every organization having submitted the
  people the suggestion engine proposed; the annual plan built from those nominations (planned
  courses matching the year's courses, budget from the norms with the long course's venue line
  adjusted by hand, facility needs), submitted, returned by the leader with comments, revised (a
  course added, a materials line adjusted), submitted again and approved. Its planned courses
  are linked to the courses actually run (finished, in progress, open); one still to come
  becomes a course through the plan-to-course service, others are not held. Expenses are
  recorded against a few held courses, one organization's over its budget.
- next year's round, opened five weeks ago with a deadline three days ago: about half of the
  organizations submitted (a few with people added by hand), the others are late drafts or
  have not started, one was reminded by email, and the department reopened two: one has
  submitted late, the other (the demo officer's own) may still change its nominations.

The services stamp their rows with the clock; the demo moves each step's rows to its own date
afterwards (as the assessment demo does for approvals), so timelines read like a real year.
"""

# Over 600 lines on purpose: nominations, the plan, its budget and its spending are drawn from
# one random stream in one order, so a seed gives the same yearly cycle.

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Max, Q
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from llct.core.models import AuditEntry, Role, User
from llct.courses.models import Course, Enrolment, Session
from llct.curriculum.models import Lecturer, Programme
from llct.organizations.models import MembershipStage, Organization, Person, TheoryLevel
from llct.planning.models import (
    AnnualPlan,
    BudgetLine,
    FacilityNeed,
    Nomination,
    NominationRound,
    PlanDecision,
    PlannedCourse,
    PlanVersion,
    Submission,
    SubmissionEvent,
)
from llct.planning.nominations import reminders as nom_reminders
from llct.planning.nominations import selectors as nom_selectors
from llct.planning.nominations import services as nom_services
from llct.planning.nominations import suggestions as nom_suggestions
from llct.planning.plans import actual as plan_vs_actual
from llct.planning.plans import courses as plan_courses
from llct.planning.plans import services as plan_services

Kind = Programme.Kind
# The programmes a round offers: everything but resolution study, which everyone attends.
OFFERED_KINDS = (
    Kind.ADMISSION,
    Kind.NEW_MEMBER,
    Kind.SO_CAP,
    Kind.TRUNG_CAP,
    Kind.PROFESSIONAL,
)
# The reminder goes through the real service, but a demo must not send mail anywhere.
NO_MAIL = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
# Officers need an address for the reminder to reach them (a reserved top-level domain).
MAIL_DOMAIN = "hoabinhson.example"

ROUND_INSTRUCTIONS = (
    "Các tổ chức cơ sở đảng rà soát đội ngũ cán bộ, đảng viên, đối tượng kết nạp đảng; "
    "đề xuất danh sách học viên tham gia các lớp đào tạo, bồi dưỡng lý luận chính trị năm "
    "{year}.\n\n"
    "Ưu tiên đảng viên dự bị chưa học lớp bồi dưỡng lý luận chính trị cho đảng viên mới, "
    "quần chúng ưu tú chưa có giấy chứng nhận lớp nhận thức về Đảng còn hiệu lực và cán bộ "
    "chưa đạt chuẩn trình độ lý luận chính trị theo chức danh."
)
PLAN_INTRODUCTION = (
    "Nâng cao nhận thức chính trị, bản lĩnh, phẩm chất đạo đức cho đội ngũ cán bộ, đảng viên; "
    "bảo đảm 100% đảng viên mới được bồi dưỡng trong thời gian dự bị, 100% quần chúng ưu tú "
    "được kết nạp có giấy chứng nhận lớp nhận thức về Đảng còn hiệu lực.\n\n"
    "Việc tổ chức các lớp học phải thiết thực, hiệu quả, tiết kiệm; bám sát đề xuất của các "
    "tổ chức cơ sở đảng và định mức chi hiện hành."
)
RETURN_COMMENT = (
    "Đề nghị bổ sung {course} (tháng {month}) theo đề xuất của các tổ chức cơ sở đảng; "
    "tính lại kinh phí tài liệu cho phù hợp với giáo trình mới. Hoàn chỉnh, trình lại."
)
APPROVE_COMMENT = "Đồng ý. Ban Tuyên giáo và Dân vận chủ trì, phối hợp tổ chức thực hiện."
VENUE_NOTE = (
    "Học tại hội trường Trường Chính trị tỉnh: chỉ chi điện, nước, phục vụ lớp học, "
    "không thuê hội trường"
)
MATERIALS_NOTE = "Bổ sung tài liệu theo giáo trình mới, in thêm tài liệu tham khảo"
REOPEN_NOTES = [
    "Đồng chí Bí thư đi học tập trung, chi bộ đề nghị gia hạn để họp xét danh sách",
    "Đơn vị đang kiện toàn cấp ủy, đề nghị gia hạn nộp danh sách đề xuất",
]
# (kind, description, quantity, estimated cost in VND)
FACILITIES: list[tuple[str, str, int, int]] = [
    (
        FacilityNeed.Kind.HALL,
        "Cải tạo, nâng cấp hệ thống âm thanh, điều hòa hội trường Trường Chính trị tỉnh",
        1,
        350_000_000,
    ),
    (
        FacilityNeed.Kind.ONLINE,
        "Bản quyền phần mềm phòng họp trực tuyến 12 tháng (300 điểm kết nối)",
        1,
        36_000_000,
    ),
    (
        FacilityNeed.Kind.EQUIPMENT,
        "Máy chiếu đa năng cho các điểm cầu trực tuyến cấp xã",
        4,
        72_000_000,
    ),
]
# Added by hand: (programme kind, who qualifies, note, priority, quarter)
MANUAL_ADDITIONS: list[tuple[str, str, str, int, int]] = [
    (
        Kind.SO_CAP,
        "no_level",
        "Đồng chí được quy hoạch cấp ủy nhiệm kỳ tới, cần học Sơ cấp lý luận chính trị",
        Nomination.Priority.HIGH,
        2,
    ),
    (
        Kind.PROFESSIONAL,
        "member",
        "Mới được phân công làm công tác văn phòng cấp ủy, cần bồi dưỡng nghiệp vụ",
        Nomination.Priority.NORMAL,
        1,
    ),
]
EXPENSE_NOTES: dict[str, str] = {
    BudgetLine.Kind.LECTURER_FEES: "Thù lao giảng viên, báo cáo viên theo bảng chấm công",
    BudgetLine.Kind.MATERIALS: "In, photo tài liệu học tập",
    BudgetLine.Kind.VENUE: "Thuê hội trường, âm thanh, ánh sáng",
    BudgetLine.Kind.OTHER: "Nước uống, văn phòng phẩm, khai giảng, bế giảng",
}
OVER_NOTE = "Phát sinh thêm buổi báo cáo thực tế tại cơ sở theo đề nghị của học viên"


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _thousands(amount: Decimal) -> Decimal:
    """Money as accountants write it: to the thousand đồng."""
    return (amount / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 1000


# Organizations in an order that does not depend on primary keys (paths are made of them), so
# that the same seed on the same rolls draws the same organizations.
STABLE = ("code", "name", "pk")

# Rows the services stamp with the clock, and the field that holds the stamp.
STAMPED: list[tuple[type[models.Model], str]] = [
    (SubmissionEvent, "at"),
    (AuditEntry, "at"),
    (Nomination, "created_at"),
]
PLAN_STAMPED: list[tuple[type[models.Model], str]] = [
    (AuditEntry, "at"),
    (AnnualPlan, "created_at"),
    (PlanVersion, "submitted_at"),
    (PlanDecision, "decided_at"),
]
COURSE_STAMPED: list[tuple[type[models.Model], str]] = [
    (AuditEntry, "at"),
    (Course, "created_at"),
    (Enrolment, "enrolled_at"),
]


@contextmanager
def dated(when: dt.datetime, stamped: Sequence[tuple[type[models.Model], str]]) -> Iterator[None]:
    """Move the rows written inside the block to `when` (ids grow, so new rows are those above
    the highest id before the block)."""
    before = [
        (model, name, model._default_manager.aggregate(top=Max("pk"))["top"] or 0)
        for model, name in stamped
    ]
    yield
    for model, name, top in before:
        model._default_manager.filter(pk__gt=top).update(**{name: when})


@dataclass
class Spec:
    """A planned course to be: its programme and month, and the course it matches, if any."""

    programme: Programme
    month: int
    name: str
    organizer: Organization
    expected: int
    venue: Any = None
    lecturers: list[Lecturer] = field(default_factory=list)
    course: Course | None = None
    nominations: list[Nomination] = field(default_factory=list)
    planned: PlannedCourse | None = None


def planning_demo(
    *, rng: random.Random, today: dt.date, department: Any, leader: Any
) -> dict[str, int]:
    """This year's round, plan, courses from the plan and expenses; next year's round in
    progress. `department` acts for the department, `leader` approves. Returns what it made."""
    # Event notes and audit summaries are stored text: write them in the app's language.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        return _demo(rng, today=today, department=department, leader=leader)


def _demo(rng: random.Random, *, today: dt.date, department: Any, leader: Any) -> dict[str, int]:
    offered = list(
        Programme.objects.filter(is_active=True, kind__in=OFFERED_KINDS).order_by("code")
    )
    grassroots = list(
        Organization.objects.filter(kind__is_grassroots=True, dissolved_on__isnull=True).order_by(
            *STABLE
        )
    )
    province = Organization.objects.filter(parent=None, dissolved_on=None).order_by(*STABLE).first()
    if not offered or not grassroots or province is None:
        return {}
    counts: dict[str, int] = {}

    this_round = _this_years_round(
        rng, year=today.year, offered=offered, grassroots=grassroots, department=department
    )
    counts["this_year_nominations"] = Nomination.objects.filter(
        submission__round=this_round
    ).count()

    plan, specs = _plan(
        rng, today=today, province=province, department=department, leader=leader, counts=counts
    )
    counts.update(_courses(rng, today=today, specs=specs, department=department))
    counts["expenses"] = _expenses(rng, today=today, specs=specs, department=department)

    counts.update(
        _next_years_round(
            rng, today=today, offered=offered, grassroots=grassroots, department=department
        )
    )
    counts["rounds"] = NominationRound.objects.count()
    counts["nominations"] = Nomination.objects.count()
    counts["plan_versions"] = plan.versions.count()
    return dict(sorted(counts.items()))


# ---------------------------------------------------------------------------------------------
# Nominations


def _accept(
    rng: random.Random,
    nomination_round: NominationRound,
    organization: Organization,
    *,
    day: dt.date,
    share: float,
    department: Any,
) -> int:
    """Accept the urgent suggestions and about `share` of the others."""
    suggestions = nom_suggestions.suggestions_for(
        nomination_round=nomination_round, organization=organization, today=day
    )
    keys = [s.key for s in suggestions.items if s.urgent or rng.random() < share]
    if not keys:
        return 0
    return len(
        nom_services.nominations_accept(
            nomination_round=nomination_round,
            organization=organization,
            keys=keys,
            actor=department,
            today=day,
        )
    )


def _add_by_hand(
    rng: random.Random,
    nomination_round: NominationRound,
    organization: Organization,
    *,
    day: dt.date,
    department: Any,
) -> int:
    """One person the rules did not suggest, with a priority and a note saying why."""
    offered = {p.kind: p for p in nomination_round.programmes.all()}
    taken = set(
        Nomination.objects.filter(submission__round=nomination_round).values_list(
            "person_id", "programme_id"
        )
    )
    people = list(
        Person.objects.filter(organization_id__in=nom_selectors.part_ids(organization))
        .exclude(stage=MembershipStage.LEFT)
        .order_by("sort_key", "pk")
        .values_list("pk", "stage", "theory_level")
    )
    for kind, who, note, priority, quarter in rng.sample(MANUAL_ADDITIONS, len(MANUAL_ADDITIONS)):
        programme = offered.get(kind)
        if programme is None:
            continue
        stages = programme.eligible_stages or [MembershipStage.PROBATIONARY, MembershipStage.FULL]
        fits = [
            pk
            for pk, stage, level in people
            if stage in stages
            and stage != MembershipStage.CANDIDATE
            and (who != "no_level" or level == TheoryLevel.NONE)
            and (pk, programme.pk) not in taken
        ]
        if fits:
            nom_services.nomination_add(
                nomination_round=nomination_round,
                organization=organization,
                person_id=rng.choice(fits),
                programme=programme,
                priority=priority,
                quarter=quarter,
                note=note,
                actor=department,
                today=day,
            )
            return 1
    return 0


def _submit(
    nomination_round: NominationRound, organization: Organization, *, when: dt.datetime, actor: User
) -> None:
    nom_services.submission_submit(
        nomination_round=nomination_round,
        organization=organization,
        actor=actor,
        today=timezone.localdate(when),
        now=when,
    )


def _this_years_round(
    rng: random.Random,
    *,
    year: int,
    offered: list[Programme],
    grassroots: list[Organization],
    department: Any,
) -> NominationRound:
    """Opened in mid-September of last year, closed after its deadline at the end of October;
    every organization submitted but a couple, which nominated nobody."""
    opened_on, deadline = dt.date(year - 1, 9, 15), dt.date(year - 1, 10, 31)
    with dated(at(opened_on, 8, 30), STAMPED):
        nomination_round = nom_services.round_open(
            year=year,
            deadline=deadline,
            programmes=offered,
            instructions=ROUND_INSTRUCTIONS.format(year=year),
            actor=department,
            today=opened_on,
        )
    NominationRound.objects.filter(pk=nomination_round.pk).update(opened_at=at(opened_on, 8, 30))
    silent = set(rng.sample(range(len(grassroots)), min(2, len(grassroots) // 10)))
    steps = []
    for index, organization in enumerate(grassroots):
        if index not in silent:
            day = opened_on + dt.timedelta(days=rng.randint(10, (deadline - opened_on).days))
            steps.append((day, index, organization))
    for day, _index, organization in sorted(steps, key=lambda s: (s[0], s[1])):
        when = at(day, rng.randint(8, 16), rng.choice([0, 15, 30, 45]))
        with dated(when, STAMPED):
            _accept(rng, nomination_round, organization, day=day, share=0.9, department=department)
            _submit(nomination_round, organization, when=when, actor=department)
    closed_on = deadline + dt.timedelta(days=7)
    with dated(at(closed_on, 10), STAMPED):
        nom_services.round_update(
            nomination_round=nomination_round,
            deadline=deadline,
            programmes=offered,
            instructions=nomination_round.instructions,
            is_closed=True,
            actor=department,
        )
    return nomination_round


def _next_years_round(
    rng: random.Random,
    *,
    today: dt.date,
    offered: list[Programme],
    grassroots: list[Organization],
    department: Any,
) -> dict[str, int]:
    """Opened five weeks ago, the deadline three days ago. About half submitted (a few adding
    people by hand), one after a reopening; the demo officer's organization was reminded and
    reopened and may still change its nominations; the others are late drafts or not started."""
    year = today.year + 1
    opened_on, deadline = today - dt.timedelta(days=35), today - dt.timedelta(days=3)
    reminded_on = deadline - dt.timedelta(days=4)
    with dated(at(opened_on, 8, 30), STAMPED):
        nomination_round = nom_services.round_open(
            year=year,
            deadline=deadline,
            programmes=offered,
            instructions=ROUND_INSTRUCTIONS.format(year=year),
            actor=department,
            today=opened_on,
        )
    NominationRound.objects.filter(pk=nomination_round.pk).update(opened_at=at(opened_on, 8, 30))

    # The demo officer's own organization (canbo_coso) is the one they can still work on.
    officer = (
        User.objects.filter(role=Role.ORG_OFFICER, organization__in=[o.pk for o in grassroots])
        .order_by("username")
        .first()
    )
    featured = next((o for o in grassroots if officer and o.pk == officer.organization_id), None)
    others = [o for o in grassroots if o is not featured]
    rng.shuffle(others)
    half = len(others) // 2
    on_time, rest = others[:half], others[half:]
    late_submitter = rest[0] if rest else None
    untouched = rest[-3:] if len(rest) > 4 else []
    drafts = [o for o in rest[1:] if o not in untouched]

    def day_between(first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=rng.randint(0, max((last - first).days, 0)))

    # (day, order, organization, what): what = "submit" | "draft"
    steps: list[tuple[dt.date, int, Organization, str]] = []
    for i, organization in enumerate(on_time):
        day = (
            day_between(opened_on + dt.timedelta(days=3), reminded_on - dt.timedelta(days=1))
            if i % 2 == 0
            else day_between(reminded_on + dt.timedelta(days=1), deadline)
        )
        steps.append((day, len(steps), organization, "submit"))
    for organization in drafts:
        day = day_between(opened_on + dt.timedelta(days=5), deadline - dt.timedelta(days=1))
        steps.append((day, len(steps), organization, "draft"))
    if featured is not None:
        steps.append((reminded_on - dt.timedelta(days=2), len(steps), featured, "draft"))
    steps.sort(key=lambda s: (s[0], s[1]))

    by_hand = 0
    reminded = False

    _give_officers_addresses()

    def remind() -> None:
        with dated(at(reminded_on, 15, 30), STAMPED), override_settings(MAILERS=NO_MAIL):
            nom_reminders.submissions_remind(
                nomination_round=nomination_round,
                organizations=grassroots,
                link_for=lambda o: reverse("planning:submission", args=[nomination_round.pk, o.pk]),
                actor=department,
            )

    for n, (day, _order, organization, what) in enumerate(steps):
        if not reminded and day > reminded_on:
            remind()
            reminded = True
        when = at(day, rng.randint(8, 16), rng.choice([0, 10, 20, 30, 40, 50]))
        with dated(when, STAMPED):
            _accept(rng, nomination_round, organization, day=day, share=0.8, department=department)
            if n % 4 == 1 or organization is featured:
                by_hand += _add_by_hand(
                    rng, nomination_round, organization, day=day, department=department
                )
            if what == "submit":
                _submit(nomination_round, organization, when=when, actor=department)
    if not reminded:
        remind()

    # After the deadline the department reopens two: one submits late, one is still at work.
    reopened = 0
    if late_submitter is not None:
        reopened_on, submitted_on = deadline + dt.timedelta(days=1), today - dt.timedelta(days=1)
        with dated(at(reopened_on, 10), STAMPED):
            nom_services.submission_reopen(
                nomination_round=nomination_round,
                organization=late_submitter,
                until=today + dt.timedelta(days=4),
                note=REOPEN_NOTES[0],
                actor=department,
                today=reopened_on,
            )
        when = at(submitted_on, 16, 20)
        with dated(when, STAMPED):
            _accept(
                rng,
                nomination_round,
                late_submitter,
                day=submitted_on,
                share=1.0,
                department=department,
            )
            by_hand += _add_by_hand(
                rng, nomination_round, late_submitter, day=submitted_on, department=department
            )
            _submit(nomination_round, late_submitter, when=when, actor=department)
        reopened += 1
    if featured is not None:
        reopened_on = today - dt.timedelta(days=1)
        with dated(at(reopened_on, 14), STAMPED):
            nom_services.submission_reopen(
                nomination_round=nomination_round,
                organization=featured,
                until=today + dt.timedelta(days=7),
                note=REOPEN_NOTES[1],
                actor=department,
                today=reopened_on,
            )
        reopened += 1

    statuses = dict(
        Submission.objects.filter(round=nomination_round).values_list("organization_id", "status")
    )
    return {
        "next_year_submitted": sum(s == Submission.Status.SUBMITTED for s in statuses.values()),
        # Late: the deadline has passed and nothing was submitted (drafts and not started).
        "next_year_late": sum(
            statuses.get(o.pk, Submission.Status.DRAFT) == Submission.Status.DRAFT
            for o in grassroots
        ),
        "next_year_reopened": reopened,
        "next_year_by_hand": by_hand,
        "reminders": SubmissionEvent.objects.filter(
            submission__round=nomination_round, action="reminded"
        ).count(),
    }


def _give_officers_addresses() -> None:
    """The demo accounts come without email addresses; a reminder reaches only officers with
    one."""
    for user in User.objects.filter(role=Role.ORG_OFFICER, is_active=True, email="").order_by("pk"):
        user.email = f"{user.username}@{MAIL_DOMAIN}"
        user.save(update_fields=["email"])


# ---------------------------------------------------------------------------------------------
# The annual plan


def _round_up(value: int, step: int) -> int:
    return -(-value // step) * step


def _to(amount: Decimal, step: int) -> Decimal:
    return (amount / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _specs(rng: random.Random, *, year: int, today: dt.date, province: Organization) -> list[Spec]:
    """One planned course per course of the year (resolution study: the province's only), one
    more per programme nominated for but never run, one not held that should have been, and two
    still to come. Then the year's nominations shared out among them, by quarter."""
    programmes = list(
        Programme.objects.filter(
            is_active=True, kind__in=[*OFFERED_KINDS, Kind.RESOLUTION]
        ).order_by("code")
    )
    courses = [
        c
        for c in Course.objects.filter(
            starts_on__year=year, programme__in=programmes, planned_course__isnull=True
        )
        .exclude(status=Course.Status.CANCELLED)
        .select_related("programme", "organizer", "venue")
        .annotate(
            enrolled=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED))
        )
        .order_by("starts_on", "code")
        if c.programme.kind != Kind.RESOLUTION or c.organizer_id == province.pk
    ]
    # The lecturers who taught most of each course's sessions (three at most).
    taught: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for course_id, lecturer_id, n in (
        Session.objects.filter(course__in=courses, lecturer__isnull=False)
        .values_list("course_id", "lecturer_id")
        .annotate(n=Count("id"))
        .order_by("course_id", "lecturer_id")
    ):
        taught[course_id][lecturer_id] = n
    lecturers = Lecturer.objects.in_bulk([pk for per in taught.values() for pk in per])
    by_programme: dict[int, list[Lecturer]] = defaultdict(list)

    specs: list[Spec] = []
    for course in courses:
        ranked = sorted(taught[course.pk].items(), key=lambda item: (-item[1], item[0]))
        chosen = [lecturers[pk] for pk, _n in ranked[:3]]
        for lecturer in chosen:
            if lecturer not in by_programme[course.programme_id]:
                by_programme[course.programme_id].append(lecturer)
        specs.append(
            Spec(
                programme=course.programme,
                month=course.starts_on.month,
                name=course.name,
                organizer=course.organizer,
                expected=_round_up(max(course.enrolled, 10), 5),
                venue=course.venue,
                lecturers=chosen,
                course=course,
            )
        )

    def extra(programme: Programme, month: int, label: str, organizer: Organization) -> Spec:
        name = f"Lớp {_lower_first(programme.name)}{label} năm {year} ({organizer.name})"
        return Spec(
            programme=programme,
            month=month,
            name=name,
            organizer=organizer,
            expected=30,
            lecturers=by_programme.get(programme.pk, [])[:2],
        )

    committees = list(
        Organization.objects.filter(parent=province, dissolved_on=None).order_by(*STABLE)
    )
    kinds = {p.kind: p for p in programmes}
    # Not held: a professional course the committee did not get round to.
    missed = kinds.get(Kind.PROFESSIONAL)
    if missed is not None:
        organizer = rng.choice(committees) if committees else province
        specs.append(extra(missed, max(1, today.month - 3), "", organizer))
    # Still to come: new members and admission candidates who could not join this year's classes.
    upcoming = min(12, today.month + 1)
    for kind in (Kind.NEW_MEMBER, Kind.ADMISSION):
        if kind in kinds:
            specs.append(extra(kinds[kind], upcoming, " khóa bổ sung", province))

    nominations: dict[int, list[Nomination]] = defaultdict(list)
    for nomination in (
        nom_selectors.nominations_for_year(year=year)
        .select_related("person")
        .order_by(
            models.F("quarter").asc(nulls_last=True),
            "priority",
            "submission__organization__code",
            "person__sort_key",
            "pk",
        )
    ):
        nominations[nomination.programme_id].append(nomination)
    by_id = {p.pk: p for p in programmes}
    for programme_id in sorted(nominations):
        mine = sorted((s for s in specs if s.programme.pk == programme_id), key=lambda s: s.month)
        if not mine and programme_id in by_id:
            # Nominated for, but no course this year: planned in the quarter most asked for.
            month = plan_services._quarter_month(nominations[programme_id])
            spec = extra(by_id[programme_id], month, "", province)
            specs.append(spec)
            mine = [spec]
        wanted = nominations[programme_id]
        for i, spec in enumerate(mine):
            spec.nominations = wanted[
                i * len(wanted) // len(mine) : (i + 1) * len(wanted) // len(mine)
            ]
            spec.expected = max(spec.expected, len(spec.nominations))
    specs.sort(key=lambda s: (s.month, s.programme.code, s.name))
    return specs


def _save(spec: Spec, plan: AnnualPlan, actor: User) -> PlannedCourse:
    """From the nominations when there are some (the department then completes the course),
    by hand otherwise."""
    data = {
        "name": spec.name,
        "month": spec.month,
        "expected_learners": spec.expected,
        "venue": spec.venue,
        "organizer": spec.organizer,
    }
    if spec.nominations:
        planned = plan_services.planned_course_from_nominations(
            plan=plan, nominations=spec.nominations, actor=actor
        )
    else:
        planned = PlannedCourse(plan=plan)
        data.update(
            programme=spec.programme,
            sessions=spec.programme.default_sessions or 1,
            days=spec.programme.default_days or Decimal(1),
        )
    spec.planned = plan_services.planned_course_save(
        planned=planned, data=data, actor=actor, lecturers=spec.lecturers
    )
    return spec.planned


def _revision_spec(specs: list[Spec]) -> Spec | None:
    """The course the leader asks for when returning the plan: a held course of the third
    quarter, a professional one if possible."""
    held = [s for s in specs if s.course is not None and s.programme.kind != Kind.RESOLUTION]
    for wanted in (
        [s for s in held if s.programme.kind == Kind.PROFESSIONAL and 7 <= s.month <= 9],
        [s for s in held if 7 <= s.month <= 9],
        held[-1:],
    ):
        if wanted:
            return wanted[0]
    return None


def _plan(
    rng: random.Random,
    *,
    today: dt.date,
    province: Organization,
    department: Any,
    leader: Any,
    counts: dict[str, int],
) -> tuple[AnnualPlan, list[Spec]]:
    """Drafted in November of last year, submitted, returned with comments, revised, submitted
    again and approved before the new year."""
    year = today.year
    specs = _specs(rng, year=year, today=today, province=province)
    later = _revision_spec(specs)
    days = {
        "created": dt.date(year - 1, 11, 18),
        "submitted": dt.date(year - 1, 12, 2),
        "returned": dt.date(year - 1, 12, 9),
        "revised": dt.date(year - 1, 12, 12),
        "resubmitted": dt.date(year - 1, 12, 16),
        "approved": dt.date(year - 1, 12, 23),
    }
    with dated(at(days["created"], 8, 40), PLAN_STAMPED):
        plan = plan_services.plan_create(
            data={
                "year": year,
                "number": f"{rng.randint(120, 190)}-KH/TU",
                "title": f"Kế hoạch đào tạo, bồi dưỡng lý luận chính trị năm {year}",
                "issuer": province,
                "place": "Hòa Bình Sơn",
                "introduction": PLAN_INTRODUCTION,
            },
            actor=department,
        )
        for spec in specs:
            if spec is not later:
                _save(spec, plan, department)
        for kind, description, quantity, cost in FACILITIES:
            plan_services.facility_save(
                need=FacilityNeed(plan=plan),
                data={
                    "kind": kind,
                    "description": description,
                    "quantity": quantity,
                    "estimated_cost": Decimal(cost),
                },
                actor=department,
            )
        # The long course is held in the school's own hall: the norm's venue cost does not apply.
        line = (
            BudgetLine.objects.filter(plan=plan, kind=BudgetLine.Kind.VENUE)
            .select_related("plan", "planned_course")
            .order_by("-computed_amount", "pk")
            .first()
        )
        if line is not None and line.computed_amount > 0:
            plan_services.budget_line_adjust(
                line=line,
                amount=max(_to(line.computed_amount / 5, 1_000_000), Decimal(1_000_000)),
                note=VENUE_NOTE,
                actor=department,
            )
    with dated(at(days["submitted"], 15, 10), PLAN_STAMPED):
        plan_services.plan_submit(plan=plan, actor=department)
    comment = RETURN_COMMENT.format(
        course=later.name if later else "", month=later.month if later else ""
    )
    if later is None:
        comment = "Đề nghị tính lại kinh phí tài liệu cho phù hợp với giáo trình mới; trình lại."
    with dated(at(days["returned"], 10, 25), PLAN_STAMPED):
        plan_services.plan_return(plan=plan, actor=leader, comment=comment)
    with dated(at(days["revised"], 9, 5), PLAN_STAMPED):
        if later is not None:
            # Added whole, so that the timeline's "revised" step names the course.
            later.planned = plan_services.planned_course_save(
                planned=PlannedCourse(plan=plan),
                data={
                    "programme": later.programme,
                    "name": later.name,
                    "month": later.month,
                    "expected_learners": later.expected,
                    "sessions": later.programme.default_sessions or 1,
                    "days": later.programme.default_days or Decimal(1),
                    "venue": later.venue,
                    "organizer": later.organizer,
                },
                actor=department,
                lecturers=later.lecturers,
                nominations=later.nominations,
            )
        materials = (
            BudgetLine.objects.filter(plan=plan, kind=BudgetLine.Kind.MATERIALS)
            .select_related("plan", "planned_course")
            .order_by(
                models.Case(
                    models.When(planned_course__programme__kind=Kind.SO_CAP, then=0),
                    default=1,
                ),
                "-computed_amount",
                "pk",
            )
            .first()
        )
        if materials is not None:
            plan_services.budget_line_adjust(
                line=materials,
                amount=_to(materials.computed_amount * Decimal("1.25"), 100_000),
                note=MATERIALS_NOTE,
                actor=department,
            )
    with dated(at(days["resubmitted"], 14, 30), PLAN_STAMPED):
        plan_services.plan_submit(plan=plan, actor=department)
    with dated(at(days["approved"], 16, 0), PLAN_STAMPED):
        plan_services.plan_approve(plan=plan, actor=leader, comment=APPROVE_COMMENT)

    counts["planned_courses"] = plan.planned_courses.count()
    counts["budget_lines"] = plan.budget_lines.count()
    counts["adjusted_lines"] = plan.budget_lines.exclude(adjustment_note="").count()
    counts["facility_needs"] = plan.facility_needs.count()
    return plan, specs


# ---------------------------------------------------------------------------------------------
# The plan carried out


def _courses(
    rng: random.Random, *, today: dt.date, specs: list[Spec], department: Any
) -> dict[str, int]:
    """Link the planned courses to the courses that ran them; turn one still to come into a
    course (its nominees enrolled) through the plan-to-course service."""
    linked = [s for s in specs if s.course is not None and s.planned is not None]
    for spec in linked:
        assert spec.planned is not None
        spec.planned.course = spec.course
    PlannedCourse.objects.bulk_update([s.planned for s in linked if s.planned], ["course"])
    created = 0
    upcoming = [
        s
        for s in specs
        if s.course is None and s.planned is not None and s.nominations and s.month >= today.month
    ]
    if upcoming:
        spec = min(upcoming, key=lambda s: (s.month, s.programme.code))
        assert spec.planned is not None
        people = [n.person for n in plan_courses.nominees(planned=spec.planned)]
        reason = (
            "Cấp ủy cơ sở đã xem xét, đề nghị cho học"
            if plan_courses.nominee_warnings(planned=spec.planned, people=people)
            else ""
        )
        day = max(today - dt.timedelta(days=rng.randint(5, 12)), dt.date(today.year, 1, 2))
        with dated(at(day, 10, 15), COURSE_STAMPED):
            result = plan_courses.planned_course_create_course(
                planned=spec.planned,
                actor=department,
                override_reason=reason,
                confirm_warnings=True,
            )
        spec.course = result.course
        created = 1
    return {"linked_courses": len(linked), "courses_from_plan": created}


def _expenses(rng: random.Random, *, today: dt.date, specs: list[Spec], department: Any) -> int:
    """Spending on a few finished courses, under their budget, but over it for the courses of one
    organization that held all it planned (so that its row of the plan against actual shows the
    overspending); an advance on one course still running."""
    held = [
        s
        for s in specs
        if s.course is not None
        and s.planned is not None
        and s.course.status in plan_vs_actual.HELD
        and s.programme.kind != Kind.RESOLUTION
    ]
    lines: dict[int, list[BudgetLine]] = defaultdict(list)
    for line in BudgetLine.objects.filter(
        planned_course__in=[s.planned for s in held if s.planned]
    ).order_by("planned_course_id", "kind"):
        lines[line.planned_course_id or 0].append(line)
    finished = [s for s in held if s.course and s.course.status == Course.Status.FINISHED]
    running = [s for s in held if s.course and s.course.status == Course.Status.IN_PROGRESS]

    planned_by_organizer = Counter(s.organizer.pk for s in specs if s.planned is not None)
    finished_by_organizer: dict[int, list[Spec]] = defaultdict(list)
    for spec in finished:
        finished_by_organizer[spec.organizer.pk].append(spec)
    complete = sorted(
        (len(done), pk)
        for pk, done in finished_by_organizer.items()
        if len(done) == planned_by_organizer[pk]
    )
    if complete:
        fewest = [pk for n, pk in complete if n == complete[0][0]]
        over = finished_by_organizer[rng.choice(fewest)]
    else:
        over = rng.sample(finished, min(1, len(finished)))
    others = [s for s in finished if s not in over]
    under = rng.sample(others, min(3, len(others)))
    recorded = 0

    def record(course: Course, kind: str, amount: Decimal, day: dt.date, note: str) -> None:
        nonlocal recorded
        if amount <= 0:
            return
        with dated(at(day, 10, 30), [(AuditEntry, "at")]):
            plan_services.expense_record(
                course=course,
                data={"kind": kind, "amount": amount, "spent_on": day, "note": note},
                actor=department,
            )
        recorded += 1

    for spec in sorted(over + under, key=lambda s: (s.month, s.name)):
        assert spec.course is not None and spec.planned is not None
        is_over = spec in over
        day = min(today, spec.course.ends_on + dt.timedelta(days=rng.randint(1, 12)))
        for line in lines[spec.planned.pk]:
            if not is_over and line.kind == BudgetLine.Kind.OTHER and rng.random() < 0.3:
                continue
            factor = rng.uniform(1.08, 1.25) if is_over else rng.uniform(0.75, 0.98)
            note = EXPENSE_NOTES.get(line.kind, "")
            if is_over and line.kind == BudgetLine.Kind.LECTURER_FEES:
                note = OVER_NOTE
            record(spec.course, line.kind, _thousands(line.amount * Decimal(factor)), day, note)
    for spec in running[:1]:
        assert spec.course is not None and spec.planned is not None
        day = max(spec.course.starts_on, today - dt.timedelta(days=rng.randint(1, 5)))
        for line in lines[spec.planned.pk]:
            if line.kind == BudgetLine.Kind.LECTURER_FEES:
                record(
                    spec.course,
                    line.kind,
                    _thousands(line.amount * Decimal("0.4")),
                    min(day, today),
                    "Tạm ứng thù lao giảng viên các chuyên đề đã học",
                )
    return recorded
