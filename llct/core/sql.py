"""Database session settings for the long jobs."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection as default_connection


@contextmanager
def without_jit(connection: Any = default_connection) -> Iterator[None]:
    """PostgreSQL compiles a query it deems costly (a province-wide rule, the export of every
    person) to machine code first: measured at 1-2 s of compiling per query for a run that
    takes a fraction of that. The long jobs switch it off for their own statements; elsewhere
    nothing changes."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET jit")
