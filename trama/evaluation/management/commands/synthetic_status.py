"""`manage.py synthetic_status <id>`: where a queued synthetic dataset is (`generate_synthetic
--background`): its status, progress and last step, and the rows written once done; `--follow`
prints its progress lines until it ends (Ctrl-C stops following, not the job)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trama.evaluation import synthetic_jobs


class Command(BaseCommand):
    help = "Show (or follow) a synthetic dataset generation queued with generate_synthetic --background."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job_id", help="The id printed by generate_synthetic --background.")
        parser.add_argument("--follow", action="store_true", help="Print its progress until it ends.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not synthetic_jobs.broker_configured():
            raise CommandError("TRAMA_QUEUE_URL is not set: with no broker, generate_synthetic runs in-process.")
        job_id = options["job_id"]
        if options["follow"]:
            try:
                state = synthetic_jobs.follow(job_id, self.stdout.write)
            except KeyboardInterrupt:
                self.stdout.write("\nStopped following; the job goes on.")
                return
        else:
            state = synthetic_jobs.synthetic_state(job_id)
        if state is None:
            raise CommandError(f"No synthetic dataset job {job_id} on the queue (unknown, or expired).")
        step = f", {state.step}" if state.step else ""
        self.stdout.write(f"Job {state.job_id}: {state.status}, {state.progress}%{step}")
        if state.error:
            self.stdout.write(f"Refused: {state.error}")
        for label, count in sorted(state.counts.items()):
            self.stdout.write(f"  {label}: {count:,}")
        if state.status in ("failed", "stopped", "canceled"):
            raise CommandError(f"The job ended {state.status}.")
