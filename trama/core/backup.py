"""Backups and restore (S26), and the erasure journal that keeps erased people erased (S13).

A backup is one `.tar.gz`: the database (a consistent SQLite copy made with SQLite's backup API,
or `pg_dump --format=custom` of one snapshot), the uploaded files, and `manifest.json` saying when
it was taken, on which engine, the migration state, the row count of every table and the digest
of the audit chain — all computed from the very snapshot that was archived.

What a backup never holds: the keys (TRAMA_FIELD_ENCRYPTION_KEYS, TRAMA_PSEUDONYM_KEY,
DJANGO_SECRET_KEY live in the environment) and the erasure journal. The journal is a file outside
the database where every resolved erasure request is appended once its transaction commits;
restoring a backup replays the entries newer than the backup, so someone erased after it does not
come back (docs/operations.md, "Backups and restore").
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.db import connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone

from trama.accounts.audit_chain import ChainCheck, ChainState, audit_chain, verify_audit_chain

logger = logging.getLogger(__name__)

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA_DIR = "media"
# An erasure whose transaction was still open when the snapshot was taken carries a time a little
# before the backup's and is not in it: entries this much older than the backup are replayed too.
# Replaying an erasure the backup already holds changes nothing.
REPLAY_OVERLAP = timedelta(minutes=10)
# Filled by `migrate` itself: a freshly migrated database still counts as empty.
MIGRATION_FILLED = {"django_migrations", "django_content_type", "auth_permission"}
REFERENCE_MODELS = ("territory.Municipality", "network.TaxonomyTerm")
NOT_IN_BACKUP = ["DJANGO_SECRET_KEY", "TRAMA_FIELD_ENCRYPTION_KEYS", "TRAMA_PSEUDONYM_KEY", "the erasure journal"]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# --- The erasure journal -----------------------------------------------------------------------


def erasure_journal_path() -> Path:
    return Path(getattr(settings, "TRAMA_ERASURE_JOURNAL", settings.BASE_DIR / "erasure-journal.jsonl"))


def journal_erasure(person_public_id: uuid.UUID | str, mode: str, when: datetime) -> None:
    """Append this erasure to the journal once the surrounding transaction commits.

    Called by `people.services.person_erase` inside its transaction: a rolled-back erasure writes
    nothing. Only the opaque id, the mode and the time are written — never a name or the reason.
    """
    entry = {"at": when.astimezone(UTC).isoformat(), "person": str(person_public_id), "mode": mode}
    line = json.dumps(entry, separators=(",", ":")) + "\n"
    path = erasure_journal_path()
    transaction.on_commit(lambda: _append(path, line))


def _append(path: Path, line: str) -> None:
    created = not path.exists()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # several app servers on one volume append whole lines
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            _fsync_dir(path.parent)
    except OSError:
        # The erasure is committed but a restore would not know it: the operator must append
        # this line by hand (an opaque id, a mode, a time — nothing personal).
        logger.critical("Erasure journal %s not written; append this line to it: %s", path, line.strip())
        raise


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class JournalEntry:
    line: int
    at: datetime
    person: str
    mode: str


def read_journal(path: Path) -> tuple[list[JournalEntry], list[str]]:
    """The journal's entries in time order, and a note for every line that cannot be read."""
    from trama.people.services import ERASURE_MODES

    entries, problems = [], []
    if not path.exists():
        return [], []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
            entry = JournalEntry(
                line=number,
                at=datetime.fromisoformat(data["at"]),
                person=str(uuid.UUID(data["person"])),
                mode=data["mode"],
            )
        except (ValueError, KeyError, TypeError):
            problems.append(f"line {number}: not a journal entry")
            continue
        if entry.mode not in ERASURE_MODES or entry.at.tzinfo is None:
            problems.append(f"line {number}: unknown mode or time without zone")
            continue
        entries.append(entry)
    return sorted(entries, key=lambda entry: (entry.at, entry.line)), problems


@dataclass(frozen=True)
class Replayed:
    entry: JournalEntry
    result: str  # deleted, pseudonymised, pseudonymised-not-deletable, restricted, already, absent


def replay_erasures(entries: list[JournalEntry], *, since: datetime) -> list[Replayed]:
    """Apply again every erasure journaled at or after `since`, as the system (actor=None).

    Each one in its own transaction, through the same helpers as `person_erase`, with an audit row;
    a person already erased (or absent) is left as they are. A person the journal says was deleted
    but whom the restored data now counts (a case, an attendance) or protects (a volunteer's
    profile) is pseudonymised instead.
    """
    return [_replay(entry) for entry in entries if entry.at >= since]


def _replay(entry: JournalEntry) -> Replayed:
    from trama.accounts.audit import audit_record
    from trama.accounts.models import AuditEvent
    from trama.people import services
    from trama.people.models import Person

    with transaction.atomic():
        person = Person.objects.select_for_update().select_related("programme").filter(public_id=entry.person).first()
        if person is None:
            return Replayed(entry, "absent")
        if person.erased_at is not None or (entry.mode == services.RESTRICT and person.is_restricted):
            return Replayed(entry, "already")
        mode = entry.mode
        if mode == services.ERASE and not person_deletable(person):
            mode = services.PSEUDONYMISE
        audit_record(
            action=AuditEvent.Action.DELETE if mode == services.ERASE else AuditEvent.Action.UPDATE,
            actor=None,
            programme=person.programme,
            target=person,
            reason=f"erasure replayed after a restore: {entry.mode} of {entry.at.isoformat()}",
        )
        if mode == services.ERASE:
            services._delete(person)
            return Replayed(entry, "deleted")
        if mode == services.PSEUDONYMISE:
            services._pseudonymise(person)
            return Replayed(entry, "pseudonymised" if entry.mode == mode else "pseudonymised-not-deletable")
        person.is_restricted = True
        person.save(update_fields=["is_restricted", "updated_at"])
        return Replayed(entry, "restricted")


def person_deletable(person: Any) -> bool:
    """Whether `person_erase` can delete `person` outright: nothing counts them (its blockers)
    and no other record protects them from deletion (a volunteer's profile, a time-bank account)."""
    from trama.people.services import erasure_blockers

    if erasure_blockers(person):
        return False
    try:
        Collector(using=person._state.db or "default").collect([person])
    except (ProtectedError, RestrictedError):
        return False
    return True


# --- What a database holds -----------------------------------------------------------------------


def table_row_counts(using: str = "default") -> dict[str, int]:
    connection = connections[using]
    with connection.cursor() as cursor:
        counts = {}
        for name in sorted(connection.introspection.table_names(cursor)):
            # The names come from the database's own catalogue, quoted by the backend.
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608
            counts[name] = cursor.fetchone()[0]
    return counts


def data_tables_with_rows(using: str = "default") -> list[str]:
    """The tables holding rows other than those `migrate` writes by itself."""
    from django.apps import apps

    connection = connections[using]
    ignored = MIGRATION_FILLED | {apps.get_model(label)._meta.db_table for label in REFERENCE_MODELS}
    with connection.cursor() as cursor:
        found = []
        for name in sorted(set(connection.introspection.table_names(cursor)) - ignored):
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(name)} LIMIT 1")  # noqa: S608
            if cursor.fetchone() is not None:
                found.append(name)
    return found


def migration_state(using: str = "default") -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


def _describe(using: str) -> dict[str, Any]:
    return {
        "migrations": migration_state(using),
        "tables": table_row_counts(using),
        "audit_chain": audit_chain(using=using).as_dict(),
    }


# --- Backup ------------------------------------------------------------------------------------


def _engine(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def create_backup(output: Path, *, using: str = "default") -> dict[str, Any]:
    """Write the backup archive to `output` (readable by its owner only) and return its manifest."""
    engine = _engine(using)
    if connections[using].in_atomic_block:
        raise BackupError("Run the backup outside a transaction: it takes its own snapshot.")
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".trama-backup-", dir=output.parent) as work:
        dump = Path(work) / DATABASE_MEMBERS[engine]
        created_at = timezone.now()
        snapshot = _sqlite_snapshot_copy if engine == "sqlite" else _pg_snapshot_dump
        described = snapshot(using, dump)
        media = _media_listing()
        manifest = {
            "format": ARCHIVE_FORMAT,
            "created_at": created_at.astimezone(UTC).isoformat(),
            "engine": engine,
            "django": django.get_version(),
            "database": {"file": dump.name, "bytes": dump.stat().st_size, "sha256": _sha256(dump)},
            **described,
            "media": {key: value for key, value in media.items() if key not in {"paths", "root"}},
            "not_included": NOT_IN_BACKUP,
        }
        _write_archive(output, manifest, dump, media)
    return manifest


def _sqlite_snapshot_copy(using: str, target: Path) -> dict[str, Any]:
    """Describe and copy one snapshot while the application keeps writing: a read transaction is
    held across the description and SQLite's online backup, which reads through the read
    transaction already open on its source instead of starting a newer one."""
    connection = connections[using]
    connection.ensure_connection()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
        try:
            described = _describe(using)
            copy_db = sqlite3.connect(target)
            try:
                connection.connection.backup(copy_db)
                # One self-contained file in the archive, whatever the live database's journal mode.
                copy_db.execute("PRAGMA journal_mode=DELETE")
                copied = {
                    name: copy_db.execute(f"SELECT COUNT(*) FROM {quote(name)}").fetchone()[0]  # noqa: S608
                    for name in described["tables"]
                }
            finally:
                copy_db.close()
        finally:
            cursor.execute("COMMIT")
    if copied != described["tables"]:
        raise BackupError("The copy does not match the snapshot it was taken from: run the backup again.")
    return described


def _pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq's variables for pg_dump/pg_restore: the password never appears on a command line."""
    env = dict(os.environ)
    pairs = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
    }
    options = settings_dict.get("OPTIONS") or {}
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        pairs[f"PG{option.upper()}"] = options.get(option)
    env.update({name: str(value) for name, value in pairs.items() if value})
    return env


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client (postgresql-client).")
    return tool


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


def _pg_snapshot_dump(using: str, target: Path) -> dict[str, Any]:
    """Count, chain and dump one exported snapshot, so the manifest describes exactly the dump."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        described = _describe(using)
        command = [_pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={target}"]
        _run(command, _pg_environment(connection.settings_dict))
    return described


def _media_root() -> Path | None:
    """The uploads' directory, or None when they live in another storage (object storage)."""
    return Path(default_storage.location) if isinstance(default_storage, FileSystemStorage) else None


def _media_listing() -> dict[str, Any]:
    root = _media_root()
    if root is None:
        backend = settings.STORAGES["default"]["BACKEND"]
        return {"included": False, "reason": f"uploads are in {backend}: back them up with its own versioning"}
    paths = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()) if root.exists() else []
    files = {p.relative_to(root).as_posix(): {"bytes": p.stat().st_size, "sha256": _sha256(p)} for p in paths}
    total = sum(f["bytes"] for f in files.values())
    return {"included": True, "count": len(files), "bytes": total, "files": files, "paths": paths, "root": root}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_archive(output: Path, manifest: dict[str, Any], dump: Path, media: dict[str, Any]) -> None:
    partial = output.with_name(f".{output.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds personal data
    with os.fdopen(fd, "wb") as handle:
        with tarfile.open(fileobj=handle, mode="w:gz") as archive:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
            archive.addfile(info, fileobj=io.BytesIO(data))
            archive.add(dump, arcname=dump.name)
            for path in media.get("paths", []):
                archive.add(path, arcname=f"{MEDIA_DIR}/{path.relative_to(media['root']).as_posix()}")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, output)
    _fsync_dir(output.parent)


def read_manifest(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive, "r:gz") as tar:
        member = tar.extractfile(MANIFEST)
        if member is None:
            raise BackupError(f"{archive} has no {MANIFEST}: not a Trama backup.")
        manifest = json.loads(member.read())
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


# --- Restore -----------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    tables: dict[str, int]  # right after the restore, before migrations and the replay
    chain: ChainCheck
    media_restored: int = 0
    media_problems: list[str] = field(default_factory=list)
    migrated: list[str] = field(default_factory=list)

    def table_rows(self) -> list[tuple[str, int | None, int | None]]:
        expected = self.manifest["tables"]
        return [(name, expected.get(name), self.tables.get(name)) for name in sorted(set(expected) | set(self.tables))]

    @property
    def table_differences(self) -> list[str]:
        return [name for name, backup, restored in self.table_rows() if backup != restored]

    @property
    def replay_since(self) -> datetime:
        return datetime.fromisoformat(self.manifest["created_at"]) - REPLAY_OVERLAP


def restore_database(archive: Path, *, force: bool = False, using: str = "default") -> RestoreReport:
    """Restore the archive's database and uploads into the configured (empty) database, check the
    row counts and the audit chain against the manifest, and apply any newer migration.

    The erasure journal is replayed separately (`replay_erasures`), after this returns."""
    engine = _engine(using)
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("Run the restore outside a transaction.")
    manifest = read_manifest(archive)
    if manifest["engine"] != engine:
        raise BackupError(f"This is a {manifest['engine']} backup; the configured database is {engine}.")
    _check_migrations_known(manifest, force=force)
    _check_empty(using, manifest, force=force)
    with tempfile.TemporaryDirectory(prefix=".trama-restore-") as work:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(work, filter="data")
        dump = Path(work) / manifest["database"]["file"]
        if _sha256(dump) != manifest["database"]["sha256"]:
            raise BackupError("The database file in the archive does not match its checksum: the archive is damaged.")
        if engine == "sqlite":
            _sqlite_restore(using, dump)
        else:
            connection.close()
            command = [
                *(_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges"),
                *("--single-transaction", f"--dbname={connection.settings_dict['NAME']}", str(dump)),
            ]
            _run(command, _pg_environment(connection.settings_dict))
        report = RestoreReport(
            manifest=manifest,
            tables=table_row_counts(using),
            chain=verify_audit_chain(ChainState.from_dict(manifest["audit_chain"]), using=using),
        )
        _restore_media(Path(work) / MEDIA_DIR, manifest["media"], report)
    report.migrated = _migrate(using)
    return report


def _check_migrations_known(manifest: dict[str, Any], *, force: bool) -> None:
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    applied = [(app, name) for app, names in manifest["migrations"].items() for name in names]
    unknown = [f"{app}.{name}" for app, name in applied if (app, name) not in on_disk]
    if unknown and not force:
        raise BackupError(
            "The backup was taken by a newer version of Trama (unknown migrations: "
            + ", ".join(unknown[:5])
            + "): restore it with that version."
        )


def _check_empty(using: str, manifest: dict[str, Any], *, force: bool) -> None:
    if force:
        return
    tables = data_tables_with_rows(using)
    if tables:
        raise BackupError(
            "The configured database is not empty (rows in "
            + ", ".join(tables[:5])
            + (", …" if len(tables) > 5 else "")
            + "): restore into a fresh database, or pass --force to replace its contents."
        )
    root = _media_root()
    if manifest["media"]["included"] and root is not None and any(p.is_file() for p in root.rglob("*")):
        raise BackupError(f"The uploads directory {root} is not empty: use a fresh one, or pass --force.")


def _sqlite_restore(using: str, dump: Path) -> None:
    """Copy the archived file into place through SQLite's backup API: page by page into the live
    connection, so a WAL or an open connection cannot leave a half-old database behind."""
    connection = connections[using]
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _restore_media(extracted: Path, media: dict[str, Any], report: RestoreReport) -> None:
    root = _media_root()
    if not media["included"]:
        return
    if root is None:
        report.media_problems.append("the backup holds uploaded files but the storage is not a local directory")
        return
    for name, expected in media["files"].items():
        source = extracted / name
        if not source.is_file() or _sha256(source) != expected["sha256"]:
            report.media_problems.append(f"{name}: missing or damaged in the archive")
            continue
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        report.media_restored += 1


def _migrate(using: str) -> list[str]:
    """Bring a backup taken by an older version up to this code, so the replay can use it."""
    connection = connections[using]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return []
    call_command("migrate", database=using, interactive=False, verbosity=0)
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
