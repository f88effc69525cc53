"""Position → required theory level (our default; editable in the app)."""

from django.db import migrations

REQUIREMENTS = [
    ("bí thư chi bộ", 1, "SC"),
    ("phó bí thư chi bộ", 1, "SC"),
    ("chi ủy viên", 1, "SC"),
    ("bí thư đảng ủy", 2, "TC"),
    ("phó bí thư đảng ủy", 2, "TC"),
    ("trưởng phòng", 2, "TC"),
    ("phó trưởng phòng", 2, "TC"),
]


def add(apps, schema_editor):
    Programme = apps.get_model("curriculum", "Programme")
    PositionRequirement = apps.get_model("planning", "PositionRequirement")
    for position, level, code in REQUIREMENTS:
        programme = Programme.objects.filter(code=code).first()
        if programme:
            PositionRequirement.objects.get_or_create(
                position=position, defaults={"required_level": level, "programme": programme}
            )


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_initial"), ("curriculum", "0002_default_programmes")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
