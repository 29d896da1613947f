"""Import benchmark (issue 9): a spreadsheet of BENCH_IMPORT_PEOPLE valid people (default 100,000)
in households of one to four, each with a codice fiscale and a consent to processing, checked
(the dry run), imported, then imported a second time — which must create nothing.

    DATABASE_URL=postgres://…/trama_bench python -m bench.imports

The import goes the way a coordinator's does: `trama.exchange.services` (upload, check job,
confirm, import job, in-process as with no broker), so the time includes reading the CSV, the
validation of every cell, duplicate detection, the history and audit rows. The target (issue 9):
under 60 s for 100,000 people on PostgreSQL. Uploads and reports go to a temporary media root.
"""

# The benchmark's random numbers make reproducible data, not secrets (S311).
# ruff: noqa: S311

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
from datetime import date, timedelta

from bench import common

SLUG = "bench-imports"
SEED = 9


def people_csv(size: int) -> bytes:
    from trama.exchange.importers.people import COLUMNS
    from trama.exchange.tests.factories import tax_code_for

    rng = random.Random(SEED)
    keys = [column.key for column in COLUMNS]
    lines = [";".join(column.header for column in COLUMNS)]
    number, household = 0, 0
    while number < size:
        household += 1
        for position in range(min(rng.randint(1, 4), size - number)):
            born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 65))
            gender = rng.choice("FM")
            row = {
                "household": f"Famiglia {household}", "household_municipality": "018110",
                "relation": "genitore" if position == 0 else "altro parente", "first_name": f"Nome{number}",
                "last_name": f"Cognome{household}", "birth_date": born.strftime("%d/%m/%Y"), "gender": gender,
                "tax_code": tax_code_for(number, born, gender), "municipality": "Pavia",
                "phone": f"0382 {number:06d}", "consent_processing": "01/09/2025", "given_by": "persona",
            }  # fmt: skip
            lines.append(";".join(row.get(key, "") for key in keys))
            number += 1
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def timed_import(actor: object, programme: object, content: bytes) -> tuple[object, list[float], list[float]]:
    """The import run, then [wall, CPU] seconds of the check and of the import. The CPU time is of
    this process only (not the database server's): on a busy machine it shows what wall time hides."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from trama.exchange import services

    started, cpu = time.perf_counter(), time.process_time()
    upload = SimpleUploadedFile("persone.csv", content, content_type="text/csv")
    run = services.import_start(actor=actor, programme=programme, kind="people", upload=upload)
    checked = [time.perf_counter() - started, time.process_time() - cpu]
    if run.status != "checked":
        raise SystemExit(f"The check found errors: {run.errors[:5]} {run.problem}")
    started, cpu = time.perf_counter(), time.process_time()
    run = services.import_confirm(actor=actor, run=run)
    if run.status != "imported":
        raise SystemExit(f"The import did not complete: {run.status} {run.problem}")
    return run, checked, [time.perf_counter() - started, time.process_time() - cpu]


def main() -> None:
    media = tempfile.mkdtemp(prefix="trama-bench-media-")
    os.environ["TRAMA_MEDIA_ROOT"] = media
    os.environ.pop("TRAMA_QUEUE_URL", None)
    try:
        run_benchmark()
    finally:
        shutil.rmtree(media, ignore_errors=True)


def run_benchmark() -> None:
    common.setup_django()
    from trama.accounts.models import Membership, Role, User
    from trama.network.models import Organisation, Partnership
    from trama.people.models import Consent, Household, Person
    from trama.territory.models import Municipality, Programme

    size = common.env_int("BENCH_IMPORT_PEOPLE", 100_000)
    print(f"\n== Import benchmark on {common.vendor()} ({size:,} people)")
    if Programme.objects.filter(slug=SLUG).exists():
        raise SystemExit("The benchmark database already holds an import benchmark: start from a fresh one.")
    programme = Programme.objects.create(slug=SLUG, name="Benchmark: imports")
    programme.municipalities.add(Municipality.objects.get(istat_code="018110"))
    organisation = Organisation.objects.create(name="Capofila del benchmark", kind=Organisation.Kind.SOCIAL_COOPERATIVE)
    Partnership.objects.create(programme=programme, organisation=organisation, role=Partnership.Role.LEAD)
    coordinator = User.objects.create(email="bench-imports@example.org", full_name="Coordinatrice")
    Membership.objects.create(user=coordinator, organisation=organisation, programme=programme, role=Role.COORDINATOR)

    with common.stopwatch("writing the CSV"):
        content = people_csv(size)
    print(f"  file: {len(content) / 1_000_000:.1f} MB")
    first, checked, imported = timed_import(coordinator, programme, content)
    if first.counts.get("created") != size:
        raise SystemExit(f"The first import did not create every person: {first.counts}")
    people = Person.objects.filter(programme=programme).count()
    households = Household.objects.filter(programme=programme).count()
    consents = Consent.objects.filter(person__programme=programme).count()
    again, checked_again, imported_again = timed_import(coordinator, programme, content)
    if Person.objects.filter(programme=programme).count() != people or again.counts.get("unchanged") != size:
        raise SystemExit(f"The second import changed something: {again.counts}")
    total = [checked[0] + imported[0], checked[1] + imported[1]]
    rows = [
        ["first import: check (dry run)", *checked],
        ["first import: import", *imported],
        ["first import: total", *total],
        ["same file again: check", *checked_again],
        ["same file again: import", *imported_again],
    ]
    print(common.table(["step", "wall s", "CPU s (Python)"], rows))
    print(
        f"\n  {people:,} people, {households:,} households, {consents:,} consents created; the second import:"
        f" {again.counts.get('unchanged', 0):,} unchanged, {again.counts.get('created', 0)} created."
        f"\n  Target (issue 9): a valid 100,000-person file in under 60 s on PostgreSQL"
        f" — {'met' if total[0] < 60 else 'NOT met'} here ({total[0]:.1f} s wall)."
    )


if __name__ == "__main__":
    main()
