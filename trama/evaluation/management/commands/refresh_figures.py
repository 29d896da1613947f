"""`manage.py refresh_figures`: store tonight the side-by-side figures every funder sees first
tomorrow (run by deploy/trama-daily.service), so that no funder waits for fifty programmes to be
computed. Figures of programmes that change during the day are recomputed when next viewed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from trama.evaluation import selectors


class Command(BaseCommand):
    help = "Compute and store the figures of the funders' view across programmes for today's default period."

    def handle(self, *args: Any, **options: Any) -> None:
        for count, period in selectors.refresh_across_figures():
            self.stdout.write(f"{count} programmes, {period.start:%d/%m/%Y}–{period.end:%d/%m/%Y}: figures stored")
