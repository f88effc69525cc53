"""Public holidays of 2026-2027 (our default; the department keeps the calendar in the app)."""

import datetime as dt

from django.db import migrations

HOLIDAYS = [
    (dt.date(2026, 1, 1), "Tết Dương lịch"),
    *[(dt.date(2026, 2, d), "Nghỉ Tết Nguyên đán") for d in range(16, 21)],
    (dt.date(2026, 4, 27), "Giỗ Tổ Hùng Vương (nghỉ bù)"),
    (dt.date(2026, 4, 30), "Ngày Giải phóng miền Nam, thống nhất đất nước"),
    (dt.date(2026, 5, 1), "Ngày Quốc tế Lao động"),
    (dt.date(2026, 9, 1), "Quốc khánh"),
    (dt.date(2026, 9, 2), "Quốc khánh"),
    (dt.date(2027, 1, 1), "Tết Dương lịch"),
    *[(dt.date(2027, 2, d), "Nghỉ Tết Nguyên đán") for d in range(5, 11)],
    (dt.date(2027, 4, 16), "Giỗ Tổ Hùng Vương"),
    (dt.date(2027, 4, 30), "Ngày Giải phóng miền Nam, thống nhất đất nước"),
    (dt.date(2027, 5, 1), "Ngày Quốc tế Lao động"),
    (dt.date(2027, 9, 2), "Quốc khánh"),
    (dt.date(2027, 9, 3), "Quốc khánh"),
]


def add_holidays(apps, schema_editor):
    Holiday = apps.get_model("courses", "Holiday")
    for date, name in HOLIDAYS:
        Holiday.objects.get_or_create(date=date, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("courses", "0002_initial")]
    operations = [migrations.RunPython(add_holidays, migrations.RunPython.noop)]
