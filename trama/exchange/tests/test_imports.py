from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from trama.accounts.models import AuditEvent, Role, User
from trama.exchange import services
from trama.exchange.importers import IMPORTERS
from trama.exchange.importers.base import CREATED, ERROR, UNCHANGED, UPDATED, read_table
from trama.exchange.importers.people import COLUMNS
from trama.exchange.models import ImportRun
from trama.exchange.tests.factories import tax_code_for
from trama.jobs.models import BackgroundJob
from trama.people.models import Consent, Household, HouseholdMember, Person
from trama.territory.models import Municipality, Programme

pytestmark = pytest.mark.django_db
HEADERS = [column.header for column in COLUMNS]
KEYS = [column.key for column in COLUMNS]


@pytest.fixture(autouse=True)
def _territory(programme: Programme) -> None:
    programme.municipalities.add(Municipality.objects.get(istat_code="018110"))


def person_row(number: int, **values: Any) -> dict[str, str]:
    born = date(1950 + number % 50, 1 + number % 12, 1 + number % 28)
    gender = "F" if number % 2 else "M"
    row = {
        "household": f"Famiglia {number // 3}", "household_municipality": "Pavia", "relation": "genitore",
        "first_name": f"Nome{number}", "last_name": "Rossi", "birth_date": born.strftime("%d/%m/%Y"),
        "gender": gender, "tax_code": tax_code_for(number, born, gender), "municipality": "018110",
        "consent_processing": "01/09/2025",
    }  # fmt: skip
    row.update(values)
    return row


def csv_file(rows: list[dict[str, str]], name: str = "persone.csv") -> SimpleUploadedFile:
    lines = [";".join(HEADERS)] + [";".join(row.get(key, "") for key in KEYS) for row in rows]
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode("utf-8-sig"), content_type="text/csv")


def start(user: User, programme: Programme, rows: list[dict[str, str]]) -> ImportRun:
    return services.import_start(actor=user, programme=programme, kind="people", upload=csv_file(rows))


def import_file(user: User, programme: Programme, rows: list[dict[str, str]]) -> ImportRun:
    run = start(user, programme, rows)
    assert run.status == ImportRun.Status.CHECKED, run.errors
    return services.import_confirm(actor=user, run=run)


def test_it_round_trips_the_xlsx_template(client: Client, login: Callable, coordinator: User, programme: Programme):
    login(client, coordinator)
    url = reverse("exchange:import-template", args=[programme.slug, "people", "xlsx"])
    response = client.get(url)
    assert response.status_code == 200
    rows = read_table(response.content, "modello.xlsx", COLUMNS)
    assert [row.number for row in rows] == [2]
    plan = IMPORTERS["people"].plan(actor=coordinator, programme=programme, rows=rows, progress=lambda *a: None)
    assert plan.errors == []
    assert [outcome for _row, outcome, _label in plan.outcomes] == [CREATED]
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.worksheets) == 2
    assert [cell.value for cell in workbook.worksheets[0][1]] == HEADERS


def test_it_round_trips_the_csv_template(client: Client, login: Callable, coordinator: User, programme: Programme):
    login(client, coordinator)
    response = client.get(reverse("exchange:import-template", args=[programme.slug, "people", "csv"]))
    assert response.status_code == 200
    assert read_table(response.content, "modello.csv", COLUMNS) == []
    assert response.content.decode("utf-8-sig").splitlines()[0].split(",") == HEADERS


def test_it_checks_a_file_without_writing_anything(coordinator: User, programme: Programme):
    audit_before = AuditEvent.objects.filter(target_type="people.person").count()
    run = start(coordinator, programme, [person_row(n) for n in range(6)])
    assert run.status == ImportRun.Status.CHECKED
    assert run.counts == {CREATED: 6, UPDATED: 0, UNCHANGED: 0, ERROR: 0}
    assert len(run.outcomes) == 6
    assert Person.objects.count() == 0
    assert Household.objects.count() == 0
    assert AuditEvent.objects.filter(target_type="people.person").count() == audit_before
    assert run.upload  # kept until confirmed


def test_it_imports_after_confirmation_through_the_audit_and_history(coordinator: User, programme: Programme):
    run = import_file(coordinator, programme, [person_row(n) for n in range(6)])
    assert run.status == ImportRun.Status.IMPORTED
    assert not run.upload  # the file is gone once imported
    assert Person.objects.filter(programme=programme).count() == 6
    assert Household.objects.filter(programme=programme).count() == 2
    assert HouseholdMember.objects.count() == 6
    assert Consent.objects.filter(purpose=Consent.Purpose.PROCESSING).count() == 6
    person = Person.objects.get(first_name="Nome4")
    assert person.created_by is None or person.created_by == coordinator
    assert person.history.count() == 1
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, target_type="people.person", target_id=str(person.public_id), actor=coordinator
    ).exists()
    assert AuditEvent.objects.filter(target_type="people.household", action=AuditEvent.Action.CREATE).count() == 2


def test_it_creates_no_duplicates_when_the_same_file_comes_again(coordinator: User, programme: Programme):
    rows = [person_row(n) for n in range(9)] + [person_row(100, tax_code="")]
    import_file(coordinator, programme, rows)
    again = import_file(coordinator, programme, rows)
    assert again.status == ImportRun.Status.IMPORTED
    assert again.counts[UNCHANGED] == 10
    assert Person.objects.count() == 10
    assert Household.objects.count() == 4
    assert HouseholdMember.objects.count() == 10
    assert Consent.objects.count() == 10


def test_it_updates_what_changed_and_leaves_empty_cells_alone(coordinator: User, programme: Programme):
    import_file(coordinator, programme, [person_row(1, phone="0382 1"), person_row(2)])
    run = import_file(coordinator, programme, [person_row(1, phone="0382 2"), person_row(2, municipality="")])
    assert [outcome for _row, outcome, _label in run.outcomes] == [UPDATED, UNCHANGED]
    person = Person.objects.get(first_name="Nome1")
    assert person.phone == "0382 2"
    assert person.version == 2
    assert Person.objects.get(first_name="Nome2").municipality.istat_code == "018110"


def test_it_reports_exactly_the_bad_rows_of_a_large_file_and_changes_nothing(coordinator: User, programme: Programme):
    rows = [person_row(n) for n in range(9_999)]
    # Spreadsheet rows: the header is row 1, so data row i is row i + 2.
    rows[0]["tax_code"] = "RSSMRA85C55G388X"  # row 2: wrong check character
    rows[4_998]["birth_date"] = "31/02/1990"  # row 5,000: no such date
    rows[9_997]["municipality"] = "Atlantide"  # row 9,999: no such municipality
    rows.append(person_row(20_000))  # row 10,001: a good last row
    run = start(coordinator, programme, rows)
    assert run.status == ImportRun.Status.REJECTED
    assert sorted({row for row, *_rest in run.errors}) == [2, 5_000, 9_999]
    assert {(row, column) for row, column, _value, _reason in run.errors} == {
        (2, "Codice fiscale"), (5_000, "Data di nascita"), (9_999, "Comune di residenza"),
    }  # fmt: skip
    assert run.counts[ERROR] == 3
    assert run.counts[CREATED] == 10_000 - 3
    assert all(reason for *_rest, reason in run.errors)
    assert Person.objects.count() == 0
    assert not run.upload  # a rejected file is not kept


def test_it_imports_nothing_when_a_row_went_bad_after_the_check(coordinator: User, programme: Programme):
    run = start(coordinator, programme, [person_row(1), person_row(2), person_row(3)])
    assert run.status == ImportRun.Status.CHECKED
    # Someone adds the same person (same codice fiscale) in the meantime: the import checks again.
    Person.objects.create(
        programme=programme, first_name="Nome3", last_name="Rossi", tax_code=person_row(3)["tax_code"]
    )
    run = services.import_confirm(actor=coordinator, run=run)
    assert run.status == ImportRun.Status.IMPORTED  # the known person is updated, not duplicated
    assert Person.objects.count() == 3


def test_it_refuses_a_person_who_may_be_a_duplicate(coordinator: User, programme: Programme):
    Person.objects.create(programme=programme, first_name="Nome5", last_name="Rossi", birth_date=date(1955, 6, 6))
    run = start(coordinator, programme, [person_row(5, tax_code="", household="Altra famiglia")])
    assert run.status == ImportRun.Status.REJECTED
    assert [(row, column) for row, column, *_rest in run.errors] == [(2, "Nome")]


@pytest.mark.parametrize(
    ("values", "column"),
    [
        ({"first_name": ""}, "Nome"),
        ({"tax_code": "", "birth_date": ""}, "Data di nascita"),
        ({"gender": "M"}, "Codice fiscale"),  # the code says F
        ({"relation": "zio"}, "Relazione nel nucleo"),
        ({"email": "not-an-email"}, "Email"),
        ({"household_municipality": "Milano"}, "Comune del nucleo"),  # outside the territory
        ({"birth_date": "01/01/2099", "tax_code": ""}, "Data di nascita"),
        ({"consent_processing": "01/01/2099"}, "Consenso trattamento"),
    ],
)
def test_it_explains_each_bad_cell(coordinator: User, programme: Programme, values: dict[str, str], column: str):
    run = start(coordinator, programme, [person_row(1, **values)])
    assert run.status == ImportRun.Status.REJECTED
    assert column in [error[1] for error in run.errors]
    assert Person.objects.count() == 0


def test_it_applies_the_consent_rules_for_minors(coordinator: User, programme: Programme):
    born = date(2015, 5, 5)
    child = person_row(7, birth_date="05/05/2015", tax_code=tax_code_for(7, born, "F"), relation="figlio/a")
    run = start(coordinator, programme, [child])
    assert [error[1] for error in run.errors] == ["Consenso dato da"]
    run = start(coordinator, programme, [{**child, "given_by": "genitore o tutore"}])
    assert [error[1] for error in run.errors] == ["Nome del genitore o tutore"]
    run = import_file(coordinator, programme, [{**child, "given_by": "genitore", "guardian_name": "Anna Rossi"}])
    consent = Consent.objects.get()
    assert (consent.given_by, consent.guardian_name) == (Consent.GivenBy.GUARDIAN, "Anna Rossi")


def test_it_reports_a_row_repeated_in_the_file(coordinator: User, programme: Programme):
    run = start(coordinator, programme, [person_row(1), person_row(2), person_row(1)])
    assert [(row, column) for row, column, *_rest in run.errors] == [(4, "Codice fiscale")]


def test_it_rejects_a_file_with_unknown_headers(coordinator: User, programme: Programme):
    upload = SimpleUploadedFile("x.csv", b"Nome;Cognome;Colore preferito\r\nA;B;rosso\r\n")
    run = services.import_start(actor=coordinator, programme=programme, kind="people", upload=upload)
    assert run.status == ImportRun.Status.REJECTED
    assert "Colore preferito" in run.problem


def test_it_reads_an_xlsx_file(coordinator: User, programme: Programme):
    from trama.core.exports import xlsx_bytes

    row = person_row(3)
    content = xlsx_bytes(HEADERS, [[row.get(key, "") for key in KEYS]], sheet_title="Dati")
    upload = SimpleUploadedFile("persone.xlsx", content)
    run = services.import_start(actor=coordinator, programme=programme, kind="people", upload=upload)
    assert run.status == ImportRun.Status.CHECKED, run.errors
    services.import_confirm(actor=coordinator, run=run)
    assert Person.objects.get().tax_code == row["tax_code"]


# --- Pages ---------------------------------------------------------------------------------


def test_it_runs_the_whole_journey_through_the_pages(
    client: Client, login: Callable, coordinator: User, programme: Programme
):
    login(client, coordinator)
    home = client.get(reverse("exchange:import-home", args=[programme.slug]))
    assert home.status_code == 200
    response = client.post(
        reverse("exchange:import-upload", args=[programme.slug, "people"]), {"file": csv_file([person_row(1)])}
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response.url == run.get_absolute_url()
    detail = client.get(run.get_absolute_url())
    assert detail.status_code == 200
    assert b'data-status="checked"' in detail.content
    assert Person.objects.count() == 0
    response = client.post(reverse("exchange:import-confirm", args=[programme.slug, run.public_id]))
    assert response.status_code == 302
    assert Person.objects.count() == 1
    run.refresh_from_db()
    report = client.get(reverse("jobs:download", args=[programme.slug, run.job.public_id]))
    assert report.status_code == 200
    assert BackgroundJob.objects.filter(owner=coordinator, kind=services.IMPORT_JOB).count() == 1


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.EVALUATOR, Role.LAB_MANAGER, Role.VOLUNTEER])
def test_it_refuses_who_may_not_import_people(
    client: Client, login: Callable, member: Callable, programme: Programme, role: str
):
    login(client, member(role))
    home = client.get(reverse("exchange:import-home", args=[programme.slug]))
    # Lab managers import the places of their organisation, nothing else here.
    assert home.status_code == (200 if role == Role.LAB_MANAGER else 403)
    assert b'data-importer="people"' not in home.content
    url = reverse("exchange:import-upload", args=[programme.slug, "people"])
    assert client.post(url, {"file": csv_file([person_row(1)])}).status_code == 403
    template = reverse("exchange:import-template", args=[programme.slug, "people", "csv"])
    assert client.get(template).status_code == 403
    assert ImportRun.objects.count() == 0


def test_it_shows_an_import_to_its_owner_only(client: Client, login: Callable, member: Callable, programme: Programme):
    owner, other = member(Role.COORDINATOR), member(Role.COORDINATOR)
    run = start(owner, programme, [person_row(1)])
    login(client, other)
    assert client.get(run.get_absolute_url()).status_code == 404
    assert client.post(reverse("exchange:import-confirm", args=[programme.slug, run.public_id])).status_code == 404
    assert Person.objects.count() == 0


@pytest.mark.parametrize("runs", [2, 20])
def test_it_lists_imports_in_a_fixed_number_of_queries(
    client: Client, login: Callable, coordinator: User, programme: Programme, django_assert_num_queries, runs: int
):
    for _ in range(runs):
        ImportRun.objects.create(programme=programme, owner=coordinator, kind="people", filename="a.csv")
    login(client, coordinator)
    # One membership check per kind of import (seven kinds), then the page: not one per import.
    with django_assert_num_queries(17):
        response = client.get(reverse("exchange:import-home", args=[programme.slug]))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [2, 20])
def test_it_shows_a_check_in_a_fixed_number_of_queries(
    client: Client, login: Callable, coordinator: User, programme: Programme, django_assert_num_queries, rows: int
):
    run = start(coordinator, programme, [person_row(n) for n in range(rows)])
    login(client, coordinator)
    with django_assert_num_queries(12):
        response = client.get(run.get_absolute_url())
    assert response.content.count(b'data-outcome="created"') == rows + 1  # the rows and the count
