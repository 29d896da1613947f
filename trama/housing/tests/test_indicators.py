"""The housing plan's indicators: registered, computed by the database for the period and filters,
broken down by municipality, and drilled down only to the records the user may see."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from trama.evaluation.registry import Filters, Period, get
from trama.housing import services
from trama.housing.tests.conftest import PAVIA, VIGEVANO, make_dwelling, make_search
from trama.territory.models import Municipality

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def housed(plan):
    services.fund_deposit(
        actor=None,
        programme=plan.programme,
        amount=D("5000.00"),
        received_on=date(2026, 1, 2),
        source_note="Fondazione",
    )
    tenancies = []
    for label, place, team in (("Famiglia P", PAVIA, plan.owner), ("Famiglia V", VIGEVANO, plan.colleague)):
        search = make_search(plan, plan.case(label, team=team))
        dwelling = make_dwelling(plan, address=f"Via {label}", municipality=plan.places[place])
        tenancy = services.tenancy_create(
            actor=None, search=search, dwelling=dwelling, starts_on=date(2026, 3, 1), monthly_rent=D("400.00")
        )
        guarantee = services.guarantee_grant(
            actor=None, tenancy=tenancy, amount=D("800.00"), months=12, starts_on=date(2026, 3, 1)
        )
        tenancies.append((tenancy, guarantee))
    services.guarantee_draw(
        actor=None, guarantee=tenancies[0][1], amount=D("400.10"), drawn_on=date(2026, 5, 2), reason="Affitto di maggio"
    )
    return tenancies


def test_it_counts_households_housed_and_guaranteed_in_the_period(plan, housed):
    programme = plan.programme
    assert get("housing-households-housed").compute(programme, YEAR, Filters()) == 2
    assert (
        get("housing-households-housed").compute(programme, Period(date(2025, 1, 1), date(2025, 12, 31)), Filters())
        == 0
    )
    assert get("housing-guarantees-granted").compute(programme, YEAR, Filters()) == 2
    assert get("housing-guaranteed-euro").compute(programme, YEAR, Filters()) == D("1600.00")
    assert get("housing-fund-drawn-euro").compute(programme, YEAR, Filters()) == D("400.10")
    pavia = Municipality.objects.get(istat_code=PAVIA)
    assert get("housing-households-housed").compute(programme, YEAR, Filters(municipality=pavia)) == 1
    assert get("housing-households-housed").compute(programme, YEAR, Filters(gender="F")) == 0
    rows = get("housing-households-housed").breakdown(programme, YEAR, "municipality", Filters())
    assert [(row.key, row.value) for row in rows] == [(PAVIA, 1), (VIGEVANO, 1)]


def test_it_drills_down_only_to_what_the_user_may_see(plan, housed):
    indicator = get("housing-households-housed")
    mine = indicator.records(plan.programme, YEAR, Filters(), plan.owner)
    assert [tenancy.pk for tenancy in mine] == [housed[0][0].pk]
    assert indicator.records(plan.programme, YEAR, Filters(), plan.coordinator).count() == 2
    assert not indicator.records(plan.programme, YEAR, Filters(), plan.evaluator).exists()


def test_it_counts_cohousing_households_and_caretaker_visits(plan):
    first, second = plan.case("Famiglia Uno"), plan.case("Famiglia Due")
    services.cohousing_create(
        actor=None,
        programme=plan.programme,
        dwelling=make_dwelling(plan),
        title="Insieme",
        starts_on=date(2026, 2, 1),
        terms="Regole",
        households=[first.household, second.household],
    )
    building = services.building_create(
        actor=None, programme=plan.programme, name="Corte", address="Via Corte 1", municipality=plan.places[PAVIA]
    )
    for day in (3, 10):
        services.log_entry_create(
            actor=None, building=building, kind="visit", occurred_on=date(2026, 3, day), text="Visita"
        )
    services.log_entry_create(actor=None, building=building, kind="issue", occurred_on=date(2026, 3, 4), text="Guasto")
    assert get("housing-households-cohousing").compute(plan.programme, YEAR, Filters()) == 2
    assert get("housing-caretaker-visits").compute(plan.programme, YEAR, Filters()) == 2
    assert not get("housing-caretaker-visits").counts_people
