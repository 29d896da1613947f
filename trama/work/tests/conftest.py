"""The personas and records of the work-plan tests, in the Bassa Bresciana of #genera_azioni."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from trama.accounts.models import Role
from trama.casework.tests.factories import CaseFactory, CaseTeamMemberFactory, HouseholdMemberFactory
from trama.core.tests.factories import MembershipFactory, OrganisationFactory, PartnershipFactory
from trama.network.models import Organisation, Partnership
from trama.territory.models import Municipality
from trama.work import services
from trama.work.models import JobSeeker, Opening


def town(name: str) -> Municipality:
    return Municipality.objects.get(name=name, province_code="BS")


@pytest.fixture
def bassa(programme):
    towns = [town(name) for name in ("Montichiari", "Calcinato", "Carpenedolo", "Remedello", "Visano")]
    programme.municipalities.add(*towns)
    return SimpleNamespace(**{t.name.lower(): t for t in towns})


def make_seeker(case, *, first: str, last: str, municipality: Municipality, **fields) -> JobSeeker:
    member = HouseholdMemberFactory(
        household=case.household, person__first_name=first, person__last_name=last, person__municipality=municipality
    )
    values = {"started_on": date(2025, 1, 10), "municipality": municipality, **fields}
    return services.seeker_create(actor=None, case=case, person=member.person, fields=values)


def make_opening(programme, company: Organisation, municipality: Municipality, **fields) -> Opening:
    values = {
        "company": company,
        "title": "Magazziniere",
        "sector": "logistics",
        "contract": "internship",
        "hours_per_week": 36,
        "municipality": municipality,
        **fields,
    }
    return services.opening_create(actor=None, programme=programme, fields=values)


@pytest.fixture
def work(programme, lead, bassa):
    """A case followed by `owner` (operator of `partner`) with two job seekers; a company with a
    company user; `colleague` (same organisation, not on the team) and `stranger` who see nothing."""
    partner = OrganisationFactory(name="Cooperativa Lavoro")
    PartnershipFactory(programme=programme, organisation=partner)
    company = OrganisationFactory(name="Logistica Bassa Srl", kind=Organisation.Kind.COMPANY)
    PartnershipFactory(programme=programme, organisation=company, role=Partnership.Role.NETWORK)
    other_company = OrganisationFactory(name="Altra Azienda Spa", kind=Organisation.Kind.COMPANY)
    PartnershipFactory(programme=programme, organisation=other_company, role=Partnership.Role.NETWORK)

    def person(role, organisation, **kwargs):
        return MembershipFactory(programme=programme, organisation=organisation, role=role, **kwargs).user

    owner = person(Role.OPERATOR, partner)
    case = CaseFactory(programme=programme, organisation=partner, household__municipality=bassa.montichiari)
    CaseTeamMemberFactory(case=case, user=owner, organisation=partner, is_lead=True)
    anna = make_seeker(
        case, first="Anna", last="Ferri", municipality=bassa.montichiari,
        skills=["warehouse", "forklift"], driving_licence=True, languages=["it"], shifts=["morning", "afternoon"],
        desired_sectors=["logistics"], hours="full_time",
    )  # fmt: skip
    omar = make_seeker(
        case, first="Omar", last="Benali", municipality=bassa.calcinato,
        skills=["cooking"], languages=["ar", "fr"], shifts=["evening"], desired_sectors=["hospitality"],
        hours="part_time",
    )  # fmt: skip
    return SimpleNamespace(
        programme=programme,
        case=case,
        anna=anna,
        omar=omar,
        partner=partner,
        company=company,
        other_company=other_company,
        owner=owner,
        coordinator=person(Role.COORDINATOR, lead),
        colleague=person(Role.OPERATOR, partner),
        stranger=person(Role.OPERATOR, OrganisationFactory(name="Altra cooperativa")),
        company_user=person(Role.COMPANY, company),
        other_company_user=person(Role.COMPANY, other_company),
        evaluator=person(Role.EVALUATOR, lead),
        bassa=bassa,
    )
