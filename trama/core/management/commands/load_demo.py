from __future__ import annotations

from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from trama.core.demo import STEPS


class Command(BaseCommand):
    help = "Load the demo data of the three seed programmes (idempotent) and print the demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("it")
        for step in STEPS:
            import_module(step).load(lambda line: self.stdout.write(f"  {line}"))
        if options["quiet_logins"]:
            return
        from trama.core.demo.users import DEMO_PASSWORD, logins

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo logins — password for all: " + DEMO_PASSWORD))
        for programme, role, email in logins():
            self.stdout.write(f"  {programme:<40} {role:<28} {email}")
        self.stdout.write("")
