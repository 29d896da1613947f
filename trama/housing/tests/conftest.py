"""The housing plan's personas and builders: a programme with three municipalities of Pavia, a
partner whose operator follows two households, a colleague who follows none, a coordinator."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from trama.accounts.models import Role
from trama.casework.tests.factories import CaseFactory, CaseTeamMemberFactory
from trama.core.tests.factories import MembershipFactory, OrganisationFactory, PartnershipFactory
from trama.housing import services
from trama.housing.models import Dwelling, HousingSearch
from trama.territory.models import Municipality

PAVIA, VIGEVANO, VOGHERA = "018110", "018177", "018182"


@pytest.fixture
def plan(programme: Any, lead: Any) -> SimpleNamespace:
    places = {code: Municipality.objects.get(istat_code=code) for code in (PAVIA, VIGEVANO, VOGHERA)}
    programme.municipalities.add(*places.values())
    partner = OrganisationFactory(name="Cooperativa Casa")
    PartnershipFactory(programme=programme, organisation=partner)
    agency = OrganisationFactory(name="Agenzia immobiliare Ticino")
    PartnershipFactory(programme=programme, organisation=agency)

    def person(role: str, organisation: Any = partner) -> Any:
        return MembershipFactory(programme=programme, organisation=organisation, role=role).user

    owner = person(Role.OPERATOR)

    def case(label: str, *, team: Any = owner) -> Any:
        made = CaseFactory(programme=programme, organisation=partner, household__label=label)
        if team is not None:
            CaseTeamMemberFactory(case=made, user=team, organisation=partner)
        return made

    return SimpleNamespace(
        programme=programme,
        places=places,
        partner=partner,
        agency=agency,
        owner=owner,
        case=case,
        colleague=person(Role.OPERATOR),
        coordinator=person(Role.COORDINATOR, lead),
        lab_manager=person(Role.LAB_MANAGER),
        evaluator=person(Role.EVALUATOR, lead),
    )


def make_dwelling(plan: SimpleNamespace, **overrides: Any) -> Dwelling:
    fields = {
        "offered_by": Dwelling.OfferedBy.PRIVATE,
        "owner_name": "Mario Bianchi",
        "owner_phone": "0382 000000",
        "address": "Via Roma 1",
        "municipality": plan.places[PAVIA],
        "rooms": 2,
        "area_m2": 60,
        "monthly_rent": Decimal("450.00"),
        "capped_rent": False,
        "step_free": False,
        "available_from": date(2026, 1, 1),
    }
    fields.update(overrides)
    return services.dwelling_create(actor=None, programme=plan.programme, fields=fields)


def make_search(plan: SimpleNamespace, case: Any, **overrides: Any) -> HousingSearch:
    values = {
        "rooms_needed": 2,
        "max_rent": Decimal("500.00"),
        "needed_from": date(2026, 2, 1),
        "municipalities": [plan.places[PAVIA]],
    }
    values.update(overrides)
    return services.search_create(actor=None, case=case, **values)
