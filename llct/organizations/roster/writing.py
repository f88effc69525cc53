"""Writing the checked rows: people in bulk, their history rows and the audit trail."""

import datetime as dt
import functools
import operator
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.core import events
from llct.core.models import AuditEntry, audit_record
from llct.organizations.counts import people_counts_apply
from llct.organizations.models import (
    MembershipChange,
    MembershipRules,
    Organization,
    Person,
    TheoryLevel,
    TheoryLevelChange,
    Transfer,
)
from llct.organizations.person_services import is_history, stage_date, transfer_event
from llct.organizations.roster.checking import NewPerson, RosterAnalysis
from llct.organizations.roster.placement import cell_kind, free_codes
from llct.organizations.services import organization_create

BATCH_SIZE = 1000


def write(
    analysis: RosterAnalysis,
    *,
    organization: Organization,
    actor: Any,
    today: dt.date,
    note: str,
    progress: Callable[[int, int], None],
) -> None:
    """The people in bulk, then the history rows and audit entries person_create and
    person_update would write one by one."""
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    now = timezone.now()
    content_type_id = ContentType.objects.get_for_model(Person).pk
    _create_cells(analysis, organization=organization, actor=actor, today=today)
    created, updated = _write_people(analysis, now=now, progress=progress)

    cutover_on = MembershipRules.current().cutover_on

    def stage_row(person: Person | NewPerson) -> dict[str, Any]:
        effective_on = stage_date(person, today)
        return {
            "person_id": person.pk,
            "stage": person.stage,
            "effective_on": effective_on,
            "note": note,
            "actor_id": actor_id,
            "as_history": is_history(effective_on, cutover_on=cutover_on),
        }

    def level_row(person: Person | NewPerson) -> dict[str, Any]:
        return {
            "person_id": person.pk,
            "level": person.theory_level,
            "effective_on": today,
            "source": note,
            "actor_id": actor_id,
        }

    # A new person's history starts with these rows, which say who imported them and from which
    # file; the audit trail gets one entry for the whole import (below), not one per person.
    stages = [stage_row(p) for p in created]
    levels = [level_row(p) for p in created if p.theory_level != TheoryLevel.NONE]
    transfers = []
    audit = []
    for update in analysis.to_update:
        person, before = update.person, update.before
        changed = {c["field"] for c in update.changes}
        if "organization" in changed:
            transfers.append(
                {
                    "person_id": person.pk,
                    "from_organization_id": before.organization_id,
                    "to_organization_id": person.organization_id,
                    "effective_on": today,
                    "note": note,
                    "actor_id": actor_id,
                }
            )
        if "stage" in changed:
            stages.append(stage_row(person))
        if "theory_level" in changed:
            levels.append(level_row(person))
        audit.append(
            {
                "actor_id": actor_id,
                "at": now,
                "content_type_id": content_type_id,
                "object_id": person.pk,
                "action": "import",
                "summary": note,
                "changes": update.changes,
            }
        )
    _insert(MembershipChange, stages)
    _insert(TheoryLevelChange, levels)
    _insert(Transfer, transfers)
    # The tree's stored counts: bulk writes skip Person.save, which keeps them otherwise.
    moved: Counter[int] = Counter(p.organization.pk for p in created)
    for update in analysis.to_update:
        if update.before.organization_id != update.person.organization_id:
            moved[update.before.organization_id] -= 1
            moved[update.person.organization_id] += 1
    people_counts_apply(moved)
    events.emit(
        transfer_event(
            person_id=u.person.pk,
            full_name=u.person.full_name,
            from_id=u.before.organization_id,
            to_id=u.person.organization_id,
            effective_on=today,
        )
        for u in analysis.to_update
        if u.before.organization_id != u.person.organization_id
    )
    # audit_record writes one row per call; the same entries, in one statement.
    _insert(AuditEntry, audit)
    audit_record(
        actor=actor,
        obj=organization,
        action="import",
        summary=(
            _("%(note)s: %(created)s added, %(updated)s updated, %(unchanged)s unchanged")
            % {
                "note": note,
                "created": len(created),
                "updated": len(updated),
                "unchanged": len(analysis.unchanged),
            }
        )[:500],
    )


def _write_people(
    analysis: RosterAnalysis, *, now: dt.datetime, progress: Callable[[int, int], None]
) -> tuple[list[NewPerson], list[Person]]:
    """The new people and the changed ones, a thousand a statement."""
    total = len(analysis.to_create) + len(analysis.to_update)
    done = 0
    created = [c.person for c in analysis.to_create]
    for new in created:
        new.created_at = new.updated_at = now
    db = _connection()
    if db.vendor == "postgresql" and created:
        # All the ids in one statement; the rows still go a batch at a time, for the progress.
        _created(created, _next_ids(Person, len(created)), db)
    for start in range(0, len(created), BATCH_SIZE):
        batch = created[start : start + BATCH_SIZE]
        _create(Person, batch)
        done += len(batch)
        progress(done, total)
    updated = [u.person for u in analysis.to_update]
    fields = {c["field"] for u in analysis.to_update for c in u.changes}
    for changed_person in updated:
        changed_person.updated_at = now
    names = sorted(fields | {"search_key", "sort_key", "updated_at"})
    for start in range(0, len(updated), BATCH_SIZE):
        chunk = updated[start : start + BATCH_SIZE]
        _update(Person, chunk, names)
        done += len(chunk)
        progress(done, total)
    return created, updated


def _create_cells(
    analysis: RosterAnalysis, *, organization: Organization, actor: Any, today: dt.date
) -> None:
    """The cells the officer chose to create (placement CREATE), through the tree's service so
    that they have their history; the rows naming them then point to them."""
    if not analysis.new_organizations:
        return
    kind = cell_kind()
    if kind is None:
        raise ValidationError(_("No organization kind is defined for the new cells."))
    codes = free_codes(organization.code, len(analysis.new_organizations))
    saved: dict[int, Organization] = {}
    for planned, code in zip(analysis.new_organizations, codes, strict=True):
        saved[id(planned)] = organization_create(
            code=code,
            name=planned.name,
            kind=kind,
            parent=organization,
            founded_on=today,
            actor=actor,
        )
    people = [c.person for c in analysis.to_create] + [u.person for u in analysis.to_update]
    for person in people:
        if person.organization_id is None and id(person.organization) in saved:
            person.organization = saved[id(person.organization)]


# History rows and updates skip the ORM's bulk methods, measured on 20,000 rows: bulk_create
# spends more time compiling its statement (an expression and a placeholder per value) than the
# database spends running it, and bulk_update builds a CASE with one WHEN per row for every
# field, half a millisecond a row (12 s for 20,000 updates). One executemany does the same
# writes three to twenty times faster. Each value is still prepared by its field, as the ORM
# would, and columns left out get their database default. New people, whose ids the history
# rows need, go in with one INSERT ... RETURNING per thousand: bulk_create on SQLite sends 62
# rows per statement (Django's 999-parameter ceiling) and compiles each; a third of an API
# bulk insert of 10,000 people, measured.


def _connection() -> Any:
    """The default connection itself, not `django.db.connection`: that proxy looks the
    connection up again on every attribute, and preparing a value touches it several times
    (a tenth of a bulk write, measured)."""
    return connections[DEFAULT_DB_ALIAS]


# SQLite since 3.32 accepts 32,766 parameters a statement, PostgreSQL 65,535.
MAX_PARAMETERS = 32_000


def _copy(db: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """PostgreSQL's COPY: rows streamed in one statement, no SQL to build per row."""
    quote = db.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with db.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


# The field types whose value PostgreSQL's driver takes as the model holds it: for them
# get_db_prep_save returns its argument (a str, a date, an aware datetime, an int), and calling
# it for every value of ten thousand rows was a third of the writing (measured). Other types
# (JSON, the SQLite backend's dates as text) are still prepared by their field.
_AS_IS_ON_POSTGRESQL = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


def _preparers(fields: Sequence[Any], db: Any) -> list[Callable[[Any], Any] | None]:
    """Per field, the function that prepares its value for the database, or None when the value
    goes as it is."""
    preparers: list[Callable[[Any], Any] | None] = []
    for field in fields:
        if db.vendor == "postgresql" and field.get_internal_type() in _AS_IS_ON_POSTGRESQL:
            preparers.append(None)
        else:
            preparers.append(functools.partial(field.get_db_prep_save, connection=db))
    return preparers


def _prepared(row: Sequence[Any], preparers: Sequence[Callable[[Any], Any] | None]) -> list[Any]:
    values = list(row)
    for index, prepare in enumerate(preparers):
        if prepare is not None:
            values[index] = prepare(values[index])
    return values


def _create(model: type[Model], objs: Sequence[Any]) -> None:
    """bulk_create for new rows whose ids are needed back: sets each object's pk, in order
    (as bulk_create does on SQLite 3.35+ and PostgreSQL, from the same RETURNING). The objects
    are model instances or plain objects with the same attributes (checking.NewPerson)."""
    if not objs:
        return
    meta = model._meta
    pk: Any = meta.pk
    fields: list[Any] = [f for f in meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    values = operator.attrgetter(*names)
    db = _connection()
    quote = db.ops.quote_name
    preparers = _preparers(fields, db)
    if db.vendor == "postgresql":
        # The ids first, from the table's own sequence, then COPY: 10,000 people in a fraction
        # of the INSERT ... RETURNING time (psycopg spent longer building those statements
        # than PostgreSQL running them).
        if any(obj.pk is None for obj in objs):
            _created(objs, _next_ids(model, len(objs)), db)
        as_is = all(p is None for p in preparers)
        _copy(
            db,
            meta.db_table,
            [pk.column, *(f.column for f in fields)],
            (
                (obj.pk, *values(obj)) if as_is else [obj.pk, *_prepared(values(obj), preparers)]
                for obj in objs
            ),
        )
        return
    per_statement = max(1, MAX_PARAMETERS // len(fields))
    row = "({})".format(", ".join(["%s"] * len(fields)))
    for start in range(0, len(objs), per_statement):
        batch = objs[start : start + per_statement]
        sql = "INSERT INTO {} ({}) VALUES {} RETURNING {}".format(  # noqa: S608 (model names)
            quote(meta.db_table),
            ", ".join(quote(f.column) for f in fields),
            ", ".join([row] * len(batch)),
            quote(pk.column),
        )
        params = [v for obj in batch for v in _prepared(values(obj), preparers)]
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            ids = [r[0] for r in cursor.fetchall()]
        _created(batch, ids, db)


def _next_ids(model: type[Model], count: int) -> list[int]:
    """`count` ids from the table's own sequence (PostgreSQL)."""
    meta = model._meta
    pk: Any = meta.pk
    with _connection().cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, count],
        )
        return [r[0] for r in cursor.fetchall()]


def _created(objs: Sequence[Any], ids: Sequence[int], db: Any) -> None:
    for obj, new_id in zip(objs, ids, strict=True):
        obj.pk = new_id
        if isinstance(obj, Model):
            obj._state.adding = False
            obj._state.db = db.alias


def _insert(model: type[Model], rows: list[dict[str, Any]]) -> None:
    """bulk_create for rows whose ids nobody needs back; rows map field names to values."""
    if not rows:
        return
    fields: list[Any] = [model._meta.get_field(name) for name in rows[0]]
    db = _connection()
    quote = db.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the model)
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    preparers = _preparers(fields, db)
    prepared = [_prepared(list(row.values()), preparers) for row in rows]
    if db.vendor == "postgresql":
        _copy(db, model._meta.db_table, [f.column for f in fields], prepared)
        return
    with db.cursor() as cursor:
        cursor.executemany(sql, prepared)


def _update(model: type[Model], objs: Sequence[Model], names: Sequence[str]) -> None:
    """bulk_update: these fields of these saved objects.

    On PostgreSQL, the ORM's upsert: 10,000 people updated on the million-people database in
    10.6-11.7 s against 15.7-18.7 s for the executemany below (load average 16;
    bench/RESULTS.md, section roster-branch). On SQLite the executemany stays (see above)."""
    if not objs:
        return
    db = _connection()
    if db.vendor == "postgresql":
        model._default_manager.bulk_create(
            objs, update_conflicts=True, unique_fields=["id"], update_fields=list(names)
        )
        return
    fields: list[Any] = [model._meta.get_field(name) for name in names]
    quote = db.ops.quote_name
    pk: Any = model._meta.pk
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 (names from the model)
        quote(model._meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(pk.column),
    )
    prepared = [
        [f.get_db_prep_save(getattr(obj, f.attname), db) for f in fields] + [obj.pk] for obj in objs
    ]
    with db.cursor() as cursor:
        cursor.executemany(sql, prepared)
