"""A year of courses for the demo province (`demo_courses`), its summary, and the reset that
deletes it with everything hanging off it."""

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

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
from llct.curriculum.models import Lecturer, Programme, Topic
from llct.demo.courses.catalogue import (
    FULL_TIME,
    LECTURERS,
    MIN_LECTURERS_PER_TOPIC,
    PROVINCE,
    THEMES,
    VENUES,
)
from llct.demo.courses.learners import attendance_marks, corrections, enrol, withdrawals
from llct.demo.courses.schedule import (
    Calendar,
    Plan,
    assign_lecturers,
    create_courses,
    plan_year,
    rule_plans,
    schedule_plan,
    session_today,
)
from llct.demo.organizations import random_name
from llct.organizations.models import (
    MembershipStage,
    Organization,
    Person,
    TheoryLevel,
)

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

    plans = plan_year(
        rng,
        today=today,
        people=people,
        programmes=programmes,
        organizations=organizations,
        learner=learner,
    )
    week_start = today - dt.timedelta(days=today.weekday())
    week_end = week_start + dt.timedelta(days=6)
    scheduled: list[Plan] = rule_plans(
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
        if schedule_plan(
            plan,
            venues=venues,
            calendar=calendar,
            rules=rules,
            holidays=holidays,
            week=(week_start, week_end),
        ):
            scheduled.append(plan)

    create_courses(scheduled, today=today, actor=actor)
    today_plan = next((p for p in scheduled if p.special == "today"), None)
    if today_plan is not None:
        session_today(today_plan, today=today, rules=rules, calendar=calendar)
    sessions = [s for plan in scheduled for s in plan.sessions]
    own = next((lec for lec in lecturers if lec.user_id), None)
    for plan in scheduled:
        assign_lecturers(
            rng,
            plan,
            approved=approved,
            calendar=calendar,
            prefer=own if plan.special == "today" else None,
        )
    Session.objects.bulk_update(sessions, ["lecturer"], batch_size=500)

    enrolments = enrol(
        rng,
        scheduled,
        people=people,
        lecturers=lecturers,
        learner=learner,
        calendar=calendar,
        today=today,
    )
    enrolments = withdrawals(rng, enrolments, plans=scheduled, today=today, keep=learner)
    enrolments = Enrolment.objects.bulk_create(enrolments, batch_size=1000)
    marks = attendance_marks(rng, scheduled, enrolments, today=today, actor=actor)
    Attendance.objects.bulk_create(marks, batch_size=2000)
    corrections(marks, today=today, actor=actor)

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
