"""`make bench`: the people pages and the tree at 20,000 people on SQLite, the course pages at
2,000 courses and 100,000 enrolments, and roster import.

Builds a fresh database in bench/out/, seeds it with the demo province, then times pages through
Django's test Client (server time: middleware, view, SQL and template, no network) as the
department officer and as the officer of a superior committee, adds synthetic courses and times
the course list, a course page and a roll call, and imports a generated roster.
Writes bench/RESULTS.md and prints the same tables.

Environment: BENCH_PEOPLE (20000), BENCH_REQUESTS (50), BENCH_ROSTER_ROWS (20000),
BENCH_EXTRA_ORGANIZATIONS (1000), BENCH_COURSES (2000), BENCH_ENROLMENTS (100000).
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
            "CACHE_LOCATION": str(OUT / "cache"),
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
    from llct.organizations.demo import random_name
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

    from llct.organizations.demo import fake_person
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
        from llct.organizations.roster import person_import_roster  # type: ignore[import-not-found,unused-ignore]
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


def report(
    *,
    pages: list[PageResult],
    scale: list[PageResult],
    courses: list[PageResult],
    course_data: CourseData,
    organizations: int,
    roster: ImportResult,
    seeded: str,
    started_at: dt.datetime,
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
    lines += ["", *course_section(courses, course_data)]
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
    return "\n".join(lines) + "\n"


def main() -> None:
    db = configure()

    from django.core.management import call_command
    from django.utils import timezone

    started_at = timezone.localtime()

    from llct.core.models import User
    from llct.organizations.demo import demo_seed
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
    province = Organization.objects.get(parent=None, dissolved_on=None)
    print(f"Pages with {EXTRA_ORGANIZATIONS:,} more organizations:", flush=True)
    add_organizations(EXTRA_ORGANIZATIONS, parent=province, actor=department, today=today)
    scale = measure_pages([department], SCALE_PAGES)
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
    print("Roster import:", flush=True)
    roster = measure_import(actor=department, parent=province, today=today)

    text = report(
        pages=pages,
        scale=scale,
        courses=course_results,
        course_data=course_data,
        organizations=organizations,
        roster=roster,
        seeded=seeded,
        started_at=started_at,
    )
    RESULTS.write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"Written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
