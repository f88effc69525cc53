"""PostgreSQL: two indexes of the people table that no query uses, dropped so that every person
written (ten thousand at a time by a roster import) updates two fewer indexes.

- `person_sort` (sort_key, id): `person_sort_scope` (0005) has the same keys, with the person's
  organization and name words included, and serves every query `person_sort` served.
  SQLite keeps `person_sort` (it has no `person_sort_scope`).
- The `varchar_pattern_ops` index Django adds beside a unique text column, for LIKE on card
  numbers: nothing searches card numbers by pattern (they are matched whole, by the unique
  index).
"""

from django.db import migrations


def _like_indexes(cursor):
    cursor.execute(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'organizations_person' "
        "AND indexdef LIKE '%%party_card_no varchar_pattern_ops%%'"
    )
    return [row[0] for row in cursor.fetchall()]


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        names = _like_indexes(cursor)
    for name in ["person_sort", *names]:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def restore(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_sort ON organizations_person (sort_key, id)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS organizations_person_party_card_no_like "
        "ON organizations_person (party_card_no varchar_pattern_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [("organizations", "0007_person_name_birth")]

    operations = [migrations.RunPython(drop, restore)]
