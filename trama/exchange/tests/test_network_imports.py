from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from trama.accounts.models import AuditEvent, Role
from trama.core.tests.factories import CommunityPlaceFactory, OrganisationFactory, PartnershipFactory
from trama.exchange import services
from trama.exchange.importers.base import CREATED, UNCHANGED, UPDATED
from trama.exchange.importers.network import ORGANISATION_COLUMNS, PLACE_COLUMNS
from trama.exchange.models import ImportRun
from trama.network.models import CommunityPlace, Organisation, Partnership
from trama.territory.models import Municipality, Programme

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _territory(programme: Programme) -> None:
    programme.municipalities.add(Municipality.objects.get(istat_code="018110"))


def upload(columns: tuple, rows: list[dict[str, str]]) -> SimpleUploadedFile:
    lines = [";".join(column.header for column in columns)]
    lines += [";".join(row.get(column.key, "") for column in columns) for row in rows]
    return SimpleUploadedFile("file.csv", ("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))


def run_import(user: object, programme: Programme, kind: str, columns: tuple, rows: list) -> ImportRun:
    run = services.import_start(actor=user, programme=programme, kind=kind, upload=upload(columns, rows))
    if run.status != ImportRun.Status.CHECKED:
        return run
    return services.import_confirm(actor=user, run=run)


ORGANISATIONS = [
    {"name": "Cooperativa Il Ponte", "kind": "cooperativa sociale", "tax_code": "01234560017", "municipality": "Pavia"},
    {"name": "Associazione Aurora", "kind": "associazione", "role": "sostenitore"},
]


def test_it_imports_organisations_with_their_role_once(coordinator: object, programme: Programme):
    run = run_import(coordinator, programme, "organisations", ORGANISATION_COLUMNS, ORGANISATIONS)
    assert run.status == ImportRun.Status.IMPORTED, run.errors
    assert [outcome for _row, outcome, _label in run.outcomes] == [CREATED, CREATED]
    ponte = Organisation.objects.get(tax_code="01234560017")
    assert Partnership.objects.get(programme=programme, organisation=ponte).role == Partnership.Role.PARTNER
    assert Partnership.objects.get(organisation__name="Associazione Aurora").role == Partnership.Role.SUPPORTER
    assert AuditEvent.objects.filter(target_type="network.organisation", action=AuditEvent.Action.CREATE).count() == 2
    again = run_import(coordinator, programme, "organisations", ORGANISATION_COLUMNS, ORGANISATIONS)
    assert again.counts[UNCHANGED] == 2, (again.outcomes, again.errors, again.problem, again.status)
    assert Organisation.objects.filter(name__in=["Cooperativa Il Ponte", "Associazione Aurora"]).count() == 2
    changed = [{**ORGANISATIONS[0], "phone": "0382 1"}, ORGANISATIONS[1]]
    third = run_import(coordinator, programme, "organisations", ORGANISATION_COLUMNS, changed)
    assert [outcome for _row, outcome, _label in third.outcomes] == [UPDATED, UNCHANGED]
    assert Organisation.objects.get(pk=ponte.pk).phone == "0382 1"


def test_it_refuses_an_invalid_codice_fiscale_of_an_organisation(coordinator: object, programme: Programme):
    rows = [{**ORGANISATIONS[0], "tax_code": "01234560018"}, ORGANISATIONS[1]]
    run = run_import(coordinator, programme, "organisations", ORGANISATION_COLUMNS, rows)
    assert run.status == ImportRun.Status.REJECTED
    assert [(row, column) for row, column, *_rest in run.errors] == [(2, "Codice fiscale")]
    assert not Organisation.objects.filter(name="Associazione Aurora").exists()


def test_it_imports_places_by_name_and_municipality(coordinator: object, programme: Programme, lead: Organisation):
    rows = [
        {"name": "Laboratorio Nord", "kind": "laboratorio di comunità", "organisation": lead.name,
         "address": "Via Roma 1", "municipality": "018110", "latitude": "45,185", "longitude": "9.155"},
        {"name": "Punto Sud", "kind": "punto di comunità", "organisation": lead.name, "address": "Via Po 2",
         "municipality": "Pavia", "is_published": "sì"},
    ]  # fmt: skip
    run = run_import(coordinator, programme, "places", PLACE_COLUMNS, rows)
    assert run.status == ImportRun.Status.IMPORTED, run.errors
    assert CommunityPlace.objects.filter(programme=programme).count() == 2
    assert CommunityPlace.objects.get(name="Punto Sud").is_published
    again = run_import(coordinator, programme, "places", PLACE_COLUMNS, rows)
    assert again.counts[UNCHANGED] == 2
    assert CommunityPlace.objects.filter(programme=programme).count() == 2


def test_it_lets_a_lab_manager_import_only_the_places_of_their_organisation(
    member: Callable, programme: Programme, lead: Organisation
):
    other = OrganisationFactory(name="Altra cooperativa")
    PartnershipFactory(programme=programme, organisation=other)
    CommunityPlaceFactory(programme=programme, name="Orto", managing_organisation=other)
    manager = member(Role.LAB_MANAGER)
    row = {"kind": "altro", "address": "Via Roma 3", "municipality": "Pavia"}
    rows = [
        {**row, "name": "Aula studio", "organisation": lead.name},
        {**row, "name": "Sala prove", "organisation": other.name},
        {**row, "name": "Orto", "organisation": lead.name},
    ]
    run = run_import(manager, programme, "places", PLACE_COLUMNS, rows)
    assert run.status == ImportRun.Status.REJECTED
    assert [(row, column) for row, column, *_rest in run.errors] == [(3, "Ente gestore"), (4, "Ente gestore")]
    assert not services.IMPORTERS["organisations"].allowed(manager, programme)
    run = run_import(manager, programme, "places", PLACE_COLUMNS, rows[:1])
    assert run.status == ImportRun.Status.IMPORTED


def test_it_imports_volunteers_once(coordinator: object, programme: Programme):
    from trama.exchange.importers.volunteers import COLUMNS
    from trama.mutualaid.models import Volunteer
    from trama.people.models import Person

    Person.objects.create(programme=programme, first_name="Anna", last_name="Verdi", birth_date="1980-04-04")
    rows = [
        {"first_name": "Anna", "last_name": "Verdi", "birth_date": "04/04/1980", "languages": "it, en"},
        {"first_name": "Luca", "last_name": "Bianchi", "birth_date": "02/05/1970", "municipality": "Pavia"},
    ]
    run = run_import(coordinator, programme, "volunteers", COLUMNS, rows)
    assert run.status == ImportRun.Status.IMPORTED, run.errors
    assert Volunteer.objects.filter(programme=programme).count() == 2
    assert Person.objects.filter(first_name="Anna").count() == 1  # the known person became a volunteer
    again = run_import(coordinator, programme, "volunteers", COLUMNS, rows)
    assert again.counts[UNCHANGED] == 2
    minor = run_import(
        coordinator,
        programme,
        "volunteers",
        COLUMNS,
        [{"first_name": "Eva", "last_name": "Neri", "birth_date": "01/01/2015"}],
    )
    assert [(row, column) for row, column, *_rest in minor.errors] == [(2, "Data di nascita")]
