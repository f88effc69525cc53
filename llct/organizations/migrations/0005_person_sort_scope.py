from django.db import migrations, models


def scope_index(apps, schema_editor):
    """PostgreSQL: the people list's (sort_key, id) index also holds each person's organization
    and name words, so one page of a subtree or of a name search is found from the index alone
    (the rows are then read by id): a scan in name order that tests each entry against the
    subtree's organizations and the words typed never visits the table."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_sort_scope ON organizations_person "
        "(sort_key, id) INCLUDE (organization_id, search_words)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS person_sort_words")


def words_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_sort_words ON organizations_person "
        "(sort_key, id) INCLUDE (search_words)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS person_sort_scope")


class Migration(migrations.Migration):
    dependencies = [("organizations", "0004_stored_counts_search_and_exports")]

    operations = [
        migrations.RunPython(scope_index, words_index),
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(fields=["depth", "name", "id"], name="organization_picker_order"),
        ),
    ]
