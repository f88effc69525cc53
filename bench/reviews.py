"""Oversight and reports in `make bench`: the province's annual report (.docx with charts)
built from the data, and the reporting round's status page, at the demo's size and with every
organization of the enlarged tree reporting (queries must not grow with organizations)."""

import datetime as dt
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

DOCX_TARGET_S = 3.0
STATUS_TARGET_MS = 100.0
DOCX_RUNS = 3


@dataclass
class ReviewsResult:
    docx_s: list[float] = field(default_factory=list)
    docx_bytes: int = 0
    docx_queries: int = 0
    pictures: int = 0
    organizations_listed: int = 0
    status: list[Any] = field(default_factory=list)  # PageResult
    detail: str = ""

    @property
    def docx_ok(self) -> bool:
        return bool(self.docx_s) and max(self.docx_s) <= DOCX_TARGET_S


def measure_reviews(*, department: Any, today: dt.date, measure_pages: Any) -> ReviewsResult:
    import io

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from docx import Document

    from llct.organizations.models import Organization
    from llct.reviews import rounds
    from llct.reviews.models import Report, ReportingRound, RoundKind
    from llct.reviews.report_documents import report_docx

    result = ReviewsResult()
    demo_round = ReportingRound.objects.order_by("pk").first()
    province = Organization.objects.get(parent=None, dissolved_on=None)
    everyone = list(Organization.objects.filter(parent=province, dissolved_on=None))
    annual = rounds.round_open(
        kind=RoundKind.ANNUAL,
        title=f"Tổng kết công tác giáo dục lý luận chính trị năm {today.year}",
        period_start=dt.date(today.year, 1, 1),
        period_end=min(today, dt.date(today.year, 12, 31)),
        deadline=today + dt.timedelta(days=20),
        organizations=everyone,
        today=today,
        actor=department,
    )
    report = Report.objects.select_related("round", "organization").get(
        round=annual, is_department=True
    )
    for _ in range(DOCX_RUNS):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            content = report_docx(report=report, today=today)
        result.docx_s.append(time.perf_counter() - started)
        result.docx_queries = len(captured.captured_queries)
    result.docx_bytes = len(content)
    document = Document(io.BytesIO(content))
    result.pictures = len(document.inline_shapes)
    result.organizations_listed = len(everyone)
    pages = []
    if demo_round is not None:
        pages.append(
            (
                f"Round status, {demo_round.organizations.count()} organizations (demo round)",
                reverse("reviews:round_status", args=[demo_round.pk]),
                False,
                True,
            )
        )
    pages.append(
        (
            f"Round status, {len(everyone):,} organizations",
            reverse("reviews:round_status", args=[annual.pk]),
            False,
            True,
        )
    )
    pages.append(
        (
            f"Round status, {len(everyone):,} organizations (htmx, late only)",
            reverse("reviews:round_status", args=[annual.pk]) + "?show=late",
            True,
            True,
        )
    )
    result.status = measure_pages([department], pages, target_ms=STATUS_TARGET_MS)
    return result


def reviews_section(result: ReviewsResult, people: int) -> list[str]:
    mark = "✅" if result.docx_ok else "❌"
    lines = [
        "## Oversight and reports",
        "",
        f"Targets: the province's annual report (.docx with charts) built in ≤ "
        f"{DOCX_TARGET_S:.0f} s at {people:,} people; the round's status page p95 ≤ "
        f"{STATUS_TARGET_MS:.0f} ms; queries do not grow with organizations.",
        "",
        "| step | runs | median s | max s | queries | target |",
        "|---|---:|---:|---:|---:|---|",
        f"| annual report .docx of the province ({result.organizations_listed:,} organizations "
        f"report, {result.pictures} charts, {result.docx_bytes / 1024:,.0f} KiB) | "
        f"{len(result.docx_s)} | {statistics.median(result.docx_s):.2f} | "
        f"{max(result.docx_s):.2f} | {result.docx_queries} | {mark} |",
        "",
        "| page | p50 ms | p95 ms | queries | SQL ms | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for page in result.status:
        ok = "✅" if page.p95 <= STATUS_TARGET_MS else "❌"
        lines.append(
            f"| {page.page} | {page.p50:.1f} | {page.p95:.1f} | {page.queries} | "
            f"{page.sql_ms:.1f} | {ok} |"
        )
    return lines
