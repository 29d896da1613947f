"""Pseudonymised extracts: only people consenting to statistics, no personal values, stable keyed
pseudonyms, small cells suppressed in the aggregate sheets, every download audited, evaluators and
coordinators only."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from trama.accounts.models import AuditEvent, Role
from trama.activities.tests.factories import ActivityFactory, AttendanceFactory, OccurrenceFactory, rome
from trama.casework.models import Case
from trama.casework.tests.factories import (
    CaseFactory,
    ConsentFactory,
    HouseholdFactory,
    HouseholdMemberFactory,
    PersonFactory,
)
from trama.core.pseudonyms import pseudonym
from trama.evaluation.extracts import COLUMNS, SUPPRESSED, build_extract, extract_file
from trama.evaluation.registry import Period
from trama.mutualaid.tests.factories import VolunteerFactory
from trama.people.models import Consent

pytestmark = pytest.mark.django_db

PERIOD = Period(date(2026, 1, 1), date(2026, 12, 31))
POST = {"start": "2026-01-01", "end": "2026-12-31", "file_format": "csv"}


def _person(programme, household, *, consent=True, **fields):
    person = PersonFactory(
        programme=programme, tax_code=fields.pop("tax_code", ""), email=fields.pop("email", ""),
        phone=fields.pop("phone", ""), **fields,
    )  # fmt: skip
    HouseholdMemberFactory(household=household, person=person)
    if consent:
        ConsentFactory(person=person, purpose=Consent.Purpose.STATISTICS, given_on=date(2025, 1, 10))
    return person


@pytest.fixture
def people(programme, lead):
    household = HouseholdFactory(programme=programme, label="Famiglia Bertolotti", address="Via Sacchi 12")
    CaseFactory(programme=programme, household=household, organisation=lead, phase=Case.Phase.PROJECT,
                opened_on=date(2026, 2, 14))  # fmt: skip
    consenting = _person(
        programme, household, first_name="Ginevra", last_name="Bertolotti", birth_date=date(2015, 5, 20),
        tax_code="BRTGNV15E60G388X", email="ginevra@example.org", phone="0382 555123",
    )  # fmt: skip
    processing_only = _person(programme, household, consent=False, first_name="Ottavio", last_name="Bertolotti")
    ConsentFactory(person=processing_only, purpose=Consent.Purpose.PROCESSING)
    withdrawn = _person(programme, household, first_name="Lucrezia", last_name="Bertolotti")
    Consent.objects.filter(person=withdrawn).update(withdrawn_on=date(2025, 6, 1))
    erased = _person(programme, household, first_name="Persona", last_name="Cancellata")
    erased.erased_at = rome(2025, 7, 1, 9, 0)
    erased.save()
    restricted = _person(programme, household, first_name="Ugo", last_name="Limitato", is_restricted=True)
    activity = ActivityFactory(programme=programme, expand=False)
    for day in (3, 10):
        AttendanceFactory(occurrence=OccurrenceFactory(activity=activity, starts_at=rome(2026, 3, day, 16, 0)),
                          person=consenting)  # fmt: skip
    VolunteerFactory(programme=programme, person=consenting)
    return {
        "consenting": consenting, "household": household, "others": [processing_only, withdrawn, erased, restricted],
    }  # fmt: skip


def _rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_it_holds_only_the_people_who_consent_to_statistics(programme, people):
    extract = build_extract(programme, PERIOD, on=date(2026, 6, 1))

    assert [row[0] for row in extract.rows] == [pseudonym(people["consenting"].public_id)]


def test_it_gives_codes_and_counts_instead_of_personal_values(programme, people):
    rows = _rows(extract_file(build_extract(programme, PERIOD, on=date(2026, 6, 1)), "csv"))

    assert list(rows[0]) == list(COLUMNS)
    row = rows[0]
    assert row["household"] == pseudonym(people["household"].public_id)
    assert row["age_band"] == "11-13"  # born in May 2015, on 1 June 2026
    assert row["gender"] == "F"
    assert row["municipality"] == "Pavia"
    assert (row["case_phase"], row["case_status"], row["case_opened"]) == ("C", "open", "2026-02")
    assert (row["attendances"], row["activities_attended"]) == ("2", "1")
    assert (row["pact"], row["volunteer"]) == ("0", "1")


def test_it_contains_no_name_tax_code_contact_address_or_birth_date(programme, people):
    consenting = people["consenting"]
    content = extract_file(build_extract(programme, PERIOD), "csv").decode("utf-8-sig")
    workbook = extract_file(build_extract(programme, PERIOD), "xlsx")
    cells = " ".join(
        str(value)
        for sheet in load_workbook(io.BytesIO(workbook))
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )

    private = ["Ginevra", "Bertolotti", "BRTGNV15E60G388X", "ginevra@example.org", "0382 555123", "Via Sacchi"]
    private += ["2015-05-20", str(consenting.public_id), "Ottavio", "Lucrezia", "Limitato"]
    for text in (content, cells):
        for value in private:
            assert value not in text


def test_its_pseudonyms_are_stable_and_keyed(programme, people, settings):
    first = build_extract(programme, PERIOD).rows[0][0]
    assert build_extract(programme, PERIOD).rows[0][0] == first

    settings.TRAMA_PSEUDONYM_KEY = "another key, another installation"
    assert build_extract(programme, PERIOD).rows[0][0] != first


def test_its_aggregate_sheets_suppress_cells_under_five(programme, people):
    workbook = load_workbook(io.BytesIO(extract_file(build_extract(programme, PERIOD), "xlsx")))

    by_gender = list(workbook.worksheets[2].iter_rows(min_row=2, values_only=True))
    assert ("F", SUPPRESSED) in by_gender
    for sheet in workbook.worksheets[1:5]:
        for _, count in sheet.iter_rows(min_row=2, values_only=True):
            assert count == SUPPRESSED or count >= 5


def test_it_costs_a_fixed_number_of_queries(programme, people):
    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            build_extract(programme, PERIOD)
        return len(context.captured_queries)

    before = count()
    household = HouseholdFactory(programme=programme)
    for _ in range(6):
        _person(programme, household)
    assert len(build_extract(programme, PERIOD).rows) == 7
    assert count() == before


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.COORDINATOR])
def test_an_evaluator_or_coordinator_downloads_it_and_the_download_is_audited(client, login, member, programme, people,
                                                                              role):  # fmt: skip
    login(client, member(role))
    url = reverse("evaluation-reports:extracts", kwargs={"slug": programme.slug})
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["consenting"] == 1

    response = client.post(url, POST)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert len(_rows(response.content)) == 1
    audit = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, target_type="evaluation.extract")
    assert audit.programme == programme
    assert audit.role == role


def test_it_gives_an_xlsx_with_the_codebook(client, login, evaluator, programme, people):
    login(client, evaluator)
    url = reverse("evaluation-reports:extracts", kwargs={"slug": programme.slug})

    response = client.post(url, {**POST, "file_format": "xlsx"})

    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.worksheets) == 6  # people, four aggregate tables, the codebook
    assert workbook.worksheets[0].max_row == 2


@pytest.mark.parametrize("role", [Role.FUNDER, Role.OPERATOR, Role.LAB_MANAGER, Role.VOLUNTEER])
def test_it_refuses_other_roles(client, login, member, programme, people, role):
    login(client, member(role))
    url = reverse("evaluation-reports:extracts", kwargs={"slug": programme.slug})

    assert client.get(url).status_code == 403
    assert client.post(url, POST).status_code == 403
    assert not AuditEvent.objects.filter(target_type="evaluation.extract").exists()
