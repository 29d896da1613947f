from __future__ import annotations

from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from trama.core.demo import STEPS


class Command(BaseCommand):
    help = "Load the demo data of the three seed programmes (idempotent) and print the demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")
        parser.add_argument(
            "--only",
            default="",
            help="Comma-separated steps to run (e.g. programmes,network,users); all of them by default: "
            + ", ".join(step.rsplit(".", 1)[-1] for step in STEPS),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("it")
        wanted = {name.strip() for name in options["only"].split(",") if name.strip()}
        unknown = wanted - {step.rsplit(".", 1)[-1] for step in STEPS}
        if unknown:
            raise CommandError(f"Unknown demo steps: {', '.join(sorted(unknown))}")
        for step in STEPS:
            if wanted and step.rsplit(".", 1)[-1] not in wanted:
                continue
            import_module(step).load(lambda line: self.stdout.write(f"  {line}"))
        if options["quiet_logins"]:
            return
        from trama.core.demo.users import DEMO_PASSWORD, logins

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo logins — password for all: " + DEMO_PASSWORD))
        for programme, role, email in logins():
            self.stdout.write(f"  {programme:<40} {role:<28} {email}")
        self.stdout.write("")
