"""The teaching-hours ledger (giờ chuẩn) and the honoraria computed from the budget norms.

Sessions taught are counted from `courses.Session` (one session is half a day); other work comes
from `WorkEntry`. Norms and minimums are settings rows, read once per call.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext as _

from llct.core.spreadsheets import write_xlsx
from llct.core.text import name_sort_key
from llct.corps.models import (
    DEFAULT_MINIMUMS,
    DEFAULT_NORMS,
    HoursMinimum,
    LecturerStandards,
    Post,
    WorkEntry,
    WorkKind,
    WorkNorm,
    default_post,
)
from llct.courses.models import Session
from llct.curriculum.models import Lecturer
from llct.planning.models import BudgetNorms

ZERO = Decimal(0)
TWO_PLACES = Decimal("0.01")


def norms() -> dict[str, WorkNorm]:
    """The conversion norms; the defaults when the table was never filled."""
    table = {norm.kind: norm for norm in WorkNorm.objects.all()}
    if not table:
        WorkNorm.objects.bulk_create(
            WorkNorm(kind=kind, units=units, hours=hours, source=source)
            for kind, (units, hours, source) in DEFAULT_NORMS.items()
        )
        table = {norm.kind: norm for norm in WorkNorm.objects.all()}
    return table


def minimums() -> dict[str, HoursMinimum]:
    """The yearly minimums; the defaults when the table was never filled."""
    table = {row.post: row for row in HoursMinimum.objects.all()}
    if not table:
        HoursMinimum.objects.bulk_create(
            HoursMinimum(post=post, hours=hours, lecturing_hours=lecturing, source=source)
            for post, (hours, lecturing, source) in DEFAULT_MINIMUMS.items()
        )
        table = {row.post: row for row in HoursMinimum.objects.all()}
    return table


def convert(kind: str, quantity: int, table: dict[str, WorkNorm]) -> Decimal:
    """Giờ chuẩn for `quantity` units of a kind of work (proportional: 15 essays at 10 = 1.5)."""
    norm = table.get(kind)
    if norm is None:
        return ZERO
    return (Decimal(quantity) * norm.hours / norm.units).quantize(TWO_PLACES)


@dataclass
class LedgerRow:
    lecturer: Lecturer
    post: str
    sessions: int = 0
    work: Counter[str] = field(default_factory=Counter)
    lecturing_hours: Decimal = ZERO
    other_hours: Decimal = ZERO
    minimum: Decimal | None = None
    lecturing_minimum: Decimal | None = None

    @property
    def hours(self) -> Decimal:
        return self.lecturing_hours + self.other_hours

    @property
    def shortfall(self) -> Decimal:
        """How many giờ chuẩn the lecturer lacks for the year's minimum (0 when met)."""
        if self.minimum is None:
            return ZERO
        lacking = max(self.minimum - self.hours, ZERO)
        if self.lecturing_minimum:
            lacking = max(lacking, self.lecturing_minimum - self.lecturing_hours)
        return lacking

    @property
    def short(self) -> bool:
        return self.shortfall > 0

    def get_post_display(self) -> str:
        return str(Post(self.post).label)


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def hours_ledger(*, lecturers: Iterable[Lecturer], year: int) -> list[LedgerRow]:
    """One row per lecturer for the calendar year: sessions and other work in giờ chuẩn against
    the minimum of their post. Four queries whatever the number of lecturers."""
    lecturers = list(lecturers)
    ids = [lecturer.pk for lecturer in lecturers]
    first, last = year_bounds(year)
    table, floors = norms(), minimums()
    posts = dict(
        LecturerStandards.objects.filter(lecturer_id__in=ids).values_list("lecturer_id", "post")
    )
    sessions = dict(
        Session.objects.filter(lecturer_id__in=ids, date__range=(first, last))
        .values_list("lecturer_id")
        .annotate(n=Count("pk"))
        .values_list("lecturer_id", "n")
    )
    work: dict[int, Counter[str]] = defaultdict(Counter)
    for lecturer_id, kind, quantity in (
        WorkEntry.objects.filter(lecturer_id__in=ids, date__range=(first, last))
        .values_list("lecturer_id", "kind")
        .annotate(q=Sum("quantity"))
        .values_list("lecturer_id", "kind", "q")
    ):
        work[lecturer_id][kind] += quantity
    rows = []
    for lecturer in lecturers:
        post = posts.get(lecturer.pk) or default_post(lecturer.kind)
        floor = floors.get(post)
        row = LedgerRow(
            lecturer=lecturer,
            post=post,
            sessions=sessions.get(lecturer.pk, 0),
            work=work[lecturer.pk],
            minimum=floor.hours if floor else None,
            lecturing_minimum=floor.lecturing_hours if floor else None,
        )
        row.lecturing_hours = convert(WorkKind.SESSION, row.sessions, table) + convert(
            WorkKind.LECTURE, row.work[WorkKind.LECTURE], table
        )
        row.other_hours = sum(
            (convert(kind, n, table) for kind, n in row.work.items() if kind != WorkKind.LECTURE),
            start=ZERO,
        )
        rows.append(row)
    return rows


@dataclass
class HonorariumRow:
    lecturer: Lecturer
    sessions: int
    fee: Decimal

    @property
    def amount(self) -> Decimal:
        return self.fee * self.sessions


def fee_for(kind: str, budget: BudgetNorms) -> Decimal:
    fees: dict[str, Decimal] = {
        Lecturer.Kind.PART_TIME: budget.fee_part_time,
        Lecturer.Kind.GUEST: budget.fee_guest,
        Lecturer.Kind.FULL_TIME: budget.fee_full_time,
    }
    return fees.get(kind, budget.fee_part_time)


def honoraria(*, year: int, month: int) -> list[HonorariumRow]:
    """The month's payment sheet: sessions taught per lecturer times the fee per session of the
    budget norms for their kind. Two queries."""
    budget = BudgetNorms.current()
    counts = (
        Session.objects.filter(lecturer__isnull=False, date__year=year, date__month=month)
        .values_list("lecturer_id")
        .annotate(n=Count("pk"))
        .values_list("lecturer_id", "n")
    )
    by_id = dict(counts)
    lecturers = Lecturer.objects.filter(pk__in=by_id)
    rows = [
        HonorariumRow(
            lecturer=lecturer, sessions=by_id[lecturer.pk], fee=fee_for(lecturer.kind, budget)
        )
        for lecturer in lecturers
    ]
    rows.sort(key=lambda row: (name_sort_key(row.lecturer.full_name), row.lecturer.pk))
    return rows


def sessions_by_month(*, lecturer: Lecturer, year: int) -> dict[int, int]:
    first, last = year_bounds(year)
    return dict(
        Session.objects.filter(lecturer=lecturer, date__range=(first, last))
        .annotate(month=ExtractMonth("date"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )


def honoraria_sheet(*, month: dt.date, rows: list[HonorariumRow]) -> bytes:
    """The month's payment sheet (.xlsx): one line per lecturer with a signature column, and
    the totals."""
    headers = [
        _("No."),
        _("Full name"),
        _("Kind"),
        _("Workplace"),
        _("Sessions"),
        _("Fee per session (VND)"),
        _("Amount (VND)"),
        _("Signature"),
    ]
    body: list[list[object]] = [
        [
            i,
            row.lecturer.full_name,
            row.lecturer.get_kind_display(),
            row.lecturer.workplace,
            row.sessions,
            int(row.fee),
            int(row.amount),
            "",
        ]
        for i, row in enumerate(rows, start=1)
    ]
    total_sessions = sum(r.sessions for r in rows)
    total_amount = int(sum(r.amount for r in rows))
    body.append(["", _("Total"), "", "", total_sessions, "", total_amount, ""])
    return write_xlsx(headers, body, title=f"{month:%m-%Y}")
