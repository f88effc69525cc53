"""Demo data for running classes: lecturers, venues and a year of courses, with their sessions,
learners and attendance. `manage.py seed_demo` calls `demo_courses` once the rolls are seeded
(llct.demo.organizations).

Everything is drawn from the caller's `random.Random` and dated relative to `today`, so the same
seed on the same day gives the same courses. Courses and their sessions go through the services
(course_create, course_generate_sessions), so they are exactly what the department would make;
lecturers are then assigned to sessions, and enrolments and attendance are bulk-inserted. What
the services would check on those writes is kept by construction here and checked by
llct/courses/tests/test_demo.py: no venue, lecturer or learner in two places at once, lecturers
approved for their topics, learners eligible for the programme, seats enough for the learners.

The shape of the year: finished courses before this week, two courses running this week (a
new-member class with a session today, in which the demo learner is enrolled and the demo
lecturer teaches, and the long trung cấp class), courses open for enrolment after it.

Before them come the classes the party rules call for (`_rule_plans`): everyone admitted since
LLCT came into use (MembershipRules.cutover_on) took an awareness class as a candidate, a month or
more before the admission, and everyone recognized as a full member since then took the
new-member class during the probation; they attended every session and passed (the assessment
demo reads that from the rolls). A few people are left out on purpose: the assessment demo
records their decisions as the exceptions the department allowed.
"""

# Over 600 lines on purpose: one year of courses is drawn in one pass from one random stream
# (lecturers, venues, courses, sessions, learners, attendance); split, the draws would have to be
# threaded through several modules in the same order to keep a seed's province the same.

import datetime as dt
import itertools
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from llct.core.models import AuditEntry, User
from llct.core.text import clean_text
from llct.courses.models import (
    Attendance,
    Course,
    Enrolment,
    Holiday,
    SchedulingRules,
    Session,
    Venue,
)
from llct.courses.roll_call import roll_call_save
from llct.courses.services.courses import course_create
from llct.courses.services.sessions import course_generate_sessions, half_day_slots
from llct.curriculum.models import Lecturer, Programme, Topic
from llct.demo.organizations import random_name
from llct.organizations.models import (
    MembershipChange,
    MembershipRules,
    MembershipStage,
    Organization,
    Person,
    TheoryLevel,
)

# A half-day: (date, part). Every demo session is a whole morning or afternoon, so two sessions
# overlap exactly when their half-days are equal.
Slot = tuple[dt.date, str]

PROVINCE = "HBS"
SCHOOL = "Trường Chính trị tỉnh"

# ---------------------------------------------------------------------------------------------
# Venues: (key, name, kind, address, capacity, equipment, owner code, meeting link)

PHYSICAL, ONLINE = Venue.Kind.PHYSICAL, Venue.Kind.ONLINE
VENUES: list[tuple[str, str, str, str, int, str, str, str]] = [
    (
        "tinh_uy",
        "Hội trường Tỉnh ủy",
        PHYSICAL,
        "Số 1 đường Trần Hưng Đạo, phường Bình Minh",
        300,
        "Màn hình LED, âm thanh hội trường, 4 micro không dây, điểm cầu truyền hình trực tuyến",
        "HBS",
        "",
    ),
    (
        "truong",
        "Hội trường Trường Chính trị tỉnh",
        PHYSICAL,
        "Số 25 đường Lê Lợi, phường Bình Minh",
        200,
        "Máy chiếu, màn chiếu, âm thanh hội trường, 2 micro không dây",
        "CQD-TCT",
        "",
    ),
    (
        "a1",
        "Phòng học A1 Trường Chính trị tỉnh",
        PHYSICAL,
        "Nhà A, Trường Chính trị tỉnh, số 25 đường Lê Lợi",
        60,
        "Máy chiếu, bảng trắng, âm thanh, điều hòa",
        "CQD-TCT",
        "",
    ),
    (
        "a2",
        "Phòng học A2 Trường Chính trị tỉnh",
        PHYSICAL,
        "Nhà A, Trường Chính trị tỉnh, số 25 đường Lê Lợi",
        50,
        "Tivi 75 inch, bảng trắng, micro, điều hòa",
        "CQD-TCT",
        "",
    ),
    (
        "xa_dong_tam",
        "Hội trường UBND xã Đồng Tâm",
        PHYSICAL,
        "Trụ sở UBND xã Đồng Tâm",
        120,
        "Máy chiếu, loa kéo, 2 micro",
        "HBS-XDT",
        "",
    ),
    (
        "phuong_binh_minh",
        "Hội trường UBND phường Bình Minh",
        PHYSICAL,
        "Số 8 đường Nguyễn Trãi, phường Bình Minh",
        100,
        "Màn hình LED, âm thanh hội trường",
        "HBS-PBM",
        "",
    ),
    (
        "online_tinh_uy",
        "Phòng họp trực tuyến Tỉnh ủy",
        ONLINE,
        "",
        500,
        "Điểm cầu trung tâm tại Hội trường Tỉnh ủy; các điểm cầu xã, phường kết nối qua mạng "
        "truyền số liệu chuyên dùng",
        "HBS",
        "https://hop.hoabinhson.example/tinh-uy",
    ),
    (
        "online_truong",
        "Phòng học trực tuyến Trường Chính trị tỉnh",
        ONLINE,
        "",
        100,
        "Phần mềm học trực tuyến, ghi hình bài giảng",
        "CQD-TCT",
        "https://hoc.hoabinhson.example/truong-chinh-tri",
    ),
]
# Where each programme is usually held, first choice first.
VENUE_CHOICES = {
    "NTVD": ["a2", "a1", "truong"],
    "DVM": ["a2", "a1", "truong"],
    "SC": ["a2", "a1", "truong"],
    "TC": ["a1"],
    "NV": ["truong", "online_truong", "a2", "a1"],
    "QTNQ": ["tinh_uy", "online_tinh_uy", "truong"],
}
# A commune or ward holds its own courses in its own hall.
LOCAL_HALLS = {"HBS-XDT": "xa_dong_tam", "HBS-PBM": "phuong_binh_minh"}
# Seats a class of each programme is planned for.
CLASS_SIZE = {"NTVD": 40, "DVM": 40, "SC": 50, "TC": 60, "NV": 60, "QTNQ": 200}
# Courses a year for 2,000 people on the rolls (trung cấp apart: one class, running now).
COURSES_PER_2000 = {"NTVD": 5, "DVM": 6, "SC": 3, "NV": 6, "QTNQ": 10}

# ---------------------------------------------------------------------------------------------
# Lecturers. Topics are given by theme; a theme lists (programme code, topic order).

THEMES: dict[str, list[tuple[str, int]]] = {
    "marxism": [("DVM", 1), ("SC", 1), ("SC", 2), ("TC", 1), ("NTVD", 4)],
    "history": [("NTVD", 1), ("DVM", 2), ("SC", 3)],
    "platform": [("NTVD", 2), ("DVM", 3)],
    "charter": [("NTVD", 3), ("NTVD", 5), ("DVM", 9), ("DVM", 10), ("SC", 10), ("SC", 11)],
    "policy": [("DVM", 4), ("DVM", 5), ("SC", 5), ("SC", 6), ("SC", 7), ("TC", 2)],
    "defence": [("DVM", 6), ("SC", 8), ("SC", 9)],
    "state": [("DVM", 7), ("DVM", 8), ("SC", 4), ("SC", 14), ("SC", 15)],
    "party_work": [("SC", 16), ("SC", 17), ("TC", 3), ("NV", 1), ("NV", 2)],
    "inspection": [("SC", 12), ("NV", 3)],
    "propaganda": [("SC", 13), ("NV", 4), ("QTNQ", 1)],
    "current": [("SC", 18), ("QTNQ", 1)],
    "new_members": [("DVM", n) for n in range(1, 11)],
}

FULL_TIME = Lecturer.Kind.FULL_TIME
PART_TIME = Lecturer.Kind.PART_TIME
GUEST = Lecturer.Kind.GUEST


@dataclass(frozen=True)
class LecturerTemplate:
    kind: str
    workplace: str
    qualifications: str
    themes: tuple[str, ...]
    # Take a person on the rolls of this organization (by code) when one fits.
    person_from: str = ""
    full_name: str = ""


LECTURERS = [
    # The demo lecturer account: she runs the new-member classes of the school.
    LecturerTemplate(
        FULL_TIME,
        f"Khoa Xây dựng Đảng, {SCHOOL}",
        "Thạc sĩ Xây dựng Đảng và Chính quyền nhà nước; Cao cấp lý luận chính trị",
        ("new_members", "charter", "history", "platform"),
        full_name="Hoàng Thị Lan Hương",
    ),
    LecturerTemplate(
        FULL_TIME,
        f"Khoa Xây dựng Đảng, {SCHOOL}",
        "Tiến sĩ Xây dựng Đảng và Chính quyền nhà nước; Cao cấp lý luận chính trị",
        ("charter", "party_work", "inspection"),
        person_from="CQD-TCT-01",
    ),
    LecturerTemplate(
        FULL_TIME,
        f"Khoa Xây dựng Đảng, {SCHOOL}",
        "Thạc sĩ Lịch sử Đảng Cộng sản Việt Nam; Cao cấp lý luận chính trị",
        ("history", "platform", "charter"),
        person_from="CQD-TCT-01",
    ),
    LecturerTemplate(
        FULL_TIME,
        f"Khoa Lý luận cơ sở, {SCHOOL}",
        "Tiến sĩ Triết học; Cao cấp lý luận chính trị; Giảng viên chính",
        ("marxism", "history"),
        person_from="CQD-TCT-02",
    ),
    LecturerTemplate(
        FULL_TIME,
        f"Khoa Lý luận cơ sở, {SCHOOL}",
        "Thạc sĩ Kinh tế chính trị; Cao cấp lý luận chính trị",
        ("marxism", "policy"),
        person_from="CQD-TCT-02",
    ),
    LecturerTemplate(
        FULL_TIME,
        f"Khoa Lý luận cơ sở, {SCHOOL}",
        "Thạc sĩ Chủ nghĩa xã hội khoa học; Cao cấp lý luận chính trị",
        ("marxism", "platform", "state"),
    ),
    LecturerTemplate(
        FULL_TIME,
        f"Khoa Nhà nước và pháp luật, {SCHOOL}",
        "Thạc sĩ Luật; Cao cấp lý luận chính trị",
        ("state", "policy", "defence"),
    ),
    LecturerTemplate(
        FULL_TIME,
        f"Phòng Đào tạo - Quản lý khoa học, {SCHOOL}",
        "Thạc sĩ Quản lý giáo dục; Cao cấp lý luận chính trị",
        ("party_work", "propaganda", "policy"),
        person_from="CQD-TCT-03",
    ),
    # Part-time lecturers (kiêm chức): cadres of the provincial committee's departments.
    LecturerTemplate(
        PART_TIME,
        "Ban Tuyên giáo và Dân vận Tỉnh ủy",
        "Thạc sĩ Chính trị học; Cao cấp lý luận chính trị; Báo cáo viên Tỉnh ủy",
        ("propaganda", "current", "history"),
        person_from="CQD-BTGDV",
    ),
    LecturerTemplate(
        PART_TIME,
        "Ban Tuyên giáo và Dân vận Tỉnh ủy",
        "Cử nhân chính trị; Báo cáo viên Tỉnh ủy",
        ("current", "marxism", "platform"),
        person_from="CQD-BTGDV",
    ),
    LecturerTemplate(
        PART_TIME,
        "Ban Tuyên giáo và Dân vận Tỉnh ủy",
        "Thạc sĩ Văn hóa học; Cao cấp lý luận chính trị",
        ("policy", "propaganda", "new_members"),
    ),
    LecturerTemplate(
        PART_TIME,
        "Ban Tổ chức Tỉnh ủy",
        "Thạc sĩ Quản lý công; Cao cấp lý luận chính trị",
        ("charter", "party_work"),
        person_from="CQD-BTC",
    ),
    LecturerTemplate(
        PART_TIME,
        "Ban Tổ chức Tỉnh ủy",
        "Cử nhân Luật; Cao cấp lý luận chính trị",
        ("party_work", "charter", "state"),
    ),
    LecturerTemplate(
        PART_TIME,
        "Ủy ban Kiểm tra Tỉnh ủy",
        "Cử nhân Luật; Cao cấp lý luận chính trị",
        ("inspection", "charter"),
        person_from="CQD-UBKT",
    ),
    LecturerTemplate(
        PART_TIME,
        "Ban Nội chính Tỉnh ủy",
        "Thạc sĩ Luật; Cao cấp lý luận chính trị",
        ("state", "defence"),
        person_from="CQD-BNC",
    ),
    LecturerTemplate(
        PART_TIME,
        "Văn phòng Tỉnh ủy",
        "Thạc sĩ Hành chính công; Cao cấp lý luận chính trị",
        ("party_work", "current"),
    ),
    LecturerTemplate(
        PART_TIME,
        "Đảng ủy xã Đồng Tâm",
        "Cử nhân Kinh tế nông nghiệp; Cao cấp lý luận chính trị",
        ("current", "charter", "party_work", "new_members"),
        person_from="XDT-CQD",
    ),
    LecturerTemplate(
        PART_TIME,
        "Đảng ủy phường Bình Minh",
        "Thạc sĩ Quản lý kinh tế; Cao cấp lý luận chính trị",
        ("current", "history", "propaganda"),
        person_from="PBM-CQ",
    ),
    # Guest speakers (báo cáo viên), each on their own field.
    LecturerTemplate(
        GUEST,
        "Công an tỉnh",
        "Thạc sĩ An ninh nhân dân; Cao cấp lý luận chính trị",
        ("defence",),
        person_from="CA-ANCT",
    ),
    LecturerTemplate(
        GUEST,
        "Bộ Chỉ huy Quân sự tỉnh",
        "Cử nhân Khoa học quân sự; Cao cấp lý luận chính trị",
        ("defence",),
        person_from="QS-CQ-02",
    ),
    LecturerTemplate(
        GUEST,
        "Sở Tài chính",
        "Thạc sĩ Tài chính - Ngân hàng; Cao cấp lý luận chính trị",
        ("policy",),
    ),
    LecturerTemplate(
        GUEST,
        "Sở Nông nghiệp và Môi trường",
        "Thạc sĩ Kinh tế nông nghiệp; Cao cấp lý luận chính trị",
        ("policy", "current"),
    ),
    LecturerTemplate(
        GUEST,
        "Báo Hòa Bình Sơn",
        "Thạc sĩ Báo chí học; Cao cấp lý luận chính trị",
        ("current", "propaganda"),
    ),
    LecturerTemplate(
        GUEST,
        "Ủy ban MTTQ Việt Nam tỉnh",
        "Cử nhân Công tác xã hội; Cao cấp lý luận chính trị",
        ("state",),
    ),
    LecturerTemplate(
        GUEST,
        "Học viện Chính trị khu vực I",
        "Phó Giáo sư, Tiến sĩ Lịch sử Đảng Cộng sản Việt Nam",
        ("history", "marxism", "platform"),
    ),
]
# Every topic has at least this many approved lecturers (so that a class can always find one).
MIN_LECTURERS_PER_TOPIC = 3

# ---------------------------------------------------------------------------------------------
# Course names

RESOLUTIONS = [
    "Hội nghị học tập, quán triệt Nghị quyết Đại hội XIV của Đảng",
    "Hội nghị quán triệt Nghị quyết Đại hội Đảng bộ tỉnh nhiệm kỳ 2025 - 2030",
    "Quán triệt Nghị quyết số 57-NQ/TW về đột phá phát triển khoa học, công nghệ, đổi mới "
    "sáng tạo và chuyển đổi số quốc gia",
    "Quán triệt Nghị quyết số 59-NQ/TW về hội nhập quốc tế trong tình hình mới",
    "Quán triệt Nghị quyết số 66-NQ/TW về đổi mới công tác xây dựng và thi hành pháp luật",
    "Quán triệt Nghị quyết số 68-NQ/TW về phát triển kinh tế tư nhân",
    "Quán triệt Nghị quyết số 71-NQ/TW về đột phá phát triển giáo dục và đào tạo",
    "Quán triệt Nghị quyết số 72-NQ/TW về tăng cường bảo vệ, chăm sóc và nâng cao sức khỏe "
    "Nhân dân",
]
PROFESSIONAL = [
    "Lớp bồi dưỡng nghiệp vụ công tác đảng cho bí thư, phó bí thư chi bộ",
    "Lớp bồi dưỡng nghiệp vụ công tác kiểm tra, giám sát cho ủy viên ủy ban kiểm tra cơ sở",
    "Lớp bồi dưỡng nghiệp vụ công tác tổ chức, đảng viên cho cấp ủy viên cơ sở",
    "Lớp bồi dưỡng nghiệp vụ công tác tuyên giáo và dân vận ở cơ sở",
    "Lớp bồi dưỡng nâng cao chất lượng sinh hoạt chi bộ",
]
WITHDRAWAL_REASONS = [
    "Được cử đi công tác dài ngày",
    "Nghỉ ốm dài ngày",
    "Chuyển công tác ra ngoài tỉnh",
    "Nghỉ thai sản",
]
MAKE_UP_NOTE = "Buổi học bù"


# ---------------------------------------------------------------------------------------------
# The summary


@dataclass(frozen=True)
class CoursesSummary:
    lecturers: int
    venues: int
    courses: int
    by_status: dict[str, int]
    sessions: int
    enrolments: int
    attendance: int
    # The course running today and the roll call of its first session today, for `make run`.
    today_course: str = ""
    # A link, so not compared: the same demo seeded twice has other primary keys.
    today_roll_call: str = field(default="", compare=False)


# ---------------------------------------------------------------------------------------------
# Reset

# Rows of later apps that point at courses, enrolments, sessions, lecturers or venues, children
# before parents. Looked up by name: the demo does not depend on those apps being installed.
DEPENDENT_MODELS = [
    # Oversight and reports hold on to organizations and to each other.
    ("reviews", "Evidence"),
    ("reviews", "Remedy"),
    ("reviews", "Recommendation"),
    ("reviews", "Finding"),
    ("reviews", "Inspection"),
    ("reviews", "InspectionProgramme"),
    ("reviews", "ChecklistTemplate"),
    ("reviews", "ActionItem"),
    ("reviews", "Briefing"),
    ("reviews", "ReportEvent"),
    ("reviews", "Report"),
    ("reviews", "ReportingRound"),
    ("reviews", "IssuedNumber"),
    ("reviews", "DocumentSeries"),
    ("reviews", "DocumentIssuer"),
    ("assessment", "MembershipDecision"),
    ("assessment", "LecturerRating"),
    ("assessment", "SurveyResponse"),
    ("assessment", "SurveyReceipt"),
    ("assessment", "ScoreChange"),
    ("assessment", "Certificate"),
    ("assessment", "CertificateSeries"),
    ("assessment", "ResultsApproval"),
    ("assessment", "Result"),
    ("planning", "Expense"),
    ("planning", "BudgetLine"),
    ("planning", "PlannedCourse"),
    ("planning", "PlanDecision"),
    ("planning", "PlanVersion"),
    ("planning", "AnnualPlan"),
    ("planning", "Nomination"),
    ("planning", "SubmissionEvent"),
    ("planning", "Submission"),
    ("planning", "NominationRound"),
]


def demo_courses_reset() -> None:
    """Delete the courses with everything hanging off them, the lecturers and the venues (and
    the rows of assessment and planning that point at them). Call inside a transaction."""
    for app_label, model_name in DEPENDENT_MODELS:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        if model_name == "Certificate":
            # A re-issued certificate PROTECTs the one it replaces: cut the chain first.
            model._default_manager.exclude(replaces=None).update(replaces=None)
        model._default_manager.all().delete()
    types = ContentType.objects.get_for_models(
        Course, Session, Enrolment, Attendance, Venue, Lecturer
    ).values()
    AuditEntry.objects.filter(content_type__in=list(types)).delete()
    Attendance.objects.all().delete()
    Enrolment.objects.all().delete()
    Session.objects.all().delete()
    Course.objects.all().delete()
    Lecturer.objects.all().delete()
    Venue.objects.all().delete()


# ---------------------------------------------------------------------------------------------
# The courses


@dataclass
class Plan:
    """A course to be: what it is, and where and when it was scheduled."""

    programme: Programme
    organizer: Organization
    wish: dt.date  # around when it should start
    special: str = ""  # "today", "learner_finished", "trung_cap", "rule" or ""
    title: str = ""
    start: dt.date | None = None
    slots: list[Slot] = field(default_factory=list)
    venue: Venue | None = None
    course: Course | None = None
    sessions: list[Session] = field(default_factory=list)
    # A class the party rules call for: exactly these learners (see _rule_plans).
    learners: list[Person] = field(default_factory=list)


class Calendar:
    """Who and what is taken at each half-day, so that nothing is booked twice."""

    def __init__(self) -> None:
        self.venues: set[tuple[int, dt.date, str]] = set()
        self.lecturers: set[tuple[int, dt.date, str]] = set()
        self.people: dict[int, set[Slot]] = defaultdict(set)

    def venue_free(self, venue: Venue, slots: Iterable[Slot]) -> bool:
        return not any((venue.pk, d, p) in self.venues for d, p in slots)

    def lecturer_free(self, lecturer: Lecturer, slots: Iterable[Slot]) -> bool:
        return not any((lecturer.pk, d, p) in self.lecturers for d, p in slots)

    def person_free(self, person_id: int, slots: Iterable[Slot]) -> bool:
        taken = self.people.get(person_id)
        return not taken or not any(s in taken for s in slots)

    def book_venue(self, venue: Venue, slots: Iterable[Slot]) -> None:
        self.venues.update((venue.pk, d, p) for d, p in slots)

    def book_lecturer(self, lecturer: Lecturer, slots: Iterable[Slot]) -> None:
        self.lecturers.update((lecturer.pk, d, p) for d, p in slots)

    def book_person(self, person_id: int, slots: Iterable[Slot]) -> None:
        self.people[person_id].update(slots)


def demo_courses(
    *,
    rng: random.Random,
    today: dt.date,
    people: Sequence[Person],
    actor: User,
    lecturer_user: User | None = None,
    learner: Person | None = None,
) -> CoursesSummary:
    """Lecturers, venues and a year of courses for the people on the rolls (Person rows with
    their organization loaded). The number of courses grows with the square root of the
    number of people: 2,000 people get about 30 courses, 20,000 about 100."""
    programmes = {
        p.code: p for p in Programme.objects.filter(is_active=True).prefetch_related("topics")
    }
    topics = {code: list(p.topics.all()) for code, p in programmes.items()}
    organizations = {
        o.code: o for o in Organization.objects.filter(dissolved_on=None).select_related("kind")
    }
    venues = _venues(organizations)
    lecturers, approved = _lecturers(rng, people=people, topics=topics, lecturer_user=lecturer_user)
    rules = SchedulingRules.current()
    holidays = set(Holiday.objects.values_list("date", flat=True))
    calendar = Calendar()

    plans = _plans(
        rng,
        today=today,
        people=people,
        programmes=programmes,
        organizations=organizations,
        learner=learner,
    )
    week_start = today - dt.timedelta(days=today.weekday())
    week_end = week_start + dt.timedelta(days=6)
    scheduled: list[Plan] = _rule_plans(
        rng,
        people=people,
        programmes=programmes,
        organizer=organizations.get(PROVINCE)
        or next(o for o in organizations.values() if not o.parent_id),
        venues=venues,
        calendar=calendar,
        rules=rules,
        holidays=holidays,
    )
    for plan in plans:
        if _schedule(
            plan,
            venues=venues,
            calendar=calendar,
            rules=rules,
            holidays=holidays,
            week=(week_start, week_end),
        ):
            scheduled.append(plan)

    _create_courses(scheduled, today=today, actor=actor)
    today_plan = next((p for p in scheduled if p.special == "today"), None)
    if today_plan is not None:
        _session_today(today_plan, today=today, rules=rules, calendar=calendar)
    sessions = [s for plan in scheduled for s in plan.sessions]
    own = next((lec for lec in lecturers if lec.user_id), None)
    for plan in scheduled:
        _assign_lecturers(
            rng,
            plan,
            approved=approved,
            calendar=calendar,
            prefer=own if plan.special == "today" else None,
        )
    Session.objects.bulk_update(sessions, ["lecturer"], batch_size=500)

    enrolments = _enrol(
        rng,
        scheduled,
        people=people,
        lecturers=lecturers,
        learner=learner,
        calendar=calendar,
        today=today,
    )
    enrolments = _withdrawals(rng, enrolments, plans=scheduled, today=today, keep=learner)
    enrolments = Enrolment.objects.bulk_create(enrolments, batch_size=1000)
    marks = _attendance(rng, scheduled, enrolments, today=today, actor=actor)
    Attendance.objects.bulk_create(marks, batch_size=2000)
    _corrections(marks, today=today, actor=actor)

    by_status = Counter(str(p.course.status) for p in scheduled if p.course is not None)
    summary = CoursesSummary(
        lecturers=len(lecturers),
        venues=len(venues),
        courses=len(scheduled),
        by_status=dict(sorted(by_status.items())),
        sessions=len(sessions),
        enrolments=len(enrolments),
        attendance=len(marks),
    )
    if today_plan is not None and today_plan.course is not None:
        first = next(s for s in today_plan.sessions if s.date == today)
        summary = replace(
            summary,
            today_course=f"{today_plan.course.code} {today_plan.course.name}",
            today_roll_call=reverse("courses:roll_call", args=[first.pk]),
        )
    return summary


# --- Venues and lecturers ---------------------------------------------------------------------


def _venues(organizations: dict[str, Organization]) -> dict[str, Venue]:
    rows = [
        Venue(
            name=name,
            kind=kind,
            address=address,
            capacity=capacity,
            equipment=equipment,
            owner=organizations.get(owner),
            meeting_url=link,
        )
        for _key, name, kind, address, capacity, equipment, owner, link in VENUES
    ]
    Venue.objects.bulk_create(rows)
    return {v[0]: row for v, row in zip(VENUES, rows, strict=True)}


def _lecturers(
    rng: random.Random,
    *,
    people: Sequence[Person],
    topics: dict[str, list[Topic]],
    lecturer_user: User | None,
) -> tuple[list[Lecturer], dict[int, list[Lecturer]]]:
    """The lecturers, and for each topic the lecturers approved to teach it (in a fixed
    order)."""

    # Senior full members of an organization are the likeliest lecturers there.
    candidates: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        if person.stage == MembershipStage.FULL and person.theory_level >= TheoryLevel.TRUNG_CAP:
            candidates[person.organization.code].append(person)
    by_topic = {(code, t.order): t for code, ts in topics.items() for t in ts}

    lecturers: list[Lecturer] = []
    wanted: list[list[Topic]] = []
    for template in LECTURERS:
        linked: Person | None = None
        pool = candidates.get(template.person_from, [])
        if pool:
            linked = pool.pop(rng.randrange(len(pool)))
        name = template.full_name or (
            linked.full_name if linked else random_name(rng, rng.choice(["male", "female"]))
        )
        own = bool(template.full_name)
        lecturers.append(
            Lecturer(
                full_name=clean_text(name),
                kind=template.kind,
                person=linked,
                user=lecturer_user if own else None,
                workplace=template.workplace,
                qualifications=template.qualifications,
                phone=f"09{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
            )
        )
        themed = [by_topic[k] for theme in template.themes for k in THEMES[theme] if k in by_topic]
        wanted.append(list(dict.fromkeys(themed)))
    Lecturer.objects.bulk_create(lecturers)

    approved: dict[int, list[Lecturer]] = defaultdict(list)
    for lecturer, chosen in zip(lecturers, wanted, strict=True):
        for topic in chosen:
            approved[topic.pk].append(lecturer)
    # A topic no theme covers (one the department added) or covered thinly: the school's
    # full-time lecturers take it on.
    school = [lec for lec in lecturers if lec.kind == FULL_TIME]
    for topic in (t for ts in topics.values() for t in ts):
        spare = [lec for lec in school if lec not in approved[topic.pk]]
        rng.shuffle(spare)
        while len(approved[topic.pk]) < MIN_LECTURERS_PER_TOPIC and spare:
            approved[topic.pk].append(spare.pop())
    Through = Lecturer.topics.through
    Through.objects.bulk_create(
        Through(lecturer_id=lecturer.pk, topic_id=topic_id)
        for topic_id, teaching in approved.items()
        for lecturer in teaching
    )
    return lecturers, approved


# --- Planning the year ------------------------------------------------------------------------


def _committee_of(person: Person, committees: list[Organization]) -> Organization | None:
    path = person.organization.path
    return next((c for c in committees if path.startswith(c.path)), None)


def _plans(
    rng: random.Random,
    *,
    today: dt.date,
    people: Sequence[Person],
    programmes: dict[str, Programme],
    organizations: dict[str, Organization],
    learner: Person | None,
) -> list[Plan]:
    """The courses of the year: the three fixed ones first, then the rest spread over the
    months, organized by the province or by its committees in proportion to their people."""
    province = organizations.get(PROVINCE) or next(
        o for o in organizations.values() if not o.parent_id
    )
    committees = sorted(
        (o for o in organizations.values() if o.kind.code == "truc_thuoc"), key=lambda o: o.code
    )
    headcount = Counter(c.code for p in people if (c := _committee_of(p, committees)) is not None)
    week_start = today - dt.timedelta(days=today.weekday())
    plans: list[Plan] = []
    learner_committee = (
        _committee_of(learner, committees) if learner is not None else None
    ) or province
    if "DVM" in programmes:
        plans.append(Plan(programmes["DVM"], learner_committee, week_start, special="today"))
    if "QTNQ" in programmes:
        plans.append(
            Plan(
                programmes["QTNQ"],
                learner_committee,
                week_start - dt.timedelta(days=14),
                special="learner_finished",
            )
        )
    if "TC" in programmes:
        plans.append(
            Plan(programmes["TC"], province, week_start - dt.timedelta(weeks=8), "trung_cap")
        )

    factor = math.sqrt(max(len(people), 300) / 2000)
    year_start = dt.date(today.year, 1, 5)
    # Late in the year, the first courses of the next are already open for enrolment.
    year_end = max(dt.date(today.year, 12, 20), today + dt.timedelta(weeks=10))
    span = (year_end - year_start).days
    others: list[Plan] = []
    for code, base in COURSES_PER_2000.items():
        if code not in programmes:
            continue
        count = max(1, round(base * factor))
        for i in range(count):
            wish = year_start + dt.timedelta(days=int(span * (i + rng.random()) / count))
            others.append(
                Plan(programmes[code], _organizer(rng, code, province, committees, headcount), wish)
            )
    others.sort(key=lambda p: (p.wish, p.programme.code))
    return plans + others


@dataclass
class _Need:
    """Someone the rules sent to a class, and when it had to take place: the class must start
    on or after `start` and end on or before `end`."""

    person: Person
    start: dt.date
    end: dt.date


# An awareness certificate is issued when the results are approved, one to three weeks after the
# class: the class ends a month before the admission at the latest.
AWARENESS_LEAD = dt.timedelta(days=30)
# The new-member class ends well within the probation, its results approved before the decision.
NEW_MEMBER_LEAD = dt.timedelta(days=25)
# People the rules would have sent to a class whom the demo leaves without one: the assessment
# demo records their decisions as the department's exceptions. (kind, how many, out of at least)
EXCEPTIONS = {"NTVD": (2, 10), "DVM": (1, 3)}


def rule_needs(
    people: Sequence[Person], *, cutover_on: dt.date, candidate_since: dict[int, dt.date]
) -> dict[str, list[_Need]]:
    """Who needed which class since the cut-over: the awareness class before an admission, the
    new-member class during a probation that ended in a full membership."""
    needs: dict[str, list[_Need]] = {"NTVD": [], "DVM": []}
    for person in people:
        admitted = person.admitted_on
        if admitted is None:
            continue
        if admitted >= cutover_on:
            since = candidate_since.get(person.pk, admitted - dt.timedelta(days=365))
            needs["NTVD"].append(_Need(person, since, admitted - AWARENESS_LEAD))
        ends = person.probation_ends_on()
        if person.full_member_on and person.full_member_on >= cutover_on and ends:
            needs["DVM"].append(
                _Need(person, admitted + dt.timedelta(days=7), ends - NEW_MEMBER_LEAD)
            )
    return needs


def _rule_plans(
    rng: random.Random,
    *,
    people: Sequence[Person],
    programmes: dict[str, Programme],
    organizer: Organization,
    venues: dict[str, Venue],
    calendar: Calendar,
    rules: SchedulingRules,
    holidays: set[dt.date],
) -> list[Plan]:
    """The awareness and new-member classes the rolls since the cut-over call for, scheduled
    first (before the year's courses take the halls), as few as the deadlines allow: each class
    is placed before the earliest deadline still open and takes everyone whose window holds it."""
    cutover_on = MembershipRules.current().cutover_on
    candidate_since = dict(
        MembershipChange.objects.filter(
            person__in=[p.pk for p in people if p.admitted_on and p.admitted_on >= cutover_on],
            stage=MembershipStage.CANDIDATE,
        ).values_list("person_id", "effective_on")
    )
    needs = rule_needs(people, cutover_on=cutover_on, candidate_since=candidate_since)
    plans: list[Plan] = []
    for code, pending in needs.items():
        programme = programmes.get(code)
        if programme is None or not pending:
            continue
        count, least = EXCEPTIONS[code]
        if len(pending) >= least:
            left_out = {n.person.pk for n in rng.sample(pending, count)}
            pending = [n for n in pending if n.person.pk not in left_out]
        pending.sort(key=lambda n: (n.end, n.person.pk))
        size = CLASS_SIZE.get(code, 40)
        while pending:
            first = pending.pop(0)
            plan = _rule_class(rng, programme, organizer, first, venues, calendar, rules, holidays)
            if plan is None:
                continue
            begin, last = plan.slots[0][0], plan.slots[-1][0]
            fits = [
                n
                for n in pending
                if n.start <= begin
                and last <= n.end
                and calendar.person_free(n.person.pk, plan.slots)
            ][: size - 1]
            plan.learners = [first.person, *(n.person for n in fits)]
            taken = {n.person.pk for n in fits}
            pending = [n for n in pending if n.person.pk not in taken]
            for person in plan.learners:
                calendar.book_person(person.pk, plan.slots)
            plans.append(plan)
    return plans


def _rule_class(
    rng: random.Random,
    programme: Programme,
    organizer: Organization,
    need: _Need,
    venues: dict[str, Venue],
    calendar: Calendar,
    rules: SchedulingRules,
    holidays: set[dt.date],
) -> Plan | None:
    """A class within the need's window, a few weeks before its end when there is room."""
    latest = need.end - dt.timedelta(days=14)
    wish = max(need.start + dt.timedelta(days=7), latest - dt.timedelta(days=rng.randint(0, 42)))
    for shift in (0, -7, 7, -14, -21, -28, -35):
        plan = Plan(programme, organizer, wish + dt.timedelta(days=shift), special="rule")
        probe = Calendar()
        probe.venues = set(calendar.venues)
        if not _schedule(
            plan, venues=venues, calendar=probe, rules=rules, holidays=holidays, week=(wish, wish)
        ):
            continue
        if need.start <= plan.slots[0][0] and plan.slots[-1][0] <= need.end:
            calendar.venues = probe.venues
            return plan
    return None


def _organizer(
    rng: random.Random,
    code: str,
    province: Organization,
    committees: list[Organization],
    headcount: Counter[str],
) -> Organization:
    """Committees run the classes for their own people (candidates, new members, resolutions);
    the province runs sơ cấp with the school, and half of the professional courses."""
    provincial = {"SC": 0.6, "NV": 0.5, "QTNQ": 0.3}.get(code, 0.0)
    if not committees or rng.random() < provincial:
        return province
    return rng.choices(committees, weights=[headcount.get(c.code, 0) + 1 for c in committees])[0]


def _schedule(
    plan: Plan,
    *,
    venues: dict[str, Venue],
    calendar: Calendar,
    rules: SchedulingRules,
    holidays: set[dt.date],
    week: tuple[dt.date, dt.date],
) -> bool:
    """Find a start near the wished date and a venue free at every half-day of it. Courses
    other than the fixed ones keep clear of this week. False when nothing fits."""
    n = sum(max(t.sessions, 1) for t in plan.programme.topics.all())
    if not n:
        return False
    keys = list(VENUE_CHOICES.get(plan.programme.code, ["truong"]))
    local = LOCAL_HALLS.get(plan.organizer.code)
    if local:
        keys.insert(0, local)
    if plan.special == "today":
        keys = [k for k in keys if k != "a1"] + ["a1"]
    keys += [k for k in venues if k not in keys and venues[k].kind == PHYSICAL]
    shifts = [0] if plan.special else [0, 7, -7, 14, -14, 21, -21, 28, 35, 42]
    for shift in shifts:
        start = plan.wish + dt.timedelta(days=shift)
        if plan.programme.code not in ("QTNQ", "NV") or plan.special:
            start -= dt.timedelta(days=start.weekday())  # classes start on a Monday
        slots = [
            (d, str(part))
            for d, part, _s, _e in itertools.islice(
                half_day_slots(start=start, holidays=holidays, rules=rules), n
            )
        ]
        if not plan.special and slots[0][0] <= week[1] and slots[-1][0] >= week[0]:
            continue
        if plan.special == "learner_finished" and slots[-1][0] >= week[0]:
            continue
        for key in keys:
            venue = venues.get(key)
            if venue is not None and calendar.venue_free(venue, slots):
                calendar.book_venue(venue, slots)
                # A course starts on its first working half-day, not on the weekend before.
                plan.start, plan.slots, plan.venue = slots[0][0], slots, venue
                return True
    return False


def _status(first: dt.date, last: dt.date, today: dt.date) -> str:
    if last < today:
        return Course.Status.FINISHED
    if first > today:
        return Course.Status.OPEN
    return Course.Status.IN_PROGRESS


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _create_courses(plans: list[Plan], *, today: dt.date, actor: User) -> None:
    """Number the courses of each programme and year in date order, then create them and
    generate their sessions through the services."""
    plans_in_order = sorted(plans, key=lambda p: (p.slots[0], p.programme.code, p.organizer.code))
    numbers: Counter[tuple[str, int]] = Counter()
    titles = {"QTNQ": itertools.cycle(RESOLUTIONS), "NV": itertools.cycle(PROFESSIONAL)}
    for plan in plans_in_order:
        assert plan.start is not None and plan.venue is not None
        programme, year = plan.programme, plan.start.year
        numbers[(programme.code, year)] += 1
        n = numbers[(programme.code, year)]
        if programme.code in titles:
            name = next(titles[programme.code])
        else:
            name = f"Lớp {_lower_first(programme.name)} khóa {n} năm {year}"
        if plan.organizer.code != PROVINCE:
            name += f" ({plan.organizer.name})"
        first, last = plan.slots[0][0], plan.slots[-1][0]
        size = CLASS_SIZE.get(programme.code, 50)
        plan.course = course_create(
            data={
                "code": f"{programme.code}-{year}-{n:02d}",
                "name": name,
                "programme": programme,
                "organizer": plan.organizer,
                "partner": SCHOOL
                if plan.venue.owner and plan.venue.owner.code == "CQD-TCT"
                else "",
                "starts_on": plan.start,
                "ends_on": plan.start,
                "venue": plan.venue,
                "capacity": min(size, plan.venue.capacity),
                "status": _status(first, last, today),
            },
            actor=actor,
        )
        plan.sessions = course_generate_sessions(course=plan.course, actor=actor)


def _session_today(
    plan: Plan, *, today: dt.date, rules: SchedulingRules, calendar: Calendar
) -> None:
    """A weekend or a holiday: the class of this week makes up a session today, so that the
    roll call and the QR check-in have something to show."""
    if any(s.date == today for s in plan.sessions) or plan.course is None:
        return
    before = [s for s in plan.sessions if s.date < today] or plan.sessions
    slot = (today, str(Session.Part.MORNING))
    session = Session.objects.create(
        course=plan.course,
        date=today,
        part=Session.Part.MORNING,
        starts_at=rules.morning_start,
        ends_at=rules.morning_end,
        topic=before[-1].topic,
        venue=plan.venue,
        lesson_plan=before[-1].lesson_plan,
        note=MAKE_UP_NOTE,
    )
    if plan.venue is not None:
        calendar.book_venue(plan.venue, [slot])
    plan.sessions.append(session)
    plan.sessions.sort(key=lambda s: (s.date, s.starts_at))
    plan.slots = [(s.date, s.part) for s in plan.sessions]
    if today > plan.course.ends_on:
        plan.course.ends_on = today
        plan.course.save(update_fields=["ends_on"])


def _assign_lecturers(
    rng: random.Random,
    plan: Plan,
    *,
    approved: dict[int, list[Lecturer]],
    calendar: Calendar,
    prefer: Lecturer | None,
) -> None:
    """One lecturer per topic, or per two days of a long topic, among those approved for it
    and free at those half-days; a session nobody can take stays unassigned."""
    by_topic: dict[int | None, list[Session]] = defaultdict(list)
    for session in plan.sessions:
        by_topic[session.topic_id].append(session)
    for topic_id, sessions in by_topic.items():
        teaching = list(approved.get(topic_id, [])) if topic_id else []
        for i in range(0, len(sessions), 4):
            chunk = sessions[i : i + 4]
            slots = [(s.date, s.part) for s in chunk]
            order = rng.sample(teaching, len(teaching))
            if prefer is not None and prefer in order:
                order.remove(prefer)
                order.insert(0, prefer)
            lecturer = next((lec for lec in order if calendar.lecturer_free(lec, slots)), None)
            if lecturer is not None:
                calendar.book_lecturer(lecturer, slots)
                for session in chunk:
                    session.lecturer = lecturer
                continue
            for session in chunk:
                slot = [(session.date, session.part)]
                one = next((lec for lec in order if calendar.lecturer_free(lec, slot)), None)
                if one is not None:
                    calendar.book_lecturer(one, slot)
                    session.lecturer = one


# --- Learners ---------------------------------------------------------------------------------


def _eligible(code: str, programme: Programme, person: Person) -> bool:
    """Whom each programme is for (DOMAIN.md), beyond the programme's own stage and level
    settings: sơ cấp for those without a level, trung cấp for those with sơ cấp, the
    professional courses for full members."""
    if person.stage == MembershipStage.LEFT:
        return False
    if programme.eligible_stages and person.stage not in programme.eligible_stages:
        return False
    if person.theory_level < programme.min_theory_level:
        return False
    if code == "SC":
        return person.theory_level == TheoryLevel.NONE
    if code == "TC":
        return person.theory_level == TheoryLevel.SO_CAP
    if code == "NV":
        return person.stage == MembershipStage.FULL
    return True


def _priority(code: str, person: Person) -> int:
    """Who goes first: candidates before other non-members, cell committee members first to
    the professional courses."""
    if code == "NTVD":
        return 0 if person.stage == MembershipStage.CANDIDATE else 1
    if code == "NV":
        return 0 if "Bí thư" in person.position or "Chi ủy" in person.position else 1
    return 0


def _enrol(
    rng: random.Random,
    plans: list[Plan],
    *,
    people: Sequence[Person],
    lecturers: list[Lecturer],
    learner: Person | None,
    calendar: Calendar,
    today: dt.date,
) -> list[Enrolment]:
    """Eligible people of the organizer's subtree, never two courses at once, never the same
    programme twice (resolutions apart); classes to come are still filling up."""
    teaching = {lec.person_id for lec in lecturers if lec.person_id}
    pools: dict[str, list[Person]] = {}
    taken: dict[str, set[int]] = defaultdict(set)
    rows: list[Enrolment] = []
    # The fixed courses first, so that the demo learner gets their seats.
    order = sorted(plans, key=lambda p: (not p.special, p.slots[0]))
    for plan in order:
        course = plan.course
        if course is None:
            continue
        code = plan.programme.code
        if code not in pools:
            pool = [
                p for p in people if p.pk not in teaching and _eligible(code, plan.programme, p)
            ]
            rng.shuffle(pool)
            pool.sort(key=lambda p: _priority(code, p))
            pools[code] = pool
        share = (0.3, 0.7) if course.status == Course.Status.OPEN else (0.6, 0.95)
        target = max(1, round(course.capacity * rng.uniform(*share)))
        slots = plan.slots
        chosen: list[Person] = []
        if learner is not None and plan.special in ("today", "learner_finished"):
            chosen.append(learner)
        if plan.special == "rule":
            chosen, target = list(plan.learners), 0
        path = plan.organizer.path
        once = code != "QTNQ"
        for person in pools[code]:
            if len(chosen) >= target:
                break
            if (
                (learner is not None and person.pk == learner.pk)
                or (once and person.pk in taken[code])
                or not person.organization.path.startswith(path)
                or (code == "DVM" and (person.admitted_on or dt.date.max) > slots[0][0])
                or not calendar.person_free(person.pk, slots)
            ):
                continue
            chosen.append(person)
        for person in chosen:
            taken[code].add(person.pk)
            calendar.book_person(person.pk, slots)
            rows.append(
                Enrolment(
                    course=course,
                    person=person,
                    enrolled_at=_enrolled_at(rng, course.starts_on, today=today),
                )
            )
    return rows


def _enrolled_at(rng: random.Random, starts_on: dt.date, *, today: dt.date) -> dt.datetime:
    """A working day one to three weeks before the start; for classes to come, lately."""
    day = min(starts_on - dt.timedelta(days=rng.randint(7, 21)), today - dt.timedelta(days=1))
    moment = dt.datetime.combine(day, dt.time(8, 0)) + dt.timedelta(minutes=rng.randint(0, 480))
    return timezone.make_aware(moment)


def _withdrawals(
    rng: random.Random,
    rows: list[Enrolment],
    *,
    plans: list[Plan],
    today: dt.date,
    keep: Person | None,
) -> list[Enrolment]:
    """A few learners of courses already under way leave before the end, with a reason (never
    the demo learner: their course of today must stay theirs)."""
    held: dict[int, list[dt.date]] = {}
    for plan in plans:
        # Those the rules sent to a class stayed to the end: they were admitted or recognized.
        if plan.course is not None and plan.special != "rule":
            held[plan.course.pk] = [d for d, _p in plan.slots if d < today]
    for row in rows:
        days = held.get(row.course.pk, [])
        if (
            len(days) >= 3
            and row.course.programme.code != "QTNQ"
            and rng.random() < 0.03
            and (keep is None or row.person.pk != keep.pk)
        ):
            row.status = Enrolment.Status.WITHDRAWN
            row.withdrawn_on = rng.choice(days[1:])
            row.withdrawal_reason = rng.choice(WITHDRAWAL_REASONS)
    return rows


CORRECTION_REASONS = [
    "Học viên nộp giấy xác nhận đi công tác, đã ký bổ sung vào phiếu",
    "Ghi nhầm dòng khi điểm danh, sửa theo phiếu ký tên",
]


def _corrections(marks: list[Attendance], *, today: dt.date, actor: User) -> None:
    """Two marks corrected after their session, with the reason, as an officer does when the
    paper sign-in sheet comes back: the roll call shows them under "Corrections"."""
    absent = sorted(
        (m for m in marks if m.status == Attendance.Status.ABSENT),
        key=lambda m: (m.session.date, m.session.pk, m.enrolment.pk),
        reverse=True,
    )
    for mark, reason in zip(absent, CORRECTION_REASONS, strict=False):
        roll_call_save(
            session=mark.session,
            enrolment=mark.enrolment,
            status=Attendance.Status.PRESENT,
            original=Attendance.Status.ABSENT,
            reason=reason,
            actor=actor,
            today=today,
        )


def _attendance(
    rng: random.Random,
    plans: list[Plan],
    enrolments: list[Enrolment],
    *,
    today: dt.date,
    actor: User,
) -> list[Attendance]:
    """Marks for every session before today: mostly present, some absent with leave, a few
    absent; a withdrawn learner is marked until the withdrawal."""
    by_course: dict[int, list[Enrolment]] = defaultdict(list)
    for enrolment in enrolments:
        by_course[enrolment.course.pk].append(enrolment)
    marks: list[Attendance] = []
    for plan in plans:
        if plan.course is None:
            continue
        past = [s for s in plan.sessions if s.date < today]
        if not past:
            continue
        for enrolment in by_course.get(plan.course.pk, []):
            # Most learners hardly miss a session; a few miss several. Those the rules sent
            # missed none.
            present = 0.97 if rng.random() < 0.85 else 0.8
            if plan.special == "rule":
                present = 1.0
            for session in past:
                if enrolment.withdrawn_on is not None and session.date >= enrolment.withdrawn_on:
                    break
                draw = rng.random()
                if draw < present:
                    status = Attendance.Status.PRESENT
                    method = (
                        Attendance.Method.QR if rng.random() < 0.3 else Attendance.Method.ROLL_CALL
                    )
                elif draw < present + (1 - present) * 0.6:
                    status, method = Attendance.Status.EXCUSED, Attendance.Method.ROLL_CALL
                else:
                    status, method = Attendance.Status.ABSENT, Attendance.Method.ROLL_CALL
                lecturer = session.lecturer
                marks.append(
                    Attendance(
                        session=session,
                        enrolment=enrolment,
                        status=status,
                        method=method,
                        marked_by=(
                            lecturer.user if lecturer is not None and lecturer.user_id else actor
                        )
                        if method != Attendance.Method.QR
                        else None,
                    )
                )
    return marks
