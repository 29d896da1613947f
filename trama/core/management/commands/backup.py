from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from trama.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online copy or pg_dump) and the uploaded files into one .tar.gz "
        "with a manifest. The keys and the erasure journal are not in it: see docs/operations.md."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="Archive to write (default: trama-backup-<UTC time>.tar.gz in the current directory).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"] or Path(f"trama-backup-{timezone.now():%Y%m%dT%H%M%SZ}.tar.gz")
        try:
            manifest = create_backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        tables, chain, media = manifest["tables"], manifest["audit_chain"], manifest["media"]
        self.stdout.write(self.style.SUCCESS(f"Backup written: {output.resolve()} ({output.stat().st_size:,} bytes)"))
        self.stdout.write(f"  taken at       {manifest['created_at']} ({manifest['engine']})")
        self.stdout.write(f"  tables         {len(tables)}, {sum(tables.values()):,} rows")
        self.stdout.write(f"  audit trail    {chain['count']:,} rows, sha256 {chain['digest']}")
        if media["included"]:
            self.stdout.write(f"  uploaded files {media['count']:,} ({media['bytes']:,} bytes)")
        else:
            self.stdout.write(self.style.WARNING(f"  uploaded files not included: {media['reason']}"))
        self.stdout.write("  not included   " + ", ".join(manifest["not_included"]) + " — keep them safe separately.")
