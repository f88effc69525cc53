from decimal import Decimal

from django.db import migrations

NORMS = [
    ("session", 1, Decimal("4"), "DOMAIN: buổi giảng nửa ngày = 4 giờ chuẩn (our default)"),
    ("lecture", 1, Decimal("4"), "Buổi giảng, báo cáo ngoài các lớp của hệ thống (our default)"),
    ("essays", 10, Decimal("1"), "DOMAIN: chấm 10 bài thu hoạch = 1 giờ chuẩn (our default)"),
    ("field_trip", 1, Decimal("4"), "Đi thực tế một buổi = 4 giờ chuẩn (our default)"),
]
MINIMUMS = [
    ("part_time", Decimal("20"), Decimal("0"), "Giảng viên kiêm chức: 20 giờ chuẩn (our default)"),
    ("director", Decimal("40"), Decimal("30"), "QĐ 1853-QĐ/BTGTW (2010), our default"),
    ("deputy", Decimal("60"), Decimal("40"), "QĐ 1853-QĐ/BTGTW (2010), our default"),
    ("lecturer", Decimal("120"), Decimal("90"), "QĐ 1853-QĐ/BTGTW (2010), our default"),
]


def add_defaults(apps, schema_editor):
    WorkNorm = apps.get_model("corps", "WorkNorm")
    HoursMinimum = apps.get_model("corps", "HoursMinimum")
    for kind, units, hours, source in NORMS:
        WorkNorm.objects.get_or_create(
            kind=kind, defaults={"units": units, "hours": hours, "source": source}
        )
    for post, hours, lecturing, source in MINIMUMS:
        HoursMinimum.objects.get_or_create(
            post=post, defaults={"hours": hours, "lecturing_hours": lecturing, "source": source}
        )


class Migration(migrations.Migration):
    dependencies = [("corps", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
