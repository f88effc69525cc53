"""Project dashboards at demo scale: page timings beside the raw-SQL floor, and the query count
before and after the tree grows. Called by bench/run.py; `python -m bench.monitoring` runs it
alone on a fresh database (seed included) and prints the table.

The raw-SQL floor replays the very SQL statements one dashboard request ran (captured with
their parameters) straight on the database cursor, fetching every row: the time no Python
above the database could save.
"""

import statistics
import time
from dataclasses import dataclass
from typing import Any

from bench.run import REQUESTS, WARMUP, PageResult, measure_pages, percentile

DASHBOARD_TARGET_MS = 150.0


@dataclass
class Floor:
    page: str
    queries: int
    p50: float
    p95: float


def dashboard_pages() -> list[tuple[str, str, bool, bool]]:
    from django.urls import reverse

    from llct.monitoring.models import Project

    pages = []
    for project in Project.objects.order_by("-start_year"):
        url = reverse("monitoring:dashboard", args=[project.pk])
        label = f"Dashboard {project.number} ({project.start_year}–{project.end_year})"
        pages.append((label, url, False, True))
    return pages


def listing_pages(province_pk: int, year: int) -> list[tuple[str, str, bool, bool]]:
    from django.urls import reverse

    return [
        (
            f"List behind a number: {code}",
            reverse("monitoring:indicator_list", args=[code]) + f"?org={province_pk}&year={year}",
            False,
            False,
        )
        for code in ("pass_rate", "cadres_trung_cap")
    ]


def sql_floor(user: Any, label: str, url: str) -> Floor:
    """Replay the SQL of one request on the cursor, REQUESTS times."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    # Only the reads: the session's save and the like are not the page's work.
    statements = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT")
    ]
    timings = []
    with connection.cursor() as cursor:
        for _ in range(WARMUP):
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
        for _ in range(REQUESTS):
            started = time.perf_counter()
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    return Floor(label, len(statements), statistics.median(timings), percentile(timings, 95))


@dataclass
class CpuTime:
    user: str
    page: str
    p50: float
    p95: float


def cpu_times(users: list[Any], pages: list[tuple[str, str, bool, bool]]) -> list[CpuTime]:
    """The processor time of each request (SQLite runs in the process, so its work counts):
    what the page costs whatever else the machine is doing. Wall time on a loaded machine
    waits for the processor too."""
    from django.test import Client

    results = []
    for user in users:
        client = Client()
        client.force_login(user)
        for label, url, _htmx, _targeted in pages:
            for _ in range(WARMUP):
                client.get(url)
            timings = []
            for _ in range(REQUESTS):
                started = time.process_time()
                client.get(url)
                timings.append((time.process_time() - started) * 1000)
            results.append(
                CpuTime(user.username, label, statistics.median(timings), percentile(timings, 95))
            )
    return results


REFERENCE = [("People list (reference, 50 ms budget)", "/to-chuc/nhan-su/", False, False)]


def measure(
    users: list[Any], *, with_lists: bool = True
) -> tuple[list[PageResult], list[Floor], list[CpuTime]]:
    from django.utils import timezone

    from llct.organizations.models import Organization

    pages = dashboard_pages()
    results = measure_pages(users, pages, target_ms=DASHBOARD_TARGET_MS)
    cpu = cpu_times(users, pages + REFERENCE)
    if with_lists:
        province = Organization.objects.get(parent=None, dissolved_on=None)
        results += measure_pages(
            users[:1],
            listing_pages(province.pk, timezone.localdate().year),
            target_ms=DASHBOARD_TARGET_MS,
        )
    results += measure_pages(users[:1], REFERENCE)
    floors = [sql_floor(users[0], label, url) for label, url, _htmx, _t in pages]
    return results, floors, cpu


def section(
    results: list[PageResult],
    floors: list[Floor],
    cpu: list[CpuTime],
    scaled: list[PageResult],
    organizations: int,
) -> list[str]:
    from bench.run import mark

    lines = [
        "## Project dashboards",
        "",
        f"Target: p95 ≤ {DASHBOARD_TARGET_MS:.0f} ms on SQLite at demo scale, and queries that do "
        "not grow with organizations or people. The current year is computed live (one "
        "aggregate query per indicator for the subtree and its children); past years and the "
        "heavy indicator (nominations against the suggestion rules) are read from the stored "
        "snapshots. The raw-SQL floor replays the SELECT statements of one leader's request "
        "straight on the cursor.",
        "",
        "| user | page | p50 ms | p95 ms | queries | SQL ms | target |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.user} | {r.page} | {r.p50:.1f} | {r.p95:.1f} | {r.queries} | {r.sql_ms:.1f} "
            f"| {mark(r.ok) if r.targeted else '—'} |"
        )
    lines += [
        "",
        "Raw-SQL floor (the same SELECTs on the cursor, no ORM, no template):",
        "",
        "| page | statements | p50 ms | p95 ms |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {f.page} | {f.queries} | {f.p50:.1f} | {f.p95:.1f} |" for f in floors]
    lines += [
        "",
        "Processor time per request (the process's CPU time, SQLite included: what the page "
        "costs whatever else runs on the machine; the people list, held to 50 ms, for scale):",
        "",
        "| user | page | CPU p50 ms | CPU p95 ms |",
        "|---|---|---:|---:|",
    ]
    lines += [f"| {c.user} | {c.page} | {c.p50:.1f} | {c.p95:.1f} |" for c in cpu]
    if scaled:
        before = {(r.user, r.page): r.queries for r in results}
        lines += [
            "",
            f"Queries per request with {organizations:,} organizations (the tree grown after the "
            "first measure):",
            "",
            "| user | page | queries before | queries after | p95 ms after | constant |",
            "|---|---|---:|---:|---:|---|",
        ]
        for r in scaled:
            was = before.get((r.user, r.page), 0)
            lines.append(
                f"| {r.user} | {r.page} | {was} | {r.queries} | {r.p95:.1f} | "
                f"{mark(was == r.queries)} |"
            )
    return lines


def main() -> None:
    from bench.run import PEOPLE, SEED, configure

    configure()
    from django.core.management import call_command
    from django.utils import timezone

    from llct.core.models import User
    from llct.demo.seed import demo_seed

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    demo_seed(people=PEOPLE, seed=SEED, today=timezone.localdate())
    print(f"seeded {PEOPLE:,} people in {time.perf_counter() - started:.1f} s", flush=True)
    users = [
        User.objects.get(username="lanhdao"),
        User.objects.select_related("organization").get(username="canbo_khoi"),
    ]
    results, floors, cpu = measure(users)
    from bench.run import EXTRA_ORGANIZATIONS, add_organizations
    from llct.organizations.models import Organization

    province = Organization.objects.get(parent=None, dissolved_on=None)
    department = User.objects.get(username="bantuyengiao")
    add_organizations(
        EXTRA_ORGANIZATIONS, parent=province, actor=department, today=timezone.localdate()
    )
    scaled, _floors, _cpu = measure(users, with_lists=False)
    print("\n".join(section(results, floors, cpu, scaled, Organization.objects.count())))


if __name__ == "__main__":
    main()
