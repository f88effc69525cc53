"""A migrated SQLite test database, made once and copied into each test process.

Every pytest process (each xdist worker) creates its in-memory test database and would run all
migrations into it: seconds on a quiet machine, minutes on a loaded one. Instead the first run
migrates once and keeps a copy in var/test-db/, named by a hash of every installed app's
migration files (and Django's and SQLite's versions); later runs, and the other workers, copy it
into their in-memory database with SQLite's backup API (the first one migrates, under a
file lock, while the others wait for its copy). A changed migration changes the hash, so
a stale copy is never used. PostgreSQL runs migrate as usual.
"""

import fcntl
import hashlib
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django
from django.apps import apps
from django.conf import settings
from django.db import connections


def _fingerprint() -> str:
    digest = hashlib.sha256(f"{django.__version__} {sqlite3.sqlite_version}".encode())
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        digest.update(config.label.encode())
        folder = Path(config.path) / "migrations"
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached_migrate(original: Callable[..., Any]) -> Callable[..., Any]:
    """`call_command` that serves `migrate` of an in-memory SQLite database from the copy."""

    def call_command(name: Any, *args: Any, **options: Any) -> Any:
        connection = connections[options.get("database", "default")]
        if name != "migrate" or connection.vendor != "sqlite" or not connection.is_in_memory_db():
            return original(name, *args, **options)
        folder = Path(settings.BASE_DIR) / "var" / "test-db"
        copy = folder / f"migrated-{_fingerprint()}.sqlite3"
        connection.ensure_connection()
        live = connection.connection
        folder.mkdir(parents=True, exist_ok=True)
        # One process migrates while the others wait for its copy: two processes migrating at
        # once on two cores take longer than one migrating alone.
        with open(folder / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if copy.exists():
                source = sqlite3.connect(copy)
                try:
                    source.backup(live)
                finally:
                    source.close()
                return None
            result = original(name, *args, **options)
            partial = folder / f".{copy.name}.{os.getpid()}"
            target = sqlite3.connect(partial)
            try:
                live.backup(target)
            finally:
                target.close()
            os.replace(partial, copy)  # atomic: a process reading it sees all or nothing
        print(f"\nSaved the migrated test database as {copy}", file=sys.stderr)
        return result

    return call_command
