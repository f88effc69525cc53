"""`make bench-load`: 50 concurrent clients for 5 minutes against the production stack
(gunicorn + task worker, PostgreSQL, Redis) on 127.0.0.1, with a realistic mix of reads and
writes. Bounded: a fixed number of client threads, a fixed duration, loopback only.

1. Database BENCH_LOAD_DB (llct_production): migrated and seeded with `seed_demo --people
   BENCH_LOAD_PEOPLE` (20,000) unless it already holds them.
2. Starts the stack as `make serve` does (deploy/gunicorn.conf.py, `manage.py worker`) on a free
   port, DEBUG off, CACHE_URL=BENCH_LOAD_REDIS (redis://127.0.0.1:6379/1), sessions cached_db.
3. Each client signs in (department officer, organization officers, a lecturer), then loops:
   pick an action by weight, send it, wait a think time (uniform 0.5–1.5 s: a busy user clicks
   about once a second), until the duration is over. Latency is measured by the client
   (connect + server + read), each client on its own keep-alive connection.
4. Writes the section `load` of bench/RESULTS.md: per action count, errors, p50, p95, max, and
   the machine's `uptime` before and after.

Environment: BENCH_LOAD_CLIENTS (50), BENCH_LOAD_SECONDS (300), BENCH_LOAD_DB, BENCH_LOAD_PEOPLE.
"""

import datetime as dt
import http.client
import math
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = int(os.environ.get("BENCH_LOAD_CLIENTS", "50"))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "300"))
DB = os.environ.get("BENCH_LOAD_DB", "llct_production")
PEOPLE = int(os.environ.get("BENCH_LOAD_PEOPLE", "20000"))
PG = os.environ.get("BENCH_LOAD_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_LOAD_REDIS", "redis://127.0.0.1:6379/1")
PASSWORD = "llct-demo-2026"
TARGET_P95_MS = 300.0
SEARCHES = ["nguyen van", "tran thi", "le", "pham minh", "hoang", "ngoc", "thu", "duc anh"]


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"{PG}/{DB}",
        "CACHE_URL": REDIS,
        "CACHE_KEY_PREFIX": "llct-load",
        "DEBUG": "false",
        "SECRET_KEY": "load-bench-only-not-secret-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "false",
        "TASK_BACKEND": "database",
        "CONN_MAX_AGE": "60",
        # Sessions read from Redis (written through to the database): no session query per
        # request, and every server sees every session.
        "SESSION_ENGINE": "cached_db",
        "LOG_LEVEL": "WARNING",
        "REQUEST_LOG_LEVEL": "WARNING",
        "MEDIA_ROOT": str(ROOT / "bench" / "out" / "load-media"),
    }


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=_env(), check=True)


def prepare() -> dict[str, Any]:
    """Seed when needed, then pick what the clients will touch (as the ORM sees it)."""
    exists = subprocess.run(
        ["psql", f"{PG}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{DB}'"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(["psql", f"{PG}/postgres", "-c", f"CREATE DATABASE {DB}"], check=True)
    os.environ.update(_env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from llct.organizations.models import Person

    if Person.objects.count() < PEOPLE:
        print(f"Seeding {PEOPLE:,} people into {DB} ...", flush=True)
        # The bench database is its own (DEBUG may be off): the reset is meant.
        call_command("seed_demo", people=PEOPLE, reset=True, force=True)
    call_command("collectstatic", "--noinput", verbosity=0)
    return _targets()


def _targets() -> dict[str, Any]:
    from django.db.models import Count
    from django.utils import timezone

    from llct.assessment.models import ResultsApproval
    from llct.assessment.selectors import columns_for
    from llct.courses.models import Course, Enrolment, Session
    from llct.organizations.models import Organization, Person

    today = timezone.localdate()
    sessions = list(
        Session.objects.filter(course__status=Course.Status.IN_PROGRESS, date__lte=today)
        .annotate(n=Count("course__enrolments"))
        .filter(n__gt=0)
        .order_by("-date")
        .values_list("id", "course_id")[:20]
    )
    roll_calls = [
        (
            sid,
            list(
                Enrolment.objects.filter(
                    course_id=cid, status=Enrolment.Status.ENROLLED
                ).values_list("id", flat=True)[:60]
            ),
        )
        for sid, cid in sessions
    ]
    finished = list(
        Course.objects.filter(status=Course.Status.FINISHED)
        .exclude(pk__in=ResultsApproval.objects.values("course_id"))
        .select_related("programme")[:10]
    )
    grade_sheets = []
    for course in finished:
        columns = columns_for(course.programme)
        enrolments = list(
            course.enrolments.filter(status=Enrolment.Status.ENROLLED).values_list("id", flat=True)[
                :60
            ]
        )
        if columns and enrolments:
            grade_sheets.append((course.pk, columns[0].field, enrolments))
    return {
        "people": list(Person.objects.order_by("?").values_list("id", flat=True)[:500]),
        "organizations": list(
            Organization.objects.filter(depth__lte=1).values_list("id", flat=True)[:50]
        ),
        "courses": list(Course.objects.order_by("-starts_on").values_list("id", flat=True)[:60]),
        "roll_calls": [r for r in roll_calls if r[1]],
        "grade_sheets": grade_sheets,
        "today": today,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, form: dict[str, Any] | None = None,
                htmx: bool = False) -> tuple[int, str]:  # fmt: skip
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Referer"] = f"http://127.0.0.1:{self.port}/"
        if htmx:
            headers["HX-Request"] = "true"
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed an idle keep-alive connection: reconnect once.
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
            except Exception:
                # A timeout leaves the connection mid-request: never reuse it.
                self.conn.close()
                self.conn = None
                raise
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(value)
            self.cookies.update({k: m.value for k, m in cookie.items()})
        if response.headers.get("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return response.status, text

    def sign_in(self, username: str) -> None:
        self.request("GET", "/dang-nhap/")
        status, _text = self.request(
            "POST", "/dang-nhap/", {"username": username, "password": PASSWORD}
        )
        if status != 302:
            raise RuntimeError(f"{username} could not sign in: HTTP {status}")


Action = Callable[[Client, random.Random], tuple[int, str]]


def actions(t: dict[str, Any]) -> list[tuple[str, float, str, Action]]:
    """(name, weight, who, action): who is 'department', 'officer' or 'lecturer'."""

    def get(path: str, htmx: bool = False) -> Action:
        return lambda c, r: c.request("GET", path, htmx=htmx)

    def pick(
        items: list[Any], make: Callable[[Any, random.Random], str], htmx: bool = False
    ) -> Action:
        return lambda c, r: c.request("GET", make(r.choice(items), r), htmx=htmx)

    def roll_call(c: Client, r: random.Random) -> tuple[int, str]:
        session, enrolments = r.choice(t["roll_calls"])
        status = r.choices(["present", "excused", "absent"], [90, 5, 5])[0]
        return c.request(
            "POST", f"/lop-hoc/buoi-hoc/{session}/diem-danh/{r.choice(enrolments)}/",
            # Past the session's day a change is a correction, which needs its reason.
            {"status": status, "reason": "Điểm danh bổ sung"}, htmx=True,
        )  # fmt: skip

    def grade(c: Client, r: random.Random) -> tuple[int, str]:
        course, field, enrolments = r.choice(t["grade_sheets"])
        enrolment = r.choice(enrolments)
        value = f"{r.randint(50, 100) / 10:.1f}".replace(".", ",")
        return c.request(
            "POST", f"/ket-qua/lop/{course}/bang-diem/{enrolment}/",
            {f"{field}-{enrolment}": value}, htmx=True,
        )  # fmt: skip

    def home(c: Client, r: random.Random) -> tuple[int, str]:
        # As a browser: when the page says its watchlist counts are being counted, the card is
        # asked for at once (timed with the page).
        status, text = c.request("GET", "/")
        if status == 200 and 'hx-get="/de-an/canh-bao/dem/"' in text:
            return c.request("GET", "/de-an/canh-bao/dem/", htmx=True)
        return status, text

    def search(c: Client, r: random.Random) -> tuple[int, str]:
        return c.request("GET", "/to-chuc/nhan-su/?" + urlencode({"q": r.choice(SEARCHES)}),
                         htmx=r.random() < 0.7)  # fmt: skip

    out: list[tuple[str, float, str, Action]] = [
        ("home (and its counts card when not cached)", 6, "any", home),
        ("people list", 12, "any", get("/to-chuc/nhan-su/")),
        ("people search (typing, htmx)", 14, "any", search),
        ("person page", 10, "department",
         pick(t["people"], lambda p, r: f"/to-chuc/nhan-su/{p}/")),
        ("organization tree", 4, "any", get("/to-chuc/")),
        ("tree branch (htmx)", 4, "department",
         pick(t["organizations"], lambda o, r: f"/to-chuc/cay/{o}/", htmx=True)),
        ("organization picker (htmx)", 4, "department",
         pick(["xa", "chi bo", "dang uy", "khoi"],
              lambda q, r: "/to-chuc/chon/?" + urlencode({"org_q": q}), htmx=True)),
        ("course list", 10, "department", get("/lop-hoc/")),
        ("course page", 10, "department", pick(t["courses"], lambda k, r: f"/lop-hoc/{k}/")),
    ]  # fmt: skip
    if t["roll_calls"]:
        out += [
            ("roll call page", 4, "department",
             pick(t["roll_calls"], lambda s, r: f"/lop-hoc/buoi-hoc/{s[0]}/diem-danh/")),
            ("roll call mark (write)", 8, "department", roll_call),
        ]  # fmt: skip
    if t["grade_sheets"]:
        out += [
            ("grade sheet page", 3, "department",
             pick(t["grade_sheets"], lambda g, r: f"/ket-qua/lop/{g[0]}/bang-diem/")),
            ("grade cell (write)", 5, "department", grade),
        ]  # fmt: skip
    return out


def start_stack(port: int, log: Path) -> list[subprocess.Popen[bytes]]:
    env = {**_env(), "BIND": f"127.0.0.1:{port}"}
    out = log.open("w")
    return [
        subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--no-reload"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        ),
    ]  # fmt: skip


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * p / 100) - 1)] if ordered else 0.0


def run(port: int, targets: dict[str, Any]) -> dict[str, Any]:
    mix = actions(targets)
    officers = ["canbo_khoi", "canbo_coso"]
    results: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    lock = threading.Lock()

    # One sign-in per account, before the clock starts: a sign-in hashes a password (a second
    # of CPU by design), not what this bench measures. Clients of an account share its session.
    sessions = {}
    for username in ["bantuyengiao", *officers]:
        signed_in = Client(port)
        signed_in.sign_in(username)
        sessions[username] = dict(signed_in.cookies)
    start_at = time.monotonic() + 2
    stop_at = start_at + SECONDS

    def client_loop(n: int) -> None:
        rng = random.Random(n)
        role = "officer" if n % 5 == 4 else "department"
        client = Client(port)
        client.cookies = dict(sessions[officers[n % 2] if role == "officer" else "bantuyengiao"])
        allowed = [a for a in mix if a[2] in ("any", role)]
        weights = [a[1] for a in allowed]
        time.sleep(max(0.0, start_at - time.monotonic()) + rng.random())
        while time.monotonic() < stop_at:
            name, _w, _who, action = rng.choices(allowed, weights)[0]
            started = time.perf_counter()
            try:
                status, text = action(client, rng)
                ok = status in (200, 302) and "Traceback" not in text
                detail = f"HTTP {status}"
            except Exception as error:  # counted as an error, never hidden
                ok, detail = False, type(error).__name__
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                results[name].append(elapsed)
                if not ok:
                    errors[name].append(detail)
            time.sleep(rng.uniform(0.5, 1.5))

    threads = [threading.Thread(target=client_loop, args=(n,), daemon=True) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 120)
    return {"results": results, "errors": errors, "wall": time.monotonic() - start_at}


def report(outcome: dict[str, Any], before: str, after: str, people: int) -> str:
    results, errors = outcome["results"], outcome["errors"]
    every = [v for values in results.values() for v in values]
    total_errors = sum(len(e) for e in errors.values())
    p95 = percentile(every, 95)
    lines = [
        "## Load: 50 clients for 5 minutes on the production stack",
        "",
        f"- Command: `make bench-load` (BENCH_LOAD_CLIENTS={CLIENTS}, "
        f"BENCH_LOAD_SECONDS={SECONDS:.0f}, database `{DB}` seeded with {people:,} people)",
        f"- Date: {dt.datetime.now():%d/%m/%Y %H:%M}",
        f"- Load before: `{before}`",
        f"- Load after: `{after}`",
        "- Stack: gunicorn (deploy/gunicorn.conf.py: 2 × cores + 1 = 5 processes × 4 threads), "
        "one `manage.py worker`, PostgreSQL, Redis cache (sessions `cached_db`: read from "
        "Redis, written through to PostgreSQL), DEBUG off, on this 2-core machine, "
        "the load client on the same machine (127.0.0.1).",
        "- Method: one sign-in per account before the clock starts (clients of an account share "
        "its session), then each client loops for the duration: an action drawn by weight, "
        "then a think time of 0.5–1.5 s. Latency as the client sees it (keep-alive "
        "connection, server and read). Errors: any status other than 200/302, or an exception.",
        "",
        f"Target: 0 errors, p95 ≤ {TARGET_P95_MS:.0f} ms over all requests.",
        "",
        f"**{len(every):,} requests in {outcome['wall']:.0f} s ({len(every) / outcome['wall']:.1f} "
        f"req/s), {total_errors} errors, p50 {percentile(every, 50):.0f} ms, p95 {p95:.0f} ms, "
        f"max {max(every, default=0):.0f} ms: "
        f"{'✅ pass' if total_errors == 0 and p95 <= TARGET_P95_MS else '❌ fail'}**",
        "",
        "| action | requests | errors | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, values in sorted(results.items(), key=lambda kv: -len(kv[1])):
        lines.append(
            f"| {name} | {len(values):,} | {len(errors.get(name, []))} | "
            f"{percentile(values, 50):.0f} | {percentile(values, 95):.0f} | {max(values):.0f} |"
        )
    for name, details in errors.items():
        kinds: dict[str, int] = defaultdict(int)
        for d in details:
            kinds[d] += 1
        lines.append(f"\nErrors of {name}: {dict(kinds)}")
    return "\n".join(lines) + "\n"


def main() -> None:
    targets = prepare()
    from llct.organizations.models import Person

    people = Person.objects.count()
    from django.db import connections

    connections.close_all()
    port = _free_port()
    log = ROOT / "bench" / "out" / "load-stack.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    processes = start_stack(port, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _t = Client(port).request("GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the stack did not start: see {log}")
            time.sleep(0.5)
        before = uptime()
        print(f"{CLIENTS} clients for {SECONDS:.0f} s on port {port} ...", flush=True)
        outcome = run(port, targets)
        after = uptime()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    from bench.results import write_section

    text = report(outcome, before, after, people)
    write_section("load", text)
    print(text)


if __name__ == "__main__":
    main()
