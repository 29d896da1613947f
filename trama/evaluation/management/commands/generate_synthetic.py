"""`manage.py generate_synthetic`: a regional-scale synthetic dataset (issue 8, "Scale").

    manage.py generate_synthetic                  # 50 programmes, 1,000,000 people, 300,000 households,
                                                  # 10,000,000 attendances (PostgreSQL: a few minutes)
    manage.py generate_synthetic --scale 0.01     # a hundredth of it
    manage.py generate_synthetic --people 5000 --attendances 40000 --seed 3
    manage.py generate_synthetic --background     # on the job queue (TRAMA_QUEUE_URL), followed here
    manage.py generate_synthetic --background --no-wait   # queued; follow with `synthetic_status <id>`

It refuses a database that holds real (non-synthetic) records unless --force, and a database that
already holds the synthetic dataset of the same seed (checked here, and again by the worker). With
no broker configured, --background runs in this process, as without it. Ctrl-C while following a
queued generation stops the following, not the generation.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trama.evaluation import synthetic, synthetic_jobs


class Command(BaseCommand):
    help = "Generate a regional-scale synthetic dataset for benchmarks (never on a database with real data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="Multiply the default sizes (e.g. 0.01).")
        parser.add_argument("--programmes", type=int, help="Number of programmes (overrides --scale).")
        parser.add_argument("--people", type=int, help="Number of people (overrides --scale).")
        parser.add_argument("--households", type=int, help="Number of households (overrides --scale).")
        parser.add_argument("--attendances", type=int, help="Number of attendance records (overrides --scale).")
        parser.add_argument("--seed", type=int, default=8, help="Seed of the random numbers (same seed, same data).")
        parser.add_argument(
            "--force", action="store_true", help="Run even though the database holds non-synthetic records."
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="Run it on the job queue (TRAMA_QUEUE_URL) and follow its progress; in this process if none.",
        )
        parser.add_argument(
            "--no-wait", action="store_true", help="With --background: queue it and return at once (print its id)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"] <= 0:
            raise CommandError("--scale must be positive.")
        try:
            sizes = synthetic.Sizes.scaled(
                options["scale"],
                programmes=options["programmes"],
                people=options["people"],
                households=options["households"],
                attendances=options["attendances"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        reason = synthetic_jobs.refusal(options["seed"], force=options["force"])
        if reason:
            raise CommandError(reason)
        verbosity = options["verbosity"]

        def report(line: str) -> None:
            if verbosity >= 1:
                self.stdout.write(line)
                self.stdout.flush()

        report(
            f"Generating {sizes.programmes:,} programmes, {sizes.people:,} people, {sizes.households:,} households, "
            f"{sizes.attendances:,} attendances (seed {options['seed']})…"
        )
        queued = options["background"] or options["no_wait"]
        if queued and synthetic_jobs.broker_configured():
            counts = self._queued(sizes, options, report)
        else:
            if queued:
                report("No job queue is configured (TRAMA_QUEUE_URL): generating in this process.")
            counts = synthetic.generate(sizes, seed=options["seed"], report=report)
        if verbosity >= 2:
            for label, count in sorted(counts.items()):
                self.stdout.write(f"  {label}: {count:,}")

    def _queued(self, sizes: synthetic.Sizes, options: dict[str, Any], report: Any) -> dict[str, int]:
        job_id = synthetic_jobs.enqueue_synthetic(sizes, seed=options["seed"], force=options["force"])
        follow_hint = f"manage.py synthetic_status {job_id} --follow"
        if options["no_wait"]:
            self.stdout.write(f"Queued as job {job_id}. Follow it with: {follow_hint}")
            return {}
        report(f"Queued as job {job_id}; following it (Ctrl-C stops following, not the job).")
        try:
            state = synthetic_jobs.follow(job_id, report)
        except KeyboardInterrupt:
            self.stdout.write(f"\nStopped following; the job goes on. Follow it again with: {follow_hint}")
            return {}
        if state is None:
            raise CommandError(f"The queue no longer knows job {job_id}.")
        if state.status != "finished":
            raise CommandError(
                f"The synthetic dataset job {job_id} ended {state.status}: "
                f"{state.error or 'see the worker log (manage.py run_jobs).'}"
            )
        return state.counts
