"""Data-subject rights (S12, S13): who accessed the file, the complete export with third parties
redacted, and erasure resolved as erase / pseudonymise / restrict."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models
from django.urls import reverse

from trama.accounts.models import AuditEvent
from trama.activities.tests.factories import (
    ActivityFactory,
    AttendanceFactory,
    OccurrenceFactory,
    RegistrationFactory,
)
from trama.casework.models import Case, PathwayParticipation
from trama.casework.permissions import get_case_for_user
from trama.casework.tests.factories import (
    AssessmentFactory,
    AssessmentScoreFactory,
    ConsentFactory,
    HouseholdFactory,
    HouseholdMemberFactory,
    IntakeRequestFactory,
    PathwayFactory,
    ReferralFactory,
    SessionFactory,
)
from trama.core.crypto import EncryptedTextField
from trama.core.pseudonyms import pseudonym
from trama.people.models import Consent, HouseholdMember, Person
from trama.people.rights import age_band

pytestmark = pytest.mark.django_db

SIBLING = ("Ottavio", "Segretissimo")
GUARDIAN = "Ludovica Tutrice"
SESSION_NOTE = "Colloquio sereno sulla scuola"
ASSESSMENT_NOTE = "Situazione economica fragile"


@pytest.fixture
def file(casework):
    """The person of the fixture's case with a full file: a sibling, consents, an assessment,
    a pathway with a session they attended, a referral."""
    person = casework.person
    person.first_name, person.last_name, person.tax_code = "Xenia", "Quarrascolli", "QRRXNE85C54G388F"
    person.email = "xenia@example.org"
    person.save()
    casework.owner.full_name = "Operatrice Nominata"
    casework.owner.save()
    HouseholdMemberFactory(
        household=casework.household,
        person__first_name=SIBLING[0],
        person__last_name=SIBLING[1],
        person__birth_date=date(2012, 5, 5),
        relation=HouseholdMember.Relation.CHILD,
    )
    ConsentFactory(person=person, given_by="guardian", guardian_name=GUARDIAN)
    assessment = AssessmentFactory(case=casework.case, assessed_by=casework.owner, note=ASSESSMENT_NOTE)
    AssessmentScoreFactory(assessment=assessment, note="nota della dimensione")
    pathway = PathwayFactory(programme=casework.case.programme, organisation=casework.partner)
    PathwayParticipation.objects.create(pathway=pathway, case=casework.case, joined_on=date(2024, 2, 1))
    session = SessionFactory(pathway=pathway, note=SESSION_NOTE, recorded_by=casework.owner)
    session.attendees.add(person)
    ReferralFactory(case=casework.case, person=person, created_by=casework.owner, reason="Serve aiuto compiti")
    return casework


def _url(name: str, casework, person=None) -> str:
    person = person or casework.person
    return reverse(f"people:{name}", kwargs={"slug": casework.case.programme.slug, "person_id": person.public_id})


# --- Who accessed the file (S12) -------------------------------------------------------------


def test_it_lists_who_accessed_the_person_and_their_case(english, login, file):
    login(english, file.owner)
    english.get(_url("person-detail", file))
    get_case_for_user(file.owner, file.case.programme, file.case.public_id)
    login(english, file.coordinator)
    response = english.get(_url("person-access-report", file))
    assert response.status_code == 200
    rows = response.context["rows"]
    owner_rows = [row for row in rows if row.who == "Operatrice Nominata"]
    assert {row.record for row in owner_rows} >= {"person", "case"}
    assert all(row.organisation == file.partner.name for row in owner_rows)
    assert all(row.role == "operator" for row in owner_rows)
    assert all(row.action == "read" for row in owner_rows)


def test_it_gives_the_access_report_as_a_pdf(login, client, file):
    login(client, file.coordinator)
    response = client.get(_url("person-access-report-pdf", file))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content.startswith(b"%PDF-")


@pytest.mark.parametrize(("persona", "status"), [("owner", 403), ("supervisor", 403), ("outsider", 404)])
def test_it_gives_the_access_report_to_coordinators_only(client, login, file, persona, status):
    login(client, getattr(file, persona))
    assert client.get(_url("person-access-report", file)).status_code == status


# --- The complete export (S13) ---------------------------------------------------------------


def test_it_exports_the_person_data_without_third_parties(client, login, file):
    login(client, file.coordinator)
    response = client.get(_url("person-export-json", file))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    text = response.content.decode()
    data = json.loads(text)
    assert data["person"]["first_name"] == "Xenia"
    assert data["person"]["tax_code"] == "QRRXNE85C54G388F"
    assert ASSESSMENT_NOTE in text
    assert SESSION_NOTE in text
    assert "Serve aiuto compiti" in text
    other_members = data["households"][0]["other_members"]
    assert other_members == [
        {"relation": str(HouseholdMember.Relation.CHILD.label), "age_band": age_band(date(2012, 5, 5))}
    ]
    # Nobody else's name: not the sibling, not the guardian, not the staff.
    for secret in (*SIBLING, GUARDIAN, "Operatrice Nominata", file.owner.email):
        assert secret not in text
    assert file.partner.name in text  # staff appear as organisation and role


def test_it_exports_the_activities_attended_without_the_guardians_name(client, login, file):
    activity = ActivityFactory(programme=file.case.programme, title="Aiuto compiti Vallone", expand=False)
    RegistrationFactory(activity=activity, person=file.person, guardian_name=GUARDIAN)
    AttendanceFactory(occurrence=OccurrenceFactory(activity=activity), person=file.person)
    login(client, file.coordinator)
    data = client.get(_url("person-export-json", file)).json()
    assert data["activities"][0]["activity"] == "Aiuto compiti Vallone"
    assert data["activities"][0]["registration"]["by_guardian"] is True
    assert len(data["activities"][0]["dates_attended"]) == 1
    assert GUARDIAN not in json.dumps(data)


def test_it_records_every_export(client, login, file):
    login(client, file.coordinator)
    client.get(_url("person-export-json", file))
    client.get(_url("person-export-pdf", file))
    exports = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, target_id=str(file.person.public_id))
    assert exports.count() == 2
    assert set(exports.values_list("actor", flat=True)) == {file.coordinator.pk}
    assert set(exports.values_list("role", flat=True)) == {"coordinator"}


def test_it_gives_the_export_as_a_readable_pdf(client, login, file):
    login(client, file.coordinator)
    response = client.get(_url("person-export-pdf", file))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("persona", ["owner", "supervisor", "colleague", "stranger", "evaluator", "lab_manager"])
def test_it_refuses_the_export_to_non_coordinators(client, login, file, persona):
    login(client, getattr(file, persona))
    assert client.get(_url("person-export-json", file)).status_code == 403
    assert client.get(_url("person-export-pdf", file)).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_it_refuses_the_export_to_a_coordinator_of_another_programme(client, login, file):
    login(client, file.outsider)
    assert client.get(_url("person-export-json", file)).status_code == 404


# --- Erasure (S13) ---------------------------------------------------------------------------


def _text_fields_containing(value: str) -> list[str]:
    """Every table (history included) and text column where `value` still appears."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            searchable = isinstance(field, (models.CharField, models.TextField))
            if not searchable or isinstance(field, EncryptedTextField):
                continue
            if model._default_manager.filter(**{f"{field.name}__icontains": value}).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


def _erase(client, casework, mode: str, reason: str = "Richiesta scritta del 3 maggio"):
    return client.post(_url("person-erase", casework), {"mode": mode, "reason": reason})


def test_it_refuses_to_delete_someone_a_case_counts(english, login, file):
    login(english, file.coordinator)
    response = _erase(english, file, "erase")
    assert response.status_code == 200
    assert "Pseudonymise them instead" in str(response.context["form"].errors["mode"])
    assert Person.objects.filter(pk=file.person.pk).exists()


def test_it_deletes_someone_nothing_counts(
    english, login, casework, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    member = HouseholdMemberFactory(
        household=HouseholdFactory(programme=casework.case.programme), person__first_name="Cancellanda"
    )
    person = member.person
    consent = ConsentFactory(person=person)
    consent.signed_form.save("f.pdf", ContentFile(b"%PDF-1.4"), save=True)
    stored = tmp_path / consent.signed_form.name
    assert stored.exists()
    login(english, casework.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = (
            _erase(english, casework, "erase")
            if False
            else english.post(_url("person-erase", casework, person), {"mode": "erase", "reason": "Richiesta scritta"})
        )
    assert response.status_code == 302
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not Consent.objects.filter(pk=consent.pk).exists()
    assert _text_fields_containing("Cancellanda") == []
    assert not stored.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, target_id=str(person.public_id)).exists()


def test_it_pseudonymises_and_keeps_the_counts(english, login, file):
    person = file.person
    IntakeRequestFactory(
        programme=file.case.programme, case=file.case, status="case_opened", contact_name="xenia  QUARRASCOLLI"
    )
    sessions_attended = person.sessions.count()
    cases = Case.objects.filter(household__memberships__person=person).count()
    activity = ActivityFactory(programme=file.case.programme, expand=False)
    RegistrationFactory(activity=activity, person=person, guardian_name=GUARDIAN, guardian_phone="0382 111111")
    AttendanceFactory(occurrence=OccurrenceFactory(activity=activity), person=person)
    login(english, file.coordinator)
    english.get(_url("person-detail", file))  # leaves a read in the access log
    response = _erase(english, file, "pseudonymise")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.first_name == "Persona"
    assert person.last_name == pseudonym(person.public_id)
    assert person.birth_date == date(1985, 1, 1)  # the year stays
    assert (person.tax_code, person.email, person.phone) == ("", "", "")
    assert person.erased_at is not None
    for value in ("Xenia", "Quarrascolli", "QRRXNE85C54G388F", "xenia@example.org", GUARDIAN, "0382 111111"):
        assert _text_fields_containing(value) == [], value
    assert person.sessions.count() == sessions_attended
    assert Case.objects.filter(household__memberships__person=person).count() == cases
    assert Consent.objects.filter(person=person).count() == 1
    assert person.registrations.count() == 1
    assert person.attendances.count() == 1  # the reach figures already counted them
    # Still in the household, hidden from the search.
    assert HouseholdMember.objects.filter(person=person, household=file.household).exists()
    search = english.get(reverse("people:person-search", kwargs={"slug": "programma-a"}))
    assert person not in search.context["page"].object_list


def test_it_gives_the_same_pseudonym_with_the_same_key_only(settings):
    first = pseudonym("3f9a-public-id")
    assert first == pseudonym("3f9a-public-id")
    assert len(first) == 10
    settings.TRAMA_PSEUDONYM_KEY = "another-key"
    assert pseudonym("3f9a-public-id") != first


def test_it_restricts_and_hides_from_the_search(english, login, file):
    login(english, file.coordinator)
    assert _erase(english, file, "restrict").status_code == 302
    file.person.refresh_from_db()
    assert file.person.is_restricted
    assert file.person.first_name == "Xenia"  # kept
    search_url = reverse("people:person-search", kwargs={"slug": "programma-a"})
    for persona in ("coordinator", "owner"):
        login(english, getattr(file, persona))
        assert file.person not in english.get(search_url, {"q": "Xenia"}).context["page"].object_list


def test_it_requires_a_reason(english, login, file):
    login(english, file.coordinator)
    response = _erase(english, file, "restrict", reason="  ")
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    file.person.refresh_from_db()
    assert not file.person.is_restricted


@pytest.mark.parametrize("persona", ["owner", "supervisor"])
def test_it_refuses_erasure_to_non_coordinators(client, login, file, persona):
    login(client, getattr(file, persona))
    assert _erase(client, file, "restrict").status_code == 403
    file.person.refresh_from_db()
    assert not file.person.is_restricted


def test_it_shows_the_retention_rules_on_the_rights_page(english, login, file):
    login(english, file.coordinator)
    content = english.get(_url("person-rights", file)).content.decode()
    assert "10 years after the case is closed" in content


def test_it_refuses_to_delete_a_volunteer_and_says_why(english, login, casework):
    from trama.mutualaid.models import Volunteer

    person = HouseholdMemberFactory(household=HouseholdFactory(programme=casework.case.programme)).person
    Volunteer.objects.create(programme=person.programme, person=person, applied_on=date(2026, 1, 10))
    login(english, casework.coordinator)
    response = english.post(_url("person-erase", casework, person), {"mode": "erase", "reason": "Richiesta scritta"})
    assert response.status_code == 200
    assert "volunteered" in str(response.context["form"].errors["mode"])
    assert Person.objects.filter(pk=person.pk).exists()
