"""Factories of volunteering and mutual aid. They write rows directly; tests of the services call
the services."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from trama.activities.tests.factories import OccurrenceFactory, rome
from trama.casework.tests.factories import PersonFactory
from trama.core.tests.factories import ProgrammeFactory
from trama.mutualaid.models import (
    HourLog,
    Match,
    MutualAidOffer,
    MutualAidRequest,
    OfferAvailability,
    ShiftSignup,
    Volunteer,
    VolunteerAvailability,
    VolunteerShift,
)
from trama.territory.models import Municipality

# Piazza della Vittoria, Pavia: the reference point of the matching tests.
PAVIA = (Decimal("45.18600"), Decimal("9.15500"))


def a_tuesday(hour: int, minute: int = 0) -> datetime:
    """The first Tuesday of March next year at `hour`: always in the future, always a Tuesday."""
    first = date(timezone.localdate().year + 1, 3, 1)
    tuesday = first + timedelta(days=(1 - first.weekday()) % 7)
    return rome(tuesday.year, tuesday.month, tuesday.day, hour, minute)


def last_tuesday(hour: int) -> datetime:
    """The latest Tuesday before today at `hour`: a request whose help can already be given."""
    today = timezone.localdate()
    tuesday = today - timedelta(days=(today.weekday() - 1) % 7 or 7)
    return rome(tuesday.year, tuesday.month, tuesday.day, hour, 0)


def pavia() -> Municipality:
    return Municipality.objects.get(istat_code="018110")


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    programme = factory.SubFactory(ProgrammeFactory)
    person = factory.SubFactory(PersonFactory, programme=factory.SelfAttribute("..programme"))
    status = Volunteer.Status.APPROVED
    source = Volunteer.Source.STAFF
    languages = ",it,"
    applied_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    approved_on = factory.LazyAttribute(
        lambda o: timezone.localdate() - timedelta(days=20) if o.status == Volunteer.Status.APPROVED else None
    )


class VolunteerAvailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerAvailability

    volunteer = factory.SubFactory(VolunteerFactory)
    weekday = 2
    start_minute = 16 * 60
    end_minute = 19 * 60


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerShift

    occurrence = factory.SubFactory(OccurrenceFactory)
    task = factory.Sequence(lambda n: f"Affiancamento {n}")
    slots = 2


class SignupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShiftSignup

    shift = factory.SubFactory(ShiftFactory)
    volunteer = factory.SubFactory(
        VolunteerFactory, programme=factory.SelfAttribute("..shift.occurrence.activity.programme")
    )
    signed_up_at = factory.LazyFunction(timezone.now)


class HourLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HourLog

    volunteer = factory.SubFactory(VolunteerFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=3))
    hours = Decimal("2.00")
    description = "Accompagnamento in biblioteca"


class RequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MutualAidRequest

    programme = factory.SubFactory(ProgrammeFactory)
    category = "shopping"
    summary = "Spesa settimanale per una persona anziana"
    requester_person = factory.SubFactory(PersonFactory, programme=factory.SelfAttribute("..programme"))
    municipality = factory.LazyFunction(pavia)
    latitude, longitude = PAVIA
    starts_at = factory.LazyFunction(lambda: a_tuesday(16))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    language = "it"


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MutualAidOffer

    programme = factory.SubFactory(ProgrammeFactory)
    category = "shopping"
    description = "Posso fare la spesa il pomeriggio"
    offerer_person = factory.SubFactory(PersonFactory, programme=factory.SelfAttribute("..programme"))
    municipality = factory.LazyFunction(pavia)
    latitude, longitude = PAVIA
    max_distance_km = 10
    languages = ",it,"


class OfferSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfferAvailability

    offer = factory.SubFactory(OfferFactory)
    weekday = 2
    start_minute = 15 * 60
    end_minute = 18 * 60


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Match

    request = factory.SubFactory(RequestFactory)
    offer = factory.SubFactory(OfferFactory, programme=factory.SelfAttribute("..request.programme"))
    programme = factory.SelfAttribute("request.programme")
    score = Decimal("0.800")
