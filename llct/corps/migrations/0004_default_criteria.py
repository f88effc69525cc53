from django.db import migrations

CRITERIA = [
    "Vận dụng kiến thức đã học vào công tác",
    "Phẩm chất chính trị, đạo đức, lối sống",
    "Vai trò trong sinh hoạt chi bộ",
]


def add_defaults(apps, schema_editor):
    FollowUpCriterion = apps.get_model("corps", "FollowUpCriterion")
    if not FollowUpCriterion.objects.exists():
        for order, label in enumerate(CRITERIA, start=1):
            FollowUpCriterion.objects.create(label=label, order=order)


class Migration(migrations.Migration):
    dependencies = [("corps", "0003_follow_up")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
