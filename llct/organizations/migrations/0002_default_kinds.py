from django.db import migrations

KINDS = [
    ("tinh", "Đảng bộ tỉnh", 10, False),
    ("truc_thuoc", "Đảng ủy trực thuộc", 20, False),
    ("dang_bo_co_so", "Đảng bộ cơ sở", 30, True),
    ("dang_bo_bo_phan", "Đảng bộ bộ phận", 35, False),
    ("chi_bo_co_so", "Chi bộ cơ sở", 40, True),
    ("chi_bo_truc_thuoc", "Chi bộ trực thuộc", 50, False),
]


def add_kinds(apps, schema_editor):
    OrganizationKind = apps.get_model("organizations", "OrganizationKind")
    for code, name, rank, grassroots in KINDS:
        OrganizationKind.objects.update_or_create(
            code=code, defaults={"name": name, "rank": rank, "is_grassroots": grassroots}
        )


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]
    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
