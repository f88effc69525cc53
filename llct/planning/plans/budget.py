"""The plan's budget: money in words, the norms' arithmetic, totals per kind and per course."""

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from llct.courses.models import Course, Venue
from llct.curriculum.models import Lecturer
from llct.planning.models import (
    AnnualPlan,
    BudgetLine,
    BudgetNorms,
    FacilityNeed,
    PlannedCourse,
)

Kind = BudgetLine.Kind


# The order budget lines are shown and totalled in (the model orders kinds alphabetically).
KINDS: tuple[str, ...] = (Kind.LECTURER_FEES, Kind.MATERIALS, Kind.VENUE, Kind.OTHER)


ZERO = Decimal(0)


def vnd(amount: Decimal | int | None) -> str:
    """Vietnamese style: 1.500.000 đ (whole đồng, dots between thousands)."""
    value = int(Decimal(amount or 0).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value):,}".replace(",", ".") + " đ"


def whole(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def budget_lines(*, plan: AnnualPlan) -> list[BudgetLine]:
    lines = list(plan.budget_lines.select_related("planned_course"))
    order = {k: i for i, k in enumerate(KINDS)}
    lines.sort(
        key=lambda line: (
            line.planned_course.month if line.planned_course else 13,
            line.planned_course_id or 0,
            order.get(line.kind, 9),
        )
    )
    return lines


@dataclass
class Totals:
    by_kind: dict[str, Decimal]
    facilities: Decimal

    @property
    def courses(self) -> Decimal:
        return sum(self.by_kind.values(), ZERO)

    @property
    def grand(self) -> Decimal:
        return self.courses + self.facilities

    def rows(self) -> list[tuple[str, Decimal]]:
        labels = dict(Kind.choices)
        return [(str(labels[k]), self.by_kind[k]) for k in KINDS]

    def as_json(self) -> dict[str, int]:
        return {
            **{k: int(v) for k, v in self.by_kind.items()},
            "courses": int(self.courses),
            "facilities": int(self.facilities),
            "grand": int(self.grand),
        }


def plan_totals(lines: Iterable[BudgetLine], needs: Iterable[FacilityNeed]) -> Totals:
    by_kind = dict.fromkeys(KINDS, ZERO)
    for line in lines:
        by_kind[line.kind] = by_kind.get(line.kind, ZERO) + line.amount
    return Totals(by_kind, sum((n.estimated_cost for n in needs), ZERO))


@dataclass
class CourseBudget:
    """One planned course's budget lines, in the order of KINDS, and their sum."""

    planned: PlannedCourse
    lines: list[BudgetLine]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


def budget_by_course(courses: Sequence[PlannedCourse], lines: Sequence[BudgetLine]) -> list[Any]:
    grouped: dict[int, list[BudgetLine]] = defaultdict(list)
    for line in lines:
        grouped[line.planned_course_id or 0].append(line)
    return [CourseBudget(pc, grouped.get(pc.pk, [])) for pc in courses]


def lecturer_fee(norms: BudgetNorms, kind: str) -> Decimal:
    fees: dict[str, Decimal] = {
        Lecturer.Kind.PART_TIME: norms.fee_part_time,
        Lecturer.Kind.GUEST: norms.fee_guest,
        Lecturer.Kind.FULL_TIME: norms.fee_full_time,
    }
    return fees.get(kind, norms.fee_part_time)


def budget_compute(
    *, planned: PlannedCourse, lecturers: Sequence[Lecturer], norms: BudgetNorms
) -> dict[str, tuple[Decimal, str]]:
    """The computed amount and how it was worked out, per kind, for one planned course.

    - lecturer fees: each session is paid at the fee of the kind of the lecturer who teaches it.
      The sessions are shared out evenly among the lecturers; the sessions left over go to the
      best-paid ones, so the estimate errs on the safe side. No lecturer yet: the part-time fee.
    - materials: expected learners × the norm per learner;
    - venue: days × the norm per day, nothing for an online room;
    - other: the norm per course.
    """
    sessions = int(planned.sessions or 0)
    shares: list[tuple[int, Decimal, str]] = []
    if lecturers:
        labels = dict(Lecturer.Kind.choices)
        ranked = sorted(lecturers, key=lambda lec: (-lecturer_fee(norms, lec.kind), lec.full_name))
        base, extra = divmod(sessions, len(ranked))
        counts: Counter[tuple[Decimal, str]] = Counter()
        for i, lecturer in enumerate(ranked):
            n = base + (1 if i < extra else 0)
            counts[(lecturer_fee(norms, lecturer.kind), str(labels[lecturer.kind]))] += n
        shares = [(n, fee, label) for (fee, label), n in counts.items() if n]
        shares.sort(key=lambda s: (-s[1], s[2]))
    else:
        shares = [(sessions, norms.fee_part_time, str(_("part-time fee, no lecturer yet")))]
    fees = sum((n * fee for n, fee, _label in shares), ZERO)
    fee_text = " + ".join(f"{n} × {vnd(fee)} ({label})" for n, fee, label in shares)
    learners = int(planned.expected_learners or 0)
    days = Decimal(planned.days or 0)
    online = planned.venue is not None and planned.venue.kind == Venue.Kind.ONLINE
    venue = ZERO if online else whole(days * norms.venue_per_day)
    venue_text = (
        str(_("online room: no venue cost"))
        if online
        else f"{days.normalize():f} × {vnd(norms.venue_per_day)}"
    )
    return {
        Kind.LECTURER_FEES: (whole(fees), fee_text),
        Kind.MATERIALS: (
            whole(learners * norms.materials_per_learner),
            f"{learners} × {vnd(norms.materials_per_learner)}",
        ),
        Kind.VENUE: (venue, venue_text),
        Kind.OTHER: (whole(norms.other_per_course), str(_("per course"))),
    }


def recompute_lines(planned: PlannedCourse, norms: BudgetNorms) -> int:
    """Bring one planned course's lines in step with the norms. An adjusted line keeps its amount
    and its note (it stays flagged); only its computed amount moves. Returns lines changed."""
    computed = budget_compute(planned=planned, lecturers=list(planned.lecturers.all()), norms=norms)
    existing = {line.kind: line for line in planned.budget_lines.all()}
    changed = 0
    for kind, (amount, description) in computed.items():
        line = existing.get(kind)
        if line is None:
            BudgetLine.objects.create(
                plan_id=planned.plan_id,
                planned_course=planned,
                kind=kind,
                description=description[:255],
                computed_amount=amount,
                amount=amount,
            )
            changed += 1
            continue
        adjusted = bool(line.adjustment_note)
        new_amount = line.amount if adjusted else amount
        if (line.computed_amount, line.amount, line.description) != (
            amount,
            new_amount,
            description[:255],
        ):
            line.computed_amount, line.amount = amount, new_amount
            line.description = description[:255]
            line.save(update_fields=["computed_amount", "amount", "description"])
            changed += 1
    return changed


def budget_is_stale(
    *, courses: Sequence[PlannedCourse], lines: Sequence[BudgetLine], norms: BudgetNorms
) -> bool:
    """True when a computed amount is not what the current norms give (the norms changed)."""
    stored = {(line.planned_course_id, line.kind): line.computed_amount for line in lines}
    for pc in courses:
        computed = budget_compute(planned=pc, lecturers=list(pc.lecturers.all()), norms=norms)
        for kind, (amount, _text) in computed.items():
            if stored.get((pc.pk, kind)) != amount:
                return True
    return False


def course_planned_lines(*, course: Course) -> list[BudgetLine]:
    """The plan's budget for this course, when it was created from a plan."""
    lines = list(
        BudgetLine.objects.filter(planned_course__course=course).select_related("planned_course")
    )
    order = {k: i for i, k in enumerate(KINDS)}
    lines.sort(key=lambda line: order.get(line.kind, 9))
    return lines
