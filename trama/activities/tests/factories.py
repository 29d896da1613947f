"""Factories of activities. `ActivityFactory` writes the row directly (no service) and expands the
schedule into occurrences, like the service does; tests of the services call the services."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import factory
from django.utils import timezone

from trama.activities.models import Activity, AgeBand, Attendance, Closure, Occurrence, Registration, Tally
from trama.activities.services import _expand
from trama.core.tests.factories import CommunityPlaceFactory, ProgrammeFactory
from trama.territory.models import Municipality


def rome(*args: int) -> datetime:
    """An aware datetime in the programme's time zone: rome(2026, 10, 5, 16, 30)."""
    return timezone.make_aware(datetime(*args))  # noqa: DTZ001 — made aware in the current zone


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Aiuto compiti {n}")
    kind = Activity.Kind.HOMEWORK_HELP
    audience = Activity.Audience.CHILDREN_6_10
    place = factory.SubFactory(CommunityPlaceFactory, programme=factory.SelfAttribute("..programme"))
    municipality = factory.LazyAttribute(
        lambda o: o.place.municipality if o.place else Municipality.objects.get(istat_code="018110")
    )
    is_public = True
    first_start = factory.LazyFunction(lambda: rome(2026, 10, 5, 16, 30))
    duration_minutes = 90

    @factory.post_generation
    def expand(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted is not False:
            _expand(self)


class OccurrenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Occurrence

    activity = factory.SubFactory(ActivityFactory, expand=False)
    starts_at = factory.LazyFunction(lambda: rome(2026, 10, 5, 16, 30))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + (timedelta(minutes=o.activity.duration_minutes)))


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    activity = factory.SubFactory(ActivityFactory)
    person = factory.SubFactory(
        "trama.casework.tests.factories.PersonFactory", programme=factory.SelfAttribute("..activity.programme")
    )
    status = Registration.Status.REGISTERED
    source = Registration.Source.CONTACTS
    registered_at = factory.LazyFunction(timezone.now)


class AttendanceFactory(factory.django.DjangoModelFactory):
    """Use `attendance_set` in tests of counting: it derives the age band as the service does."""

    class Meta:
        model = Attendance

    occurrence = factory.SubFactory(OccurrenceFactory)
    person = factory.SubFactory(
        "trama.casework.tests.factories.PersonFactory",
        programme=factory.SelfAttribute("..occurrence.activity.programme"),
    )
    programme = factory.SelfAttribute("occurrence.activity.programme")
    date = factory.LazyAttribute(lambda o: timezone.localdate(o.occurrence.starts_at))
    age_band = AgeBand.ADULTS_18_64


class TallyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tally

    occurrence = factory.SubFactory(OccurrenceFactory)
    age_band = AgeBand.ADULTS_18_64
    gender = ""
    count = 10


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    programme = factory.SubFactory(ProgrammeFactory)
    name = "Vacanze di Natale"
    start_date = factory.LazyFunction(lambda: date(2026, 12, 23))
    end_date = factory.LazyFunction(lambda: date(2027, 1, 6))
