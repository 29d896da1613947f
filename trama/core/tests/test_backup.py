"""Backups and restore (S26) and the erasure journal (S13): a backup restores to the same rows,
audit chain and files; a restore refuses a database that is not empty; people erased after the
backup are erased again; an altered audit row is detected; a rolled-back erasure journals nothing."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from trama.accounts.audit import audit_record
from trama.accounts.audit_chain import audit_chain, verify_audit_chain
from trama.accounts.models import AuditEvent
from trama.casework.tests.factories import CaseFactory, HouseholdMemberFactory
from trama.core.backup import (
    BackupError,
    create_backup,
    journal_erasure,
    read_journal,
    read_manifest,
    replay_erasures,
    restore_database,
)
from trama.core.pseudonyms import person_pseudonym
from trama.core.tests.factories import ProgrammeFactory
from trama.people.models import Person
from trama.people.services import person_create, person_erase

SIGNED_FORM = b"%PDF-1.4 modulo firmato"


@pytest.fixture
def journal(settings, tmp_path: Path) -> Path:
    settings.TRAMA_ERASURE_JOURNAL = tmp_path / "erasure-journal.jsonl"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.TRAMA_ERASURE_JOURNAL


def _person(programme, first_name: str) -> Person:
    fields = {
        "first_name": first_name,
        "last_name": "Backup",
        "birth_date": timezone.localdate() - timedelta(days=9000),
    }
    return person_create(actor=None, programme=programme, fields=fields)


def _erase(person: Person, mode: str) -> None:
    person_erase(actor=None, person=person, mode=mode, reason="richiesta dell'interessato")


@pytest.mark.django_db(transaction=True)
def test_it_restores_a_backup_with_the_same_rows_audit_trail_and_files(journal, tmp_path):
    programme = ProgrammeFactory()
    kept = _person(programme, "Ada")
    stored = default_storage.save("consents/firmato.pdf", ContentFile(SIGNED_FORM))
    manifest = create_backup(tmp_path / "backup.tar.gz")
    assert manifest == read_manifest(tmp_path / "backup.tar.gz")
    assert (tmp_path / "backup.tar.gz").stat().st_mode & 0o777 == 0o600
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"]["people_person"] == 1
    assert manifest["audit_chain"]["count"] == AuditEvent.objects.count() > 0
    assert manifest["media"]["count"] == 1
    assert "people" in manifest["migrations"]
    late = _person(programme, "Tardiva")
    default_storage.delete(stored)

    report = restore_database(tmp_path / "backup.tar.gz", force=True)

    assert report.table_differences == []
    assert report.chain.ok
    assert report.chain.rows_after == 0
    assert report.media_restored == 1
    assert report.migrated == []
    assert list(Person.objects.values_list("public_id", flat=True)) == [kept.public_id]
    assert not Person.objects.filter(public_id=late.public_id).exists()
    assert default_storage.open(stored).read() == SIGNED_FORM


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_restore_into_a_database_that_is_not_empty(journal, tmp_path):
    programme = ProgrammeFactory()
    _person(programme, "Ada")
    call_command("backup", output=tmp_path / "backup.tar.gz", stdout=StringIO())
    late = _person(programme, "Tardiva")

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(tmp_path / "backup.tar.gz"), stdout=StringIO())
    with pytest.raises(BackupError, match="not empty"):
        restore_database(tmp_path / "backup.tar.gz")

    assert Person.objects.filter(public_id=late.public_id).exists()
    assert Person.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_it_erases_again_on_restore_the_people_erased_after_the_backup(journal, tmp_path):
    programme = ProgrammeFactory()
    deleted, pseudonymised, restricted, untouched = (_person(programme, n) for n in ("Dora", "Pia", "Rita", "Ugo"))
    counted = _person(programme, "Carla")  # a case counts her: she cannot be deleted, only pseudonymised
    member = HouseholdMemberFactory(person=counted, household__programme=programme)
    CaseFactory(programme=programme, household=member.household)
    create_backup(tmp_path / "backup.tar.gz")
    _erase(deleted, "erase")
    _erase(pseudonymised, "pseudonymise")
    _erase(restricted, "restrict")
    entries, problems = read_journal(journal)
    assert [(e.person, e.mode) for e in entries] == [
        (str(deleted.public_id), "erase"),
        (str(pseudonymised.public_id), "pseudonymise"),
        (str(restricted.public_id), "restrict"),
    ]
    assert problems == []
    # The erasure of someone a case now counts (written by hand: the service would refuse it).
    with journal.open("a") as handle:
        handle.write(json.dumps({"at": timezone.now().isoformat(), "person": str(counted.public_id), "mode": "erase"}))
        handle.write("\n")

    report = restore_database(tmp_path / "backup.tar.gz", force=True)
    assert Person.objects.filter(first_name__in=["Dora", "Pia", "Rita", "Carla"], erased_at=None).count() == 4
    assert not Person.objects.get(public_id=restricted.public_id).is_restricted  # back as in the backup
    replayed = replay_erasures(read_journal(journal)[0], since=report.replay_since)

    assert [r.result for r in replayed] == ["deleted", "pseudonymised", "restricted", "pseudonymised-not-deletable"]
    assert not Person.objects.filter(public_id=deleted.public_id).exists()
    assert not Person.history.filter(public_id=deleted.public_id).exists()
    again = Person.objects.get(public_id=pseudonymised.public_id)
    assert (again.first_name, again.last_name) == person_pseudonym(again.public_id)
    assert again.erased_at is not None
    assert Person.objects.get(public_id=restricted.public_id).is_restricted
    assert Person.objects.get(public_id=counted.public_id).erased_at is not None
    untouched = Person.objects.get(public_id=untouched.public_id)
    assert (untouched.first_name, untouched.erased_at, untouched.is_restricted) == ("Ugo", None, False)
    replay_audit = AuditEvent.objects.filter(id__gt=report.chain.expected.last_id, actor=None)
    assert replay_audit.count() == 4
    assert verify_audit_chain(report.chain.expected).ok  # the replay's rows only extend the chain
    assert [r.result for r in replay_erasures(read_journal(journal)[0], since=report.replay_since)] == [
        "absent",
        "already",
        "already",
        "already",
    ]


@pytest.mark.django_db
def test_it_replays_only_the_erasures_journaled_since_the_backup(journal):
    programme = ProgrammeFactory()
    earlier, later = _person(programme, "Prima"), _person(programme, "Dopo")
    backup_time = timezone.now()
    lines = [
        {"at": (backup_time - timedelta(days=2)).isoformat(), "person": str(earlier.public_id), "mode": "restrict"},
        {"at": (backup_time + timedelta(hours=1)).isoformat(), "person": str(later.public_id), "mode": "restrict"},
    ]
    journal.write_text("".join(json.dumps(line) + "\n" for line in lines) + '{"at": "trunc')
    entries, problems = read_journal(journal)
    assert problems == ["line 3: not a journal entry"]

    replayed = replay_erasures(entries, since=backup_time)

    assert [(r.entry.person, r.result) for r in replayed] == [(str(later.public_id), "restricted")]
    assert not Person.objects.get(pk=earlier.pk).is_restricted


@pytest.mark.django_db
def test_it_detects_an_altered_or_removed_audit_row(programme):
    for n in range(3):
        audit_record(action=AuditEvent.Action.READ, actor=None, programme=programme, reason=f"lettura {n}")
    state = audit_chain()
    first, middle, *_ = AuditEvent.objects.order_by("id").values_list("id", flat=True)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)

    audit_record(action=AuditEvent.Action.READ, actor=None, programme=programme, reason="aggiunta dopo")
    assert verify_audit_chain(state).ok  # rows appended after the backup are allowed
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET reason = %s WHERE id = %s", ["ritoccata", middle])  # noqa: S608
    altered = verify_audit_chain(state)
    assert not altered.ok
    assert "altered" in altered.problem
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET reason = %s WHERE id = %s", ["lettura 1", middle])  # noqa: S608
        assert verify_audit_chain(state).ok
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [first])  # noqa: S608
    removed = verify_audit_chain(state)
    assert (removed.ok, removed.found.count, removed.expected.count) == (False, 2, 3)


@pytest.mark.django_db
def test_it_journals_an_erasure_only_when_its_transaction_commits(journal, django_capture_on_commit_callbacks):
    committed, rolled_back = uuid.uuid4(), uuid.uuid4()

    def erase_and_fail() -> None:
        with transaction.atomic():
            journal_erasure(rolled_back, "erase", timezone.now())
            raise RuntimeError("the erasure failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        erase_and_fail()
    assert not journal.exists()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        journal_erasure(committed, "pseudonymise", timezone.now())

    entries, _problems = read_journal(journal)
    assert [(e.person, e.mode) for e in entries] == [(str(committed), "pseudonymise")]
    assert journal.stat().st_mode & 0o777 == 0o600


@pytest.mark.django_db
def test_it_journals_nothing_when_person_erase_is_refused(journal, programme, django_capture_on_commit_callbacks):
    counted = _person(programme, "Carla")
    member = HouseholdMemberFactory(person=counted, household__programme=programme)
    CaseFactory(programme=programme, household=member.household)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError, match="mode"):
        _erase(counted, "erase")  # a case counts her: refused, rolled back
    assert not journal.exists()

    with django_capture_on_commit_callbacks(execute=True):
        _erase(counted, "pseudonymise")
    assert [(e.person, e.mode) for e in read_journal(journal)[0]] == [(str(counted.public_id), "pseudonymise")]
