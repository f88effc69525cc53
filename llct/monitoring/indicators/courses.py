"""Indicators counting results, courses, money and ratings."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from llct.assessment.models import GradeBand, LecturerRating
from llct.courses.models import Course, Enrolment
from llct.curriculum.models import AssessmentKind
from llct.monitoring.indicators.base import (
    Column,
    Indicator,
    Period,
    Row,
    Subject,
    Tally,
    Unit,
    as_decimal,
    remembered,
    url_for,
)
from llct.organizations.models import add_months
from llct.planning.models import AnnualPlan, BudgetLine, Expense, PlannedCourse

FAIR_OR_BETTER = [GradeBand.EXCELLENT, GradeBand.GOOD, GradeBand.FAIR]
COURSE_YEARS_AT_MOST = 3


def _under(qs: QuerySet[Any], field: str, prefix: str) -> QuerySet[Any]:
    return qs if prefix == "/" else qs.filter(**{f"{field}__startswith": prefix})


def day_after(day: dt.date) -> dt.datetime:
    """Midnight (local time) at the end of `day`."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _money(value: Decimal) -> str:
    return number_format(value, decimal_pos=0, force_grouping=True)


def learners_with_results(*, prefix: str, period: Period) -> QuerySet[Enrolment]:
    """The enrolments the results indicators (pass rate, share Khá or better) count: learners
    (not withdrawn) of assessed courses that ended in the period, whose results were approved
    by its end, under the learner's organization in the subtree at `prefix` ("/" for all).
    Other apps group these rows (by programme, by band) to break the registry's totals down:
    the parts then add up to the totals by construction."""
    qs = Enrolment.objects.filter(
        status=Enrolment.Status.ENROLLED,
        # A course ending in the year started at most a few years before (trung cấp runs
        # 11-18 months): the range lets the database start from the courses' start index
        # instead of walking every enrolment ever made.
        course__starts_on__gte=add_months(period.start, -12 * COURSE_YEARS_AT_MOST),
        course__starts_on__lte=period.end,
        course__ends_on__gte=period.start,
        course__ends_on__lte=period.end,
        # A range on the stored moment, not its date: __date runs a function per row.
        course__results_approval__approved_at__lt=day_after(period.end),
        result__isnull=False,
    ).exclude(course__status=Course.Status.CANCELLED)
    qs = qs.exclude(course__programme__assessment_kind=AssessmentKind.NONE)
    return _under(qs, "person__organization__path", prefix)


class _Results(Indicator):
    """Learners of the courses that ended in the year (up to the date) with their results
    approved by the date; learners are counted under their own organization."""

    subject = Subject.PEOPLE
    band_filter: Q
    count_key: str

    def _base(self, *, prefix: str, period: Period) -> Any:
        return learners_with_results(prefix=prefix, period=period)

    def _tally(self, *, prefix: str, period: Period, variant: str) -> Iterable[Tally]:
        """The pass rate and the share Khá or better count the same learners: one query
        serves both when a dashboard asks for them together (see `indicators.shared`)."""

        def query() -> list[dict[str, Any]]:
            return list(
                self._base(prefix=prefix, period=period)
                .values("person__organization__path")
                .annotate(
                    passed=Count("pk", filter=PassRate.band_filter),
                    fair=Count("pk", filter=FairOrBetter.band_filter),
                    den=Count("pk"),
                )
                .order_by()
            )

        rows = remembered(("results", prefix, period), query)
        return [
            Tally(r["person__organization__path"], Decimal(r[self.count_key]), Decimal(r["den"]))
            for r in rows
        ]

    def columns(self) -> list[Column]:
        return [
            Column(_("Full name")),
            Column(_("Organization")),
            Column(_("Course")),
            Column(_("Course ends on")),
            Column(_("Final score")),
            Column(_("Classification")),
            Column(_("Passed")),
        ]

    def _rows(self, *, prefix: str, period: Period, variant: str) -> Iterable[Row]:
        bands = dict(GradeBand.choices)
        qs = (
            self._base(prefix=prefix, period=period)
            .annotate(counted=Count("pk", filter=self.band_filter))
            .order_by("person__sort_key", "person_id", "course__ends_on")
        )
        for e in qs.values(
            "person_id",
            "person__full_name",
            "person__organization__name",
            "course__name",
            "course__ends_on",
            "result__final_score",
            "result__band",
            "result__passed",
            "counted",
        ):
            score = e["result__final_score"]
            yield Row(
                cells=(
                    e["person__full_name"],
                    e["person__organization__name"],
                    e["course__name"],
                    e["course__ends_on"].strftime("%d/%m/%Y"),
                    "" if score is None else str(score).replace(".", ","),
                    str(bands.get(e["result__band"], "")),
                    _t("Yes") if e["result__passed"] else _t("No"),
                ),
                counted=bool(e["counted"]),
                url=url_for("organizations:person_detail", e["person_id"]),
            )


class PassRate(_Results):
    code = "pass_rate"
    label = _("Class pass rate")
    numerator_label = _("learners who passed")
    denominator_label = _("learners with approved results")
    counts = _(
        "Learners (not withdrawn) of assessed courses that ended in the year, up to the date, "
        "whose results were approved by the date; of them those who passed."
    )
    band_filter = Q(result__passed=True)
    count_key = "passed"


class FairOrBetter(_Results):
    code = "fair_or_better"
    label = _("Learners classified Khá or better")
    numerator_label = _("passed with Khá, Giỏi or Xuất sắc")
    denominator_label = _("learners with approved results")
    counts = _(
        "Learners (not withdrawn) of assessed courses that ended in the year, up to the date, "
        "whose results were approved by the date; of them those who passed classified Khá, "
        "Giỏi or Xuất sắc."
    )
    band_filter = Q(result__passed=True, result__band__in=FAIR_OR_BETTER)
    count_key = "fair"


def planned_course_held(period: Period) -> Q:
    """A planned course (of `planned_courses_due`) counted as held: linked to a course that
    started by the period's end and was not cancelled."""
    return Q(course__isnull=False, course__starts_on__lte=period.end) & ~Q(
        course__status=Course.Status.CANCELLED
    )


def planned_courses_due(*, prefix: str, period: Period) -> QuerySet[PlannedCourse]:
    """The planned courses the indicator "planned courses held" counts: courses of the year's
    approved plan, under their organizer in the subtree at `prefix`, whose planned month has
    ended by the period's end or that have already started. Filter them with
    `planned_course_held` for the held ones; group them to break the total down."""
    qs = PlannedCourse.objects.filter(
        plan__year=period.year, plan__status=AnnualPlan.Status.APPROVED
    )
    if period.end.year == period.year:
        # A month counts once it has ended (31/12 ends them all), or once its course started.
        last_month = period.end.month - (0 if _is_month_end(period.end) else 1)
        qs = qs.filter(Q(month__lte=last_month) | planned_course_held(period))
    return _under(qs, "organizer__path", prefix)


class CoursesHeld(Indicator):
    code = "courses_held"
    label = _("Planned courses held")
    subject = Subject.PLANNED_COURSES
    numerator_label = _("held (started by the date)")
    denominator_label = _("courses of the approved plan due by the date")
    counts = _(
        "Courses of the year's approved plan, counted under their organizer, whose planned "
        "month has ended by the date or that have already started; of them those linked to a "
        "course that started by the date and was not cancelled."
    )

    def _base(self, *, prefix: str, period: Period) -> Any:
        return planned_courses_due(prefix=prefix, period=period)

    def _tally(self, *, prefix: str, period: Period, variant: str) -> Iterable[Tally]:
        rows = (
            self._base(prefix=prefix, period=period)
            .values("organizer__path")
            .annotate(num=Count("pk", filter=planned_course_held(period)), den=Count("pk"))
            .order_by()
        )
        return [Tally(r["organizer__path"], Decimal(r["num"]), Decimal(r["den"])) for r in rows]

    def columns(self) -> list[Column]:
        return [
            Column(_("Planned course")),
            Column(_("Organized by")),
            Column(_("Month")),
            Column(_("Course")),
            Column(_("Held")),
        ]

    def _rows(self, *, prefix: str, period: Period, variant: str) -> Iterable[Row]:
        qs = (
            self._base(prefix=prefix, period=period)
            .annotate(held=Count("pk", filter=planned_course_held(period)))
            .order_by("month", "name", "pk")
        )
        for c in qs.values("name", "organizer__name", "month", "course_id", "course__code", "held"):
            yield Row(
                cells=(
                    c["name"],
                    c["organizer__name"],
                    c["month"],
                    c["course__code"] or "",
                    _t("Yes") if c["held"] else _t("No"),
                ),
                counted=bool(c["held"]),
                url=url_for("courses:detail", c["course_id"]) if c["course_id"] else "",
            )


def _is_month_end(day: dt.date) -> bool:
    return (day + dt.timedelta(days=1)).day == 1


class BudgetSpent(Indicator):
    """Two aggregate queries: the plan's budget lines and the expenses, each by path."""

    code = "budget_spent"
    label = _("Budget spent against the plan")
    subject = Subject.COURSES
    numerator_label = _("spent by the date (VND)")
    denominator_label = _("budget of the approved plan (VND)")
    counts = _(
        "The budget lines of the year's approved plan, counted under the planned course's "
        "organizer (the plan's issuer for lines of the whole plan), against the expenses "
        "recorded in the year up to the date for courses of those organizers."
    )

    def _lines(self, *, prefix: str, period: Period) -> Any:
        qs = BudgetLine.objects.filter(
            plan__year=period.year, plan__status=AnnualPlan.Status.APPROVED
        ).annotate(path=Coalesce("planned_course__organizer__path", "plan__issuer__path"))
        return qs if prefix == "/" else qs.filter(path__startswith=prefix)

    def _expenses(self, *, prefix: str, period: Period) -> Any:
        qs = Expense.objects.filter(spent_on__gte=period.start, spent_on__lte=period.end)
        return _under(qs, "course__organizer__path", prefix)

    def _tally(self, *, prefix: str, period: Period, variant: str) -> Iterable[Tally]:
        sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        lines = self._lines(prefix=prefix, period=period)
        for r in lines.values("path").annotate(total=Sum("amount")).order_by():
            sums[r["path"]][1] += as_decimal(r["total"])
        spent = self._expenses(prefix=prefix, period=period)
        for r in spent.values("course__organizer__path").annotate(total=Sum("amount")).order_by():
            sums[r["course__organizer__path"]][0] += as_decimal(r["total"])
        return [Tally(path, n, d) for path, (n, d) in sums.items()]

    def columns(self) -> list[Column]:
        return [
            Column(_("Course")),
            Column(_("Organized by")),
            Column(_("Budget (VND)")),
            Column(_("Spent (VND)")),
        ]

    def _rows(self, *, prefix: str, period: Period, variant: str) -> Iterable[Row]:
        """One row per planned course with its budget and its course's expenses, then the
        courses with expenses outside the plan."""
        budget: dict[int | None, Decimal] = defaultdict(Decimal)
        names: dict[int | None, tuple[str, str, int | None]] = {}
        for r in (
            self._lines(prefix=prefix, period=period)
            .values(
                "planned_course_id",
                "planned_course__name",
                "planned_course__organizer__name",
                "planned_course__course_id",
                "plan__title",
                "plan__issuer__name",
            )
            .annotate(total=Sum("amount"))
            .order_by()
        ):
            key = r["planned_course_id"]
            budget[key] += as_decimal(r["total"])
            names[key] = (
                r["planned_course__name"] or r["plan__title"],
                r["planned_course__organizer__name"] or r["plan__issuer__name"],
                r["planned_course__course_id"],
            )
        spent: dict[int, tuple[str, str, Decimal]] = {}
        for r in (
            self._expenses(prefix=prefix, period=period)
            .values("course_id", "course__name", "course__organizer__name")
            .annotate(total=Sum("amount"))
            .order_by()
        ):
            spent[r["course_id"]] = (
                r["course__name"],
                r["course__organizer__name"],
                as_decimal(r["total"]),
            )
        for key, (name, organizer, course_id) in sorted(names.items(), key=lambda item: item[1][0]):
            amount = spent.pop(course_id, ("", "", Decimal(0)))[2] if course_id else Decimal(0)
            yield Row(
                cells=(name, organizer, _money(budget[key]), _money(amount)),
                counted=amount > 0,
                url=url_for("courses:detail", course_id) if course_id else "",
            )
        for course_id, (name, organizer, amount) in sorted(spent.items()):
            yield Row(
                cells=(name, organizer, _money(Decimal(0)), _money(amount)),
                counted=True,
                url=url_for("courses:detail", course_id),
            )


class LecturerRatings(Indicator):
    """Survey answers carry no link to the learner; the list behind the number shows each
    lecturer's averages, never single answers."""

    code = "lecturer_rating"
    label = _("Learners' rating of lecturers")
    unit = Unit.POINTS
    subject = Subject.LECTURERS
    numerator_label = _("sum of the points given")
    denominator_label = _("points that could be given, divided by 5 (answers x 3)")
    counts = _(
        "The average of the learners' ratings (content, method, connection to practice, 1 to "
        "5 each) of the lecturers of courses organized in the subtree, from the survey "
        "answers sent in the year up to the date."
    )

    def _base(self, *, prefix: str, period: Period) -> Any:
        qs = LecturerRating.objects.filter(
            response__submitted_on__gte=period.start, response__submitted_on__lte=period.end
        )
        return _under(qs, "response__course__organizer__path", prefix)

    def _tally(self, *, prefix: str, period: Period, variant: str) -> Iterable[Tally]:
        rows = (
            self._base(prefix=prefix, period=period)
            .values("response__course__organizer__path")
            .annotate(points=Sum(F("content") + F("method") + F("practice")), n=Count("pk"))
            .order_by()
        )
        return [
            Tally(
                r["response__course__organizer__path"],
                as_decimal(r["points"]),
                Decimal(r["n"] * 3),
            )
            for r in rows
        ]

    def columns(self) -> list[Column]:
        return [
            Column(_("Lecturer")),
            Column(_("Answers")),
            Column(_("Content")),
            Column(_("Method")),
            Column(_("Connection to practice")),
            Column(_("Average")),
        ]

    def _rows(self, *, prefix: str, period: Period, variant: str) -> Iterable[Row]:
        rows = (
            self._base(prefix=prefix, period=period)
            .values("lecturer_id", "lecturer__full_name")
            .annotate(
                n=Count("pk"),
                content_sum=Sum("content"),
                method_sum=Sum("method"),
                practice_sum=Sum("practice"),
            )
            .order_by("lecturer__full_name", "lecturer_id")
        )

        def avg(total: int, n: int) -> str:
            return number_format(Decimal(total) / n, decimal_pos=2)

        for r in rows:
            n = r["n"]
            total = r["content_sum"] + r["method_sum"] + r["practice_sum"]
            yield Row(
                cells=(
                    r["lecturer__full_name"],
                    n,
                    avg(r["content_sum"], n),
                    avg(r["method_sum"], n),
                    avg(r["practice_sum"], n),
                    avg(total, n * 3),
                ),
                counted=True,
                url=url_for("curriculum:lecturer_detail", r["lecturer_id"]),
            )
