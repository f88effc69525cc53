"""Dates in SQL, the same on SQLite and PostgreSQL."""

from typing import Any

from django.db.models import F, Value
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear


def date_key(expression: Any) -> Any:
    """A date as the integer yyyymmdd, on SQLite and PostgreSQL alike.

    "ends on or before admission + 12 months" is `key(end) <= key(admission) + 10000`: adding
    a year to yyyymmdd is adding months the way `add_months` does, clamping included (a date's
    day never exceeds its month's last day, so 29/02 + 12 months compares as 28/02 would)."""
    if isinstance(expression, str):
        expression = F(expression)
    year = ExtractYear(expression) * Value(10000)
    return year + ExtractMonth(expression) * Value(100) + ExtractDay(expression)
