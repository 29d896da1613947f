"""Matching households and dwellings both ways, on hand-built cases whose scores are worked out by
hand from the weights in `trama.housing.matching` (rent .30, rooms .20, place .20, date .15,
capped .10, access .05)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from trama.housing import matching
from trama.housing.models import Dwelling
from trama.housing.permissions import visible_searches
from trama.housing.tests.conftest import PAVIA, VIGEVANO, VOGHERA, make_dwelling, make_search

pytestmark = pytest.mark.django_db
D = Decimal


def _scores(ranked: list) -> dict[str, float]:
    return {match.item.address: round(match.score, 4) for match in ranked}


def test_it_ranks_dwellings_for_a_household_by_rent_place_rooms_date_and_capped_rent(plan):
    search = make_search(plan, plan.case("Famiglia Rossi"))  # 2 rooms, €500, Pavia, from 1/2/2026
    make_dwelling(plan, address="Perfetto", monthly_rent=D("450.00"), capped_rent=True)
    make_dwelling(plan, address="Caro", monthly_rent=D("600.00"))
    make_dwelling(plan, address="Lontano", monthly_rent=D("500.00"), municipality=plan.places[VIGEVANO])
    make_dwelling(plan, address="Piccolo", rooms=1)
    make_dwelling(plan, address="Tardi", available_from=date(2026, 3, 15))
    make_dwelling(plan, address="Troppo caro", monthly_rent=D("700.00"))  # over €650: never proposed
    make_dwelling(
        plan, address="Monolocale", rooms=1, area_m2=20, monthly_rent=D("300.00"), municipality=plan.places[VOGHERA]
    )
    ranked = matching.dwellings_for(search)
    scores = _scores(ranked)
    assert scores["Perfetto"] == 1.0
    # rent 1−100/150 = ⅓ → .1; rooms .2; place .2; date .15; open market .05; access .05
    assert scores["Caro"] == pytest.approx(0.75, abs=1e-4)
    # rent .3; rooms .2; elsewhere .3×.2 = .06; date .15; .05; .05
    assert scores["Lontano"] == pytest.approx(0.81, abs=1e-4)
    # one room fewer: .5×.2
    assert scores["Piccolo"] == pytest.approx(0.85, abs=1e-4)
    # free 42 days late: .3×.15
    assert scores["Tardi"] == pytest.approx(0.845, abs=1e-4)
    # one room fewer, elsewhere: .3 + .1 + .06 + .15 + .05 + .05
    assert scores["Monolocale"] == pytest.approx(0.71, abs=1e-4)
    assert "Troppo caro" not in scores
    assert [m.item.address for m in ranked] == ["Perfetto", "Piccolo", "Tardi", "Lontano", "Caro", "Monolocale"]
    assert [reason.criterion for reason in ranked[0].reasons] == ["rent", "rooms", "place", "date", "capped", "access"]
    assert all(reason.text for match in ranked for reason in match.reasons)


def test_it_never_proposes_a_let_withdrawn_or_stepped_dwelling_to_whom_it_cannot_house(plan):
    search = make_search(plan, plan.case("Famiglia Verdi"), needs_step_free=True)
    make_dwelling(plan, address="Con scale", step_free=False)
    accessible = make_dwelling(plan, address="Senza barriere", step_free=True)
    let = make_dwelling(plan, address="Affittato", step_free=True)
    Dwelling.objects.filter(pk=let.pk).update(status=Dwelling.Status.LET)
    withdrawn = make_dwelling(plan, address="Ritirato", step_free=True)
    Dwelling.objects.filter(pk=withdrawn.pk).update(status=Dwelling.Status.WITHDRAWN)
    ranked = matching.dwellings_for(search)
    assert [m.item.pk for m in ranked] == [accessible.pk]
    access = next(reason for reason in ranked[0].reasons if reason.criterion == "access")
    assert access.score == 1.0


def test_it_ranks_households_for_a_dwelling_the_other_way_round(plan):
    dwelling = make_dwelling(plan, address="Via Milano 3", monthly_rent=D("520.00"), rooms=3, step_free=True)
    fits = make_search(plan, plan.case("Famiglia Adatta"), rooms_needed=3, max_rent=D("550.00"), needs_step_free=True)
    stretch = make_search(plan, plan.case("Famiglia Stretta"), rooms_needed=3, max_rent=D("450.00"))
    elsewhere = make_search(
        plan, plan.case("Famiglia Altrove"), rooms_needed=2, max_rent=D("600.00"), municipalities=[plan.places[VOGHERA]]
    )
    make_search(plan, plan.case("Famiglia Grande"), rooms_needed=5, max_rent=D("900.00"))  # 5 rooms > 3 + 1
    make_search(plan, plan.case("Famiglia Povera"), rooms_needed=2, max_rent=D("300.00"))  # 520 > 300 + 90
    ranked = matching.searches_for(dwelling, visible_searches(plan.owner, plan.programme))
    scores = {m.item.pk: round(m.score, 4) for m in ranked}
    assert list(scores) == [fits.pk, elsewhere.pk, stretch.pk]
    # everything fits; the rent is open-market: .5×.10
    assert scores[fits.pk] == pytest.approx(0.95, abs=1e-4)
    # rent .3; rooms .2; not preferred .06; date .15; open market .05; does not need step-free .5×.05
    assert scores[elsewhere.pk] == pytest.approx(0.785, abs=1e-4)
    # rent 1 − 70/135 → .1444; rooms .2; place .2; date .15; .05; .025
    assert scores[stretch.pk] == pytest.approx(0.7694, abs=1e-4)


def test_it_proposes_only_households_whose_case_the_operator_sees(plan):
    dwelling = make_dwelling(plan)
    mine = make_search(plan, plan.case("Famiglia Mia"))
    make_search(plan, plan.case("Famiglia Altrui", team=plan.colleague))
    ranked = matching.searches_for(dwelling, visible_searches(plan.owner, plan.programme))
    assert [m.item.pk for m in ranked] == [mine.pk]
    everyone = matching.searches_for(dwelling, visible_searches(plan.coordinator, plan.programme))
    assert len(everyone) == 2
    assert matching.searches_for(dwelling, visible_searches(plan.lab_manager, plan.programme)) == []


def test_it_computes_the_ranking_in_the_database_whatever_the_candidates(plan, django_assert_max_num_queries):
    search = make_search(plan, plan.case("Famiglia Conta"))
    for n in range(30):
        make_dwelling(plan, address=f"Via {n}", monthly_rent=D(400 + n * 5))
    search = type(search).objects.get(pk=search.pk)
    # the preferred municipalities, then the ranking (PostgreSQL adds SET LOCAL jit in a savepoint)
    with django_assert_max_num_queries(5):
        ranked = matching.dwellings_for(search, limit=5)
    assert len(ranked) == 5
    assert {m.item.municipality.istat_code for m in ranked} == {PAVIA}
    assert [m.item.monthly_rent for m in ranked] == [D("400.00"), D("405.00"), D("410.00"), D("415.00"), D("420.00")]
