"""`make bench-scale`: the pages that grow with the whole database, at national scale on
PostgreSQL, each against its raw-SQL floor, and the people list against Django admin's.

1. Builds `llct_scale` (BENCH_SCALE_DB) with COPY unless it already holds BENCH_SCALE_PEOPLE
   people (BENCH_SCALE_REBUILD=1 forces): ~30,000 organizations, 1,000,000 people,
   5,000,000 enrolments (bench/scale_data.py); then `migrate` (cheap when up to date).
2. Times every page through Django's test Client (DEBUG off, server time), every floor (the
   fewest SQL statements that fetch what the page shows, the signed-in user's row included:
   their name and role are on every page and their scope decides the rows; run through the
   same connection and fetched) and every Django floor (the smallest signed-in Django page that
   runs the floor's statements and writes their rows, bench/floor_urls.py), in
   BENCH_SCALE_ROUNDS interleaved rounds: each round visits every page and floor once, so a
   burst of load on the machine touches them all alike.
3. Writes the section `scale-<BENCH_SCALE_LABEL>` of bench/RESULTS.md with the command, the
   machine's `uptime` before and after, and the table.
"""

import datetime as dt
import json
import math
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB = os.environ.get("BENCH_SCALE_DB", "llct_scale")
PEOPLE = int(os.environ.get("BENCH_SCALE_PEOPLE", "1000000"))
ENROLMENTS_PER_PERSON = int(os.environ.get("BENCH_SCALE_ENROLMENTS_PER_PERSON", "5"))
ROUNDS = int(os.environ.get("BENCH_SCALE_ROUNDS", "30"))
LABEL = os.environ.get("BENCH_SCALE_LABEL", "current")
PG = os.environ.get("BENCH_SCALE_PG", "postgres://postgres@127.0.0.1:5432")
TARGET_MS = 200.0
FLOOR_FACTOR = 3.0


def configure() -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"{PG}/{DB}",
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-not-secret",
            "ALLOWED_HOSTS": "testserver",
            "CACHE_URL": "locmem://",
            # Sessions read from the cache (written through to the database), as a production
            # stack with Redis runs them (docs/DEPLOYMENT.md): the same for every page.
            "SESSION_ENGINE": "cached_db",
            "STATIC_MANIFEST": "0",
            "TASK_BACKEND": "immediate",
            "LOG_LEVEL": "WARNING",
            "REQUEST_LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.floor_urls"  # the project's pages and their Django floors


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _psql(sql: str) -> str:
    return subprocess.run(
        ["psql", f"{PG}/postgres", "-tAc", sql], capture_output=True, text=True, check=True
    ).stdout.strip()


def ensure_database() -> dict[str, Any] | None:
    """Build when missing or of another size; migrate in any case. None when reused."""
    from django.core.management import call_command
    from django.db import connection

    from bench import scale_data

    exists = _psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB}'") == "1"
    rebuild = os.environ.get("BENCH_SCALE_REBUILD") == "1" or not exists
    if not rebuild:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('organizations_person') IS NOT NULL")
            has_table = cursor.fetchone()[0]
            count = 0
            if has_table:
                cursor.execute("SELECT COUNT(*) FROM organizations_person")
                count = cursor.fetchone()[0]
            if count:  # built before the large đảng bộ cơ sở: build again
                cursor.execute(
                    "SELECT COALESCE(MAX(subtree_people_count), 0) FROM "
                    "organizations_organization WHERE code = %s",
                    [scale_data.BIG_GRASSROOTS],
                )
                count = count if cursor.fetchone()[0] >= PEOPLE // 200 else 0
        rebuild = count != PEOPLE
        connection.close()
    if not rebuild:
        call_command("migrate", verbosity=0)
        return None
    print(f"Building {DB}: {PEOPLE:,} people ...", flush=True)
    started = time.perf_counter()
    connection.close()
    _psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    _psql(f"CREATE DATABASE {DB}")
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started
    print(f"  migrated in {migrated:.1f} s", flush=True)
    built = scale_data.build(people=PEOPLE, enrolments_per_person=ENROLMENTS_PER_PERSON, log=print)
    built["timings"] = {"migrate": migrated, **built["timings"]}
    built["total_s"] = time.perf_counter() - started
    print(f"  built in {built['total_s']:.1f} s", flush=True)
    return built


@dataclass
class Page:
    label: str
    user: str
    url: str
    floor: list[tuple[str, list[Any]]]
    htmx: bool = False
    interactive: bool = True
    live_counts: bool = False  # the watchlist counts computed, not read from the cache
    timings: list[float] = field(default_factory=list)
    floor_timings: list[float] = field(default_factory=list)
    django_floor_timings: list[float] = field(default_factory=list)
    queries: int = 0
    status: int = 0


def _users() -> dict[str, Any]:
    from llct.core.models import Role, User

    def get(username: str, **fields: Any) -> Any:
        user, _created = User.objects.update_or_create(username=username, defaults=fields)
        return user

    return {
        "bantuyengiao": get("bantuyengiao", role=Role.DEPARTMENT),
        "canbo_khoi": get("canbo_khoi", role=Role.ORG_OFFICER, organization_id=2),
        "quantri": get("quantri", role=Role.DEPARTMENT, is_staff=True, is_superuser=True),
    }


PEOPLE_COLUMNS = (
    "SELECT p.id, p.full_name, p.date_of_birth, p.stage, p.theory_level, p.position, "
    "o.id, o.name FROM organizations_person p "
    "JOIN organizations_organization o ON o.id = p.organization_id "
)
PAGE = " ORDER BY p.sort_key, p.id LIMIT 50"
# The list's count: the stored counts of the scope's top organizations.
SCOPE_COUNT = (
    "SELECT SUM(subtree_people_count) FROM organizations_organization WHERE parent_id IS NULL"
)
# Who is asking: their name and role are on every page, and their scope decides the rows.
USER_ROW = (
    "SELECT id, username, first_name, last_name, role, organization_id, person_id, is_active "
    "FROM core_user WHERE id = %s"
)
COMMITTEE = "p.organization_id IN (SELECT id FROM organizations_organization WHERE path LIKE %s)"


def _captured_floor(
    user: Any, url: str, *, cache_seconds: int = 300, warm: str = ""
) -> list[tuple[str, list[Any]]]:
    """The page's own statements but the signed-in user's, captured once to be run raw: for
    pages whose rules are a handful of statements too long to write twice. `warm`: a URL
    visited first (the counts card, which fills the shared cache the home page reads)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client()
    client.force_login(user)
    with override_settings(LLCT_WATCHLIST_COUNTS_SECONDS=cache_seconds):
        if warm:
            client.get(warm, headers={"HX-Request": "true"})
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
    who = f'FROM "core_user" WHERE "core_user"."id" = {user.pk} LIMIT 21'
    # A server-side cursor's statement is captured as its DECLARE: the SELECT it declares.
    declare = re.compile(r'^DECLARE "[^"]+" .*?CURSOR (?:WITH|WITHOUT) HOLD FOR ', re.S)
    return [
        (declare.sub("", q["sql"]), [])
        for q in captured.captured_queries
        if not q["sql"].endswith(who)
    ]


def _suggestions_page(user: Any) -> Page:
    """The nomination page of the large đảng bộ cơ sở (~10,000 people) in the round for 2027,
    with its suggestions; its floor is its own statements (_captured_floor)."""
    import datetime as dt

    from bench.scale_data import BIG_GRASSROOTS
    from llct.curriculum.models import Programme
    from llct.organizations.models import Organization
    from llct.planning.models import NominationRound

    nomination_round, created = NominationRound.objects.get_or_create(
        year=2027, defaults={"deadline": dt.date(2026, 12, 31), "opened_by": user}
    )
    if created:
        nomination_round.programmes.set(Programme.objects.filter(is_active=True))
    organization = Organization.objects.get(code=BIG_GRASSROOTS)
    url = f"/ke-hoach/de-xuat/{nomination_round.pk}/to-chuc/{organization.pk}/"
    return Page(
        f"Nomination suggestions, a đảng bộ cơ sở of {organization.subtree_people_count:,} people",
        "bantuyengiao",
        url,
        _captured_floor(user, url),
    )


def pages(users: dict[str, Any]) -> list[Page]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sort_key, id FROM organizations_person ORDER BY sort_key, id OFFSET %s LIMIT 1",
            [PEOPLE // 2],
        )
        _middle_key, middle_id = cursor.fetchone()
        cursor.execute("SELECT id FROM organizations_person ORDER BY id LIMIT 1 OFFSET 4242")
        person_id = cursor.fetchone()[0]
    from django.utils.http import urlencode

    middle_cursor = urlencode({"after": middle_id})
    if LABEL == "before":  # main's search: each word anywhere in the folded name
        search_where = " WHERE p.search_key LIKE %s AND p.search_key LIKE %s"
        search_params, rare_params = ["%nguyen%", "%van%"], ["%ly%", "%thi%"]
    else:  # a word of the name starts with each word typed, from the full-text index
        # The page's ids from the (sort_key, id) index that holds the words, then their rows.
        search_where = (
            " WHERE p.id IN (SELECT id FROM organizations_person WHERE search_words @@ "
            "to_tsquery('simple', %s || ' & ' || %s) ORDER BY sort_key, id LIMIT 51)"
        )
        search_params, rare_params = ["nguyen:*", "van:*"], ["ly:*", "thi:*"]
    tree_floor = [
        (
            "SELECT id, code, name, kind_id FROM organizations_organization WHERE id = %s",
            [1],
        ),
        (
            "SELECT o.id, o.code, o.name, o.kind_id, "
            "(SELECT COUNT(*) FROM organizations_organization c WHERE c.parent_id = o.id) "
            "FROM organizations_organization o WHERE o.parent_id = %s ORDER BY o.code",
            [1],
        ),
    ]
    committee_tree_floor = [(sql, [2]) for sql, _p in tree_floor]
    # The committee's organizations first, then a scan in name order that tests each person's
    # organization against that list inside the index (a subquery makes PostgreSQL look every
    # person's organization up instead).
    subtree_sql = "SELECT id FROM organizations_organization WHERE path LIKE %s"
    with connection.cursor() as cursor:
        cursor.execute(subtree_sql, ["/1/2/%"])
        subtree = [row[0] for row in cursor.fetchall()]
    committee_floor: list[tuple[str, list[Any]]] = [
        (subtree_sql, ["/1/2/%"]),
        (PEOPLE_COLUMNS + " WHERE p.organization_id = ANY(%s)" + PAGE, [subtree]),
        ("SELECT subtree_people_count FROM organizations_organization WHERE id = %s", [2]),
    ]
    return [
        Page(
            "People list",
            "bantuyengiao",
            "/to-chuc/nhan-su/",
            [(PEOPLE_COLUMNS + PAGE, []), (SCOPE_COUNT, [])],
        ),
        Page(
            "People list (Django admin changelist)",
            "quantri",
            "/admin/organizations/person/",
            [(PEOPLE_COLUMNS + PAGE, [])],
        ),
        Page(
            "People list, committee of ~10,000",
            "canbo_khoi",
            "/to-chuc/nhan-su/",
            [(PEOPLE_COLUMNS + " WHERE " + COMMITTEE + PAGE, ["/1/2/%"])]
            if LABEL == "before"
            else committee_floor,
        ),
        Page(
            "Search `nguyen van`",
            "bantuyengiao",
            "/to-chuc/nhan-su/?q=nguyen+van",
            [(PEOPLE_COLUMNS + search_where + PAGE, search_params)],
        ),
        Page(
            "Search `nguyen van` (htmx fragment)",
            "bantuyengiao",
            "/to-chuc/nhan-su/?q=nguyen+van",
            [(PEOPLE_COLUMNS + search_where + PAGE, search_params)],
            htmx=True,
        ),
        Page(
            "Search `ly thi` (rarer)",
            "bantuyengiao",
            "/to-chuc/nhan-su/?q=ly+thi",
            [(PEOPLE_COLUMNS + search_where + PAGE, rare_params)],
        ),
        Page(
            "People list, the middle (after 500,000)",
            "bantuyengiao",
            f"/to-chuc/nhan-su/?{middle_cursor}",
            [
                (
                    PEOPLE_COLUMNS + " WHERE (p.sort_key, p.id) > "
                    "(SELECT sort_key, id FROM organizations_person WHERE id = %s)" + PAGE,
                    [middle_id],
                ),
                (SCOPE_COUNT, []),
            ],
        ),
        *(
            [
                Page(
                    "People list, page 10,000 (OFFSET 500,000)",
                    "bantuyengiao",
                    f"/to-chuc/nhan-su/?page={PEOPLE // 100}",
                    [(PEOPLE_COLUMNS + PAGE + " OFFSET %s", [PEOPLE // 2])],
                )
            ]
            if LABEL == "before"
            else []
        ),
        Page("Organization tree", "bantuyengiao", "/to-chuc/", tree_floor),
        *(
            []
            if LABEL == "before"
            else [
                Page(
                    "Tree branch: a committee's 30 children (htmx)",
                    "bantuyengiao",
                    "/to-chuc/cay/2/",
                    committee_tree_floor[1:],
                    htmx=True,
                ),
                Page(
                    "Organization picker, typing `khoi 1`",
                    "bantuyengiao",
                    "/to-chuc/chon/?org_q=khoi+1",
                    [
                        (
                            "SELECT o.id, o.name, o.code, p.name FROM organizations_organization o "
                            "LEFT JOIN organizations_organization p ON p.id = o.parent_id "
                            "WHERE o.search_key LIKE %s AND o.search_key LIKE %s "
                            "ORDER BY o.depth, o.name, o.id LIMIT 20",
                            ["%khoi%", "%1%"],
                        )
                    ],
                ),
            ]
        ),
        Page("Organization tree, committee", "canbo_khoi", "/to-chuc/", committee_tree_floor),
        Page(
            "Home page, watchlist counts from the shared cache",
            "bantuyengiao",
            "/",
            _captured_floor(users["bantuyengiao"], "/", warm="/de-an/canh-bao/dem/"),
        ),
        Page(
            "Home page, watchlist counts not in the cache (the card follows)",
            "bantuyengiao",
            "/",
            _captured_floor(users["bantuyengiao"], "/", cache_seconds=0),
            live_counts=True,
        ),
        Page(
            "Watchlist counts card, counted (its own request, once per 5 minutes)",
            "bantuyengiao",
            "/de-an/canh-bao/dem/",
            [],
            htmx=True,
            interactive=False,
            live_counts=True,
        ),
        Page(
            "Watchlist counts card of a committee, counted",
            "canbo_khoi",
            "/de-an/canh-bao/dem/",
            [],
            htmx=True,
            interactive=False,
            live_counts=True,
        ),
        Page(
            "Base: a signed-in page not found (middleware, session, base template)",
            "bantuyengiao",
            "/khong-co-trang-nay/",
            [],
            interactive=False,
        ),
        _suggestions_page(users["bantuyengiao"]),
        Page(
            "Person page",
            "bantuyengiao",
            f"/to-chuc/nhan-su/{person_id}/",
            [
                (
                    "SELECT p.*, o.name FROM organizations_person p JOIN "
                    "organizations_organization o ON o.id = p.organization_id WHERE p.id = %s",
                    [person_id],
                )
            ],
        ),
    ]


def floor(page: Page, user_id: int) -> None:
    """The page's floor, the user's row first, run and fetched through Django's connection."""
    from django.db import connection

    with connection.cursor() as cursor:
        for sql, params in [(USER_ROW, [user_id]), *page.floor]:
            cursor.execute(sql, params or None)  # None: a captured statement, bound
            if cursor.description is not None:  # not for a captured SET
                cursor.fetchall()


class Visitor:
    """Signed-in clients, one per bench user, that visit a page, its floor and its Django
    floor (bench/floor_urls.py, where the floors are registered by page number)."""

    def __init__(self, all_pages: list[Page], users: dict[str, Any]) -> None:
        from django.test import Client

        from bench import floor_urls

        self.users = users
        self.clients = {}
        for name, user in users.items():
            self.clients[name] = Client()
            self.clients[name].force_login(user)
        floor_urls.FLOORS[:] = [page.floor for page in all_pages]

    def get(self, page: Page) -> Any:
        from django.test.utils import override_settings

        headers = {"HX-Request": "true"} if page.htmx else {}
        seconds = 0 if page.live_counts else 300
        with override_settings(LLCT_WATCHLIST_COUNTS_SECONDS=seconds):
            return self.clients[page.user].get(page.url, headers=headers)

    def floor(self, page: Page) -> None:
        floor(page, self.users[page.user].pk)

    def django_floor(self, index: int, page: Page) -> None:
        response = self.clients[page.user].get(f"/__bench_floor__/{index}/")
        assert response.status_code == 200, response.status_code

    def visit(self, index: int, page: Page) -> None:
        """The page, then its floor and its Django floor, each timed."""
        started = time.perf_counter()
        self.get(page)
        page.timings.append((time.perf_counter() - started) * 1000)
        if not page.floor:
            return
        started = time.perf_counter()
        self.floor(page)
        page.floor_timings.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        self.django_floor(index, page)
        page.django_floor_timings.append((time.perf_counter() - started) * 1000)


def measure(all_pages: list[Page], users: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    visitor = Visitor(all_pages, users)
    for index, page in enumerate(all_pages):  # warm up, check, count queries
        for _ in range(2):
            visitor.visit(index, page)
        page.timings.clear()
        page.floor_timings.clear()
        page.django_floor_timings.clear()
        with CaptureQueriesContext(connection) as captured:
            response = visitor.get(page)
        page.status = response.status_code
        page.queries = len(captured.captured_queries)
    for round_number in range(ROUNDS):
        for index, page in enumerate(all_pages):
            visitor.visit(index, page)
        if round_number % 10 == 9:
            print(f"  round {round_number + 1}/{ROUNDS}", flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * p / 100) - 1)]  # nearest rank


def _row(page: Page, admin: Page) -> str:
    p95 = percentile(page.timings, 95)
    goal_met = p95 <= TARGET_MS
    floor_cells = "— | — | — | —"
    if page.floor:
        floor95 = percentile(page.floor_timings, 95)
        django95 = percentile(page.django_floor_timings, 95)
        goal_met = goal_met and p95 <= FLOOR_FACTOR * floor95
        floor_cells = f"{floor95:.1f} | {p95 / floor95:.1f} | {django95:.1f} | {p95 / django95:.1f}"
    if page.label == "People list":
        goal_met = goal_met and p95 < percentile(admin.timings, 95)
    goal = "—" if page is admin or not page.interactive else ("✅" if goal_met else "❌")
    return (
        f"| {page.user} | {page.label} | {page.status} | {page.queries} | "
        f"{percentile(page.timings, 50):.1f} | {p95:.1f} | {floor_cells} | {goal} |"
    )


def report(all_pages: list[Page], built: dict[str, Any] | None, before: str, after: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM organizations_organization), "
            "(SELECT COUNT(*) FROM organizations_person), (SELECT COUNT(*) FROM courses_enrolment)"
        )
        orgs, people, enrolments = cursor.fetchone()
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    admin = next(p for p in all_pages if "admin" in p.label)
    lines = [
        f"### Scale bench: {LABEL}",
        "",
        f"- Command: `BENCH_SCALE_LABEL={LABEL} make bench-scale` "
        f"(rounds {ROUNDS}, database `{DB}`, PostgreSQL {version})",
        f"- Date: {dt.datetime.now():%d/%m/%Y %H:%M}",
        f"- Load before: `{before}`",
        f"- Load after: `{after}`",
        f"- Data: {orgs:,} organizations, {people:,} people, {enrolments:,} enrolments",
    ]
    if built:
        steps = ", ".join(f"{k} {v:.0f} s" for k, v in built["timings"].items())
        lines.append(f"- Built with COPY in {built['total_s']:.0f} s ({steps})")
    else:
        lines.append("- Database reused from an earlier run (built as above)")
    lines += [
        "- Method: Django test Client, DEBUG off, sessions `cached_db`, server time "
        "(middleware, view, SQL, template). The floor is the raw SQL that fetches what the "
        "page shows (the signed-in user's row included), run and fetched through the same "
        "connection. The Django floor is the smallest signed-in Django page that runs those "
        "statements and writes their rows as an escaped HTML table, through the same "
        "middleware and session, with no template (bench/floor_urls.py). Each round visits "
        "every page, floor and Django floor once.",
        "",
        f"Goals: interactive pages p95 ≤ {TARGET_MS:.0f} ms and ≤ {FLOOR_FACTOR:.0f}× the floor's "
        "p95; the people list faster than the admin's changelist.",
        "",
        "| user | page | status | queries | p50 ms | p95 ms | floor p95 ms | × floor "
        "| Django floor p95 ms | × Django floor | goal |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for page in all_pages:
        lines.append(_row(page, admin))
    lines += [
        "",
        "× Django floor: the page's p95 against the p95 of the smallest Django page that "
        "fetches the same rows; the × floor of the Django floor itself is what Django's "
        "request handling (middleware, session, sign-in, response) adds to the SQL.",
    ]
    return "\n".join(lines) + "\n"


ROSTER_ROWS = int(os.environ.get("BENCH_SCALE_ROSTER_ROWS", "10000"))


def _job(*args: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "bench.scale_jobs", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


# The import is timed a few times (the median is reported, every run listed): one run of a
# second is at the mercy of a moment's load on a shared machine.
IMPORT_RUNS = int(os.environ.get("BENCH_SCALE_IMPORT_RUNS", "3"))
IMPORT_TABLES = (
    "organizations_person", "organizations_membershipchange", "organizations_theorylevelchange",
)  # fmt: skip


def _vacuum(tables: tuple[str, ...]) -> None:
    """The removed rows of a run vacuumed away, so that the next run finds the tables as built."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")


def measure_jobs() -> list[str]:
    """The roster import into the province node and the whole export, each in its own process
    (peak memory), then the imported people are removed so that the database stays as built."""
    from bench.run import write_roster
    from llct.organizations.counts import people_counts_rebuild
    from llct.organizations.models import Person

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    roster = out / "scale-roster.xlsx"
    write_roster(roster, rows=ROSTER_ROWS, today=dt.date.today(), taken_cards=set())
    runs = []
    for _run in range(IMPORT_RUNS):
        last_id = Person.objects.order_by("-id").values_list("id", flat=True).first() or 0
        runs.append(_job("import", str(roster)))
        Person.objects.filter(pk__gt=last_id).delete()
        people_counts_rebuild()
        _vacuum(IMPORT_TABLES)
    runs.sort(key=lambda run: run["seconds"])
    imported = runs[len(runs) // 2]  # the median run
    every = ", ".join(f"{run['rows'] / run['seconds']:,.0f}" for run in runs)
    exported = _job("export")
    suggested = _job("suggestions")
    rate = imported["rows"] / imported["seconds"]
    import_ok = rate >= 10_000 and imported["peak_mb"] <= 500
    return [
        "",
        "| job | rows | seconds | rows/s | peak memory MB | goal |",
        "|---|---:|---:|---:|---:|---|",
        f"| roster import into the province node (full validation, committed; the median of "
        f"{len(runs)} runs, each in its own process: {every} rows/s) | "
        f"{imported['rows']:,.0f} | {imported['seconds']:.1f} | {rate:,.0f} | "
        f"{imported['peak_mb']:.0f} | {'✅' if import_ok else '❌'}"
        " ≥ 10,000 rows/s, ≤ 500 MB |",
        f"| people export, every person, as a task (.xlsx {exported['mb']:.0f} MB) | "
        f"{exported['rows']:,.0f} | {exported['seconds']:.1f} | "
        f"{exported['rows'] / exported['seconds']:,.0f} | {exported['peak_mb']:.0f} | "
        f"{'✅' if exported['seconds'] <= 60 else '❌'} ≤ 60 s |",
        f"| suggestions for the whole province, year 2027, as a task (.xlsx "
        f"{suggested['mb']:.0f} MB: {suggested['suggestions']:,.0f} suggestions in "
        f"{suggested['organizations']:,.0f} organizations) | {PEOPLE:,} people | "
        f"{suggested['seconds']:.1f} | {PEOPLE / suggested['seconds']:,.0f} | "
        f"{suggested['peak_mb']:.0f} | "
        f"{'✅' if suggested['seconds'] <= 30 and suggested['peak_mb'] <= 500 else '❌'} "
        "≤ 30 s, ≤ 500 MB |",
    ]


def main() -> None:
    configure()
    from bench.results import write_section

    if sys.argv[1:] == ["jobs"]:  # `python -m bench.scale jobs`: the long jobs only
        before = uptime()
        ensure_database()
        _users()
        jobs = measure_jobs()
        text = "\n".join(
            [
                f"### Scale bench, long jobs: {LABEL}",
                "",
                f"- Command: `BENCH_SCALE_LABEL={LABEL} .venv/bin/python -m bench.scale jobs` "
                f"(also run by `make bench-scale`); each job in a fresh process, peak = its "
                "maximum resident memory",
                f"- Date: {dt.datetime.now():%d/%m/%Y %H:%M}",
                f"- Load before: `{before}`",
                f"- Load after: `{uptime()}`",
                *jobs,
            ]
        )
        write_section(f"scale-jobs-{LABEL}", text)
        print(text)
        return
    before = uptime()
    built = ensure_database()
    users = _users()
    all_pages = pages(users)
    print(f"Measuring {len(all_pages)} pages, {ROUNDS} rounds ...", flush=True)
    measure(all_pages, users)
    # BENCH_SCALE_JOBS=0: the pages only (the long jobs have `python -m bench.scale jobs`).
    skip_jobs = LABEL == "before" or os.environ.get("BENCH_SCALE_JOBS") == "0"
    jobs = [] if skip_jobs else measure_jobs()
    text = report(all_pages, built, before, uptime()) + "\n".join(jobs) + "\n"
    write_section(f"scale-{LABEL}", text)
    print(text)


if __name__ == "__main__":
    main()
