"""`make restore-drill`: prove that a backup restores (S26) and that erasures survive it (S13).

On the configured engine — SQLite by default, PostgreSQL when DATABASE_URL points to one — and
never on the developer's own database: the demo goes into a scratch database, is backed up, some
demo people are erased after the backup (through `person_erase`, so the erasure journal records
them), and the backup is restored into a second fresh scratch database. The drill then prints
every table's rows in the manifest and restored, the audit chain check, the uploaded files and
the state of each person erased after the backup, and exits non-zero on any difference.

The two databases need two processes (settings are per process): this command runs itself with
`--phase source` and `--phase target` in children whose DATABASE_URL and TRAMA_MEDIA_ROOT point
to the scratch databases, and reads back what they wrote in the scratch directory.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from trama.accounts.audit_chain import verify_audit_chain
from trama.core.backup import (
    create_backup,
    person_deletable,
    read_journal,
    read_manifest,
    replay_erasures,
    restore_database,
)

ARCHIVE, JOURNAL, SOURCE, TARGET = "backup.tar.gz", "erasure-journal.jsonl", "source.json", "target.json"
REASON = "restore drill: erased after the backup"
# What each erasure mode must leave once the journal has been replayed.
EXPECTED_AFTER = {"erase": "absent", "pseudonymise": "pseudonymised", "restrict": "restricted"}


class Command(BaseCommand):
    help = (
        "Restore drill: load the demo into a scratch database, back it up, erase people after the backup, "
        "restore into a second fresh database and compare row counts, the audit chain and the erasures."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--keep", action="store_true", help="Keep the scratch databases and files.")
        parser.add_argument("--phase", choices=("source", "target"), help=argparse.SUPPRESS)
        parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["phase"] == "source":
            _source_phase(options["workdir"], self.stdout.write)
        elif options["phase"] == "target":
            _target_phase(options["workdir"])
        else:
            self._drill(keep=options["keep"])

    def _drill(self, *, keep: bool) -> None:
        work = Path(tempfile.mkdtemp(prefix="trama-drill-"))
        try:
            scratch = _Scratch(work)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        try:
            self.stdout.write(f"Restore drill on {scratch.label} — scratch files in {work}")
            self._step(
                "source", "1/2 migrate, load the demo, back up, erase people after the backup", work, scratch.source_url
            )
            manifest = read_manifest(work / ARCHIVE)
            erased = json.loads((work / SOURCE).read_text())["erased"]
            self.stdout.write(
                f"    backup of {manifest['created_at']}: {(work / ARCHIVE).stat().st_size:,} bytes; then erased "
                + ", ".join(f"{item['person']} ({item['mode']})" for item in erased)
            )
            self._step(
                "target",
                "2/2 restore into a second fresh database, replay the erasure journal",
                work,
                scratch.target_url,
            )
            failures = _Report(self.stdout.write, work).render()
        finally:
            scratch.drop(keep=keep)
            if keep:
                self.stdout.write(f"Kept: {work} {' '.join(scratch.kept)}")
            else:
                shutil.rmtree(work, ignore_errors=True)
        if failures:
            raise CommandError("Restore drill FAILED: " + "; ".join(failures))
        self.stdout.write(self.style.SUCCESS("Restore drill PASSED."))

    def _step(self, phase: str, title: str, work: Path, url: str) -> None:
        self.stdout.write(f"[{title}] …")
        started = time.monotonic()
        env = {**os.environ, "DATABASE_URL": url, "TRAMA_MEDIA_ROOT": str(work / f"media-{phase}")}
        command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "restore_drill", "--phase", phase]
        log = work / f"{phase}.log"
        with log.open("w") as out:
            result = subprocess.run(  # noqa: S603 — this very program, with fixed arguments
                [*command, "--workdir", str(work)], env=env, stdout=out, stderr=subprocess.STDOUT, check=False
            )
        if result.returncode != 0:
            self.stdout.write(log.read_text()[-4000:])
            raise CommandError(f"The {phase} phase failed (exit {result.returncode}); its log is above.")
        self.stdout.write(f"    done in {time.monotonic() - started:.0f} s")


class _Scratch:
    """Two scratch databases on the configured engine, dropped at the end."""

    def __init__(self, work: Path) -> None:
        engine = settings.DATABASES["default"]["ENGINE"]
        self.kept: list[str] = []
        self._pg_names: list[str] = []
        if engine.endswith("sqlite3"):
            self.label = "SQLite"
            self.source_url = f"sqlite:///{work / 'source.sqlite3'}"
            self.target_url = f"sqlite:///{work / 'target.sqlite3'}"
            return
        if not engine.endswith("postgresql"):
            raise CommandError(f"The restore drill runs on SQLite or PostgreSQL, not {engine}.")
        token = uuid.uuid4().hex[:8]
        self._pg_names = [f"trama_drill_{token}_source", f"trama_drill_{token}_target"]
        self._pg_admin("CREATE DATABASE {}", self._pg_names)
        parts = urlsplit(os.environ["DATABASE_URL"])
        self.source_url, self.target_url = (urlunsplit(parts._replace(path=f"/{n}")) for n in self._pg_names)
        self.label = (
            f"PostgreSQL ({parts.hostname}:{parts.port or 5432}, scratch databases {', '.join(self._pg_names)})"
        )

    def drop(self, *, keep: bool) -> None:
        if keep:
            self.kept = self._pg_names
            return
        if self._pg_names:
            self._pg_admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", self._pg_names)

    @staticmethod
    def _pg_admin(statement: str, names: list[str]) -> None:
        """Run `statement` for each database name, connected to the configured server (to its
        database when it exists, else to `postgres`)."""
        import psycopg
        from psycopg import sql

        config = settings.DATABASES["default"]
        params = {"host": config.get("HOST") or None, "port": config.get("PORT") or None}
        params |= {"user": config.get("USER") or None, "password": config.get("PASSWORD") or None}
        try:
            connection = psycopg.connect(dbname=config["NAME"], autocommit=True, **params)
        except psycopg.OperationalError:
            connection = psycopg.connect(dbname="postgres", autocommit=True, **params)
        with connection, connection.cursor() as cursor:
            for name in names:
                cursor.execute(sql.SQL(statement).format(sql.Identifier(name)))


# --- The two phases, each in its own process ------------------------------------------------------


def _source_phase(work: Path, log: Callable[[str], Any]) -> None:
    from trama.people.services import person_erase

    with override_settings(TRAMA_ERASURE_JOURNAL=work / JOURNAL):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo", quiet_logins=True)
        chosen = _chosen_people()
        signed_form = _signed_form_of(next(person for person, mode in chosen if mode == "pseudonymise"))
        manifest = create_backup(work / ARCHIVE)
        log(f"backup taken at {manifest['created_at']}")
        for person, mode in chosen:
            person_erase(actor=None, person=person, mode=mode, reason=REASON)
    lines = (work / JOURNAL).read_text().splitlines() if (work / JOURNAL).exists() else []
    erased = [{"person": str(person.public_id), "mode": mode} for person, mode in chosen]
    (work / SOURCE).write_text(json.dumps({"erased": erased, "journal_lines": len(lines), "signed_form": signed_form}))


def _chosen_people() -> list[tuple[Any, str]]:
    """One person per erasure mode: someone nothing counts (deleted), someone a case or an activity
    counts (pseudonymised), and a third whose processing is restricted. Every demo person is
    counted or protected somewhere (a case, an activity, a volunteer's profile): the one to delete
    is recorded by the drill, as a desk would record someone who only asked for information."""
    from trama.people.models import Person
    from trama.people.services import erasure_blockers, person_create

    people = list(Person.objects.filter(erased_at__isnull=True, is_restricted=False).order_by("pk"))
    deletable = next((p for p in people if person_deletable(p)), None)
    counted = next((p for p in people if p is not deletable and erasure_blockers(p)), None)
    restricted = next((p for p in people if p is not deletable and p is not counted), None)
    if counted is None or restricted is None:
        raise CommandError("The demo has no person counted by a case or an activity to pseudonymise.")
    if deletable is None:
        fields = {"first_name": "Drill", "last_name": "Sportello", "birth_date": date(1990, 1, 1)}
        deletable = person_create(actor=None, programme=counted.programme, fields=fields)
    return [(deletable, "erase"), (counted, "pseudonymise"), (restricted, "restrict")]


def _signed_form_of(person: Any) -> str:
    """Give `person` a consent with a signed form, so the backup holds an uploaded file that the
    erasure (and its replay after the restore) must remove."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from trama.people.models import Consent
    from trama.people.services import consent_record
    from trama.people.uploads import clean_signed_form

    upload = SimpleUploadedFile("modulo.pdf", b"%PDF-1.4\n% restore drill: signed consent form\n")
    fields = {"purpose": Consent.Purpose.PROCESSING, "given_by": Consent.GivenBy.SELF, "given_on": timezone.localdate()}
    consent = consent_record(actor=None, person=person, fields=fields, signed_form=clean_signed_form(upload))
    return consent.signed_form.name


def _target_phase(work: Path) -> None:
    source = json.loads((work / SOURCE).read_text())
    with override_settings(TRAMA_ERASURE_JOURNAL=work / JOURNAL):
        report = restore_database(work / ARCHIVE)
        before = {item["person"]: _person_state(item["person"]) for item in source["erased"]}
        form_restored = default_storage.exists(source["signed_form"])
        entries, problems = read_journal(work / JOURNAL)
        replayed = replay_erasures(entries, since=report.replay_since)
        after = {item["person"]: _person_state(item["person"]) for item in source["erased"]}
        form_after = default_storage.exists(source["signed_form"])
        replay_chain = verify_audit_chain(report.chain.expected)
    chain = report.chain
    result = {
        "tables": report.tables,
        "chain": {"ok": chain.ok, "problem": chain.problem, "found": chain.found.as_dict()},
        "chain_after_replay": {
            "ok": replay_chain.ok,
            "problem": replay_chain.problem,
            "appended": replay_chain.rows_after,
        },
        "media_restored": report.media_restored,
        "signed_form": {"restored": form_restored, "after_replay": form_after},
        "media_problems": report.media_problems,
        "migrated": report.migrated,
        "people": [
            {**item, "before": before[item["person"]], "after": after[item["person"]]} for item in source["erased"]
        ],
        "replayed": [{"person": r.entry.person, "mode": r.entry.mode, "result": r.result} for r in replayed],
        "journal_problems": problems,
    }
    (work / TARGET).write_text(json.dumps(result))


def _person_state(public_id: str) -> str:
    """absent · pseudonymised · restricted · present — and `history-left` when a deleted or
    pseudonymised person's earlier versions still hold what the erasure removed."""
    from trama.core.pseudonyms import person_pseudonym
    from trama.people.models import Person

    person = Person.objects.filter(public_id=public_id).first()
    history = Person.history.filter(public_id=public_id)
    if person is None:
        return "history-left" if history.exists() else "absent"
    if person.erased_at is not None:
        first, last = person_pseudonym(person.public_id)
        if (person.first_name, person.last_name, person.tax_code) != (first, last, ""):
            return "present"
        return "history-left" if history.exclude(first_name=first, last_name=last).exists() else "pseudonymised"
    return "restricted" if person.is_restricted else "present"


# --- The printed comparison ------------------------------------------------------------------------


class _Report:
    def __init__(self, write: Callable[[str], Any], work: Path) -> None:
        self.write = write
        self.manifest = read_manifest(work / ARCHIVE)
        self.source = json.loads((work / SOURCE).read_text())
        self.target = json.loads((work / TARGET).read_text())
        self.failures: list[str] = []

    def render(self) -> list[str]:
        self._tables()
        self._chain()
        self._media()
        self._people()
        self._summary()
        return self.failures

    def _tables(self) -> None:
        expected, restored = self.manifest["tables"], self.target["tables"]
        names = sorted(set(expected) | set(restored))
        width = max(len(name) for name in names)
        self.write("")
        self.write(f"{'table':<{width}}  {'backup':>9}  {'restored':>9}")
        for name in names:
            before, after = expected.get(name), restored.get(name)
            verdict = "OK" if before == after else "DIFF"
            self.write(f"{name:<{width}}  {_n(before):>9}  {_n(after):>9}  {verdict}")
        self.differences = [name for name in names if expected.get(name) != restored.get(name)]
        if self.differences:
            self.failures.append(f"{len(self.differences)} tables differ ({', '.join(self.differences[:5])})")

    def _chain(self) -> None:
        chain, expected = self.target["chain"], self.manifest["audit_chain"]
        verdict = "OK" if chain["ok"] else f"FAILED: {chain['problem']}"
        self.write("")
        self.write(
            f"Audit trail: {expected['count']:,} rows up to id {expected['last_id']}, sha256 {expected['digest']}"
        )
        self.write(f"  restored rows give digest {chain['found']['digest']}: {verdict}")
        after = self.target["chain_after_replay"]
        verdict = "OK" if after["ok"] else f"FAILED: {after['problem']}"
        self.write(
            f"  after the erasure replay: {after['appended']} audit rows appended, earlier rows intact: {verdict}"
        )
        if not chain["ok"]:
            self.failures.append(f"audit trail: {chain['problem']}")
        if not after["ok"]:
            self.failures.append(f"audit trail after the replay: {after['problem']}")

    def _media(self) -> None:
        media = self.manifest["media"]
        self.media_ok = not self.target["media_problems"]
        if not media["included"]:
            self.write(f"Uploaded files: not in the backup ({media['reason']})")
            return
        problems = self.target["media_problems"]
        verdict = "OK" if not problems and self.target["media_restored"] == media["count"] else "DIFF"
        restored = self.target["media_restored"]
        self.write(
            f"Uploaded files: {media['count']} in the backup, {restored} restored with matching sha256: {verdict}"
        )
        if verdict != "OK":
            self.media_ok = False
            self.failures.append("uploaded files: " + ("; ".join(problems) or "count differs"))
        form = self.target["signed_form"]
        verdict = "OK" if form["restored"] and not form["after_replay"] else "DIFF"
        self.write(
            f"  the pseudonymised person's signed form: restored {_yes(form['restored'])}, "
            f"still there after the replay {_yes(form['after_replay'])}: {verdict}"
        )
        if verdict != "OK":
            self.media_ok = False
            self.failures.append("the signed form of the pseudonymised person was not removed again")

    def _people(self) -> None:
        people = self.target["people"]
        self.write("")
        self.write(f"Erased after the backup, through person_erase (journal: {self.source['journal_lines']} lines):")
        self.write(f"  {'person':<36}  {'mode':<12}  {'restored':<13}  {'after replay':<13}")
        for item in people:
            expected = EXPECTED_AFTER[item["mode"]]
            verdict = "OK" if item["before"] == "present" and item["after"] == expected else f"expected {expected}"
            self.write(
                f"  {item['person']:<36}  {item['mode']:<12}  {item['before']:<13}  {item['after']:<13}  {verdict}"
            )
            if verdict != "OK":
                self.failures.append(f"{item['mode']} of {item['person']}: {item['after']}, {verdict}")
        if self.source["journal_lines"] < len(people):
            self.failures.append("person_erase did not write every erasure to the journal (trama.core.backup)")
        self.failures += [f"journal {problem}" for problem in self.target["journal_problems"]]

    def _summary(self) -> None:
        tables = self.manifest["tables"]
        same = len(tables) - len(self.differences)
        people = self.target["people"]
        again = sum(1 for p in people if p["after"] == EXPECTED_AFTER[p["mode"]])
        self.write("")
        self.write(
            f"Summary: {len(tables)} tables compared ({same} OK, {len(self.differences)} DIFF), "
            f"{sum(tables.values()):,} rows; audit chain {'OK' if self.target['chain']['ok'] else 'FAILED'}; "
            f"uploaded files {'OK' if self.media_ok else 'DIFF'}; "
            f"{again}/{len(people)} erasures applied again after the restore; "
            f"migrations applied after the restore: {len(self.target['migrated'])}."
        )


def _n(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _yes(value: bool) -> str:
    return "yes" if value else "no"
