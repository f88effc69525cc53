"""An online test at its deadline: TAKERS people each take and submit an attempt within the
window, against gunicorn (gthread workers, as `make serve` runs it) on 127.0.0.1, with
PostgreSQL when it is reachable (SQLite otherwise).

Each taker is a real browser's path: open the test page (CSRF cookie and token), start an
attempt (POST, redirect), open the paper, submit the answers (POST, redirect), read the result.
Takers start at an even pace over WINDOW seconds, at most CLIENTS at once. Bounded: a fixed
number of requests, each with a timeout, to 127.0.0.1 only.

Run alone: `.venv/bin/python -m bench.contest_load` (prints a JSON summary), or through
`make bench` (bench/portal.py), which writes the figures to bench/RESULTS.md.

Environment: BENCH_TAKERS (1000), BENCH_CONTEST_WINDOW (240 s), BENCH_CONTEST_CLIENTS (64),
BENCH_CONTEST_DATABASE_URL (postgres://postgres@127.0.0.1:5432/llct_portal_bench),
WEB_CONCURRENCY (2 x cores + 1), WEB_THREADS (4).
"""

import datetime as dt
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
TAKERS = int(os.environ.get("BENCH_TAKERS", "1000"))
WINDOW_S = float(os.environ.get("BENCH_CONTEST_WINDOW", "240"))
CLIENTS = int(os.environ.get("BENCH_CONTEST_CLIENTS", "64"))
DATABASE_URL = os.environ.get(
    "BENCH_CONTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/llct_portal_bench"
)
TIMEOUT_S = 30
# Takers who go first, a few at a time and unmeasured, so that every worker has loaded its
# templates and opened its database connection before the deadline rush.
WARMUP_TAKERS = 30
TARGET_P95_MS = 500.0
DEADLINE_S = 300.0
HOST = "127.0.0.1"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RADIO = re.compile(r'name="q(\d+)" value="(\d+)"')


@dataclass
class ContestLoad:
    available: bool = True
    database: str = ""
    server: str = ""
    takers: int = 0
    submitted: int = 0
    counted: int = 0
    requests: int = 0
    errors: int = 0
    statuses: str = ""
    p50: float = 0.0
    p95: float = 0.0
    submit_p95: float = 0.0
    max_ms: float = 0.0
    wall_s: float = 0.0
    detail: str = ""
    by_step: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            self.available
            and self.errors == 0
            and self.counted == self.takers
            and self.p95 <= TARGET_P95_MS
            and self.wall_s <= DEADLINE_S
        )


def _database_url() -> str:
    """PostgreSQL when it answers, a fresh SQLite file otherwise."""
    try:
        import psycopg

        base = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
        name = DATABASE_URL.rsplit("/", 1)[1]
        with psycopg.connect(base, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return DATABASE_URL
    except Exception:
        db = OUT / "contest.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{db}"


def _env(database_url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": HOST,
        "CONN_MAX_AGE": "60",
        "CACHE_LOCATION": str(OUT / "contest-cache"),
        "MEDIA_ROOT": str(OUT / "contest-media"),
        "TASK_BACKEND": "immediate",
        "LOG_LEVEL": "WARNING",
        "BIND": f"{HOST}:{port}",
    }


def prepare(env: dict[str, str]) -> list[str]:
    """Migrate (and make the database cache's table, as deploy/serve.sh does), then create the
    province, TAKERS people with accounts, a bank of 60 questions and an open test; returns one
    session cookie per taker. Runs in a child process so that this process keeps no Django
    state."""
    code = f"""
import datetime as dt, json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("createcachetable", verbosity=0)
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from llct.core.models import Role, User
from llct.organizations.models import Person
from llct.organizations.tests.factories import make_org
from llct.studies.models import Question
from llct.studies.tests.factories import make_contest, make_bank
province = make_org("Đảng bộ tỉnh Thử Tải", code="TT", kind_code="tinh")
cells = [make_org(f"Chi bộ {{i}}", parent=province, code=f"CB{{i}}") for i in range(20)]
people = Person.objects.bulk_create(
    Person(full_name=f"Người Dự Thi {{i}}", search_key=f"nguoi du thi {{i}}", sort_key=str(i),
           organization=cells[i % 20], stage="full") for i in range({TAKERS + WARMUP_TAKERS}))
password = make_password(None)
users = User.objects.bulk_create(
    User(username=f"thisinh{{i}}", role=Role.LEARNER, person=p, password=password)
    for i, p in enumerate(people))
department = User.objects.create_user("bantuyengiao_bench", role=Role.DEPARTMENT, password=None)
class W: pass
w = W(); w.department = department; w.province = province
bank = make_bank(w, questions=60)
contest = make_contest(w, bank=bank, question_count=20, minutes=30, attempts_per_week=3)
keys = []
for u in User.objects.filter(role=Role.LEARNER).order_by("id"):
    s = SessionStore()
    s["_auth_user_id"] = str(u.pk)
    s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    s["_auth_user_hash"] = u.get_session_auth_hash()
    s.create()
    keys.append(s.session_key)
print(json.dumps({{"contest": contest.pk, "sessions": keys}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(result.stdout.strip().splitlines()[-1])
    env["BENCH_CONTEST_ID"] = str(data["contest"])
    return list(data["sessions"])


def _server(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn as `make serve` runs it: deploy/gunicorn.conf.py where the tree has it, else
    the same shape by flags (gthread workers, preloaded app)."""
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    conf = ROOT / "deploy" / "gunicorn.conf.py"
    workers = env.get("WEB_CONCURRENCY", str((os.cpu_count() or 1) * 2 + 1))
    threads = env.get("WEB_THREADS", "4")
    if conf.exists():
        args = [gunicorn, "-c", str(conf), "config.wsgi"]
        label = f"gunicorn -c deploy/gunicorn.conf.py ({workers} workers x {threads} threads)"
    else:
        args = [
            gunicorn,
            "--bind",
            env["BIND"],
            "--workers",
            workers,
            "--worker-class",
            "gthread",
            "--threads",
            threads,
            "--preload",
            "--timeout",
            "30",
            "config.wsgi",
        ]
        label = f"gunicorn gthread, {workers} workers x {threads} threads, preloaded"
    env = {**env, "WEB_CONCURRENCY": workers, "WEB_THREADS": threads}
    log = (OUT / "contest-server.log").open("wb")
    server = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return server, label


class Taker:
    """One person's path through the test, over one keep-alive connection."""

    def __init__(self, port: int, session: str, contest: int) -> None:
        self.port = port
        self.cookies = {"sessionid": session}
        self.contest = contest
        self.timings: list[tuple[str, float, str]] = []
        self.conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT_S)

    def _request(
        self, step: str, method: str, path: str, body: str | None = None
    ) -> tuple[int, str, str]:
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Host": f"{HOST}:{self.port}",
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
            headers["Origin"] = f"http://{HOST}:{self.port}"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            status = str(response.status)
        except (OSError, http.client.HTTPException) as error:
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT_S)
            self.timings.append(
                (step, (time.perf_counter() - started) * 1000, type(error).__name__)
            )
            raise
        self.timings.append((step, (time.perf_counter() - started) * 1000, status))
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text, response.getheader("Location") or ""

    def run(self) -> None:
        from urllib.parse import urlencode

        _s, page, _l = self._request("test page", "GET", f"/hoc-tap/thi/{self.contest}/")
        token = TOKEN.search(page)
        if token is None:
            raise RuntimeError("no CSRF token on the test page")
        csrf = token.group(1)
        status, _t, location = self._request(
            "start",
            "POST",
            f"/hoc-tap/thi/{self.contest}/bat-dau/",
            urlencode({"csrfmiddlewaretoken": csrf}),
        )
        if status != 302 or "/bai-thi/" not in location:
            raise RuntimeError(f"start answered {status} {location}")
        _s, paper, _l = self._request("paper", "GET", location)
        answers: dict[str, str] = {}
        for qid, value in RADIO.findall(paper):
            answers.setdefault(f"q{qid}", value)  # the first option shown: a guess
        form = {"csrfmiddlewaretoken": csrf, **answers}
        status, _t, result = self._request("submit", "POST", location + "nop/", urlencode(form))
        if status != 302:
            raise RuntimeError(f"submit answered {status}")
        self._request("result", "GET", result)
        self.conn.close()


def run() -> ContestLoad:
    OUT.mkdir(parents=True, exist_ok=True)
    from bench.run import _free_port

    port = _free_port()
    database_url = _database_url()
    env = _env(database_url, port)
    load = ContestLoad(database="PostgreSQL" if database_url.startswith("postgres") else "SQLite")
    try:
        sessions = prepare(env)
    except subprocess.CalledProcessError as error:
        return ContestLoad(available=False, detail=f"preparing failed: {error.stderr[-500:]}")
    contest = int(env["BENCH_CONTEST_ID"])
    server, load.server = _server(env)
    try:
        _wait_until_serving(server, port)
        warmup, sessions = sessions[:WARMUP_TAKERS], sessions[WARMUP_TAKERS:]
        _warm_up(port, contest, warmup)
        timings, failures, load.wall_s = _deadline_rush(port, contest, sessions)
        load.takers = len(sessions)
        _record_timings(load, timings, failures)
        submitted, counted = _count(env, contest)
        load.submitted, load.counted = submitted - len(warmup), counted - len(warmup)
    except Exception as error:  # the bench reports, it does not crash
        load.available = False
        load.detail = f"failed: {type(error).__name__}: {error}"
    finally:
        _stop(server)
    return load


def _wait_until_serving(server: subprocess.Popen[bytes], port: int) -> None:
    """Until the login page answers 200; RuntimeError when gunicorn stops or a minute passes."""
    deadline = time.monotonic() + 60
    while True:
        try:
            c = http.client.HTTPConnection(HOST, port, timeout=5)
            c.request("GET", "/dang-nhap/", headers={"Host": f"{HOST}:{port}"})
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("gunicorn did not start (see bench/out/contest-server.log)")
        time.sleep(0.3)


def _warm_up(port: int, contest: int, sessions: list[str]) -> None:
    """The warm-up takers, five at a time, unmeasured."""
    for i in range(0, len(sessions), 5):
        group = [threading.Thread(target=Taker(port, s, contest).run) for s in sessions[i : i + 5]]
        for thread in group:
            thread.start()
        for thread in group:
            thread.join(timeout=TIMEOUT_S * 6)


def _deadline_rush(
    port: int, contest: int, sessions: list[str]
) -> tuple[list[tuple[str, float, str]], Counter[str], float]:
    """The measured takers, started at an even pace over WINDOW_S, at most CLIENTS at once:
    every request's (step, milliseconds, status), the takers' failures by kind, and the wall
    seconds."""
    timings: list[tuple[str, float, str]] = []
    failures: Counter[str] = Counter()
    lock = threading.Lock()
    slots = threading.Semaphore(CLIENTS)
    gap = WINDOW_S / max(1, len(sessions))
    started = time.perf_counter()

    def take(session: str) -> None:
        taker = Taker(port, session, contest)
        try:
            taker.run()
        except Exception as error:  # counted, never raised: the bench reports
            with lock:
                failures[type(error).__name__] += 1
        finally:
            slots.release()
            with lock:
                timings.extend(taker.timings)

    threads = []
    for i, session in enumerate(sessions):
        wait = started + i * gap - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        slots.acquire()
        thread = threading.Thread(target=take, args=(session,))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(timeout=TIMEOUT_S * 6)
    return timings, failures, time.perf_counter() - started


def _record_timings(
    load: ContestLoad, timings: list[tuple[str, float, str]], failures: Counter[str]
) -> None:
    from bench.run import percentile

    statuses = Counter(status for _step, _ms, status in timings)
    values = [ms for _step, ms, _status in timings]
    load.requests = len(timings)
    load.statuses = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
    load.errors = sum(v for k, v in statuses.items() if k not in ("200", "302")) + sum(
        failures.values()
    )
    load.p50 = statistics.median(values) if values else 0.0
    load.p95 = percentile(values, 95) if values else 0.0
    load.max_ms = max(values) if values else 0.0
    for step in ("test page", "start", "paper", "submit", "result"):
        step_values = [ms for s, ms, _ in timings if s == step]
        if step_values:
            load.by_step[step] = percentile(step_values, 95)
    load.submit_p95 = load.by_step.get("submit", 0.0)
    if failures:
        load.detail = "failures: " + ", ".join(f"{k} {v}" for k, v in failures.items())


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _count(env: dict[str, str], contest: int) -> tuple[int, int]:
    code = (
        "import django; django.setup(); from llct.studies.models import Attempt; "
        f"qs = Attempt.objects.filter(contest_id={contest}); "
        "print(qs.exclude(submitted_at=None).count(), qs.filter(status='submitted').count())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    return int(out[0]), int(out[1])


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    began = dt.datetime.now()
    result = run()
    print(json.dumps({**asdict(result), "ok": result.ok, "began": began.isoformat()}, indent=2))
