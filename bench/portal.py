"""`make bench`, the portal and online tests: public pages timed signed out (target p95 ≤ 30 ms,
served from the shared cache after the first request, as a visitor gets them), the same pages
without the cache for information, and the online test at its deadline (bench/contest_load.py).
"""

import statistics
import time
from dataclasses import dataclass
from typing import Any

PORTAL_TARGET_MS = 30.0


@dataclass
class PortalPage:
    page: str
    url: str
    p50: float
    p95: float
    cold_p95: float
    queries: int

    @property
    def ok(self) -> bool:
        return self.p95 <= PORTAL_TARGET_MS


def portal_pages() -> list[tuple[str, str]]:
    from django.utils import timezone

    from llct.portal.models import Category, Document
    from llct.portal.selectors import published_articles

    article = published_articles(now=timezone.now()).first()
    category = Category.objects.first()
    document = Document.objects.filter(access="public").first()
    pages = [("Portal home", "/tin-tuc/")]
    if category is not None:
        pages.append((f"Category `{category.name}`", f"/tin-tuc/chuyen-muc/{category.slug}/"))
    if article is not None:
        pages.append(("Article", f"/tin-tuc/{article.slug}/"))
    pages += [
        ("Search `nghi quyet`", "/tin-tuc/tim-kiem/?q=nghi+quyet"),
        ("RSS feed", "/tin-tuc/rss/"),
        ("Document library", "/van-ban/"),
        ("Library search `boi duong` (PDF text)", "/van-ban/?q=boi+duong"),
        ("Sitemap", "/sitemap.xml"),
    ]
    if document is not None:
        pages.append(("Document page", f"/van-ban/{document.pk}/"))
    return pages


def measure_portal(*, requests: int, warmup: int) -> list[PortalPage]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.run import percentile

    client = Client()
    results = []
    for label, url in portal_pages():
        for _ in range(warmup):
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        cold = []
        for _ in range(max(5, requests // 5)):
            cache.clear()
            started = time.perf_counter()
            client.get(url)
            cold.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        results.append(
            PortalPage(
                page=label,
                url=url,
                p50=statistics.median(timings),
                p95=percentile(timings, 95),
                cold_p95=percentile(cold, 95),
                queries=len(captured.captured_queries),
            )
        )
        print(f"  {label:40} p95 {results[-1].p95:6.1f} ms (uncached {results[-1].cold_p95:.1f})")
    return results


def portal_section(pages: list[PortalPage], load: Any) -> list[str]:
    from bench.contest_load import CLIENTS, DEADLINE_S, TARGET_P95_MS, WARMUP_TAKERS, WINDOW_S
    from bench.run import mark

    lines = [
        "## Portal and online tests",
        "",
        f"Target: public pages p95 ≤ {PORTAL_TARGET_MS:.0f} ms signed out. Whole pages are cached "
        "in the shared cache for anonymous visitors; any portal write (article, image, category, "
        "document, file) bumps a generation number that retires every entry, and no entry "
        "outlives the next scheduled publication (llct/portal/cache.py). The uncached column "
        "clears the cache before each request, for information.",
        "",
        "| page | p50 ms | p95 ms | uncached p95 ms | queries (cached) | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    lines += [
        f"| {p.page} | {p.p50:.1f} | {p.p95:.1f} | {p.cold_p95:.1f} | {p.queries} | {mark(p.ok)} |"
        for p in pages
    ]
    lines += ["", "### An online test at its deadline", ""]
    if not load.available:
        lines.append(f"Not available: {load.detail}")
        return lines
    lines += [
        f"{load.takers:,} takers, each opening the test, starting an attempt, reading the paper "
        f"(20 questions), submitting it and reading the result (5 requests), starting at an even "
        f"pace over {WINDOW_S:.0f} s with at most {CLIENTS} at once, after {WARMUP_TAKERS} "
        f"unmeasured warm-up takers. Server: {load.server}, {load.database}, DEBUG off, on "
        "127.0.0.1; latency measured by the clients (connect, server, read). "
        f"Target: 0 errors, p95 ≤ {TARGET_P95_MS:.0f} ms, every attempt counted, all within "
        f"{DEADLINE_S / 60:.0f} minutes.",
        "",
        "| takers | requests | errors | statuses | p50 ms | p95 ms | submit p95 ms | max ms | "
        "wall s | attempts counted | target |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|",
        f"| {load.takers:,} | {load.requests:,} | {load.errors} | {load.statuses} | "
        f"{load.p50:.0f} | {load.p95:.0f} | {load.submit_p95:.0f} | {load.max_ms:.0f} | "
        f"{load.wall_s:.0f} | {load.counted:,} | {mark(load.ok)} |",
        "",
        "p95 by step: "
        + ", ".join(f"{step} {ms:.0f} ms" for step, ms in load.by_step.items())
        + (f". {load.detail}" if load.detail else "."),
    ]
    return lines


def main() -> None:
    """`python -m bench.portal`: this section alone, on a fresh demo database (BENCH_PEOPLE,
    default 2,000 here), printed and written to bench/out/portal.md."""
    import os

    os.environ.setdefault("BENCH_PEOPLE", "2000")
    from bench.run import OUT, REQUESTS, SEED, WARMUP, configure

    configure()
    from django.core.management import call_command
    from django.utils import timezone

    from bench.contest_load import run as contest_run
    from llct.demo.seed import demo_seed

    call_command("migrate", verbosity=0)
    demo_seed(people=int(os.environ["BENCH_PEOPLE"]), seed=SEED, today=timezone.localdate())
    print("Portal pages:", flush=True)
    pages = measure_portal(requests=REQUESTS, warmup=WARMUP)
    print("Online test at its deadline:", flush=True)
    text = "\n".join(portal_section(pages, contest_run())) + "\n"
    (OUT / "portal.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
