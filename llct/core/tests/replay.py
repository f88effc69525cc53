"""Build a fixture's rows once per process, then replay its writes in every later test.

The shared `world` (root conftest) makes five organizations, seven accounts, two people and a
lecturer through the services: about 20 ms of a test's setup, for ~1,400 tests. Every test runs
in a transaction that is rolled back, so on SQLite each test starts from the same database, down to
the next id of every table (`sqlite_sequence` is rolled back too). The first build records each
write statement it runs; a later test that starts from that same state replays them (a few
milliseconds) and unpickles its own copy of the Python objects the first build returned: the
same rows, the same ids, and objects no earlier test has touched.

A test that starts from another state (another fixture wrote first, a transactional test flushed
the tables) gets a recording of its own, up to a few. On PostgreSQL (sequences are not rolled
back there, so the ids would differ) the fixture is simply built again.
"""

import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@dataclass
class _Recording:
    statements: list[tuple[str, Any, bool]]
    value: bytes  # the first build's objects, pickled: each test unpickles its own copy


def _state() -> tuple[tuple[str, int], ...]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, seq FROM sqlite_sequence ORDER BY name")
        return tuple(cursor.fetchall())


class _Recorder:
    def __init__(self) -> None:
        self.statements: list[tuple[str, Any, bool]] = []

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if many and params is not None:
            params = [tuple(row) for row in params]
        elif isinstance(params, Sequence) and not isinstance(params, str):
            params = tuple(params)
        if sql.lstrip()[:7].upper().startswith(WRITES):
            self.statements.append((sql, params, many))
        return execute(sql, params, many, context)


class Replayer[T]:
    """`Replayer(build)()`: the value of `build()`, built once per process and starting state on
    SQLite. A transactional test flushes the tables, so a process may meet a second state (empty
    tables): each gets its own recording."""

    MAX_STATES = 4

    def __init__(self, build: Callable[[], T]) -> None:
        self.build = build
        self.recordings: dict[tuple[tuple[str, int], ...], _Recording] = {}

    def __call__(self) -> T:
        if connection.vendor != "sqlite":
            return self.build()
        start = _state()
        recording = self.recordings.get(start)
        if recording is None:
            if len(self.recordings) >= self.MAX_STATES:
                return self.build()
            recorder = _Recorder()
            with connection.execute_wrapper(recorder):
                value = self.build()
            self.recordings[start] = _Recording(recorder.statements, pickle.dumps(value))
            return value
        with transaction.atomic(), connection.cursor() as cursor:
            for sql, params, many in recording.statements:
                if many:
                    cursor.executemany(sql, params)
                else:
                    cursor.execute(sql, params)
        replayed: T = pickle.loads(recording.value)  # noqa: S301 (our own bytes)
        return replayed
