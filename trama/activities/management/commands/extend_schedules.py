"""Keep open-ended schedules a year ahead: run daily (cron or a systemd timer, see README.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from trama.activities.services import schedules_extend


class Command(BaseCommand):
    help = "Expand the recurring activities' schedules up to a year ahead of today (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        added = schedules_extend()
        self.stdout.write(f"{added} dates added.")
