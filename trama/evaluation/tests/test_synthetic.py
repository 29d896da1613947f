"""The synthetic dataset of the scale benchmark: a tiny one, checked row by row for what the
services would have written (on SQLite and on PostgreSQL, whichever DATABASE_URL names)."""

from __future__ import annotations

import random
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F

from trama.activities.models import Attendance, Occurrence, Tally
from trama.casework.models import Assessment, Case, IntakeRequest, Referral
from trama.core.tests.factories import ProgrammeFactory
from trama.evaluation import synthetic
from trama.evaluation.models import PersonFirstSeen, plain_first_seen
from trama.mutualaid.models import GroupMember, HourLog, Volunteer
from trama.network.models import CommunityPlace, Organisation
from trama.pacts.models import BudgetLine, Commitment, ContributionLog, Disbursement, Pact
from trama.people.models import Consent, Household, HouseholdMember, Person, age_on
from trama.territory.models import Programme

pytestmark = pytest.mark.django_db

TINY = {"programmes": 2, "people": 160, "households": 48, "attendances": 1500, "seed": 5, "verbosity": 0}


def _generate(**options: object) -> None:
    call_command("generate_synthetic", **{**TINY, **options})


def _raw(model: type, column: str) -> list[str]:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table}")  # noqa: S608 — model names
        return [row[0] for row in cursor.fetchall()]


def test_it_writes_the_counts_asked_for() -> None:
    _generate()

    programmes = Programme.objects.filter(slug__startswith=f"{synthetic.SLUG_PREFIX}5-")
    assert programmes.count() == 2
    assert Person.objects.count() == 160
    assert Household.objects.count() == 48
    assert Attendance.objects.count() == 1500
    for model in (Case, Assessment, Referral, Pact, BudgetLine, Disbursement, Commitment, ContributionLog,
                  Volunteer, HourLog, GroupMember, Consent, Occurrence, Tally, CommunityPlace):  # fmt: skip
        assert model.objects.exists(), model
    # Primary-key sequences moved past the keys written by hand: the ORM can add rows after.
    extra = Person.objects.create(programme=programmes.first(), first_name="Nuova", last_name="Persona")
    assert extra.pk > max(Person.objects.exclude(pk=extra.pk).values_list("pk", flat=True))


def test_it_keeps_every_link_inside_one_programme() -> None:
    _generate()

    assert not HouseholdMember.objects.exclude(person__programme=F("household__programme")).exists()
    assert Household.objects.annotate(n=Count("memberships")).filter(n=0).count() == 0
    assert not Household.objects.exclude(primary_contact__programme=F("programme")).exists()
    assert not Attendance.objects.exclude(programme=F("occurrence__activity__programme")).exists()
    assert not Attendance.objects.exclude(person__programme=F("programme")).exists()
    assert not Case.objects.exclude(household__programme=F("programme")).exists()
    assert not Referral.objects.exclude(person__household_memberships__household=F("case__household")).exists()
    assert not Pact.objects.exclude(case__programme=F("programme")).exists()
    assert not Volunteer.objects.exclude(person__programme=F("programme")).exists()
    assert not GroupMember.objects.exclude(person__programme=F("group__programme")).exists()
    assert not Person.objects.exclude(municipality__programmes=F("programme")).exists()
    public_ids = Attendance.objects.values("public_id").annotate(n=Count("pk")).filter(n__gt=1)
    assert not public_ids.exists()


def test_it_writes_the_denormalised_columns_as_the_services_would() -> None:
    _generate()

    rome = ZoneInfo("Europe/Rome")
    rows = Attendance.objects.values_list("date", "age_band", "is_minor", "occurrence__starts_at", "person__birth_date")
    for day, band, is_minor, starts_at, birth in rows:
        assert day == starts_at.astimezone(rome).date()
        age = age_on(birth, day)
        assert band == synthetic.band_of(age)
        assert is_minor == (age < 18)
    for pact in Pact.objects.all():
        assert pact.version_in_force_id is not None
        assert pact.latest_version_id == pact.version_in_force_id
    assert not BudgetLine.objects.exclude(signed_amount=F("amount")).exists()
    assert not Commitment.objects.exclude(signed_hours=F("hours")).exists()
    assert set(PersonFirstSeen.objects.values_list("programme_id", "person_id", "first_seen")) == {
        (row["programme_id"], row["person_id"], row["first_seen"]) for row in plain_first_seen()
    }


def test_it_encrypts_the_notes_so_that_they_decrypt() -> None:
    _generate()

    for model, field in ((Case, "closing_note"), (Assessment, "note"), (IntakeRequest, "message"),
                         (Referral, "reason")):  # fmt: skip
        stored = [value for value in _raw(model, field) if value]
        assert stored, model
        assert all(value.startswith("enc1:") for value in stored)
        decrypted = [getattr(row, field) for row in model.objects.all()]
        assert all(value and not value.startswith("enc1:") for value in decrypted if value)
    assert all(case.closing_note for case in Case.objects.filter(status=Case.Status.CLOSED))


def test_it_asks_a_guardian_for_the_consent_of_a_child() -> None:
    _generate()

    for consent in Consent.objects.select_related("person"):
        minor = age_on(consent.person.birth_date, consent.given_on) < 14
        assert consent.given_by == ("guardian" if minor else "self")
        assert bool(consent.guardian_name) == minor


def test_it_refuses_a_database_with_real_records_unless_forced() -> None:
    ProgrammeFactory(slug="vero", name="Un programma vero")

    with pytest.raises(CommandError):
        _generate()
    assert not Person.objects.exists()

    _generate(force=True)
    assert Person.objects.count() == 160


def test_it_refuses_to_generate_the_same_seed_twice() -> None:
    _generate()

    with pytest.raises(CommandError):
        _generate()
    assert Person.objects.count() == 160


def test_it_scales_the_default_sizes() -> None:
    assert synthetic.Sizes.scaled(1) == synthetic.Sizes(50, 1_000_000, 300_000, 10_000_000)
    assert synthetic.Sizes.scaled(0.01) == synthetic.Sizes(5, 10_000, 3_000, 100_000)
    assert synthetic.Sizes.scaled(0.0001, people=500).people == 500
    with pytest.raises(ValueError, match="households"):
        synthetic.Sizes.scaled(0.01, households=20_000)
    with pytest.raises(CommandError):
        call_command("generate_synthetic", scale=0, verbosity=0)


def test_it_shares_totals_exactly() -> None:
    assert synthetic.split(10, 3) == [4, 3, 3]
    values = [5, 1, 9, 2]
    synthetic._fit(values, 30, random.Random(1), ceiling=10)  # noqa: S311 — test data, not a secret
    assert sum(values) == 30
    assert max(values) <= 10
    assert min(values) >= 1
    organisations = Counter(Organisation.objects.values_list("kind", flat=True))
    assert sum(organisations.values()) == Organisation.objects.count()
