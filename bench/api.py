"""The API's bulk upsert of people: 10,000 rows through POST /api/v1/people/bulk, as another
system sends them (JSON, a bearer token, an Idempotency-Key), timed end to end through Django's
test Client: parsing, validation, the roster import's checks and bulk writes, the answer.

Run inside `make bench` (bench/run.py calls `measure_api` and `api_section`), or alone on a
small fresh database: `.venv/bin/python -m bench.api`.

Environment: BENCH_API_ROWS (10000).
"""

import datetime as dt
import json
import os
import random
import time
from dataclasses import dataclass, field
from typing import Any

API_ROWS = int(os.environ.get("BENCH_API_ROWS", "10000"))
API_TARGET_ROWS_S = 5000.0
SEED = 2027
LEVELS = ["", "Sơ cấp", "TC", "Trung cấp LLCT", "Cao cấp", "CN"]


@dataclass
class Step:
    label: str
    rows: int
    seconds: float
    status: int
    counts: str
    targeted: bool = True
    cpu_seconds: float = 0.0

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.rows_per_s >= API_TARGET_ROWS_S


@dataclass
class ApiResult:
    available: bool
    steps: list[Step] = field(default_factory=list)
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.available and all(s.ok for s in self.steps if s.targeted)


def make_rows(count: int, *, today: dt.date) -> list[dict[str, Any]]:
    """People as the party-member database would send them: ISO dates, levels spelled as
    rosters spell them, unique card numbers for full members. Their stages date from before the
    cut-over of the membership rules (from then on an admission or a full membership is a
    decision recorded in LLCT, never sent in)."""
    from llct.demo.organizations import fake_person
    from llct.organizations.models import MembershipRules, MembershipStage

    today = min(today, MembershipRules.current().cutover_on - dt.timedelta(days=1))
    rng = random.Random(SEED)
    cards = iter(rng.sample(range(300_000_000, 399_999_999), count))
    rows = []
    for _ in range(count):
        stage = MembershipStage.FULL if rng.random() < 0.9 else MembershipStage.PROBATIONARY
        p = fake_person(rng, today=today, sector="state", stage=stage)
        rows.append(
            {
                "full_name": p.full_name,
                "sex": "Nam" if p.sex == "male" else "Nữ",
                "date_of_birth": p.date_of_birth.isoformat(),
                "position": p.position,
                "admitted_on": p.admitted_on.isoformat() if p.admitted_on else None,
                "full_member_on": p.full_member_on.isoformat() if p.full_member_on else None,
                "party_card_no": str(next(cards)) if stage == MembershipStage.FULL else None,
                "theory_level": rng.choice(LEVELS),
            }
        )
    return rows


def measure_api(*, actor: Any, parent: Any, today: dt.date) -> ApiResult:
    from django.test import Client

    from llct.api.services import token_issue
    from llct.core.models import Role
    from llct.organizations.models import OrganizationKind, Person
    from llct.organizations.services import organization_create

    try:
        organization = organization_create(
            code="BENCH-API",
            name="Chi bộ Đồng bộ thử nghiệm",
            kind=OrganizationKind.objects.get(code="chi_bo_co_so"),
            parent=parent,
            founded_on=today,
            actor=actor,
        )
        _token, raw = token_issue(
            name="Bench",
            organization=parent,
            role=Role.DEPARTMENT,
            expires_on=today + dt.timedelta(days=30),
            actor=actor,
            today=today,
            can_write=True,
            personal_data=True,
            rate_limit=10_000,
        )
        rows = make_rows(API_ROWS, today=today)
        client = Client()
        result = ApiResult(available=True)

        def send(label: str, rows: list[dict[str, Any]], key: str, targeted: bool = True) -> Any:
            body = json.dumps({"organization_id": organization.pk, "rows": rows})
            started, cpu = time.perf_counter(), time.process_time()
            response = client.post(
                "/api/v1/people/bulk",
                body,
                content_type="application/json",
                headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": key},
            )
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu
            data = response.json()
            counts = data.get("error", {}).get("details") or data
            summary = ", ".join(
                f"{name} {counts.get(name) if name != 'rejected' else len(counts.get(name, []))}"
                for name in ("created", "updated", "unchanged", "rejected")
                if name in counts
            )
            result.steps.append(
                Step(label, len(rows), elapsed, response.status_code, summary, targeted, cpu)
            )
            print(
                f"  {label}: {len(rows):,} rows in {elapsed:.2f} s, {cpu:.2f} s CPU ({summary})",
                flush=True,
            )

        # A warm process, as a server's: the first request loads the API's modules.
        client.get("/api/v1/people?limit=1", headers={"Authorization": f"Bearer {raw}"})

        send("insert (new people)", rows, "bench-1")
        # Another system's next sync: every person changes position (updates, matched by card
        # number or by name and date of birth).
        for row in rows:
            row["position"] = f"{row['position']} (cập nhật)"[:150]
        send("upsert (every person updated)", rows, "bench-2")
        send("retry with the same key (replayed, no write)", rows, "bench-2", targeted=False)
        people = Person.objects.filter(organization=organization).count()
        result.detail = f"{people:,} people in the organization afterwards"
        return result
    except Exception as error:  # the bench reports, it does not crash
        return ApiResult(available=False, detail=f"failed: {type(error).__name__}: {error}")


def api_section(result: ApiResult) -> list[str]:
    lines = [
        "## API: people in bulk",
        "",
        f"Target: ≥ {API_TARGET_ROWS_S:,.0f} rows/s through POST /api/v1/people/bulk (JSON, "
        "token, Idempotency-Key; the roster import's checks; all or nothing), end to end.",
        "",
    ]
    if not result.available:
        return [*lines, f"Not available ({result.detail})."]
    lines += [
        "| step | rows | seconds | rows/s | CPU s | rows per CPU s | answer | target |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for s in result.steps:
        target = ("✅ pass" if s.ok else "❌ fail") if s.targeted else "—"
        per_cpu = s.rows / s.cpu_seconds if s.cpu_seconds else 0.0
        lines.append(
            f"| {s.label} | {s.rows:,} | {s.seconds:.2f} | {s.rows_per_s:,.0f} | "
            f"{s.cpu_seconds:.2f} | {per_cpu:,.0f} | {s.status}: {s.counts} | {target} |"
        )
    return [
        *lines,
        "",
        f"{result.detail}. Seconds are wall-clock time, held to the target; CPU seconds are the "
        "process's own, which other load on the machine does not inflate.",
    ]


def main() -> None:
    from bench.run import configure

    configure()
    from django.core.management import call_command
    from django.utils import timezone

    from llct.organizations.tests.factories import make_org, make_user

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    province = make_org("Đảng bộ tỉnh Thử Nghiệm", code="TINH", kind_code="tinh")
    department = make_user("bench-btg", "department")
    print(f"API bulk upsert of {API_ROWS:,} people:", flush=True)
    result = measure_api(actor=department, parent=province, today=today)
    print("\n".join(api_section(result)))


if __name__ == "__main__":
    main()
