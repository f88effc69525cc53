"""Backups of the database and the uploaded files, and their restore.

A backup is one tar file, `llct-YYYYMMDD-HHMMSS.tar`, holding:
- `database.dump` (PostgreSQL: `pg_dump --format=custom`) or `database.sqlite3` (SQLite: the
  online backup API, a consistent copy while the site runs);
- `media.tar`: every file under MEDIA_ROOT;
- `manifest.json`: when, which database, the row count of every table and the SHA-256 of every
  file, taken from the same snapshot as the dump, so that a restore can prove it is complete.

A restore replaces the database and MEDIA_ROOT with the backup's, then checks the row counts and
the files' checksums against the manifest."""

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

FORMAT = 1
PREFIX = "llct-"


class BackupError(Exception):
    pass


@dataclass
class BackupInfo:
    path: Path
    tables: dict[str, int]
    files: dict[str, str]


def _tables() -> list[str]:
    names = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    existing = set(connection.introspection.table_names())
    return sorted(names & existing)


def _count(cursor: Any, tables: list[str]) -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (model tables)
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def media_checksums(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): _sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = {**os.environ}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[name] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _run(args: list[str]) -> None:
    result = subprocess.run(  # noqa: S603 (pg tools with our own arguments)
        args, env=_pg_env(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{args[0]} failed: {result.stderr.strip()[-2000:]}")


def _dump_postgresql(target: Path) -> dict[str, int]:
    """pg_dump from the snapshot in which the rows are counted: the counts describe the dump."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _count(cursor, _tables())
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-acl",
                f"--snapshot={snapshot}",
                f"--file={target}",
                str(connection.settings_dict["NAME"]),
            ]
        )
    return counts


def _dump_sqlite(target: Path) -> dict[str, int]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        return _count(cursor, _tables())
    finally:
        copy.close()


def backup_create(*, directory: Path, now: dt.datetime | None = None) -> BackupInfo:
    now = now or timezone.now()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{PREFIX}{timezone.localtime(now):%Y%m%d-%H%M%S}.tar"
    final = directory / name
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=directory, prefix=".partial-") as work:
        staging = Path(work)
        if connection.vendor == "postgresql":
            database_file = staging / "database.dump"
            tables = _dump_postgresql(database_file)
        elif connection.vendor == "sqlite":
            database_file = staging / "database.sqlite3"
            tables = _dump_sqlite(database_file)
        else:
            raise BackupError(f"no backup for {connection.vendor}")
        # The files after the database: every file the dump refers to is there.
        files = media_checksums(media_root)
        with tarfile.open(staging / "media.tar", "w") as media:
            for relative in files:
                media.add(media_root / relative, arcname=relative)
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "vendor": connection.vendor,
            "database_file": database_file.name,
            "tables": tables,
            "files": files,
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1))
        partial = staging / name
        with tarfile.open(partial, "w") as bundle:
            for member in ("manifest.json", database_file.name, "media.tar"):
                bundle.add(staging / member, arcname=member)
        os.replace(partial, final)  # a backup file exists only once complete
    return BackupInfo(path=final, tables=tables, files=files)


def backup_prune(*, directory: Path, keep: int) -> list[Path]:
    backups = sorted(directory.glob(f"{PREFIX}*.tar"))
    old = backups[:-keep] if keep > 0 else []
    for path in old:
        path.unlink()
    return old


@contextmanager
def _unpacked(path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    with tempfile.TemporaryDirectory(prefix="llct-restore-") as work:
        staging = Path(work)
        with tarfile.open(path) as bundle:
            bundle.extractall(staging, filter="data")
        try:
            manifest = json.loads((staging / "manifest.json").read_text())
        except FileNotFoundError:
            raise BackupError(f"{path} is not an LLCT backup (no manifest)") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"unknown backup format {manifest.get('format')}")
        yield staging, manifest


def _restore_postgresql(dump: Path) -> None:
    connections.close_all()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ]
    )


def _restore_sqlite(copy: Path) -> None:
    source = sqlite3.connect(copy)
    try:
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()


def _restore_media(media_tar: Path, root: Path) -> None:
    """The new files go in beside the old ones, then take their place in two renames."""
    root.parent.mkdir(parents=True, exist_ok=True)
    incoming = Path(tempfile.mkdtemp(dir=root.parent, prefix=f".{root.name}-restore-"))
    with tarfile.open(media_tar) as media:
        media.extractall(incoming, filter="data")
    if root.exists():
        previous = root.with_name(f".{root.name}-before-restore")
        shutil.rmtree(previous, ignore_errors=True)
        root.rename(previous)
        incoming.rename(root)
        shutil.rmtree(previous)
    else:
        incoming.rename(root)


def backup_restore(*, path: Path) -> BackupInfo:
    media_root = Path(settings.MEDIA_ROOT)
    with _unpacked(path) as (staging, manifest):
        if manifest["vendor"] != connection.vendor:
            raise BackupError(
                f"the backup is of {manifest['vendor']}, this site runs on {connection.vendor}"
            )
        database_file = staging / manifest["database_file"]
        if connection.vendor == "postgresql":
            _restore_postgresql(database_file)
        else:
            _restore_sqlite(database_file)
        _restore_media(staging / "media.tar", media_root)
    with connection.cursor() as cursor:
        tables = _count(cursor, sorted(manifest["tables"]))
    files = media_checksums(media_root)
    if tables != manifest["tables"]:
        wrong = sorted(t for t in tables if tables[t] != manifest["tables"].get(t))
        raise BackupError(f"row counts differ after the restore: {', '.join(wrong)}")
    if files != manifest["files"]:
        raise BackupError("uploaded files differ from the backup after the restore")
    return BackupInfo(path=path, tables=tables, files=files)


def backup_describe(*, path: Path) -> dict[str, Any]:
    with tarfile.open(path) as bundle:
        member = bundle.extractfile("manifest.json")
        if member is None:
            raise BackupError(f"{path} is not an LLCT backup")
        manifest: dict[str, Any] = json.load(io.TextIOWrapper(member))
    return manifest
