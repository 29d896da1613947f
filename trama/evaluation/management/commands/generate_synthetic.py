"""`manage.py generate_synthetic`: a regional-scale synthetic dataset (issue 8, "Scale").

    manage.py generate_synthetic                  # 50 programmes, 1,000,000 people, 300,000 households,
                                                  # 10,000,000 attendances (PostgreSQL: a few minutes)
    manage.py generate_synthetic --scale 0.01     # a hundredth of it
    manage.py generate_synthetic --people 5000 --attendances 40000 --seed 3

It refuses a database that holds real (non-synthetic) records unless --force, and a database that
already holds the synthetic dataset of the same seed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trama.evaluation import synthetic


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
        if synthetic.real_data_present() and not options["force"]:
            raise CommandError(
                "This database holds real (non-synthetic) records: generate the synthetic dataset in an empty "
                "database, or pass --force if you are sure."
            )
        if synthetic.synthetic_present(options["seed"]):
            raise CommandError(f"The synthetic dataset of seed {options['seed']} is already here: use another seed.")
        verbosity = options["verbosity"]

        def report(line: str) -> None:
            if verbosity >= 1:
                self.stdout.write(line)
                self.stdout.flush()

        report(
            f"Generating {sizes.programmes:,} programmes, {sizes.people:,} people, {sizes.households:,} households, "
            f"{sizes.attendances:,} attendances (seed {options['seed']})…"
        )
        counts = synthetic.generate(sizes, seed=options["seed"], report=report)
        if verbosity >= 2:
            for label, count in sorted(counts.items()):
                self.stdout.write(f"  {label}: {count:,}")
