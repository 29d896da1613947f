from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from trama.accounts.models import AuditEvent, Role, User
from trama.activities.models import Activity, Attendance, Occurrence, Tally
from trama.activities.tests.factories import ActivityFactory, RegistrationFactory, rome
from trama.core.tests.factories import CommunityPlaceFactory, OrganisationFactory, PartnershipFactory
from trama.exchange import services
from trama.exchange.importers import IMPORTERS
from trama.exchange.importers.activities import ATTENDANCE_COLUMNS, COLUMNS, TALLY_COLUMNS, parse_recurrence
from trama.exchange.importers.base import CREATED, UNCHANGED, UPDATED, CellError, read_table
from trama.exchange.models import ImportRun
from trama.exchange.tests.factories import tax_code_for
from trama.network.models import Organisation
from trama.people.models import Person
from trama.territory.models import Municipality, Programme

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _territory(programme: Programme) -> None:
    programme.municipalities.add(Municipality.objects.get(istat_code="018110"))


def upload(columns: tuple, rows: list[dict[str, str]]) -> SimpleUploadedFile:
    """A CSV as Excel in Italian writes it: semicolons, and quotes around a cell holding one (an RRULE)."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    writer.writerow([column.header for column in columns])
    writer.writerows([row.get(column.key, "") for column in columns] for row in rows)
    return SimpleUploadedFile("file.csv", text.getvalue().encode("utf-8-sig"))


def check(user: User, programme: Programme, kind: str, rows: list[dict[str, str]]) -> ImportRun:
    columns = {"activities": COLUMNS, "attendance": ATTENDANCE_COLUMNS, "tallies": TALLY_COLUMNS}[kind]
    return services.import_start(actor=user, programme=programme, kind=kind, upload=upload(columns, rows))


def run_import(user: User, programme: Programme, kind: str, rows: list[dict[str, str]]) -> ImportRun:
    run = check(user, programme, kind, rows)
    if run.status != ImportRun.Status.CHECKED:
        return run
    return services.import_confirm(actor=user, run=run)


def outcomes(run: ImportRun) -> list[str]:
    return [outcome for _row, outcome, _label in run.outcomes]


def cells(run: ImportRun) -> list[tuple[int, str]]:
    return [(row, column) for row, column, *_rest in run.errors]


WEEKLY = {
    "title": "Aiuto compiti", "kind": "sostegno scolastico", "audience": "bambini 6-10", "venue": "Scuola Carducci",
    "municipality": "Pavia", "first_start": "05/10/2026 16:30", "duration_minutes": "90",
    "recurrence": "ogni lunedì fino al 30/11/2026", "registration_required": "sì", "capacity": "12",
}  # fmt: skip
PARTY = {
    "title": "Festa di quartiere", "kind": "evento pubblico", "venue": "Parco della Vernavola",
    "municipality": "018110", "first_start": "12/09/2026 15:00", "duration_minutes": "240", "is_public": "sì",
}  # fmt: skip


def test_it_round_trips_the_xlsx_templates(client: Client, login: Callable, coordinator: User, programme: Programme):
    from openpyxl import load_workbook

    login(client, coordinator)
    ActivityFactory(programme=programme, title="Aiuto compiti", first_start=rome(2026, 10, 5, 16, 30))
    ActivityFactory(programme=programme, title="Festa di quartiere", first_start=rome(2026, 9, 12, 15, 0))
    Person.objects.create(programme=programme, first_name="Maria", last_name="Rossi", birth_date=date(2016, 3, 15))
    kinds = (("activities", COLUMNS), ("attendance", ATTENDANCE_COLUMNS), ("tallies", TALLY_COLUMNS))
    for kind, columns in kinds:
        response = client.get(reverse("exchange:import-template", args=[programme.slug, kind, "xlsx"]))
        assert response.status_code == 200
        workbook = load_workbook(io.BytesIO(response.content))
        assert [cell.value for cell in workbook.worksheets[0][1]] == [column.header for column in columns]
        rows = read_table(response.content, "modello.xlsx", columns)
        plan = IMPORTERS[kind].plan(actor=coordinator, programme=programme, rows=rows, progress=lambda *a: None)
        assert plan.errors == []
        assert [outcome for _row, outcome, _label in plan.outcomes] == [CREATED]
        blank = client.get(reverse("exchange:import-template", args=[programme.slug, kind, "csv"]))
        assert read_table(blank.content, "modello.csv", columns) == []


def test_it_checks_a_file_of_activities_without_writing_anything(coordinator: User, programme: Programme):
    run = check(coordinator, programme, "activities", [WEEKLY, PARTY])
    assert run.status == ImportRun.Status.CHECKED, run.errors
    assert outcomes(run) == [CREATED, CREATED]
    assert not Activity.objects.filter(programme=programme).exists()


def test_it_imports_activities_with_their_dates_once(coordinator: User, programme: Programme, lead: Organisation):
    place = CommunityPlaceFactory(programme=programme, name="Laboratorio Nord", managing_organisation=lead)
    lab = {
        "title": "Laboratorio di cucina", "kind": "laboratorio", "place": "laboratorio nord",
        "organisers": lead.name, "first_start": "06/10/2026 17:00", "duration_minutes": "60",
        "recurrence": "FREQ=WEEKLY;COUNT=3",
    }  # fmt: skip
    run = run_import(coordinator, programme, "activities", [WEEKLY, PARTY, lab])
    assert run.status == ImportRun.Status.IMPORTED, (run.errors, run.problem)
    weekly = Activity.objects.get(programme=programme, title="Aiuto compiti")
    assert weekly.first_start == rome(2026, 10, 5, 16, 30)
    assert weekly.recurrence == "FREQ=WEEKLY;BYDAY=MO;UNTIL=20261130T235959"
    assert (weekly.capacity, weekly.registration_required, weekly.audience) == (12, True, "children_6_10")
    assert weekly.occurrences.count() == 9  # the Mondays from 5 October to 30 November
    cooking = Activity.objects.get(title="Laboratorio di cucina")
    assert cooking.place == place
    assert list(cooking.organisers.all()) == [lead]
    assert cooking.occurrences.count() == 3
    assert AuditEvent.objects.filter(target_type="activities.activity", action=AuditEvent.Action.CREATE).count() == 3
    again = run_import(coordinator, programme, "activities", [WEEKLY, PARTY, lab])
    assert again.status == ImportRun.Status.IMPORTED
    assert outcomes(again) == [UNCHANGED, UNCHANGED, UNCHANGED]
    assert Activity.objects.filter(programme=programme).count() == 3
    assert Occurrence.objects.filter(activity__programme=programme).count() == 13


def test_it_reports_exactly_the_bad_rows_and_imports_nothing(coordinator: User, programme: Programme):
    rows = [
        WEEKLY,
        {**PARTY, "kind": "sagra"},
        {**PARTY, "title": "Cinema all'aperto", "first_start": "31/09/2026 21:00"},
        {**PARTY, "title": "Torneo", "place": "Palestra che non esiste", "venue": ""},
        {**PARTY, "title": "Mercatino", "recurrence": "ogni tanto"},
        {**PARTY, "title": "Corsa", "municipality": "Milano"},
        {**PARTY, "title": "Merenda", "duration_minutes": "0"},
        WEEKLY,
        {**PARTY, "title": "Tombola", "first_start": ""},
    ]
    run = run_import(coordinator, programme, "activities", rows)
    assert run.status == ImportRun.Status.REJECTED
    assert cells(run) == [
        (3, "Tipo"), (4, "Data e ora di inizio"), (5, "Luogo"), (6, "Ricorrenza"), (7, "Comune"),
        (8, "Durata in minuti"), (9, "Titolo"), (10, "Data e ora di inizio"),
    ]  # fmt: skip
    row, column, value, reason = run.errors[0]
    assert (row, column, value) == (3, "Tipo", "sagra")
    assert reason
    assert not Activity.objects.filter(programme=programme).exists()


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", ""),
        ("ogni lunedì e mercoledì fino al 30/06/2027", "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270630T235959"),
        ("Ogni martedi, giovedì e sabato", "FREQ=WEEKLY;BYDAY=TU,TH,SA"),
        ("ogni giorno fino al 12/07/2027", "FREQ=DAILY;UNTIL=20270712T235959"),
        ("ogni due settimane per 5 volte", "FREQ=WEEKLY;INTERVAL=2;COUNT=5"),
        ("FREQ=MONTHLY;BYMONTHDAY=1", "FREQ=MONTHLY;BYMONTHDAY=1"),
    ],
)
def test_it_reads_a_recurrence_in_italian(text: str, rule: str):
    assert parse_recurrence(text) == rule


@pytest.mark.parametrize("text", ["ogni lunedi fino al 31/02/2027", "ogni lunedì e festivi", "tutti i giorni"])
def test_it_refuses_a_recurrence_it_cannot_read(text: str):
    with pytest.raises(CellError):
        parse_recurrence(text)


def test_it_lets_a_lab_manager_import_only_their_organisations_activities(
    member: Callable, programme: Programme, lead: Organisation
):
    other = OrganisationFactory(name="Altra cooperativa")
    PartnershipFactory(programme=programme, organisation=other)
    CommunityPlaceFactory(programme=programme, name="Orto", managing_organisation=other)
    CommunityPlaceFactory(programme=programme, name="Aula studio", managing_organisation=lead)
    theirs = ActivityFactory(programme=programme, title="Orto condiviso", place__managing_organisation=other)
    manager = member(Role.LAB_MANAGER)
    assert IMPORTERS["activities"].allowed(manager, programme)
    assert not IMPORTERS["activities"].allowed(member(Role.OPERATOR), programme)
    base = {"kind": "laboratorio", "first_start": "07/10/2026 10:00", "duration_minutes": "60"}
    rows = [
        {**base, "title": "Studio", "place": "Aula studio"},
        {**base, "title": "Semina", "place": "Orto"},
        {**base, "title": "Passeggiata", "venue": "Parco", "municipality": "Pavia", "organisers": other.name},
        {**base, "title": "Orto condiviso", "place": theirs.place.name, "first_start": "05/10/2026 16:30",
         "duration_minutes": "90"},
        {**base, "title": "Lettura", "venue": "Biblioteca", "municipality": "Pavia", "organisers": lead.name},
    ]  # fmt: skip
    run = run_import(manager, programme, "activities", rows)
    assert run.status == ImportRun.Status.REJECTED
    assert cells(run) == [(3, "Organizzatori"), (4, "Organizzatori"), (5, "Organizzatori")]
    assert Activity.objects.filter(programme=programme).count() == 1
    run = run_import(manager, programme, "activities", [rows[0], rows[4]])
    assert run.status == ImportRun.Status.IMPORTED, run.errors
    assert set(Activity.objects.filter(programme=programme).values_list("title", flat=True)) == {
        "Orto condiviso", "Studio", "Lettura",
    }  # fmt: skip


# --- Attendance ----------------------------------------------------------------------------


@pytest.fixture
def lab(programme: Programme, lead: Organisation) -> Activity:
    return ActivityFactory(
        programme=programme, title="Aiuto compiti", first_start=rome(2026, 10, 5, 16, 30),
        recurrence="FREQ=WEEKLY;BYDAY=MO;COUNT=4", place__managing_organisation=lead,
    )  # fmt: skip


@pytest.fixture
def people(programme: Programme) -> list[Person]:
    born = date(2016, 3, 15)
    return [
        Person.objects.create(
            programme=programme, first_name="Maria", last_name="Rossi", birth_date=born,
            tax_code=tax_code_for(1, born, "F"), gender="F",
        ),
        Person.objects.create(
            programme=programme, first_name="Ahmed", last_name="Bianchi", birth_date=date(2015, 1, 2)
        ),
    ]  # fmt: skip


def test_it_imports_named_attendance_once(coordinator: User, programme: Programme, lab: Activity, people: list):
    maria, ahmed = people
    rows = [
        {"activity": "Aiuto compiti", "starts_at": "05/10/2026 16:30", "tax_code": maria.tax_code.lower()},
        {"activity": "aiuto compiti", "starts_at": "05/10/2026", "first_name": "Ahmed", "last_name": "BIANCHI",
         "birth_date": "02/01/2015", "present": "sì"},
        {"activity": "Aiuto compiti", "starts_at": "12/10/2026 16:30", "tax_code": maria.tax_code},
    ]  # fmt: skip
    dry = check(coordinator, programme, "attendance", rows)
    assert dry.status == ImportRun.Status.CHECKED, dry.errors
    assert not Attendance.objects.exists()
    run = services.import_confirm(actor=coordinator, run=dry)
    assert run.status == ImportRun.Status.IMPORTED, (run.errors, run.problem)
    assert outcomes(run) == [CREATED, CREATED, CREATED]
    first = lab.occurrences.get(starts_at=rome(2026, 10, 5, 16, 30))
    assert set(first.attendances.values_list("person_id", flat=True)) == {maria.pk, ahmed.pk}
    assert Attendance.objects.get(person=maria, occurrence=first).is_minor
    assert Attendance.objects.filter(person=maria).count() == 2
    again = run_import(coordinator, programme, "attendance", rows)
    assert outcomes(again) == [UNCHANGED, UNCHANGED, UNCHANGED]
    assert Attendance.objects.count() == 3
    absent = run_import(coordinator, programme, "attendance", [{**rows[1], "present": "no"}])
    assert outcomes(absent) == [UPDATED]
    assert set(first.attendances.values_list("person_id", flat=True)) == {maria.pk}


def test_it_reports_a_person_or_a_date_it_does_not_know(
    coordinator: User, programme: Programme, lab: Activity, people: list
):
    maria, _ahmed = people
    future = timezone.localtime(lab.occurrences.first().starts_at)
    later = ActivityFactory(programme=programme, title="Corso futuro", first_start=future + timedelta(days=400))
    cancelled = lab.occurrences.get(starts_at=rome(2026, 10, 19, 16, 30))
    cancelled.status = Occurrence.Status.CANCELLED
    cancelled.save()
    good = {"activity": "Aiuto compiti", "starts_at": "05/10/2026 16:30"}
    rows = [
        {**good, "tax_code": maria.tax_code},
        {**good, "first_name": "Giulia", "last_name": "Neri", "birth_date": "01/01/2010"},
        {**good, "tax_code": tax_code_for(9, date(2010, 1, 1), "F")},
        {**good, "first_name": "Maria"},
        {**good, "activity": "Tombola", "tax_code": maria.tax_code},
        {**good, "starts_at": "06/10/2026 16:30", "tax_code": maria.tax_code},
        {**good, "starts_at": "19/10/2026 16:30", "tax_code": maria.tax_code},
        {"activity": later.title, "starts_at": timezone.localtime(later.first_start).strftime("%d/%m/%Y %H:%M"),
         "tax_code": maria.tax_code},
        {**good, "tax_code": maria.tax_code},
        {**good, "starts_at": "", "tax_code": maria.tax_code},
    ]  # fmt: skip
    run = run_import(coordinator, programme, "attendance", rows)
    assert run.status == ImportRun.Status.REJECTED
    assert cells(run) == [
        (3, "Nome"), (4, "Codice fiscale"), (5, "Codice fiscale"), (6, "Attività"), (7, "Data e ora"),
        (8, "Data e ora"), (9, "Data e ora"), (10, "Attività"), (11, "Data e ora"),
    ]  # fmt: skip
    assert not Attendance.objects.exists()
    assert not Person.objects.filter(first_name="Giulia").exists()


def test_it_refuses_attendance_of_people_not_registered(
    coordinator: User, programme: Programme, lab: Activity, people: list
):
    maria, _ahmed = people
    Activity.objects.filter(pk=lab.pk).update(registration_required=True)
    RegistrationFactory(activity=lab, person=maria)
    rows = [
        {"activity": "Aiuto compiti", "starts_at": "05/10/2026 16:30", "tax_code": maria.tax_code},
        {"activity": "Aiuto compiti", "starts_at": "05/10/2026 16:30", "first_name": "Ahmed",
         "last_name": "Bianchi", "birth_date": "02/01/2015"},
    ]  # fmt: skip
    run = run_import(coordinator, programme, "attendance", rows)
    assert cells(run) == [(3, "Attività")]
    assert not Attendance.objects.exists()
    assert run_import(coordinator, programme, "attendance", rows[:1]).status == ImportRun.Status.IMPORTED


def test_it_refuses_a_lab_manager_the_attendance_of_another_organisation(
    member: Callable, programme: Programme, lab: Activity, people: list
):
    maria, _ahmed = people
    other = OrganisationFactory(name="Altra cooperativa")
    PartnershipFactory(programme=programme, organisation=other)
    ActivityFactory(programme=programme, title="Orto condiviso", place__managing_organisation=other)
    manager = member(Role.LAB_MANAGER)
    rows = [
        {"activity": "Aiuto compiti", "starts_at": "05/10/2026 16:30", "tax_code": maria.tax_code},
        {"activity": "Orto condiviso", "starts_at": "05/10/2026 16:30", "tax_code": maria.tax_code},
    ]
    run = run_import(manager, programme, "attendance", rows)
    assert cells(run) == [(3, "Attività")]
    assert not Attendance.objects.exists()
    run = run_import(manager, programme, "attendance", rows[:1])
    assert run.status == ImportRun.Status.IMPORTED, run.errors
    assert Attendance.objects.get().recorded_by == manager


# --- Anonymous head counts -----------------------------------------------------------------


def test_it_imports_the_head_count_of_a_date_once(member: Callable, programme: Programme, lead: Organisation):
    party = ActivityFactory(
        programme=programme, title="Festa di quartiere", first_start=rome(2026, 9, 12, 15, 0),
        place__managing_organisation=lead,
    )  # fmt: skip
    occurrence = party.occurrences.get()
    manager = member(Role.LAB_MANAGER)
    when = {"activity": "Festa di quartiere", "starts_at": "12/09/2026"}
    rows = [
        {**when, "age_band": "18-64", "gender": "F", "count": "40"},
        {**when, "age_band": "18-64", "gender": "m", "count": "35"},
        {**when, "age_band": "", "gender": "", "count": "20"},
    ]
    dry = check(manager, programme, "tallies", rows)
    assert dry.status == ImportRun.Status.CHECKED, dry.errors
    assert not occurrence.tallies.exists()
    run = services.import_confirm(actor=manager, run=dry)
    assert run.status == ImportRun.Status.IMPORTED, (run.errors, run.problem)
    assert outcomes(run) == [CREATED, CREATED, CREATED]
    cells_ = {(t.age_band, t.gender): t.count for t in occurrence.tallies.all()}
    assert cells_ == {("18-64", "F"): 40, ("18-64", "M"): 35, ("", ""): 20}
    again = run_import(manager, programme, "tallies", rows)
    assert outcomes(again) == [UNCHANGED, UNCHANGED, UNCHANGED]
    assert occurrence.tallies.count() == 3
    corrected = run_import(manager, programme, "tallies", [rows[0], {**rows[1], "count": "36"}, rows[2]])
    assert outcomes(corrected) == [UNCHANGED, UPDATED, UNCHANGED]
    assert occurrence.tallies.get(gender="M").count == 36


def test_it_reports_the_bad_rows_of_a_head_count(member: Callable, programme: Programme, lead: Organisation):
    ActivityFactory(programme=programme, title="Festa di quartiere", first_start=rome(2026, 9, 12, 15, 0))
    ActivityFactory(
        programme=programme, title="Merenda", first_start=rome(2026, 9, 13, 15, 0), place__managing_organisation=lead
    )
    when = {"activity": "Merenda", "starts_at": "13/09/2026 15:00"}
    rows = [
        {**when, "age_band": "18-64", "gender": "F", "count": "4"},
        {**when, "age_band": "30-40", "gender": "F", "count": "4"},
        {**when, "age_band": "65+", "gender": "F", "count": "-3"},
        {**when, "age_band": "18-64", "gender": "F", "count": "5"},
        {"activity": "Festa di quartiere", "starts_at": "12/09/2026", "count": "50"},
    ]
    run = run_import(member(Role.LAB_MANAGER), programme, "tallies", rows)
    assert run.status == ImportRun.Status.REJECTED
    assert cells(run) == [(3, "Fascia d'età"), (4, "Persone"), (5, "Fascia d'età"), (6, "Attività")]
    assert not Tally.objects.exists()


def test_it_offers_a_lab_manager_the_activity_imports_through_the_pages(
    client: Client, login: Callable, member: Callable, programme: Programme, lead: Organisation
):
    CommunityPlaceFactory(programme=programme, name="Aula studio", managing_organisation=lead)
    manager = member(Role.LAB_MANAGER)
    login(client, manager)
    home = client.get(reverse("exchange:import-home", args=[programme.slug]))
    assert home.status_code == 200
    for kind in ("activities", "attendance", "tallies"):
        assert f'data-importer="{kind}"'.encode() in home.content
    assert b'data-importer="people"' not in home.content
    row = {"title": "Studio", "kind": "laboratorio", "place": "Aula studio", "first_start": "07/10/2026 10:00",
           "duration_minutes": "60"}  # fmt: skip
    response = client.post(
        reverse("exchange:import-upload", args=[programme.slug, "activities"]), {"file": upload(COLUMNS, [row])}
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert b'data-status="checked"' in client.get(run.get_absolute_url()).content
    response = client.post(reverse("exchange:import-confirm", args=[programme.slug, run.public_id]))
    assert response.status_code == 302
    assert Activity.objects.get(programme=programme).title == "Studio"
    login(client, member(Role.OPERATOR))
    template = client.get(reverse("exchange:import-template", args=[programme.slug, "attendance", "xlsx"]))
    assert template.status_code == 403


def test_it_checks_attendance_in_a_fixed_number_of_queries(coordinator: User, programme: Programme, lab: Activity):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    born = date(2012, 5, 5)
    known = [
        Person.objects.create(
            programme=programme, first_name=f"Nome{n}", last_name="Verdi", birth_date=born,
            tax_code=tax_code_for(100 + n, born, "M"), gender="M",
        )
        for n in range(20)
    ]  # fmt: skip
    counts = []
    for size in (2, 20):
        rows = [
            {"activity": "Aiuto compiti", "starts_at": "12/10/2026 16:30", "tax_code": person.tax_code}
            for person in known[:size]
        ]
        table = read_table(upload(ATTENDANCE_COLUMNS, rows).read(), "file.csv", ATTENDANCE_COLUMNS)
        with CaptureQueriesContext(connection) as queries:
            plan = IMPORTERS["attendance"].plan(
                actor=coordinator, programme=programme, rows=table, progress=lambda *a: None
            )
        assert plan.errors == []
        assert plan.counts()[CREATED] == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
