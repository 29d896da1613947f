"""S6: confidential text — session notes, assessment notes, a referral's reason — is typed in
through the pages, stored encrypted (also in the change-history tables), never appears in a
database dump (SQLite and PostgreSQL) nor in the logs (the root conftest watches every log record
of the run for CANARY), and is shown decrypted to the case team only: not to a coordinator or a
supervisor who can open the case, nor to the organisation that receives a referral."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from types import SimpleNamespace

import pytest
from django.db import connection
from django.urls import reverse

from conftest import CANARY
from trama.casework.models import Assessment, AssessmentScore, Pathway, PathwayParticipation, Referral, Session
from trama.casework.tests.factories import ConsentFactory, PathwayFactory
from trama.people.models import Consent

SESSION_NOTE = f"Colloquio difficile: {CANARY} (sessione)"
ASSESSMENT_NOTE = f"Situazione sanitaria delicata: {CANARY} (valutazione)"
SCORE_NOTE = f"Terapia in corso: {CANARY} (dimensione)"
REFERRAL_REASON = f"Motivo riservato: {CANARY} (segnalazione)"


def url(name: str, **kwargs: object) -> str:
    return reverse(f"casework:{name}", kwargs={"slug": "programma-a", **kwargs})


def type_the_canary(client, login, casework) -> SimpleNamespace:
    """The case owner types the canary into every confidential field, through the pages."""
    case = casework.case
    pathway = PathwayFactory(programme=case.programme, organisation=casework.partner, start_date=date(2024, 2, 1))
    PathwayParticipation.objects.create(pathway=pathway, case=case, joined_on=pathway.start_date)
    ConsentFactory(person=casework.person, purpose=Consent.Purpose.SHARING, partner=casework.other_organisation)
    login(client, casework.owner)
    responses = [
        client.post(
            url("session-create", pathway_id=pathway.public_id),
            {"day": "2024-03-05", "time": "16:30", "duration_minutes": 60, "modality": "in_person",
             "attendees": [casework.person.pk], "note": SESSION_NOTE},
        ),
        client.post(
            url("assessment-create", case_id=case.public_id),
            {"assessed_on": "2024-03-01", "note": ASSESSMENT_NOTE, "note_health": SCORE_NOTE,
             **{f"score_{d}": 3 for d in Assessment.Dimension.values}},
        ),
        client.post(
            url("referral-create", case_id=case.public_id),
            {"person": casework.person.pk, "target_kind": "organisation",
             "target_organisation": casework.other_organisation.pk, "service": "Doposcuola",
             "reason": REFERRAL_REASON},
        ),
    ]  # fmt: skip
    assert [r.status_code for r in responses] == [302, 302, 302], [
        r.context and r.context.get("form") for r in responses
    ]
    client.logout()
    return SimpleNamespace(
        pathway=pathway,
        session=Session.objects.get(),
        assessment=Assessment.objects.get(),
        referral=Referral.objects.get(),
    )


def _assert_stored_encrypted(records: SimpleNamespace) -> None:
    """The application reads the text back; the database holds only ciphertext, history included."""
    assert records.session.note == SESSION_NOTE
    assert Assessment.objects.get().note == ASSESSMENT_NOTE
    assert AssessmentScore.objects.get(dimension="health").note == SCORE_NOTE
    assert Referral.objects.get().reason == REFERRAL_REASON
    tables = [
        (Session._meta.db_table, "note"),
        (Session.history.model._meta.db_table, "note"),
        (Assessment._meta.db_table, "note"),
        (Assessment.history.model._meta.db_table, "note"),
        (AssessmentScore._meta.db_table, "note"),
        (Referral._meta.db_table, "reason"),
        (Referral.history.model._meta.db_table, "reason"),
    ]
    with connection.cursor() as cursor:
        for table, column in tables:
            cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> ''")  # noqa: S608 (our own table names)
            values = [row[0] for row in cursor.fetchall()]
            assert values, f"{table}.{column} is empty: the test would prove nothing"
            assert all(value.startswith("enc1:") and CANARY not in value for value in values), table


def _assert_shown_to_the_team_only(client, login, casework, records: SimpleNamespace) -> None:
    case = casework.case
    pages = [
        url("session-detail", pathway_id=records.pathway.public_id, session_id=records.session.public_id),
        url("pathway-detail", pathway_id=records.pathway.public_id),
        url("assessment-detail", case_id=case.public_id, assessment_id=records.assessment.public_id),
        url("referral-detail", case_id=case.public_id, referral_id=records.referral.public_id),
        url("case-detail", case_id=case.public_id),
    ]
    login(client, casework.owner)
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert CANARY in response.content.decode(), page
    for persona in ("coordinator", "supervisor"):
        login(client, getattr(casework, persona))
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, (persona, page)
            assert CANARY not in response.content.decode(), (persona, page)
    # The receiving organisation sees the referral, never its reason.
    login(client, casework.stranger)
    response = client.get(url("referral-received", referral_id=records.referral.public_id))
    assert response.status_code == 200
    assert CANARY not in response.content.decode()


@pytest.mark.django_db
def test_it_keeps_the_canary_out_of_a_sqlite_dump(client, login, casework):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite dump; the PostgreSQL one has its own test")
    records = type_the_canary(client, login, casework)
    _assert_stored_encrypted(records)
    dump = "\n".join(connection.connection.iterdump())
    assert "enc1:" in dump  # the notes are in the dump, encrypted
    assert CANARY not in dump
    assert "CANARY-7f3a" not in dump


@pytest.mark.django_db
def test_it_shows_the_notes_decrypted_to_the_case_team_only(client, login, casework):
    records = type_the_canary(client, login, casework)
    _assert_shown_to_the_team_only(client, login, casework, records)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_canary_out_of_a_postgresql_dump(client, login, casework):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (the PostgreSQL leg of CI)")
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.fail("pg_dump is not installed: the PostgreSQL leg must be able to dump its database")
    records = type_the_canary(client, login, casework)
    _assert_stored_encrypted(records)
    settings = connection.settings_dict
    command = [pg_dump, "--data-only", "--no-owner"]
    if settings.get("HOST"):
        command += ["-h", settings["HOST"]]
    if settings.get("PORT"):
        command += ["-p", str(settings["PORT"])]
    if settings.get("USER"):
        command += ["-U", settings["USER"]]
    command.append(settings["NAME"])
    environment = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    dump = subprocess.run(command, capture_output=True, text=True, check=True, env=environment, timeout=120).stdout  # noqa: S603
    assert Session.history.model._meta.db_table in dump
    assert "enc1:" in dump
    assert CANARY not in dump
    assert Pathway.objects.count() == 1
