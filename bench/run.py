"""`make bench`: the people pages and the tree at 20,000 people on SQLite, the project
dashboards (bench/monitoring.py), the course pages at 2,000 courses and 100,000 enrolments,
and roster import.

Builds a fresh database in bench/out/, seeds it with the demo province, then times pages through
Django's test Client (server time: middleware, view, SQL and template, no network) as the
department officer and as the officer of a superior committee, adds synthetic courses and times
the course list, a course page and a roll call, and imports a generated roster.
Writes bench/RESULTS.md and prints the same tables.

Environment: BENCH_PEOPLE (20000), BENCH_REQUESTS (50), BENCH_ROSTER_ROWS (20000),
BENCH_EXTRA_ORGANIZATIONS (1000), BENCH_COURSES (2000), BENCH_ENROLMENTS (100000),
BENCH_API_ROWS (10000; the API's bulk upsert, bench/api.py).
"""

import datetime as dt
import itertools
import math
import os
import platform
import random
import statistics
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.api import API_ROWS, api_section, measure_api

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "RESULTS.md"
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "20000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))
ROSTER_ROWS = int(os.environ.get("BENCH_ROSTER_ROWS", "20000"))
EXTRA_ORGANIZATIONS = int(os.environ.get("BENCH_EXTRA_ORGANIZATIONS", "1000"))
COURSES = int(os.environ.get("BENCH_COURSES", "2000"))
ENROLMENTS = int(os.environ.get("BENCH_ENROLMENTS", "100000"))
SEED = 2026
WARMUP = 5
PAGE_TARGET_MS = 50.0
COURSE_PAGE_TARGET_MS = 80.0
# The two courses measured side by side: same sessions, ten times the learners.
BIG_COURSE_LEARNERS = 200
SMALL_COURSE_LEARNERS = 20
MEASURED_SESSIONS = 20
IMPORT_TARGET_ROWS_S = 5000.0


def configure() -> Path:
    """A fresh SQLite file and settings as in production (DEBUG off), before Django loads."""
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{db}",
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-not-secret",
            "ALLOWED_HOSTS": "testserver",
            "CACHE_URL": f"file://{OUT / 'cache'}",
            "STATIC_MANIFEST": "0",
            "MEDIA_ROOT": str(OUT / "media"),
            "TASK_BACKEND": "immediate",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    # WhiteNoise warns that collectstatic has not run: the bench serves no static files.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    return db


@dataclass
class PageResult:
    user: str
    page: str
    url: str
    p50: float
    p95: float
    queries: int
    sql_ms: float
    targeted: bool
    target_ms: float = PAGE_TARGET_MS

    @property
    def ok(self) -> bool:
        return self.p95 <= self.target_ms


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# (label, path, htmx request, held to the target)
PAGES = [
    ("People list", "/to-chuc/nhan-su/", False, True),
    ("People list, page 100", "/to-chuc/nhan-su/?page=100", False, False),
    ("Search `nguyen van`", "/to-chuc/nhan-su/?q=nguyen+van", False, True),
    ("Search `nguyen van` (htmx fragment)", "/to-chuc/nhan-su/?q=nguyen+van", True, True),
    # Fewer matches than a page: the whole table is walked to fill it, the worst case of a
    # search (with no match at all, the page query is skipped after COUNT says 0).
    ("Search `ly van` (33 matches)", "/to-chuc/nhan-su/?q=ly+van", False, True),
    (
        "Filter stage=full + level=trung cấp",
        "/to-chuc/nhan-su/?stage=full&theory_level=2",
        False,
        True,
    ),
    ("Organization tree", "/to-chuc/", False, True),
]


SCALE_PAGES = [p for p in PAGES if p[0] in ("People list", "Organization tree")]


@contextmanager
def sql_timer() -> Iterator[list[float]]:
    """Time spent in the database: executing and fetching. SQLite runs most of a query while
    rows are fetched, so timing `execute` alone (or CaptureQueriesContext's per-query time,
    rounded to the millisecond) misses a scan. Bench-only: it patches Django's cursor wrapper."""
    from django.db import connection
    from django.db.backends.utils import CursorWrapper

    spent: list[float] = []

    def execute(run: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return run(sql, params, many, context)
        finally:
            spent.append(time.perf_counter() - started)

    def timed_fetch(name: str) -> Any:
        def fetch(self: Any, *args: Any) -> Any:
            started = time.perf_counter()
            try:
                return getattr(self.cursor, name)(*args)
            finally:
                spent.append(time.perf_counter() - started)

        return fetch

    names = ("fetchone", "fetchmany", "fetchall")
    for name in names:
        setattr(CursorWrapper, name, timed_fetch(name))
    try:
        with connection.execute_wrapper(execute):
            yield spent
    finally:
        for name in names:
            delattr(CursorWrapper, name)


def measure_pages(
    users: list[Any],
    pages: list[tuple[str, str, bool, bool]],
    *,
    target_ms: float = PAGE_TARGET_MS,
) -> list[PageResult]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    results = []
    for user in users:
        client = Client()
        client.force_login(user)
        for label, url, htmx, targeted in pages:
            headers = {"HX-Request": "true"} if htmx else {}
            for _ in range(WARMUP):
                response = client.get(url, headers=headers)
                if response.status_code != 200:
                    raise RuntimeError(f"{url} as {user.username}: HTTP {response.status_code}")
            timings = []
            for _ in range(REQUESTS):
                started = time.perf_counter()
                client.get(url, headers=headers)
                timings.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as captured, sql_timer() as sql_seconds:
                client.get(url, headers=headers)
            results.append(
                PageResult(
                    user=user.username,
                    page=label,
                    url=url,
                    p50=statistics.median(timings),
                    p95=percentile(timings, 95),
                    queries=len(captured.captured_queries),
                    sql_ms=sum(sql_seconds) * 1000,
                    targeted=targeted,
                    target_ms=target_ms,
                )
            )
            print(
                f"  {user.username:13} {label:40} p95 {results[-1].p95:7.1f} ms, "
                f"{results[-1].queries} queries",
                flush=True,
            )
    return results


def add_organizations(count: int, *, parent: Any, actor: Any, today: dt.date) -> None:
    """More cells, empty, as many as a real province has: what the tree page and the
    organization picker of the people list cost grows with them."""
    from django.db import transaction

    from llct.organizations.models import OrganizationKind
    from llct.organizations.services import organization_create

    kind = OrganizationKind.objects.get(code="chi_bo_co_so")
    with transaction.atomic():
        for i in range(1, count + 1):
            organization_create(
                code=f"BENCH-TDP{i:04d}",
                name=f"Chi bộ Tổ dân phố số {i + 100}",
                kind=kind,
                parent=parent,
                founded_on=today,
                actor=actor,
            )


# --- Courses at scale -------------------------------------------------------------------------


@dataclass
class CourseData:
    courses: int
    sessions: int
    enrolments: int
    attendance: int
    seconds: float
    big: Any  # the course with BIG_COURSE_LEARNERS learners
    small: Any  # the same course with SMALL_COURSE_LEARNERS
    big_session: Any  # a session of each whose roll call is measured
    small_session: Any


def _working_half_days(start: dt.date, count: int) -> list[tuple[dt.date, str]]:
    """Morning and afternoon of working days from start (the bench ignores public holidays)."""
    out: list[tuple[dt.date, str]] = []
    day = start
    while len(out) < count:
        if day.weekday() < 5:
            out += [(day, "morning"), (day, "afternoon")]
        day += dt.timedelta(days=1)
    return out[:count]


def build_courses(*, today: dt.date, actor: Any) -> CourseData:
    """Synthetic courses on top of the demo's, straight into the tables with bulk_create (the
    services would take minutes): COURSES courses in all over three years, each with its
    programme's sessions (up to 20), ENROLMENTS enrolments in all, attendance for the sessions
    held in the last twelve months. Plus two measured courses of the same shape,
    MEASURED_SESSIONS sessions each, half of them held: one with BIG_COURSE_LEARNERS learners,
    one with SMALL_COURSE_LEARNERS."""
    from django.db import transaction

    from llct.courses.models import Attendance, Course, Enrolment, Session, Venue
    from llct.curriculum.models import Lecturer, Programme
    from llct.demo.organizations import random_name
    from llct.organizations.models import MembershipStage, Organization, Person

    started = time.perf_counter()
    rng = random.Random(SEED + 2)
    times = {
        "morning": (dt.time(7, 30), dt.time(11, 30)),
        "afternoon": (dt.time(13, 30), dt.time(17)),
    }
    programmes = list(Programme.objects.prefetch_related("topics").order_by("code"))
    organizers = list(
        Organization.objects.filter(
            dissolved_on=None, kind__code__in=["tinh", "truc_thuoc", "dang_bo_co_so"]
        ).order_by("code")
    )
    people = list(
        Person.objects.exclude(stage=MembershipStage.LEFT)
        .order_by("id")
        .values_list("id", flat=True)
    )
    with transaction.atomic():
        venues = Venue.objects.bulk_create(
            Venue(name=f"Hội trường thử nghiệm {i}", capacity=rng.choice([80, 120, 200, 300]))
            for i in range(1, 51)
        )
        lecturers = Lecturer.objects.bulk_create(
            Lecturer(full_name=random_name(rng, rng.choice(["male", "female"])), workplace="Bench")
            for _ in range(200)
        )
        Through = Lecturer.topics.through
        topics = [t for p in programmes for t in p.topics.all()]
        Through.objects.bulk_create(
            Through(lecturer_id=lec.pk, topic_id=t.pk)
            for lec in lecturers
            for t in rng.sample(topics, 10)
        )

        # The two measured courses: a sơ cấp class of the province that started ten working
        # half-days ago, in its own hall, taught by its own lecturers (no conflicts to list).
        sc = next(p for p in programmes if p.code == "SC")
        sc_topics = [t for t in sc.topics.all() for _ in range(max(t.sessions, 1))]
        province = next(o for o in organizers if o.parent_id is None)
        first_day, held_days = today, 0
        while held_days < MEASURED_SESSIONS // 4:  # two sessions a day, half of them held
            first_day -= dt.timedelta(days=1)
            held_days += first_day.weekday() < 5
        slots = _working_half_days(first_day, MEASURED_SESSIONS)
        # Different people in each, so that neither lists the other as a clash.
        chosen = rng.sample(people, BIG_COURSE_LEARNERS + SMALL_COURSE_LEARNERS)
        groups = [chosen[:BIG_COURSE_LEARNERS], chosen[BIG_COURSE_LEARNERS:]]
        measured = []
        for (label, learners), group in zip(
            (("LON", BIG_COURSE_LEARNERS), ("NHO", SMALL_COURSE_LEARNERS)), groups, strict=True
        ):
            hall = Venue.objects.create(name=f"Hội trường đo {label}", capacity=250)
            teacher = Lecturer.objects.create(
                full_name=random_name(rng, "female"), workplace="Bench"
            )
            teacher.topics.set({t.pk for t in sc_topics})
            course = Course.objects.create(
                code=f"BENCH-SC-{label}",
                name=f"Lớp sơ cấp lý luận chính trị đo hiệu năng ({learners} học viên)",
                programme=sc,
                organizer=province,
                starts_on=slots[0][0],
                ends_on=slots[-1][0],
                venue=hall,
                capacity=250,
                status=Course.Status.IN_PROGRESS,
            )
            sessions = Session.objects.bulk_create(
                Session(
                    course=course,
                    date=day,
                    part=part,
                    starts_at=times[part][0],
                    ends_at=times[part][1],
                    topic=topic,
                    lecturer=teacher,
                    venue=hall,
                )
                for (day, part), topic in zip(slots, sc_topics, strict=False)
            )
            enrolments = Enrolment.objects.bulk_create(
                Enrolment(course=course, person_id=pid, enrolled_by=actor) for pid in group
            )
            measured.append((course, sessions, enrolments))

        # Synthetic courses: over three years, most of them finished.
        existing = Course.objects.count()
        count = max(0, COURSES - existing)
        courses = []
        plans: list[tuple[Any, list[tuple[dt.date, str]]]] = []
        for i in range(count):
            programme = rng.choice(programmes)
            n = min(20, sum(max(t.sessions, 1) for t in programme.topics.all())) or 1
            start = today + dt.timedelta(days=rng.randint(-1000, 120))
            days = _working_half_days(start, n)
            status = (
                Course.Status.FINISHED
                if days[-1][0] < today
                else Course.Status.OPEN
                if days[0][0] > today
                else Course.Status.IN_PROGRESS
            )
            courses.append(
                Course(
                    code=f"BENCH-{i:05d}",
                    name=f"Lớp {programme.name.lower()} thử nghiệm số {i + 1}",
                    programme=programme,
                    organizer=rng.choice(organizers),
                    starts_on=days[0][0],
                    ends_on=days[-1][0],
                    venue=rng.choice(venues),
                    capacity=300,
                    status=status,
                )
            )
            plans.append((programme, days))
        Course.objects.bulk_create(courses, batch_size=1000)
        sessions = []
        for course, (programme, days) in zip(courses, plans, strict=True):
            course_topics = [t for t in programme.topics.all() for _ in range(max(t.sessions, 1))]
            for (day, part), topic in zip(days, course_topics, strict=False):
                sessions.append(
                    Session(
                        course=course,
                        date=day,
                        part=part,
                        starts_at=times[part][0],
                        ends_at=times[part][1],
                        topic=topic,
                        lecturer=rng.choice(lecturers),
                        venue=course.venue,
                    )
                )
        Session.objects.bulk_create(sessions, batch_size=2000)

        # Enrolments: what is left of ENROLMENTS, shared unevenly among the synthetic courses.
        remaining = max(0, ENROLMENTS - Enrolment.objects.count())
        weights = [rng.uniform(0.2, 1.8) for _ in courses]
        scale = remaining / sum(weights) if weights else 0
        sizes = [min(len(people), 300, round(w * scale)) for w in weights]
        # Rounding: hand out or take back the difference one learner at a time.
        i = 0
        while sizes and sum(sizes) != remaining:
            j = i % len(sizes)
            if sum(sizes) < remaining and sizes[j] < min(len(people), 300):
                sizes[j] += 1
            elif sum(sizes) > remaining and sizes[j] > 1:
                sizes[j] -= 1
            i += 1
        enrolments = []
        for course, size in zip(courses, sizes, strict=True):
            enrolments += [
                Enrolment(course=course, person_id=pid, enrolled_by=actor)
                for pid in rng.sample(people, size)
            ]
        Enrolment.objects.bulk_create(enrolments, batch_size=2000)

        # Attendance for the sessions held in the last twelve months, synthetic and measured
        # alike (older years would triple the build time and change nothing measured here:
        # every attendance query is by session or by the course's sessions).
        by_course: dict[int, list[Any]] = {}
        for enrolment in enrolments:
            by_course.setdefault(enrolment.course_id, []).append(enrolment.pk)
        held: dict[int, list[int]] = {}
        year_ago = today - dt.timedelta(days=365)
        for session in sessions:
            if year_ago <= session.date < today:
                held.setdefault(session.course_id, []).append(session.pk)
        for course, course_sessions, course_enrolments in measured:
            by_course[course.pk] = [e.pk for e in course_enrolments]
            held[course.pk] = [s.pk for s in course_sessions if s.date < today]
        statuses = ["present"] * 90 + ["excused"] * 6 + ["absent"] * 4
        pairs = (
            (session_id, enrolment_id)
            for course_id, session_ids in held.items()
            for session_id in session_ids
            for enrolment_id in by_course.get(course_id, [])
        )
        marks = 0
        # In slices: a million model instances at once would take gigabytes.
        for chunk in itertools.batched(pairs, 20_000):
            Attendance.objects.bulk_create(
                [
                    Attendance(
                        session_id=sid, enrolment_id=eid, status=statuses[rng.randrange(100)]
                    )
                    for sid, eid in chunk
                ],
                batch_size=5000,
            )
            marks += len(chunk)

    big, small = measured
    return CourseData(
        courses=Course.objects.count(),
        sessions=Session.objects.count(),
        enrolments=Enrolment.objects.count(),
        attendance=marks,
        seconds=time.perf_counter() - started,
        big=big[0],
        small=small[0],
        # The roll call of the session held last: every learner has a mark and a rate so far.
        big_session=[s for s in big[1] if s.date < today][-1],
        small_session=[s for s in small[1] if s.date < today][-1],
    )


def course_pages(data: CourseData) -> list[tuple[str, str, bool, bool]]:
    return [
        ("Course list", "/lop-hoc/", False, True),
        (
            f"Course page, {BIG_COURSE_LEARNERS} learners",
            f"/lop-hoc/{data.big.pk}/",
            False,
            True,
        ),
        (
            f"Roll call, {BIG_COURSE_LEARNERS} learners",
            f"/lop-hoc/buoi-hoc/{data.big_session.pk}/diem-danh/",
            False,
            True,
        ),
        (
            f"Course page, {SMALL_COURSE_LEARNERS} learners",
            f"/lop-hoc/{data.small.pk}/",
            False,
            True,
        ),
        (
            f"Roll call, {SMALL_COURSE_LEARNERS} learners",
            f"/lop-hoc/buoi-hoc/{data.small_session.pk}/diem-danh/",
            False,
            True,
        ),
    ]


# --- Evaluation: approving a large course, its certificates, public verification -------------

EVALUATION_LEARNERS = int(os.environ.get("BENCH_EVALUATION_LEARNERS", "500"))
VERIFY_CLIENTS = int(os.environ.get("BENCH_VERIFY_CLIENTS", "50"))
VERIFY_REQUESTS = int(os.environ.get("BENCH_VERIFY_REQUESTS", "20"))  # per client
VERIFY_TIMEOUT_S = 30.0


@dataclass
class EvaluationResult:
    available: bool
    learners: int = 0
    sessions: int = 0
    attendance: int = 0
    build_s: float = 0.0
    approve_s: float = 0.0
    approve_queries: int = 0
    passed: int = 0
    failed: int = 0
    certificates: int = 0
    raised: int = 0
    pdf_s: float = 0.0
    pdf_pages: int = 0
    pdf_kib: float = 0.0
    detail: str = ""

    @property
    def pdf_s_per_100(self) -> float:
        return 100 * self.pdf_s / self.certificates if self.certificates else 0.0


def build_evaluation_course(*, today: dt.date, actor: Any) -> tuple[Any, int, int]:
    """A sơ cấp class that finished last month, EVALUATION_LEARNERS learners without a theory
    level, every session held and marked (most learners present, a few often absent), scores
    entered but not yet computed: what the department approves. Written with bulk_create.
    Returns (course, sessions, attendance marks)."""
    from decimal import Decimal

    from django.db import transaction

    from llct.assessment.grading import needed_scores
    from llct.assessment.models import Result
    from llct.courses.models import Attendance, Course, Enrolment, Session, Venue
    from llct.curriculum.models import Lecturer, Programme
    from llct.organizations.models import MembershipStage, Organization, Person

    rng = random.Random(SEED + 3)
    programme = (
        Programme.objects.filter(kind=Programme.Kind.SO_CAP, issues_certificate=True)
        .prefetch_related("topics")
        .order_by("code")
        .first()
    )
    if programme is None:
        raise RuntimeError("no sơ cấp programme that issues certificates")
    topics: list[Any] = [t for t in programme.topics.all() for _ in range(max(t.sessions, 1))][:20]
    topics = topics or [None]
    days = _working_half_days(today - dt.timedelta(days=60), len(topics))
    venue = Venue.objects.order_by("-capacity", "pk").first()
    lecturers = list(Lecturer.objects.order_by("pk")[:20])
    people = list(
        Person.objects.exclude(stage=MembershipStage.LEFT)
        .filter(theory_level=0)
        .order_by("id")
        .values_list("id", flat=True)
    )
    learners = rng.sample(people, min(EVALUATION_LEARNERS, len(people)))
    times = {
        "morning": (dt.time(7, 30), dt.time(11, 30)),
        "afternoon": (dt.time(13, 30), dt.time(17)),
    }
    with transaction.atomic():
        course = Course.objects.create(
            code="BENCH-DUYET-500",
            name=f"Lớp sơ cấp lý luận chính trị {len(learners)} học viên (thử nghiệm duyệt)",
            programme=programme,
            organizer=Organization.objects.get(parent=None, dissolved_on=None),
            starts_on=days[0][0],
            ends_on=days[-1][0],
            venue=venue,
            capacity=len(learners),
            status=Course.Status.FINISHED,
        )
        sessions = Session.objects.bulk_create(
            Session(
                course=course,
                date=day,
                part=part,
                starts_at=times[part][0],
                ends_at=times[part][1],
                topic=topic,
                lecturer=rng.choice(lecturers) if lecturers else None,
                venue=venue,
            )
            for (day, part), topic in zip(days, topics, strict=True)
        )
        enrolments = Enrolment.objects.bulk_create(
            Enrolment(course=course, person_id=pid, enrolled_by=actor) for pid in learners
        )
        marks = []
        for enrolment in enrolments:
            # One learner in twenty misses sessions often enough to fall below the threshold.
            present = 0.6 if rng.random() < 0.05 else 0.97
            for session in sessions:
                status = "present" if rng.random() < present else rng.choice(["excused", "absent"])
                marks.append(Attendance(session=session, enrolment=enrolment, status=status))
        Attendance.objects.bulk_create(marks, batch_size=5000)
        fields = needed_scores(programme)

        def score() -> Decimal:
            return Decimal(rng.randint(40, 98)) / 10

        Result.objects.bulk_create(
            Result(enrolment=e, **{name: score() for name in fields}) for e in enrolments
        )
    return course, len(sessions), len(marks)


def measure_evaluation(*, today: dt.date, actor: Any) -> EvaluationResult:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from llct.assessment.certificate_pdf import certificates_pdf
    from llct.assessment.certificates import course_certificates
    from llct.assessment.services import results_approve

    result = EvaluationResult(available=True)
    try:
        started = time.perf_counter()
        course, result.sessions, result.attendance = build_evaluation_course(
            today=today, actor=actor
        )
        result.build_s = time.perf_counter() - started
        result.learners = course.enrolments.count()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            outcome = results_approve(course=course, actor=actor, today=today)
            result.approve_s = time.perf_counter() - started
        result.approve_queries = len(captured.captured_queries)
        result.passed, result.failed = len(outcome.passed), len(outcome.failed)
        result.certificates, result.raised = len(outcome.certificates), len(outcome.raised)
        print(
            f"  approved {result.learners} learners in {result.approve_s:.2f} s "
            f"({result.approve_queries} queries): {result.certificates} certificates",
            flush=True,
        )

        started = time.perf_counter()
        rows = course_certificates(user=actor, course_id=course.pk)
        pdf = certificates_pdf(
            rows, url_for=lambda code: f"https://llct.example.vn/xac-minh/{code}/", today=today
        )
        result.pdf_s = time.perf_counter() - started
        result.pdf_kib = len(pdf) / 1024
        from io import BytesIO

        from pypdf import PdfReader

        result.pdf_pages = len(PdfReader(BytesIO(pdf)).pages)
        print(
            f"  {result.pdf_pages} certificate pages in {result.pdf_s:.1f} s "
            f"({result.pdf_s_per_100:.1f} s per 100)",
            flush=True,
        )
    except Exception as error:  # the bench reports, it does not crash
        result.available = False
        result.detail = f"failed: {type(error).__name__}: {error}"
        print(f"  evaluation {result.detail}", flush=True)
    return result


@dataclass
class VerifyResult:
    available: bool
    clients: int = 0
    requests: int = 0
    ok: int = 0
    statuses: str = ""
    p50: float = 0.0
    p95: float = 0.0
    max_ms: float = 0.0
    over_1s: int = 0
    connect_p95: float = 0.0
    response_p95: float = 0.0  # from connected to the last byte read
    slow_connects: int = 0  # connections that took a SYN retransmission (≥ 0.9 s)
    wall_s: float = 0.0
    codes: int = 0
    detail: str = ""

    @property
    def throughput(self) -> float:
        return self.requests / self.wall_s if self.wall_s else 0.0


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str) -> tuple[str, float]:
    """GET on the loopback, one connection per request: (status, milliseconds to connect)."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=VERIFY_TIMEOUT_S)
    try:
        started = time.perf_counter()
        connection.connect()
        connect_ms = (time.perf_counter() - started) * 1000
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return str(response.status), connect_ms
    finally:
        connection.close()


def measure_verification() -> VerifyResult:
    """The public verification page under VERIFY_CLIENTS concurrent clients, each doing
    VERIFY_REQUESTS GETs of valid codes, against `manage.py runserver` (Django's threaded
    development server) on the loopback, with DEBUG off and the rate limit raised
    (bench/settings_bench.py). Latency is measured by the clients: connect, server, read."""
    import subprocess
    import threading
    from collections import Counter

    from llct.assessment.models import Certificate

    codes = list(
        Certificate.objects.filter(status=Certificate.Status.VALID).values_list("code", flat=True)
    )
    result = VerifyResult(available=True, clients=VERIFY_CLIENTS, codes=len(codes))
    if not codes:
        return VerifyResult(available=False, detail="no certificate to verify")
    port = _free_port()
    base = "/xac-minh/"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "0",
    }
    log = (OUT / "verify-server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(port, base + codes[0] + "/")[0] == "200":
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start (see {log.name})")
            time.sleep(0.3)
        rng = random.Random(SEED + 4)
        for _ in range(WARMUP * 4):
            _get(port, base + rng.choice(codes) + "/")
        plans = [[rng.choice(codes) for _ in range(VERIFY_REQUESTS)] for _ in range(VERIFY_CLIENTS)]
        timings: list[float] = []
        connects: list[float] = []
        statuses: Counter[str] = Counter()
        lock = threading.Lock()
        barrier = threading.Barrier(VERIFY_CLIENTS)

        def client(mine: list[str]) -> None:
            barrier.wait()
            for code in mine:
                started = time.perf_counter()
                connect_ms = 0.0
                try:
                    status, connect_ms = _get(port, base + code + "/")
                except OSError as error:
                    status = type(error).__name__
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    timings.append(elapsed)
                    connects.append(connect_ms)
                    statuses[status] += 1

        threads = [threading.Thread(target=client, args=(p,)) for p in plans]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=VERIFY_TIMEOUT_S * VERIFY_REQUESTS)
        result.wall_s = time.perf_counter() - started
        result.requests = len(timings)
        result.ok = statuses.get("200", 0)
        result.statuses = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
        result.p50 = statistics.median(timings)
        result.p95 = percentile(timings, 95)
        result.max_ms = max(timings)
        result.over_1s = sum(t > 1000 for t in timings)
        result.connect_p95 = percentile(connects, 95)
        result.response_p95 = percentile(
            [t - c for t, c in zip(timings, connects, strict=True)], 95
        )
        result.slow_connects = sum(c > 900 for c in connects)
        print(
            f"  {result.requests} GETs from {VERIFY_CLIENTS} clients: p50 {result.p50:.0f} ms, "
            f"p95 {result.p95:.0f} ms, {result.throughput:.0f} req/s ({result.statuses})",
            flush=True,
        )
    except Exception as error:  # the bench reports, it does not crash
        result.available = False
        result.detail = f"failed: {type(error).__name__}: {error}"
        print(f"  verification {result.detail}", flush=True)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    return result


# --- The yearly cycle: suggestions for the province, plan against actual ----------------------

SUGGESTIONS_TARGET_S = 1.0
# Planned courses added to this year's plan, each linked to a synthetic course of this year.
PLANNED_COURSES = int(os.environ.get("BENCH_PLANNED_COURSES", "200"))
SUGGESTION_RUNS = 3


@dataclass
class SuggestionsResult:
    available: bool
    year: int = 0
    runs: int = 0
    first_s: float = 0.0
    median_s: float = 0.0
    queries: int = 0
    suggestions: int = 0
    organizations: int = 0
    people: int = 0
    enrolments: int = 0
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.available and self.median_s <= SUGGESTIONS_TARGET_S


def measure_suggestions(*, today: dt.date) -> SuggestionsResult:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from llct.courses.models import Enrolment
    from llct.organizations.models import MembershipStage, Person
    from llct.planning.nominations.suggestions import suggestions_for_province

    # Next year's round is the one being prepared (the demo opens it five weeks before today).
    year = today.year + 1
    result = SuggestionsResult(
        available=True,
        year=year,
        runs=SUGGESTION_RUNS,
        people=Person.objects.exclude(stage=MembershipStage.LEFT).count(),
        enrolments=Enrolment.objects.count(),
    )
    try:
        timings = []
        for run in range(SUGGESTION_RUNS):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                grouped = suggestions_for_province(year=year, today=today)
                timings.append(time.perf_counter() - started)
            if run == 0:
                result.queries = len(captured.captured_queries)
        result.first_s = timings[0]
        result.median_s = statistics.median(timings)
        result.organizations = len(grouped)
        result.suggestions = sum(len(v) for v in grouped.values())
        print(
            f"  {result.suggestions:,} suggestions in {result.organizations} organizations: "
            f"median {result.median_s:.2f} s, {result.queries} queries",
            flush=True,
        )
    except Exception as error:  # the bench reports, it does not crash
        result.available = False
        result.detail = f"failed: {type(error).__name__}: {error}"
        print(f"  suggestions {result.detail}", flush=True)
    return result


@dataclass
class PlanData:
    plan: Any
    planned: int
    linked: int
    budget_lines: int
    expenses: int
    results: int
    enrolments: int


def build_plan(*, today: dt.date, actor: Any) -> PlanData:
    """This year's approved plan (the demo's, or a new one) with PLANNED_COURSES planned courses
    more, each linked to a synthetic course starting this year, with their budget lines (as
    computed), two expenses for the courses held and results for the learners of the finished
    ones. Written with bulk_create."""
    from decimal import Decimal

    from django.db import transaction
    from django.db.models import Q

    from llct.assessment.models import Result
    from llct.courses.models import Course, Enrolment
    from llct.organizations.models import Organization
    from llct.planning.models import AnnualPlan, BudgetLine, Expense, PlannedCourse

    rng = random.Random(SEED + 5)
    with transaction.atomic():
        plan = AnnualPlan.objects.filter(year=today.year).first()
        if plan is None:
            plan = AnnualPlan.objects.create(
                year=today.year,
                number=f"1-KH/BENCH/{today.year}",
                title=f"Kế hoạch bồi dưỡng lý luận chính trị năm {today.year} (thử nghiệm)",
                issuer=Organization.objects.get(parent=None, dissolved_on=None),
                status=AnnualPlan.Status.APPROVED,
                created_by=actor,
            )
        elif plan.status != AnnualPlan.Status.APPROVED:
            AnnualPlan.objects.filter(pk=plan.pk).update(status=AnnualPlan.Status.APPROVED)
        courses = list(
            Course.objects.filter(
                code__startswith="BENCH-", starts_on__year=today.year, planned_course=None
            )
            .exclude(code="BENCH-DUYET-500")
            .order_by("starts_on", "pk")
        )
        # Spread over the year: every k-th of this year's courses.
        step = max(1, len(courses) // PLANNED_COURSES) if PLANNED_COURSES else 1
        courses = courses[::step][:PLANNED_COURSES]
        planned = PlannedCourse.objects.bulk_create(
            PlannedCourse(
                plan=plan,
                programme_id=c.programme_id,
                name=c.name,
                month=c.starts_on.month,
                expected_learners=rng.randint(30, 120),
                sessions=20,
                days=Decimal("10"),
                venue_id=c.venue_id,
                organizer_id=c.organizer_id,
                course=c,
            )
            for c in courses
        )
        lines = []
        for p in planned:
            for kind in BudgetLine.Kind.values:
                amount = Decimal(rng.randint(5, 60) * 1_000_000)
                lines.append(
                    BudgetLine(
                        plan=plan,
                        planned_course=p,
                        kind=kind,
                        computed_amount=amount,
                        amount=amount,
                    )
                )
        BudgetLine.objects.bulk_create(lines, batch_size=2000)
        held = [
            c for c in courses if c.status in (Course.Status.IN_PROGRESS, Course.Status.FINISHED)
        ]
        expenses = Expense.objects.bulk_create(
            (
                Expense(
                    course=c,
                    kind=kind,
                    amount=Decimal(rng.randint(5, 70) * 1_000_000),
                    spent_on=min(c.ends_on, today),
                    recorded_by=actor,
                )
                for c in held
                for kind in (BudgetLine.Kind.LECTURER_FEES, BudgetLine.Kind.VENUE)
            ),
            batch_size=2000,
        )
        finished = [c.pk for c in courses if c.status == Course.Status.FINISHED]
        ids = list(
            Enrolment.objects.filter(course_id__in=finished, result=None).values_list(
                "id", flat=True
            )
        )
        results = Result.objects.bulk_create(
            (
                Result(
                    enrolment_id=i,
                    final_score=Decimal(rng.randint(50, 98)) / 10,
                    attendance_percent=100,
                    passed=rng.random() < 0.95,
                )
                for i in ids
            ),
            batch_size=2000,
        )
    return PlanData(
        plan=plan,
        planned=plan.planned_courses.count(),
        linked=plan.planned_courses.filter(~Q(course=None)).count(),
        budget_lines=BudgetLine.objects.filter(plan=plan).count(),
        expenses=len(expenses),
        results=len(results),
        enrolments=Enrolment.objects.filter(
            course__planned_course__plan=plan, status=Enrolment.Status.ENROLLED
        ).count(),
    )


# --- Roster import ----------------------------------------------------------------------------

ROSTER_HEADER = [
    "STT",
    "Họ và tên",
    "Giới tính",
    "Ngày sinh",
    "Chức vụ",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Số thẻ đảng viên",
    "Trình độ LLCT",
]
# The many ways rosters write theory levels (DOMAIN.md); index = TheoryLevel value.
LEVEL_SPELLINGS = [
    [""],
    ["Sơ cấp", "SC", "sơ cấp LLCT"],
    ["Trung cấp", "TC", "Trung cấp LLCT", "trung cấp lý luận chính trị"],
    ["Cao cấp", "CC", "Cao cấp LLCT"],
    ["Cử nhân", "CN", "Cử nhân chính trị"],
]


def write_roster(path: Path, *, rows: int, today: dt.date, taken_cards: set[str]) -> None:
    """A roster as a cell would keep it: a title row, a header row, then one row per member.
    Dates are mostly real date cells, some typed as text, as in rosters found in the wild."""
    from openpyxl import Workbook

    from llct.demo.organizations import fake_person
    from llct.organizations.models import MembershipStage

    rng = random.Random(SEED + 1)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(["DANH SÁCH ĐẢNG VIÊN CHI BỘ NHẬP LIỆU THỬ NGHIỆM"])
    sheet.append(ROSTER_HEADER)

    def day(value: dt.date | None) -> Any:
        if value is None:
            return None
        return value.strftime("%d/%m/%Y") if rng.random() < 0.3 else value

    cards = (str(n) for n in rng.sample(range(100_000_000, 1_000_000_000), rows + len(taken_cards)))
    for i in range(1, rows + 1):
        stage = MembershipStage.FULL if rng.random() < 0.9 else MembershipStage.PROBATIONARY
        person = fake_person(rng, today=today, sector="state", stage=stage)
        card = ""
        if stage == MembershipStage.FULL:
            card = next(c for c in cards if c not in taken_cards)
        sheet.append(
            [
                i,
                person.full_name,
                "Nam" if person.sex == "male" else "Nữ",
                day(person.date_of_birth),
                person.position,
                day(person.admitted_on),
                day(person.full_member_on),
                card,
                rng.choice(LEVEL_SPELLINGS[person.theory_level]),
            ]
        )
    workbook.save(path)


@dataclass
class ImportResult:
    available: bool
    rows: int = 0
    dry_run_s: float = 0.0
    import_s: float = 0.0
    imported: int = 0
    detail: str = ""

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.import_s if self.import_s else 0.0

    @property
    def dry_rows_per_s(self) -> float:
        return self.rows / self.dry_run_s if self.dry_run_s else 0.0

    @property
    def ok(self) -> bool:
        return self.available and self.rows_per_s >= IMPORT_TARGET_ROWS_S


def _counts(result: Any) -> str:
    names = ("created", "to_create", "updated", "to_update", "unchanged", "rejected")
    parts = []
    for name in names:
        value = getattr(result, name, None)
        if value is not None:
            parts.append(f"{name} {len(value) if isinstance(value, list | tuple) else value}")
    return ", ".join(parts) or type(result).__name__


def measure_import(*, actor: Any, parent: Any, today: dt.date) -> ImportResult:
    try:
        from llct.organizations.roster.imports import person_import_roster
    except ImportError as error:
        return ImportResult(available=False, detail=f"llct.organizations.roster: {error}")

    from llct.organizations.models import OrganizationKind, Person
    from llct.organizations.services import organization_create

    path = OUT / f"roster-{ROSTER_ROWS}.xlsx"
    taken = {card for card in Person.objects.values_list("party_card_no", flat=True) if card}
    started = time.perf_counter()
    write_roster(path, rows=ROSTER_ROWS, today=today, taken_cards=taken)
    print(f"  roster written in {time.perf_counter() - started:.1f} s: {path.name}", flush=True)
    organization = organization_create(
        code="BENCH-NHAP",
        name="Chi bộ Nhập liệu thử nghiệm",
        kind=OrganizationKind.objects.get(code="chi_bo_co_so"),
        parent=parent,
        founded_on=today,
        actor=actor,
    )
    result = ImportResult(available=True, rows=ROSTER_ROWS)
    try:
        details = []
        for dry_run in (True, False):
            with path.open("rb") as file:
                started = time.perf_counter()
                outcome = person_import_roster(
                    file=file,
                    organization=organization,
                    actor=actor,
                    today=today,
                    dry_run=dry_run,
                    progress=None,
                )
                elapsed = time.perf_counter() - started
            details.append(f"{'dry run' if dry_run else 'import'}: {_counts(outcome)}")
            if dry_run:
                result.dry_run_s = elapsed
            else:
                result.import_s = elapsed
        result.imported = Person.objects.filter(organization=organization).count()
        result.detail = "; ".join(details)
    except Exception as error:  # the bench reports, it does not crash
        result.available = False
        result.detail = f"failed: {type(error).__name__}: {error}"
    return result


# --- Report -----------------------------------------------------------------------------------


def machine() -> str:
    import sqlite3

    import django

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; Django {django.get_version()}; "
        f"SQLite {sqlite3.sqlite_version} (file, WAL)"
    )


def mark(ok: bool) -> str:
    return "✅ pass" if ok else "❌ fail"


def page_table(pages: list[PageResult]) -> list[str]:
    lines = [
        "| user | page | p50 ms | p95 ms | queries | SQL ms | target |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in pages:
        lines.append(
            f"| {r.user} | {r.page} | {r.p50:.1f} | {r.p95:.1f} | {r.queries} | {r.sql_ms:.1f} | "
            f"{mark(r.ok) if r.targeted else '—'} |"
        )
    return lines


def course_section(courses: list[PageResult], data: CourseData) -> list[str]:
    lines = [
        "## Courses",
        "",
        f"Target: p95 ≤ {COURSE_PAGE_TARGET_MS:.0f} ms on SQLite at {data.courses:,} courses and "
        f"{data.enrolments:,} enrolments, and SQL queries that do not grow with the learners.",
        "",
        f"Data: the demo's courses plus synthetic ones written with `bulk_create` over three years "
        f"(each with its programme's sessions, up to 20; {data.sessions:,} sessions in all; "
        f"{data.attendance:,} attendance marks for the sessions held in the last twelve months), "
        f"built in {data.seconds:.1f} s. The measured courses are two sơ cấp classes in progress "
        f"with {MEASURED_SESSIONS} sessions each, half of them held and marked: one with "
        f"{BIG_COURSE_LEARNERS} learners, one with {SMALL_COURSE_LEARNERS}. The roll call is that "
        "of the last session held.",
        "",
    ]
    lines += page_table(courses)
    by_page = {(r.user, r.page): r for r in courses}
    lines += [
        "",
        f"Queries per request, {SMALL_COURSE_LEARNERS} learners vs {BIG_COURSE_LEARNERS} "
        "(department officer):",
        "",
        f"| page | {SMALL_COURSE_LEARNERS} learners | {BIG_COURSE_LEARNERS} learners | constant |",
        "|---|---:|---:|---|",
    ]
    for page in ("Course page", "Roll call"):
        small = by_page.get(("bantuyengiao", f"{page}, {SMALL_COURSE_LEARNERS} learners"))
        big = by_page.get(("bantuyengiao", f"{page}, {BIG_COURSE_LEARNERS} learners"))
        if small and big:
            same = mark(small.queries == big.queries)
            lines.append(f"| {page} | {small.queries} | {big.queries} | {same} |")
    return lines


def evaluation_section(evaluation: EvaluationResult, verify: VerifyResult) -> list[str]:
    lines = ["## Evaluation", ""]
    if evaluation.available:
        lines += [
            f"Data: a finished sơ cấp class of {evaluation.learners} learners without a theory "
            f"level, {evaluation.sessions} sessions all held, {evaluation.attendance:,} "
            "attendance marks (one learner in twenty often absent), essay and test scores "
            f"entered, written with `bulk_create` in {evaluation.build_s:.1f} s.",
            "",
            "| step | seconds | queries | what it did |",
            "|---|---:|---:|---|",
            f"| `results_approve` | {evaluation.approve_s:.2f} | {evaluation.approve_queries} | "
            f"{evaluation.passed} passed, {evaluation.failed} did not; "
            f"{evaluation.certificates} certificates issued; {evaluation.raised} theory levels "
            "raised |",
            f"| certificates PDF (`course_certificates` + `certificates_pdf`) | "
            f"{evaluation.pdf_s:.1f} | — | {evaluation.pdf_pages} pages, "
            f"{evaluation.pdf_kib:,.0f} KiB: **{evaluation.pdf_s_per_100:.1f} s per 100 "
            "certificates** |",
        ]
    else:
        lines.append(f"Evaluation: not available ({evaluation.detail}).")
    lines += ["", "### Public verification page under concurrent clients", ""]
    if verify.available:
        lines += [
            f"{verify.clients} client threads, each {VERIFY_REQUESTS} GETs of `/xac-minh/<code>/` "
            f"with valid codes drawn from the {verify.codes:,} certificates, against "
            "`manage.py runserver --noreload` on 127.0.0.1 (Django's threaded **development "
            "server**, one thread per connection, no keep-alive; not a production server), "
            "DEBUG off, rate limit raised by `bench/settings_bench.py`. Latency measured by the "
            "clients (connect, server, read), the bench's clients sharing the machine's 2 cores "
            "with the server.",
            "",
            "| requests | statuses | p50 ms | p95 ms | max ms | over 1 s | connect p95 ms | "
            "connects ≥ 0.9 s | p95 after connect ms | wall s | requests/s |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {verify.requests:,} | {verify.statuses} | {verify.p50:.0f} | {verify.p95:.0f} | "
            f"{verify.max_ms:.0f} | {verify.over_1s} | {verify.connect_p95:.0f} | "
            f"{verify.slow_connects} | {verify.response_p95:.0f} | {verify.wall_s:.1f} | "
            f"{verify.throughput:.0f} |",
            "",
            "No target in the brief. The requests over a second are those whose connection waited "
            "for a place in the listen queue: Django's development server listens with a backlog "
            "of 10 (`WSGIServer.request_queue_size`), so with 50 clients connecting at once some "
            "SYNs are dropped and retried after Linux's 1 s initial retransmission timeout. A "
            "production server (gunicorn/uvicorn behind a proxy, backlog 2048) would not show "
            "that tail; p50, the p95 after connect and the throughput speak for the view itself.",
        ]
    else:
        lines.append(f"Verification: not available ({verify.detail}).")
    return lines


def cycle_section(
    suggestions: SuggestionsResult, plan_pages: list[PageResult], plan: PlanData | None
) -> list[str]:
    lines = [
        "## The yearly cycle",
        "",
        f"### Suggestions for the whole province (target ≤ {SUGGESTIONS_TARGET_S:.0f} s)",
        "",
    ]
    if suggestions.available:
        lines += [
            f"`suggestions_for_province(year={suggestions.year}, today=...)` over "
            f"{suggestions.people:,} people (not left) and {suggestions.enrolments:,} enrolments; "
            f"{suggestions.runs} runs, queries counted on the first.",
            "",
            "| suggestions | organizations | first s | median s | queries | target |",
            "|---:|---:|---:|---:|---:|---|",
            f"| {suggestions.suggestions:,} | {suggestions.organizations} | "
            f"{suggestions.first_s:.2f} | {suggestions.median_s:.2f} | {suggestions.queries} | "
            f"{mark(suggestions.ok)} |",
        ]
    else:
        lines.append(f"Suggestions: not available ({suggestions.detail}).")
    lines += ["", "### Plan against actual", ""]
    if plan is not None and plan_pages:
        lines += [
            f"This year's approved plan with {plan.planned} planned courses, {plan.linked} of "
            f"them linked to a course (the demo's, plus {PLANNED_COURSES} synthetic courses "
            f"starting this year added with `bulk_create`), {plan.budget_lines:,} budget lines, "
            f"{plan.expenses:,} expenses added, {plan.enrolments:,} enrolments in its courses "
            f"({plan.results:,} results "
            "added for the finished ones). No target in the brief; the course pages' "
            f"{COURSE_PAGE_TARGET_MS:.0f} ms is the nearest budget.",
            "",
            *page_table(plan_pages),
        ]
    else:
        lines.append("Plan against actual: not available (see the run's output).")
    return lines


def report(
    *,
    dashboards: list[str],
    pages: list[PageResult],
    scale: list[PageResult],
    courses: list[PageResult],
    course_data: CourseData,
    evaluation: EvaluationResult,
    verify: VerifyResult,
    suggestions: SuggestionsResult,
    plan_pages: list[PageResult],
    plan: PlanData | None,
    organizations: int,
    roster: ImportResult,
    seeded: str,
    started_at: dt.datetime,
    portal: list[str] | None = None,
    reviews: Any = None,
) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Generated by `make bench` (runs `.venv/bin/python -m bench.run`); do not edit by hand.",
        "",
        f"- Date: {started_at:%d/%m/%Y %H:%M} ({started_at.tzinfo})",
        f"- Machine: {machine()}",
        f"- Data: {seeded}",
        f"- Method: per page {WARMUP} warm-up requests, then {REQUESTS} timed requests through "
        "Django's test Client with DEBUG off (server time: middleware, view, SQL and template; "
        "no network). Queries and their SQL time (executing and fetching) are counted on one more "
        "request.",
        "",
        "## Pages",
        "",
        f"Target: p95 ≤ {PAGE_TARGET_MS:.0f} ms at {PEOPLE:,} people on SQLite for the people "
        "list and search (the filtered list and the tree are held to the same budget; page 100 "
        "is shown for information).",
        "",
    ]
    lines += page_table(pages)
    lines += [
        "",
        f"### With {EXTRA_ORGANIZATIONS:,} more organizations ({organizations:,} in all)",
        "",
        "The demo tree is small; a province has a thousand or more organizations and cells. "
        "Same people, same budget, beyond the brief's targets.",
        "",
    ]
    lines += page_table(scale)
    lines += ["", *dashboards]
    lines += ["", *course_section(courses, course_data)]
    lines += ["", *evaluation_section(evaluation, verify)]
    lines += ["", *cycle_section(suggestions, plan_pages, plan)]
    if reviews is not None:
        from bench.reviews import reviews_section

        lines += ["", *reviews_section(reviews, PEOPLE)]
    lines += ["", "## Roster import", "", f"Target: ≥ {IMPORT_TARGET_ROWS_S:,.0f} rows/s.", ""]
    if roster.available:
        lines += [
            "| step | rows | seconds | rows/s | target |",
            "|---|---:|---:|---:|---|",
            f"| validate only (dry run) | {roster.rows:,} | {roster.dry_run_s:.1f} | "
            f"{roster.dry_rows_per_s:,.0f} | — |",
            f"| import | {roster.rows:,} | {roster.import_s:.1f} | {roster.rows_per_s:,.0f} | "
            f"{mark(roster.ok)} |",
            "",
            f"{roster.imported:,} people in the new organization afterwards; {roster.detail}.",
        ]
    else:
        lines.append(f"Roster import: not available ({roster.detail}).")
    if portal:
        lines += ["", *portal]
    return "\n".join(lines) + "\n"


def main() -> None:
    db = configure()

    from django.core.management import call_command
    from django.urls import reverse
    from django.utils import timezone

    started_at = timezone.localtime()

    from llct.core.models import User
    from llct.demo.seed import demo_seed
    from llct.organizations.models import Organization

    print(f"Fresh database: {db.relative_to(ROOT)}", flush=True)
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    started = time.perf_counter()
    summary = demo_seed(people=PEOPLE, seed=SEED, today=today)
    seed_s = time.perf_counter() - started
    classes = summary.courses
    seeded = (
        f"`demo_seed(people={PEOPLE}, seed={SEED})`: {summary.organizations} organizations, "
        f"{summary.people:,} people"
        + (
            f", {classes.courses} courses with {classes.sessions:,} sessions, "
            f"{classes.enrolments:,} enrolments and {classes.attendance:,} attendance marks"
            if classes is not None
            else ""
        )
        + f", seeded in {seed_s:.1f} s"
    )
    print(seeded, flush=True)

    department = User.objects.get(username="bantuyengiao")
    officer = User.objects.select_related("organization").get(username="canbo_khoi")
    print("Pages:", flush=True)
    pages = measure_pages([department, officer], PAGES)
    from bench import monitoring

    leader = User.objects.get(username="lanhdao")
    print("Project dashboards:", flush=True)
    dashboards, floors, cpu = monitoring.measure([leader, officer])
    province = Organization.objects.get(parent=None, dissolved_on=None)
    print(f"Pages with {EXTRA_ORGANIZATIONS:,} more organizations:", flush=True)
    add_organizations(EXTRA_ORGANIZATIONS, parent=province, actor=department, today=today)
    scale = measure_pages([department], SCALE_PAGES)
    dashboards_scaled, _floors, _cpu = monitoring.measure([leader, officer], with_lists=False)
    organizations = Organization.objects.count()
    print("Courses:", flush=True)
    course_data = build_courses(today=today, actor=department)
    print(
        f"  {course_data.courses:,} courses, {course_data.sessions:,} sessions, "
        f"{course_data.enrolments:,} enrolments, {course_data.attendance:,} attendance marks "
        f"in {course_data.seconds:.1f} s",
        flush=True,
    )
    course_results = measure_pages(
        [department], course_pages(course_data), target_ms=COURSE_PAGE_TARGET_MS
    )
    course_results += measure_pages(
        [officer], course_pages(course_data)[:2], target_ms=COURSE_PAGE_TARGET_MS
    )
    print("Evaluation:", flush=True)
    evaluation = measure_evaluation(today=today, actor=department)
    verify = measure_verification()
    print("The yearly cycle:", flush=True)
    suggestions = measure_suggestions(today=today)
    plan: PlanData | None = None
    plan_pages: list[PageResult] = []
    try:
        plan = build_plan(today=today, actor=department)
        url = reverse("planning:plan_actual", args=[plan.plan.pk])
        plan_pages = measure_pages([department], [("Plan against actual", url, False, False)])
    except Exception as error:  # the bench reports, it does not crash
        print(f"  plan against actual failed: {type(error).__name__}: {error}", flush=True)
    print("Oversight and reports:", flush=True)
    from bench.reviews import measure_reviews

    reviews = measure_reviews(department=department, today=today, measure_pages=measure_pages)
    print(f"  annual report .docx: {max(reviews.docx_s):.2f} s", flush=True)
    print("Roster import:", flush=True)
    roster = measure_import(actor=department, parent=province, today=today)
    print(f"API bulk upsert of {API_ROWS:,} people:", flush=True)
    api = measure_api(actor=department, parent=province, today=today)
    print("Portal and online tests:", flush=True)
    from bench.contest_load import run as contest_run
    from bench.portal import measure_portal, portal_section

    portal = portal_section(measure_portal(requests=REQUESTS, warmup=WARMUP), contest_run())

    text = report(
        dashboards=monitoring.section(
            dashboards, floors, cpu, dashboards_scaled, Organization.objects.count()
        ),
        pages=pages,
        scale=scale,
        courses=course_results,
        course_data=course_data,
        evaluation=evaluation,
        verify=verify,
        suggestions=suggestions,
        plan_pages=plan_pages,
        plan=plan,
        organizations=organizations,
        roster=roster,
        seeded=seeded,
        started_at=started_at,
        portal=portal,
        reviews=reviews,
    )
    text += "\n" + "\n".join(api_section(api)) + "\n"
    from bench.results import write_section

    write_section("sqlite", text)
    print()
    print(text)
    print(f"Written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
