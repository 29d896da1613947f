"""The background worker: runs the jobs queued on Redis (`TRAMA_QUEUE_URL`). Run one or more of
these beside the app servers (systemd, see docs/operations.md); `--burst` empties the queue and
exits (CI's smoke run)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the background worker of Trama's job queue (needs TRAMA_QUEUE_URL)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--burst", action="store_true", help="Run the queued jobs, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.TRAMA_QUEUE_URL:
            raise CommandError("TRAMA_QUEUE_URL is not set: with no broker, jobs run in-process.")
        from rq import Queue, SimpleWorker

        from trama.jobs.queue import QUEUE_NAME, queue_connection

        connection = queue_connection()
        # SimpleWorker runs jobs in this process (no fork): Django's database connections and
        # settings stay as they are, and the job closes its connection when done.
        worker = SimpleWorker([Queue(QUEUE_NAME, connection=connection)], connection=connection)
        worker.work(burst=options["burst"], with_scheduler=False)
