"""The national-scale database for `make bench-scale`: a province tree of ~30,000 organizations,
1,000,000 people and 5,000,000 enrolments in 50,000 courses, written with PostgreSQL's COPY.

Tree: the province, 100 superior committees (đảng ủy trực thuộc), 30 đảng bộ cơ sở under each,
9 chi bộ under each of those (30,101 organizations); people sit in the chi bộ, ~37 each, so a
superior committee holds ~10,000 people. One đảng bộ cơ sở (BIG_GRASSROOTS) is a large one: one
person in a hundred sits in its cells, ~10,000 people, the size of organization whose
suggestions page the bench measures. Each person is enrolled in 5 distinct courses.
Bench-only: it writes ids itself and switches off foreign-key triggers while copying."""

import datetime as dt
import io
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

COMMITTEES = 100
GRASSROOTS_PER_COMMITTEE = 30
CELLS_PER_GRASSROOTS = 9
BIG_GRASSROOTS = "K050-G00"  # ~10,000 people in its cells
COURSES = 50_000
SEED = 2026
FOUNDED = dt.date(2000, 1, 1)


def _copy(cursor: Any, table: str, columns: list[str], lines: Iterator[str]) -> int:
    """COPY in text format from preformatted lines, in 8 MB chunks."""
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for line in lines:
            buffer.write(line)
            count += 1
            if buffer.tell() > 8 << 20:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count


# The tables the build fills.
FILLED = [
    "organizations_organization",
    "organizations_organizationversion",
    "organizations_person",
    "courses_course",
    "courses_enrolment",
]


def _drop_indexes(cursor: Any, tables: list[str]) -> list[str]:
    """Drop the tables' indexes, and the unique constraints no foreign key leans on (primary
    keys stay); returns the statements that make them again, to build each once after the
    copy rather than row by row."""
    cursor.execute(
        "SELECT format('ALTER TABLE %%I DROP CONSTRAINT %%I', t.relname, c.conname), "
        "format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s', t.relname, c.conname, "
        "pg_get_constraintdef(c.oid)) "
        "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
        "WHERE c.contype = 'u' AND t.relname = ANY(%s) AND NOT EXISTS (SELECT 1 FROM "
        "pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)",
        [tables],
    )
    constraints = cursor.fetchall()
    for drop, _add in constraints:
        cursor.execute(drop)
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' "
        "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
        "WHERE c.conindid = format('%%I.%%I', i.schemaname, i.indexname)::regclass)",
        [tables],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return [add for _drop, add in constraints] + [definition for _name, definition in indexes]


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _organizations(kinds: dict[str, int]) -> list[tuple[int, str, str, int, int | None, str, int]]:
    """(id, code, name, kind_id, parent_id, path, depth), parents before children."""
    rows: list[tuple[int, str, str, int, int | None, str, int]] = [
        (1, "TINH", "Đảng bộ tỉnh Quy Mô Lớn", kinds["tinh"], None, "/1/", 0)
    ]
    next_id = 2
    for c in range(COMMITTEES):
        committee = next_id
        next_id += 1
        path_c = f"/1/{committee}/"
        rows.append(
            (committee, f"K{c:03d}", f"Đảng ủy trực thuộc số {c + 1}", kinds["truc_thuoc"], 1,
             path_c, 1)
        )  # fmt: skip
        for g in range(GRASSROOTS_PER_COMMITTEE):
            grassroots = next_id
            next_id += 1
            path_g = f"{path_c}{grassroots}/"
            rows.append(
                (grassroots, f"K{c:03d}-G{g:02d}", f"Đảng bộ cơ sở {g + 1} khối {c + 1}",
                 kinds["dang_bo_co_so"], committee, path_g, 2)
            )  # fmt: skip
            for k in range(CELLS_PER_GRASSROOTS):
                cell = next_id
                next_id += 1
                rows.append(
                    (cell, f"K{c:03d}-G{g:02d}-C{k}", f"Chi bộ {k + 1} ĐBCS {g + 1} khối {c + 1}",
                     kinds["chi_bo_truc_thuoc"], grassroots, f"{path_g}{cell}/", 3)
                )  # fmt: skip
    return rows


def build(*, people: int, enrolments_per_person: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Fill a freshly migrated database. Returns what was built and how long each step took."""
    from django.db import connection

    from llct.curriculum.models import Programme
    from llct.organizations.models import OrganizationKind

    rng = random.Random(SEED)
    kinds = dict(OrganizationKind.objects.values_list("code", "id"))
    programmes = list(Programme.objects.values_list("id", "code"))
    timings: dict[str, float] = {}
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no FK triggers while copying
        cursor.execute("SET maintenance_work_mem = '256MB'")
        # The indexes are built once after the copy, not row by row.
        indexes = _drop_indexes(cursor, FILLED)

        started = time.perf_counter()
        orgs = _copy_organizations(cursor, kinds)
        timings["organizations"] = time.perf_counter() - started
        log(f"  {len(orgs):,} organizations in {timings['organizations']:.1f} s")

        started = time.perf_counter()
        _copy_people(cursor, rng, orgs, people)
        timings["people"] = time.perf_counter() - started
        log(f"  {people:,} people in {timings['people']:.1f} s")

        started = time.perf_counter()
        enrolments = _copy_courses_and_enrolments(
            cursor, orgs, programmes, people=people, per_person=enrolments_per_person
        )
        timings["courses and enrolments"] = time.perf_counter() - started
        spent = timings["courses and enrolments"]
        log(f"  {COURSES:,} courses, {enrolments:,} enrolments in {spent:.1f} s")

        timings["indexes"] = _restore(cursor, indexes)
        log(f"  {len(indexes)} indexes and unique constraints in {timings['indexes']:.1f} s")
    raw.commit()
    timings.update(_recount_and_analyze())
    return {
        "organizations": len(orgs),
        "people": people,
        "courses": COURSES,
        "enrolments": enrolments,
        "timings": timings,
    }


type _Org = tuple[int, str, str, int, int | None, str, int]


def _copy_organizations(cursor: Any, kinds: dict[str, int]) -> list[_Org]:
    from llct.core.text import fold

    orgs = _organizations(kinds)
    _copy(
        cursor,
        "organizations_organization",
        [
            "id",
            "code",
            "name",
            "kind_id",
            "parent_id",
            "path",
            "depth",
            "founded_on",
            "search_key",
            "people_count",
            "subtree_people_count",
        ],
        (  # the stored counts are recounted after the people are in
            f"{i}\t{code}\t{_esc(name)}\t{kind}\t{parent or '\\N'}\t{path}\t{depth}\t{FOUNDED}"
            f"\t{fold(name)} {fold(code)}\t0\t0\n"
            for i, code, name, kind, parent, path, depth in orgs
        ),
    )
    _copy(
        cursor,
        "organizations_organizationversion",
        ["organization_id", "name", "parent_id", "kind_id", "valid_from"],
        (
            f"{i}\t{_esc(name)}\t{parent or '\\N'}\t{kind}\t{FOUNDED}\n"
            for i, _c, name, kind, parent, _p, _d in orgs
        ),
    )
    return orgs


def _copy_people(cursor: Any, rng: random.Random, orgs: list[_Org], people: int) -> None:
    from llct.core.text import fold, name_sort_key
    from llct.demo.organizations import POSITIONS, random_name

    cells = [o[0] for o in orgs if o[6] == 3]
    big = [o[0] for o in orgs if o[1].startswith(f"{BIG_GRASSROOTS}-C")]
    keys: dict[str, tuple[str, str]] = {}
    positions = [p for p, _w in POSITIONS["state"]]
    today = dt.date(2026, 12, 1)

    def person_lines() -> Iterator[str]:
        for i in range(1, people + 1):
            sex = "male" if rng.random() < 0.52 else "female"
            name = random_name(rng, sex)
            key = keys.get(name)
            if key is None:
                key = keys[name] = (fold(name), _esc(name_sort_key(name)))
            roll = rng.random()
            age = rng.randint(22, 60)
            born = today - dt.timedelta(days=365 * age + rng.randint(0, 364))
            admitted = full = card = "\\N"
            if roll < 0.80:
                stage = "full"
                a = today - dt.timedelta(days=rng.randint(500, 365 * (age - 19)))
                admitted, full = a.isoformat(), (a + dt.timedelta(days=366)).isoformat()
                card = f"{i:09d}"
            elif roll < 0.85:
                stage = "probationary"
                admitted = (today - dt.timedelta(days=rng.randint(7, 360))).isoformat()
            elif roll < 0.90:
                stage = "candidate"
            elif roll < 0.98:
                stage = "non_member"
            else:
                stage = "left"
            level = rng.choices((0, 1, 2, 3, 4), weights=(30, 40, 22, 6, 2))[0]
            org = big[i % len(big)] if i % 100 == 50 else cells[(i * 7919) % len(cells)]
            yield (
                f"{i}\t{name}\t{key[0]}\t{key[1]}\t{sex}\t{born}\t"
                f"{rng.choice(positions)}\t{org}\t{stage}\t{admitted}\t{full}\t{card}\t"
                f"{level}\t2026-01-01 00:00:00+00\t2026-01-01 00:00:00+00\n"
            )

    _copy(
        cursor,
        "organizations_person",
        ["id", "full_name", "search_key", "sort_key", "sex", "date_of_birth", "position",
         "organization_id", "stage", "admitted_on", "full_member_on", "party_card_no",
         "theory_level", "created_at", "updated_at"],
        person_lines(),
    )  # fmt: skip


def _copy_courses_and_enrolments(
    cursor: Any,
    orgs: list[_Org],
    programmes: list[tuple[int, str]],
    *,
    people: int,
    per_person: int,
) -> int:
    today = dt.date(2026, 12, 1)
    committees = [o[0] for o in orgs if o[6] == 1]

    def course_lines() -> Iterator[str]:
        for c in range(1, COURSES + 1):
            programme_id, code = programmes[c % len(programmes)]
            start = dt.date(2020, 1, 6) + dt.timedelta(days=(c * 37) % 2400)
            end = start + dt.timedelta(days=4)
            status = "finished" if end < today else "in_progress"
            organizer = 1 if c % 10 == 0 else committees[c % len(committees)]
            yield (
                f"{c}\t{code}-{c:06d}\tLớp {code} số {c}\t{programme_id}\t{organizer}\t\t"
                f"{start}\t{end}\t120\t{status}\t2026-01-01 00:00:00+00\n"
            )

    _copy(
        cursor,
        "courses_course",
        ["id", "code", "name", "programme_id", "organizer_id", "partner", "starts_on",
         "ends_on", "capacity", "status", "created_at"],
        course_lines(),
    )  # fmt: skip

    # Each person p in the courses (p * 7 + k * 10007) % COURSES + 1, k < per person:
    # numbers only, so the database writes them itself, five million rows without a line
    # of text between Python and PostgreSQL.
    cursor.execute(
        "INSERT INTO courses_enrolment (id, course_id, person_id, status, enrolled_at, "
        "override_reason, withdrawal_reason) "
        "SELECT (p - 1) * %(k)s::int + k + 1, "
        "(p * 7 + k * 10007) %% %(courses)s::int + 1, p, "
        "'enrolled', '2026-01-01 00:00:00+00', '', '' "
        "FROM generate_series(1, %(people)s::int) AS p, "
        "generate_series(0, %(k)s::int - 1) AS k",
        {"k": per_person, "courses": COURSES, "people": people},
    )
    return int(cursor.rowcount)


def _restore(cursor: Any, indexes: list[str]) -> float:
    """Foreign keys checked again, the sequences past the copied ids, the indexes built."""
    cursor.execute("SET session_replication_role = origin")
    for table in FILLED:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
        )
    started = time.perf_counter()
    for definition in indexes:
        cursor.execute(definition)
    return time.perf_counter() - started


def _recount_and_analyze() -> dict[str, float]:
    from django.db import connection

    from llct.organizations.counts import people_counts_rebuild

    timings = {}
    started = time.perf_counter()
    people_counts_rebuild()
    timings["people counts"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    timings["vacuum analyze"] = time.perf_counter() - started
    return timings
