"""The synthetic region's pathway sessions, course registrations, volunteer shifts, time bank, work
and housing plans: written as the services would, linked inside one programme, and counted by every
indicator as the benchmark's hand-written SQL counts them (on SQLite and on PostgreSQL, whichever
DATABASE_URL names)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F, Sum

from bench import indicators as bench
from trama.activities.models import Activity, Attendance, Registration
from trama.casework.models import AssessmentScore, Session
from trama.evaluation import registry, synthetic
from trama.evaluation.registry import Filters, Period
from trama.housing.models import (
    Building,
    Caretaker,
    CoHousing,
    CoHousingMember,
    Dwelling,
    FundDeposit,
    Guarantee,
    GuaranteeFund,
    HousingSearch,
    LogEntry,
    Tenancy,
)
from trama.mutualaid.models import (
    Account,
    Exchange,
    LedgerEntry,
    MicroNetwork,
    MicroNetworkMember,
    ShiftSignup,
    VolunteerShift,
)
from trama.people.models import Consent, HouseholdMember, Person, age_on
from trama.territory.models import Programme
from trama.work.models import JobSeeker, Opening, Placement, PlacementTransition

pytestmark = pytest.mark.django_db

TINY = {"programmes": 2, "people": 400, "households": 120, "attendances": 3000, "seed": 5, "verbosity": 0}


@pytest.fixture
def region() -> list[Programme]:
    call_command("generate_synthetic", **TINY)
    return list(Programme.objects.filter(slug__startswith=f"{synthetic.SLUG_PREFIX}5-").order_by("slug"))


def _raw(model: type, column: str) -> list[str]:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table}")  # noqa: S608 — model names
        return [row[0] for row in cursor.fetchall()]


def test_it_fills_the_tables_of_sessions_shifts_time_bank_work_and_housing(region: list[Programme]) -> None:
    for model in (Session, Session.attendees.through, Registration, VolunteerShift, ShiftSignup, Account, Exchange,
                  LedgerEntry, MicroNetwork, MicroNetworkMember, JobSeeker, Opening, Placement, PlacementTransition,
                  Dwelling, HousingSearch, Tenancy, GuaranteeFund, FundDeposit, Guarantee, CoHousing,
                  CoHousingMember, Building, Caretaker, LogEntry):  # fmt: skip
        assert model.objects.exists(), model
    assert GuaranteeFund.objects.count() == len(region)
    assert Placement.objects.filter(status=Placement.Status.HIRED).exists()
    assert ShiftSignup.objects.filter(attended=True).exists()


def test_it_keeps_the_new_records_inside_one_programme(region: list[Programme]) -> None:
    programme_of = F("occurrence__activity__programme")
    assert not ShiftSignup.objects.exclude(volunteer__programme=F("shift__occurrence__activity__programme")).exists()
    assert not VolunteerShift.objects.exclude(occurrence__activity__programme=programme_of).exists()
    for signup in ShiftSignup.objects.select_related("volunteer", "shift__occurrence"):
        assert signup.volunteer.approved_on is not None
        assert signup.volunteer.approved_on <= signup.shift.occurrence.starts_at.date()
    assert not Account.objects.filter(person__isnull=False).exclude(person__programme=F("programme")).exists()
    assert not Account.objects.filter(household__isnull=False).exclude(household__programme=F("programme")).exists()
    assert not Exchange.objects.exclude(giver__programme=F("programme")).exists()
    assert not Exchange.objects.exclude(receiver__programme=F("programme")).exists()
    assert not MicroNetworkMember.objects.exclude(account__programme=F("network__programme")).exists()
    assert not Registration.objects.exclude(person__programme=F("activity__programme")).exists()
    assert not JobSeeker.objects.exclude(person__household_memberships__household=F("case__household")).exists()
    assert not JobSeeker.objects.exclude(case__programme=F("programme")).exists()
    assert not Placement.objects.exclude(opening__programme=F("programme")).exists()
    assert not Placement.objects.exclude(job_seeker__programme=F("programme")).exists()
    assert not HousingSearch.objects.exclude(case__household=F("household")).exists()
    assert not Tenancy.objects.exclude(search__programme=F("programme")).exists()
    assert not Tenancy.objects.exclude(dwelling__programme=F("programme")).exists()
    assert not Guarantee.objects.exclude(fund__programme=F("tenancy__programme")).exists()
    assert not CoHousingMember.objects.exclude(household__programme=F("cohousing__programme")).exists()
    assert not LogEntry.objects.exclude(building__team__user__memberships__programme=F("building__programme")).exists()
    # Who attended a pathway's session belongs to a household taking part in it.
    for session in Session.objects.prefetch_related("attendees", "pathway__participations__case"):
        households = {participation.case.household_id for participation in session.pathway.participations.all()}
        members = set(HouseholdMember.objects.filter(household__in=households).values_list("person", flat=True))
        attendees = {person.pk for person in session.attendees.all()}
        assert attendees
        assert attendees <= members


def test_it_writes_what_the_services_would(region: list[Programme]) -> None:
    # Every exchange of time: two entries summing to zero, on the exchange's day.
    entries = LedgerEntry.objects.values("exchange").annotate(n=Count("pk"), total=Sum("hours"))
    assert {(row["n"], Decimal(str(row["total"]))) for row in entries} == {(2, Decimal(0))}
    assert not LedgerEntry.objects.exclude(occurred_on=F("exchange__occurred_on")).exists()
    # A job seeker is hired once at most, and then "placed"; the pipeline's trail ends at the status.
    hired = Placement.objects.filter(status=Placement.Status.HIRED)
    assert not hired.values("job_seeker").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert set(JobSeeker.objects.filter(placements__in=hired).values_list("status", flat=True)) == {"placed"}
    for placement in Placement.objects.prefetch_related("transitions"):
        trail = sorted(placement.transitions.all(), key=lambda transition: (transition.on, transition.pk))
        assert trail[0].from_status == ""
        assert trail[-1].to_status == placement.status
    # A dwelling is let exactly when a tenancy was signed for it; a housed search has its tenancy.
    let = set(Dwelling.objects.filter(status=Dwelling.Status.LET).values_list("pk", flat=True))
    assert let == set(Tenancy.objects.values_list("dwelling", flat=True))
    assert set(HousingSearch.objects.filter(status="housed").values_list("pk", flat=True)) == set(
        Tenancy.objects.values_list("search", flat=True)
    )
    # The guarantee fund never goes below zero.
    for fund in GuaranteeFund.objects.all():
        deposits = fund.deposits.aggregate(total=Sum("amount"))["total"] or 0
        drawn = fund.draws.aggregate(total=Sum("amount"))["total"] or 0
        assert Decimal(str(deposits)) >= Decimal(str(drawn))
    # Courses take registrations; a minor's carries the guardian's consent.
    assert set(Registration.objects.values_list("activity__kind", flat=True)) == {"course"}
    assert not Activity.objects.filter(registrations__isnull=False, registration_required=False).exists()
    for registration in Registration.objects.select_related("person"):
        minor = age_on(registration.person.birth_date, registration.registered_at.date()) < 18
        assert (registration.guardian_consent_at is not None) == minor


def test_it_encrypts_the_logbook_and_the_session_notes(region: list[Programme]) -> None:
    for model, field in ((LogEntry, "text"), (Session, "note")):
        stored = [value for value in _raw(model, field) if value]
        assert stored, model
        assert all(value.startswith("enc1:") for value in stored)
        assert all(not getattr(row, field).startswith("enc1:") for row in model.objects.exclude(**{field: ""}))


def test_every_indicator_agrees_with_the_benchmarks_hand_written_sql(region: list[Programme]) -> None:
    statements = bench.hand_sql()
    period = Period(bench.PERIOD_START, bench.PERIOD_END)
    disagree: dict[str, list[tuple[object, object]]] = defaultdict(list)
    for indicator in registry.all_indicators():
        assert indicator.code in statements, indicator.code
        for programme in region:
            figure = indicator.compute(programme, period, Filters())
            value = bench._sql_runner(statements[indicator.code], bench._parameters(programme))()
            if not bench._same(figure, value):
                disagree[indicator.code].append((figure, value))
    assert not disagree


def test_it_gives_the_largest_tables_distinct_public_ids_and_leaves_no_default_behind(region: list[Programme]) -> None:
    for model in (Attendance, Person, HouseholdMember, Consent, AssessmentScore):
        ids = model.objects.values_list("public_id", flat=True)
        assert None not in ids
        assert len(set(ids)) == model.objects.count() > 0
    if connection.vendor == "postgresql":
        # The column defaults gen_random_uuid() served during the COPY only.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.columns WHERE column_name = 'public_id' "
                "AND column_default IS NOT NULL AND table_schema = current_schema()"
            )
            assert cursor.fetchall() == []
