"""Factories of the case record, shared by the people and casework tests."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import factory

from trama.casework.models import (
    Assessment,
    AssessmentScore,
    Case,
    CaseTeamMember,
    IntakeRequest,
    Pathway,
    Referral,
    Session,
)
from trama.core.tests.factories import OrganisationFactory, ProgrammeFactory, UserFactory
from trama.people.models import Consent, Household, HouseholdMember, Person
from trama.territory.models import Municipality

ROME = ZoneInfo("Europe/Rome")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    programme = factory.SubFactory(ProgrammeFactory)
    first_name = factory.Faker("first_name", locale="it_IT")
    last_name = factory.Faker("last_name", locale="it_IT")
    birth_date = date(1985, 3, 14)
    gender = Person.Gender.FEMALE
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(istat_code="018110"))


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    programme = factory.SubFactory(ProgrammeFactory)
    label = factory.Sequence(lambda n: f"Famiglia {n}")
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(istat_code="018110"))


class HouseholdMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    household = factory.SubFactory(HouseholdFactory)
    person = factory.SubFactory(PersonFactory, programme=factory.SelfAttribute("..household.programme"))
    relation = HouseholdMember.Relation.PARENT


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    person = factory.SubFactory(PersonFactory)
    purpose = Consent.Purpose.PROCESSING
    given_on = date(2024, 1, 10)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    programme = factory.SubFactory(ProgrammeFactory)
    household = factory.SubFactory(HouseholdFactory, programme=factory.SelfAttribute("..programme"))
    organisation = factory.SubFactory(OrganisationFactory)
    referral_source = "social_services"
    opened_on = date(2024, 1, 15)


class CaseTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseTeamMember

    case = factory.SubFactory(CaseFactory)
    user = factory.SubFactory(UserFactory)
    organisation = factory.SelfAttribute("case.organisation")
    is_lead = True


class IntakeRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntakeRequest

    programme = factory.SubFactory(ProgrammeFactory)
    channel = "public_form"
    contact_name = factory.Faker("name", locale="it_IT")
    contact_phone = "0382 111111"
    message = "Abbiamo bisogno di aiuto con i compiti dei bambini."


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    case = factory.SubFactory(CaseFactory)
    assessed_on = date(2024, 2, 1)
    assessed_by = factory.SubFactory(UserFactory)


class AssessmentScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentScore

    assessment = factory.SubFactory(AssessmentFactory)
    dimension = Assessment.Dimension.ECONOMIC
    score = 2


class PathwayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pathway

    programme = factory.SubFactory(ProgrammeFactory)
    kind = Pathway.Kind.TUTORING_INDIVIDUAL
    title = factory.Sequence(lambda n: f"Percorso {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    start_date = date(2024, 2, 1)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    pathway = factory.SubFactory(PathwayFactory)
    starts_at = datetime(2024, 2, 10, 15, 0, tzinfo=ROME)
    duration_minutes = 60
    modality = Session.Modality.IN_PERSON
    recorded_by = factory.SubFactory(UserFactory)


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    programme = factory.SelfAttribute("case.programme")
    case = factory.SubFactory(CaseFactory)
    person = factory.SubFactory(PersonFactory, programme=factory.SelfAttribute("..case.programme"))
    from_organisation = factory.SelfAttribute("case.organisation")
    target_kind = Referral.TargetKind.ORGANISATION
    target_organisation = factory.SubFactory(OrganisationFactory)
    service = "Supporto compiti"
    created_by = factory.SubFactory(UserFactory)
