from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from trama.core.backup import (
    BackupError,
    RestoreReport,
    erasure_journal_path,
    read_journal,
    replay_erasures,
    restore_database,
)


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured, empty database, check it against "
        "the manifest (row counts, audit chain), then erase again everyone erased after the backup."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", type=Path, help="The .tar.gz written by `manage.py backup`.")
        parser.add_argument(
            "--force", action="store_true", help="Replace the contents of a database that is not empty."
        )
        parser.add_argument(
            "--journal",
            type=Path,
            help="The erasure journal to replay (default: the TRAMA_ERASURE_JOURNAL setting).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        journal = options["journal"] or erasure_journal_path()
        if not options["archive"].is_file():
            raise CommandError(f"No such backup: {options['archive']}")
        try:
            report = restore_database(options["archive"], force=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self._print_checks(report)
        entries, problems = read_journal(journal)
        replayed = replay_erasures(entries, since=report.replay_since)
        if not journal.exists():
            self.stdout.write(self.style.WARNING(f"No erasure journal at {journal}: no erasure replayed."))
        else:
            self.stdout.write(f"Erasure journal {journal}: {len(entries)} entries, {len(replayed)} replayed")
        for item in replayed:
            self.stdout.write(
                f"  {item.entry.at.isoformat()}  {item.entry.person}  {item.entry.mode:<13} {item.result}"
            )
        failures = [f"table {name}" for name in report.table_differences]
        failures += [f"audit trail: {report.chain.problem}"] if not report.chain.ok else []
        failures += [f"uploaded file {problem}" for problem in report.media_problems]
        failures += [f"erasure journal {problem}" for problem in problems]
        if failures:
            raise CommandError("The restore finished with differences: " + "; ".join(failures))
        self.stdout.write(self.style.SUCCESS("Restore complete and verified."))

    def _print_checks(self, report: RestoreReport) -> None:
        manifest = report.manifest
        self.stdout.write(f"Restored the backup of {manifest['created_at']} ({manifest['engine']}).")
        self.stdout.write(
            f"  tables         {len(report.tables)}, {len(report.table_differences)} with other row counts"
        )
        for name, backup, restored in report.table_rows():
            if backup != restored:
                self.stdout.write(self.style.ERROR(f"    {name}: {backup} in the backup, {restored} restored"))
        chain = report.chain
        verdict = "same digest" if chain.ok else chain.problem
        self.stdout.write(f"  audit trail    {chain.found.count:,} rows up to id {chain.expected.last_id}: {verdict}")
        self.stdout.write(f"  uploaded files {report.media_restored} restored")
        if report.migrated:
            self.stdout.write(f"  migrations     applied {len(report.migrated)}: {', '.join(report.migrated)}")
