"""Factories of the budget and fundraising. They write rows directly; tests of the rules call the
services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from trama.core.tests.factories import ProgrammeFactory
from trama.funding.models import BudgetLine, Campaign, Donation, Donor, Expense, FundingSource, NewsPost


class FundingSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingSource

    programme = factory.SubFactory(ProgrammeFactory)
    kind = FundingSource.Kind.GRANT
    name = factory.Sequence(lambda n: f"Fonte {n}")
    amount = Decimal("100000.00")


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    programme = factory.SubFactory(ProgrammeFactory)
    source = factory.SubFactory(FundingSourceFactory, programme=factory.SelfAttribute("..programme"))
    title = factory.Sequence(lambda n: f"Voce {n}")
    planned_amount = Decimal("1000.00")
    amount = factory.SelfAttribute("planned_amount")


class ExpenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expense

    line = factory.SubFactory(BudgetLineFactory)
    programme = factory.SelfAttribute("line.programme")
    amount = Decimal("10.00")
    incurred_on = date(2020, 3, 2)
    description = factory.Sequence(lambda n: f"Spesa {n}")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Campagna {n}")
    summary = "Un doposcuola per ogni quartiere"
    goal = Decimal("5000.00")
    starts_on = date(2020, 3, 1)
    ends_on = date(2020, 12, 31)
    channel = Campaign.Channel.ONLINE
    is_public = True


class DonorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Donor

    programme = factory.SubFactory(ProgrammeFactory)
    kind = Donor.Kind.PERSON
    first_name = "Giovanna"
    last_name = factory.Sequence(lambda n: f"Donatrice{n}")
    email = factory.Sequence(lambda n: f"donatrice{n}@example.org")
    contact_consent_on = date(2020, 1, 15)


class DonationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Donation

    programme = factory.SubFactory(ProgrammeFactory)
    campaign = factory.SubFactory(CampaignFactory, programme=factory.SelfAttribute("..programme"))
    amount = Decimal("50.00")
    received_on = date(2020, 5, 4)
    method = Donation.Method.BANK_TRANSFER


class NewsPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsPost

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Notizia {n}")
    summary = "In breve"
    body = "Il testo della notizia."
    status = NewsPost.Status.DRAFT
