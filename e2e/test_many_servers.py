"""Many servers, one truth: two gunicorn servers and two task workers on one PostgreSQL database
and one Redis. A roster import started on one server shows its progress on the other, the
public verification rate limit counts across both, and each task runs exactly once.

Skipped on SQLite (one machine, one file) and without Redis on 127.0.0.1:6379."""

import datetime as dt
import http.client
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from openpyxl import Workbook

from llct.core.models import Role
from llct.organizations.models import Person, RosterImport
from llct.organizations.tests.factories import make_org, make_user

ROOT = Path(django_settings.BASE_DIR)
REDIS = "redis://127.0.0.1:6379/1"
ROWS = 12_000
pytestmark = pytest.mark.e2e


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Browser:
    """Cookies and CSRF by hand over http.client: enough for a signed-in user."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, port, method, path, body=b"", headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        head = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if method == "POST":
            head.update({"X-CSRFToken": self.cookies.get("csrftoken", ""), "Referer": "x"})
        head.update(headers or {})
        conn.request(method, path, body=body, headers=head)
        response = conn.getresponse()
        text = response.read().decode()
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(value)
            self.cookies.update({k: m.value for k, m in cookie.items()})
        conn.close()
        return response.status, response.headers, text

    def sign_in(self, port, username):
        self.request(port, "GET", "/dang-nhap/")
        form = urlencode({"username": username, "password": "matkhau-123"}).encode()
        status, _h, _t = self.request(
            port,
            "POST",
            "/dang-nhap/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 302

    def upload(self, port, path, fields, file_field, filename, content):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            )
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        tail = f"\r\n--{boundary}--\r\n".encode()
        body = "".join(parts).encode() + head.encode() + content + tail
        return self.request(
            port, "POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )


def _roster(path: Path, rows: int) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(["STT", "Họ và tên", "Giới tính", "Ngày sinh", "Trình độ LLCT"])
    first = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ"]
    given = ["An", "Bình", "Chi", "Dũng", "Hà", "Lan", "Minh", "Nam", "Sơn", "Thảo"]
    for i in range(rows):
        name = f"{first[i % 6]} Văn {given[(i // 6) % 10]} {i}"
        born = dt.date(1960, 1, 1) + dt.timedelta(days=i % 12_000)
        sheet.append([i + 1, name, "Nam", born, "Sơ cấp"])
    workbook.save(path)


@pytest.fixture
def stack(transactional_db, tmp_path, settings) -> Iterator[dict[str, Any]]:
    if connection.vendor != "postgresql":
        pytest.skip("several servers share a PostgreSQL database, not a SQLite file")
    if not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    env = _stack_env(tmp_path, prefix)
    ports = [_free_port(), _free_port()]
    processes, logs = _start(ports, env, tmp_path)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": prefix,
        }
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    try:
        _wait_until_up(ports)
        yield {"ports": ports, "tmp": tmp_path}
    finally:
        _stop(processes, logs)


def _stack_env(tmp_path: Path, prefix: str) -> dict[str, str]:
    """The servers' and workers' environment: the tests' database, Redis, production settings."""
    db = connection.settings_dict
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CACHE_URL": REDIS,
        "CACHE_KEY_PREFIX": prefix,
        "DEBUG": "false",
        "SECRET_KEY": "many-servers-test-key-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "false",
        "STATIC_MANIFEST": "false",
        "TASK_BACKEND": "database",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "CONN_MAX_AGE": "60",
        "WEB_CONCURRENCY": "1",
        "WEB_THREADS": "2",
        "LOG_LEVEL": "WARNING",
        "WORKER_HEARTBEAT_SECONDS": "1",
    }


def _start(
    ports: list[int], env: dict[str, str], tmp_path: Path
) -> tuple[list[subprocess.Popen[bytes]], list[IO[str]]]:
    """A web server on each port and two task workers, each logging to its file."""
    processes: list[subprocess.Popen[bytes]] = []
    logs: list[IO[str]] = []
    for i, port in enumerate(ports):
        log = open(tmp_path / f"web{i}.log", "w")  # noqa: SIM115 (closed by _stop)
        logs.append(log)
        processes.append(
            subprocess.Popen(  # noqa: S603 (our own interpreter)
                [str(ROOT / ".venv/bin/gunicorn"), "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
                cwd=ROOT,
                env={**env, "BIND": f"127.0.0.1:{port}"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    for i in range(2):
        log = open(tmp_path / f"worker{i}.log", "w")  # noqa: SIM115 (closed by _stop)
        logs.append(log)
        processes.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "worker", "--no-reload", "--interval", "0.1"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    return processes, logs


def _wait_until_up(ports: list[int]) -> None:
    """Each server answers /healthz and sees both workers, within 30 seconds."""
    deadline = time.monotonic() + 30
    for port in ports:
        while True:
            try:
                status, _h, text = Browser().request(port, "GET", "/healthz")
                if status == 200 and '"workers": 2' in text:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the stack did not start"
            time.sleep(0.2)


def _stop(processes: list[subprocess.Popen[bytes]], logs: list[IO[str]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    for log in logs:
        log.close()


PROGRESS = re.compile(r'<progress[^>]*max="(\d+)" value="(\d+)"')


def _roster_on_a_progress_on_b(browser: Browser, a: int, b: int, province: Any, tmp: Path) -> None:
    """A roster uploaded and committed on A; its progress read on B while a worker writes."""
    roster = tmp / "roster.xlsx"
    _roster(roster, ROWS)
    status, _h, _t = browser.upload(
        a,
        "/to-chuc/nhap-danh-sach/",
        {"organization": province.pk},
        "file",
        "roster.xlsx",
        roster.read_bytes(),
    )
    assert status == 302, _t
    pk = RosterImport.objects.get().pk
    deadline = time.monotonic() + 40
    while RosterImport.objects.get(pk=pk).status != RosterImport.Status.PREVIEW:
        assert RosterImport.objects.get(pk=pk).status == RosterImport.Status.ANALYSING
        assert time.monotonic() < deadline, "the analysis did not finish"
        time.sleep(0.1)
    assert browser.request(a, "POST", f"/to-chuc/nhap-danh-sach/{pk}/ghi/")[0] == 302
    seen_on_b = []
    while time.monotonic() < deadline:
        _s, _h, text = browser.request(
            b, "GET", f"/to-chuc/nhap-danh-sach/{pk}/", headers={"HX-Request": "true"}
        )
        match = PROGRESS.search(text)
        if match:
            seen_on_b.append((int(match[2]), int(match[1])))
        if "roster-progress" not in text:
            break
        time.sleep(0.05)
    assert RosterImport.objects.get(pk=pk).status == RosterImport.Status.DONE
    assert Person.objects.count() == ROWS
    assert any(0 < done < total for done, total in seen_on_b), seen_on_b


def test_two_servers_and_two_workers_share_one_truth(stack):
    a, b = stack["ports"]
    province = make_org("Đảng bộ tỉnh Thử Nghiệm", code="TINH", kind_code="tinh")
    user = make_user("bantuyengiao", Role.DEPARTMENT)
    # The servers know the production hashers, not the tests' fast one.
    user.password = PBKDF2PasswordHasher().encode("matkhau-123", "manyservers", iterations=1000)
    user.save(update_fields=["password"])

    # Sessions are shared: signed in on A, known on B.
    browser = Browser()
    browser.sign_in(a, "bantuyengiao")
    assert browser.request(b, "GET", "/to-chuc/nhan-su/")[0] == 200

    # A roster uploaded and committed on A; its progress read on B while a worker writes.
    _roster_on_a_progress_on_b(browser, a, b, province, stack["tmp"])

    # The verification rate limit (30 a minute per address) counts requests on both servers.
    if time.time() % 60 > 50:  # stay inside one one-minute window
        time.sleep(61 - time.time() % 60)
    statuses = [
        Browser().request((a, b)[i % 2], "GET", f"/xac-minh/KHONGCO{i:04d}/")[0] for i in range(30)
    ]
    assert set(statuses) == {404}
    assert Browser().request(a, "GET", "/xac-minh/KHONGCO9999/")[0] == 429
    assert Browser().request(b, "GET", "/xac-minh/KHONGCO9999/")[0] == 429

    # Forty tasks, two workers: each runs once, and both workers take some.
    from django.core.cache import cache
    from django_tasks_db.models import DBTaskResult

    from e2e.tasks_for_tests import count_run

    keys = [f"ran:{i}" for i in range(40)]
    for key in keys:
        count_run.enqueue(key=key)
    deadline = time.monotonic() + 30
    pending = DBTaskResult.objects.filter(task_path__endswith="count_run").exclude(
        status="SUCCESSFUL"
    )
    while pending.exists():
        assert time.monotonic() < deadline, "the tasks did not finish"
        time.sleep(0.1)
    assert [cache.get(key) for key in keys] == [1] * 40
    results = DBTaskResult.objects.filter(task_path__endswith="count_run")
    assert all(len(r.worker_ids) == 1 for r in results)
    assert len({r.worker_ids[0] for r in results}) == 2
