"""The demo's plan carried out: planned courses opened as courses, and the spending recorded
against them."""

import datetime as dt
import random
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from llct.core.models import AuditEntry, User
from llct.courses.models import Course
from llct.demo.planning.plan import Spec
from llct.demo.planning.shared import (
    COURSE_STAMPED,
    EXPENSE_NOTES,
    OVER_NOTE,
    Kind,
    at,
    dated,
    thousands,
)
from llct.planning.models import (
    BudgetLine,
    PlannedCourse,
)
from llct.planning.plans import actual as plan_vs_actual
from llct.planning.plans import courses as plan_courses
from llct.planning.plans import services as plan_services

# ---------------------------------------------------------------------------------------------
# The plan carried out


def courses_from_plan(
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


def expenses(rng: random.Random, *, today: dt.date, specs: list[Spec], department: Any) -> int:
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

    over = _overspenders(rng, specs, finished)
    others = [s for s in finished if s not in over]
    under = rng.sample(others, min(3, len(others)))
    recorded = 0
    for spec in sorted(over + under, key=lambda s: (s.month, s.name)):
        assert spec.course is not None and spec.planned is not None
        recorded += _spend(
            rng,
            spec.course,
            lines[spec.planned.pk],
            over=spec in over,
            today=today,
            actor=department,
        )
    for spec in running[:1]:
        assert spec.course is not None and spec.planned is not None
        day = max(spec.course.starts_on, today - dt.timedelta(days=rng.randint(1, 5)))
        for line in lines[spec.planned.pk]:
            if line.kind == BudgetLine.Kind.LECTURER_FEES:
                recorded += _expense(
                    spec.course,
                    line.kind,
                    thousands(line.amount * Decimal("0.4")),
                    min(day, today),
                    "Tạm ứng thù lao giảng viên các chuyên đề đã học",
                    actor=department,
                )
    return recorded


def _overspenders(rng: random.Random, specs: list[Spec], finished: list[Spec]) -> list[Spec]:
    """The finished courses of an organization that held all it planned (the one with fewest);
    without one, a finished course drawn at random."""
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
        return finished_by_organizer[rng.choice(fewest)]
    return rng.sample(finished, min(1, len(finished)))


def _spend(
    rng: random.Random,
    course: Course,
    lines: list[BudgetLine],
    *,
    over: bool,
    today: dt.date,
    actor: User,
) -> int:
    """A finished course's spending, line by line, over or under its budget."""
    recorded = 0
    day = min(today, course.ends_on + dt.timedelta(days=rng.randint(1, 12)))
    for line in lines:
        if not over and line.kind == BudgetLine.Kind.OTHER and rng.random() < 0.3:
            continue
        factor = rng.uniform(1.08, 1.25) if over else rng.uniform(0.75, 0.98)
        note = EXPENSE_NOTES.get(line.kind, "")
        if over and line.kind == BudgetLine.Kind.LECTURER_FEES:
            note = OVER_NOTE
        amount = thousands(line.amount * Decimal(factor))
        recorded += _expense(course, line.kind, amount, day, note, actor=actor)
    return recorded


def _expense(
    course: Course, kind: str, amount: Decimal, day: dt.date, note: str, *, actor: User
) -> int:
    """Record the expense (1), or nothing for an amount of nothing (0)."""
    if amount <= 0:
        return 0
    with dated(at(day, 10, 30), [(AuditEntry, "at")]):
        plan_services.expense_record(
            course=course,
            data={"kind": kind, "amount": amount, "spent_on": day, "note": note},
            actor=actor,
        )
    return 1
