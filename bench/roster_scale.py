"""The roster import into the province node of a scale database, measured and rolled back.

    BENCH_SCALE_DB=llct_roster_scale .venv/bin/python -m bench.roster_scale [ROWS] [--cells]

Writes a roster of ROWS people (10,000 by default; `bench/run.py: write_roster`, the file of the
scale bench) in one process, then imports it in a fresh one, inside a transaction rolled back at
the end (after the deferred foreign-key checks a commit would run, which are timed), so the
database stays as built and the run can be repeated; what earlier runs left behind is vacuumed
away first (not timed). Prints the wall seconds, rows/s, the Python CPU seconds of the importing
process, its peak resident memory and the load.

With --cells the roster has a "Chi bộ" column naming one of the province's cells on each row
(thousands of them), as a province-wide file would; without it every row goes to the province
node itself. With --profile, the 25 most expensive functions (cumulative) follow."""

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def _write(path: Path, rows: int, cells: bool) -> None:
    from bench.run import write_roster

    write_roster(path, rows=rows, today=dt.date.today(), taken_cards=set())
    if cells:
        _add_cells(path)


def _add_cells(path: Path) -> None:
    """The same roster with a "Chi bộ" column: each row in one of the province's cells, by
    code, chosen at random (a province-wide file names thousands of them)."""
    import random

    from openpyxl import Workbook, load_workbook

    from llct.organizations.models import Organization

    codes = list(
        Organization.objects.filter(children__isnull=True, depth__gt=0).values_list(
            "code", flat=True
        )
    )
    rng = random.Random(2026)
    source = load_workbook(path, read_only=True)
    rows = list(source.worksheets[0].iter_rows(values_only=True))
    source.close()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(list(rows[0]))
    sheet.append([*rows[1], "Chi bộ"])
    for row in rows[2:]:
        sheet.append([*row, rng.choice(codes)])
    workbook.save(path)


def _import(path: Path, profile: bool) -> dict[str, object]:
    import cProfile
    import pstats

    from django.db import connection, transaction
    from django.utils import timezone

    from llct.core.models import User
    from llct.organizations.models import Organization, Person
    from llct.organizations.roster.imports import person_import_roster

    with connection.cursor() as cursor:
        # What earlier rolled-back runs left (dead rows, the name words' pending GIN entries)
        # cleared first, as autovacuum clears them for an import that meets the rolls.
        cursor.execute(
            "VACUUM (ANALYZE) organizations_person, organizations_membershipchange, "
            "organizations_theorylevelchange, organizations_organization, core_auditentry"
        )
    province = Organization.objects.get(code="TINH")
    actor = User.objects.get(username="bantuyengiao")
    profiler = cProfile.Profile() if profile else None
    with transaction.atomic():
        before = Person.objects.count()
        cpu, started = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        result = person_import_roster(
            file=path, organization=province, actor=actor, today=timezone.localdate()
        )
        with connection.cursor() as cursor:
            # The deferred foreign-key checks that COMMIT would run, counted in the time.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if profiler:
            profiler.disable()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        province.refresh_from_db()
        added = Person.objects.count() - before
        transaction.set_rollback(True)
    if profiler:
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    rows = result.created + result.updated + result.unchanged + len(result.rejected)
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "cpu_s": round(cpu, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "created": result.created,
        "updated": result.updated,
        "rejected": len(result.rejected),
        "people_added": added,
        "province_subtree_people": province.subtree_people_count,
    }


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if args[:1] == ["write"]:
        from bench.scale import configure

        configure()
        _write(Path(args[2]), int(args[1]), "--cells" in sys.argv)
        return
    if args[:1] == ["import"]:
        from bench.scale import configure

        configure()
        print(json.dumps(_import(Path(args[1]), "--profile" in sys.argv)))
        return
    rows = int(args[0]) if args else 10_000
    OUT.mkdir(parents=True, exist_ok=True)
    cells = "--cells" in sys.argv
    path = OUT / f"roster-scale-{'cells-' if cells else ''}{rows}.xlsx"
    run = [sys.executable, "-m", "bench.roster_scale"]
    if not path.exists():
        flag = ["--cells"] if cells else []
        subprocess.run([*run, "write", str(rows), str(path), *flag], cwd=ROOT, check=True)
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    flags = ["--profile"] if "--profile" in sys.argv else []
    done = subprocess.run(
        [*run, "import", str(path), *flags],
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(json.dumps({**figures, "db": os.environ.get("BENCH_SCALE_DB", "llct_scale")}))
    print(f"load before: {load}")


if __name__ == "__main__":
    main()
