from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import factory

from trama.accounts.models import Membership, Role, User
from trama.network.models import CitizenGroup, CommunityPlace, OpeningHours, Organisation, Partnership, TaxonomyTerm
from trama.territory.models import ActionLine, Municipality, Programme

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persona{n}@example.org")
    full_name = factory.Faker("name", locale="it_IT")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save(update_fields=["password"])


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"programma-{n}")
    name = factory.Sequence(lambda n: f"Programma {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Cooperativa {n}")
    kind = Organisation.Kind.SOCIAL_COOPERATIVE


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    programme = factory.SubFactory(ProgrammeFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Partnership.Role.PARTNER


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    role = Role.OPERATOR


class ActionLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionLine

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"linea-{n}")
    name = factory.Sequence(lambda n: f"Linea {n}")


class CommunityPlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunityPlace
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    kind = CommunityPlace.Kind.COMMUNITY_LAB
    name = factory.Sequence(lambda n: f"Laboratorio {n}")
    managing_organisation = factory.SubFactory(OrganisationFactory)
    address = factory.Sequence(lambda n: f"Via Roma {n + 1}")
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(istat_code="018110"))
    latitude = Decimal("45.18500")
    longitude = Decimal("9.15500")

    @factory.post_generation
    def services(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.services.set(TaxonomyTerm.objects.filter(vocabulary="service", code__in=extracted))


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    place = factory.SubFactory(CommunityPlaceFactory)
    weekday = 1
    opens_at = time(15, 0)
    closes_at = time(18, 0)


class CitizenGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CitizenGroup
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Gruppo di cittadini {n}")
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(istat_code="018110"))
    location_precision = CitizenGroup.Precision.MUNICIPALITY
    latitude = Decimal("45.19000")
    longitude = Decimal("9.16000")
    public_contact = "gruppo@example.org"
    contact_name = "Maria Riservata"
    contact_email = "maria.riservata@example.org"
    contact_phone = "+39 333 0000000"
    contact_consent_on = date(2020, 7, 2)

    @factory.post_generation
    def themes(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.themes.set(TaxonomyTerm.objects.filter(vocabulary="theme", code__in=extracted))
