"""Writing the checked rows: people in bulk, their history rows and the audit trail."""

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
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
from llct.organizations.roster.checking import RosterAnalysis
from llct.organizations.services import is_history, stage_date, transfer_event

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
    total = len(analysis.to_create) + len(analysis.to_update)
    done = 0

    created = [c.person for c in analysis.to_create]
    for person in created:
        person.created_at = person.updated_at = now
    for start in range(0, len(created), BATCH_SIZE):
        batch = created[start : start + BATCH_SIZE]
        _create(Person, batch)
        done += len(batch)
        progress(done, total)
    updated = [u.person for u in analysis.to_update]
    fields = {c["field"] for u in analysis.to_update for c in u.changes}
    for person in updated:
        person.updated_at = now
    for start in range(0, len(updated), BATCH_SIZE):
        batch = updated[start : start + BATCH_SIZE]
        _update(Person, batch, sorted(fields | {"search_key", "sort_key", "updated_at"}))
        done += len(batch)
        progress(done, total)

    cutover_on = MembershipRules.current().cutover_on

    def stage_row(person: Person) -> dict[str, Any]:
        effective_on = stage_date(person, today)
        return {
            "person_id": person.pk,
            "stage": person.stage,
            "effective_on": effective_on,
            "note": note,
            "actor_id": actor_id,
            "as_history": is_history(effective_on, cutover_on=cutover_on),
        }

    def level_row(person: Person) -> dict[str, Any]:
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
    moved: Counter[int] = Counter(p.organization_id for p in created)
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


def _create(model: type[Model], objs: Sequence[Model]) -> None:
    """bulk_create for new rows whose ids are needed back: sets each object's pk, in order
    (as bulk_create does on SQLite 3.35+ and PostgreSQL, from the same RETURNING)."""
    if not objs:
        return
    meta = model._meta
    pk: Any = meta.pk
    fields: list[Any] = [f for f in meta.concrete_fields if not f.primary_key]
    db = _connection()
    quote = db.ops.quote_name
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
        params = [f.get_db_prep_save(getattr(obj, f.attname), db) for obj in batch for f in fields]
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            ids = [r[0] for r in cursor.fetchall()]
        for obj, new_id in zip(batch, ids, strict=True):
            obj.pk = new_id
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
    prepared = [
        [f.get_db_prep_save(value, db) for f, value in zip(fields, row.values(), strict=True)]
        for row in rows
    ]
    with db.cursor() as cursor:
        cursor.executemany(sql, prepared)


def _update(model: type[Model], objs: Sequence[Model], names: Sequence[str]) -> None:
    """bulk_update: these fields of these saved objects."""
    if not objs:
        return
    fields: list[Any] = [model._meta.get_field(name) for name in names]
    db = _connection()
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
