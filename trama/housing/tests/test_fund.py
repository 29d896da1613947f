"""The rent-guarantee fund (S22): balance = deposits − draws to the cent, never negative; a guarantee
the fund cannot cover and an overdraw are refused with the figure in the message, nothing saved;
concurrent grants and draws on PostgreSQL never overcommit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from threading import Barrier

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from trama.accounts.models import AuditEvent
from trama.housing import services
from trama.housing.models import FundDeposit, Guarantee, GuaranteeDraw, Tenancy
from trama.housing.tests.conftest import make_dwelling, make_search

pytestmark = pytest.mark.django_db
D = Decimal


def _tenancy(plan, label: str, starts_on: date = date(2026, 1, 1)) -> Tenancy:
    search = make_search(plan, plan.case(label), needed_from=starts_on)
    dwelling = make_dwelling(plan, address=f"Via {label}", available_from=starts_on)
    return services.tenancy_create(
        actor=plan.owner, search=search, dwelling=dwelling, starts_on=starts_on, monthly_rent=D("450.00")
    )


def _deposit(plan, amount: str) -> FundDeposit:
    return services.fund_deposit(
        actor=plan.coordinator,
        programme=plan.programme,
        amount=D(amount),
        received_on=date(2026, 1, 2),
        source_note="Contributo della Fondazione",
    )


def _ledger_sql(fund_id: int) -> Decimal:
    """The balance as plain SQL sees it: what the application computes must agree."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(SUM(amount), 0) FROM housing_funddeposit WHERE fund_id = %s", [fund_id])
        deposits = D(str(cursor.fetchone()[0]))
        cursor.execute("SELECT COALESCE(SUM(amount), 0) FROM housing_guaranteedraw WHERE fund_id = %s", [fund_id])
        draws = D(str(cursor.fetchone()[0]))
    return (deposits - draws).quantize(D("0.01"))


def test_it_keeps_the_balance_equal_to_deposits_minus_draws_to_the_cent(plan):
    _deposit(plan, "1000.10")
    _deposit(plan, "0.25")
    tenancy = _tenancy(plan, "Famiglia Conti")
    guarantee = services.guarantee_grant(
        actor=plan.owner, tenancy=tenancy, amount=D("900.00"), months=12, starts_on=date(2026, 1, 1)
    )
    assert guarantee.ends_on == date(2026, 12, 31)
    services.guarantee_draw(
        actor=plan.owner, guarantee=guarantee, amount=D("450.33"), drawn_on=date(2026, 3, 5), reason="Affitto di marzo"
    )
    fund = services.fund_for(plan.programme)
    figures = services.fund_figures(fund, on=date(2026, 3, 6))
    assert figures.balance == D("550.02") == _ledger_sql(fund.pk)
    assert figures.committed == D("449.67")
    assert figures.available == D("100.35")
    assert AuditEvent.objects.filter(target_type="housing.guaranteedraw", actor=plan.owner).count() == 1


def test_it_refuses_a_guarantee_larger_than_what_the_fund_can_still_cover(plan):
    _deposit(plan, "1000.00")
    first, second = _tenancy(plan, "Famiglia Uno"), _tenancy(plan, "Famiglia Due")
    services.guarantee_grant(actor=plan.owner, tenancy=first, amount=D("800.00"), months=6, starts_on=date(2026, 1, 1))
    with pytest.raises(ValidationError) as refused:
        services.guarantee_grant(
            actor=plan.owner, tenancy=second, amount=D("200.01"), months=6, starts_on=date(2026, 1, 1)
        )
    assert refused.value.error_dict["amount"][0].code == "over_fund"
    assert "200,00" in refused.value.message_dict["amount"][0]
    assert Guarantee.objects.count() == 1


def test_it_refuses_an_overdraw_with_the_balance_in_the_message(plan):
    """A guarantee that ended frees the fund for new ones; its late claims still draw on the balance,
    which is what the balance check is for."""
    _deposit(plan, "1000.50")
    early, late = _tenancy(plan, "Famiglia Prima"), _tenancy(plan, "Famiglia Dopo", date(2026, 4, 1))
    ended = services.guarantee_grant(
        actor=plan.owner, tenancy=early, amount=D("1000.00"), months=3, starts_on=date(2026, 1, 1)
    )
    running = services.guarantee_grant(
        actor=plan.owner, tenancy=late, amount=D("1000.00"), months=6, starts_on=date(2026, 4, 1)
    )
    services.guarantee_draw(
        actor=plan.owner, guarantee=ended, amount=D("1000.00"), drawn_on=date(2026, 3, 1), reason="Affitti arretrati"
    )
    with pytest.raises(ValidationError) as refused:
        services.guarantee_draw(
            actor=plan.owner, guarantee=running, amount=D("0.51"), drawn_on=date(2026, 5, 1), reason="Affitto di maggio"
        )
    assert refused.value.error_dict["amount"][0].code == "over_balance"
    assert "0,50" in refused.value.message_dict["amount"][0]
    assert GuaranteeDraw.objects.count() == 1
    assert services.fund_figures(services.fund_for(plan.programme)).balance == D("0.50")


def test_it_refuses_a_draw_beyond_the_guarantee_or_outside_its_period(plan):
    _deposit(plan, "5000.00")
    guarantee = services.guarantee_grant(
        actor=plan.owner,
        tenancy=_tenancy(plan, "Famiglia Tre"),
        amount=D("300.00"),
        months=2,
        starts_on=date(2026, 1, 1),
    )
    cases = [
        ({"amount": D("300.01"), "drawn_on": date(2026, 2, 1)}, "amount", "over_guarantee"),
        ({"amount": D("10.00"), "drawn_on": date(2026, 3, 1)}, "drawn_on", "outside"),
        ({"amount": D("-5.00"), "drawn_on": date(2026, 2, 1)}, "amount", "not_positive"),
        ({"amount": D("1.005"), "drawn_on": date(2026, 2, 1)}, "amount", "precision"),
    ]
    for values, field, code in cases:
        with pytest.raises(ValidationError) as refused:
            services.guarantee_draw(actor=plan.owner, guarantee=guarantee, reason="Affitto", **values)
        assert refused.value.error_dict[field][0].code == code
    assert not GuaranteeDraw.objects.exists()


def test_it_lets_only_coordinators_deposit_and_only_the_case_team_grant(plan):
    with pytest.raises(PermissionDenied):
        services.fund_deposit(
            actor=plan.owner, programme=plan.programme, amount=D("10.00"), received_on=date(2026, 1, 2), source_note="x"
        )
    _deposit(plan, "100.00")
    tenancy = _tenancy(plan, "Famiglia Quattro")
    for outsider in (plan.colleague, plan.lab_manager, plan.evaluator):
        with pytest.raises(PermissionDenied):
            services.guarantee_grant(
                actor=outsider, tenancy=tenancy, amount=D("10.00"), months=1, starts_on=date(2026, 1, 1)
            )
    assert FundDeposit.objects.count() == 1
    assert not Guarantee.objects.exists()


def test_it_needs_a_source_for_every_deposit(plan):
    with pytest.raises(ValidationError) as refused:
        services.fund_deposit(
            actor=plan.coordinator, programme=plan.programme, amount=D("10.00"), received_on=date(2026, 1, 2)
        )
    assert "source_note" in refused.value.message_dict
    assert not FundDeposit.objects.exists()


THREADS = 20


def _race(work) -> list[str]:
    start = Barrier(THREADS)

    def run(n: int) -> str:
        start.wait()
        try:
            work(n)
            return "done"
        except ValidationError:
            return "refused"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(run, range(THREADS)))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_draws_on_a_fund_holding_ten_leave_it_at_zero_never_below(plan):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent row locks need PostgreSQL")
    _deposit(plan, "1000.00")
    guarantees = [
        services.guarantee_grant(
            actor=plan.owner,
            tenancy=_tenancy(plan, f"Famiglia {n}"),
            amount=D("100.00"),
            months=12,
            starts_on=date(2026, 1, 1),
        )
        for n in range(10)
    ]
    # Each guarantee is drawn twice at once: ten draws of 100 fit, the ten others must be refused.
    outcomes = _race(
        lambda n: services.guarantee_draw(
            actor=plan.owner,
            guarantee=guarantees[n % 10],
            amount=D("100.00"),
            drawn_on=date(2026, 2, 1),
            reason="Affitto",
        )
    )
    assert outcomes.count("done") == 10
    fund = services.fund_for(plan.programme)
    assert services.fund_figures(fund).balance == D("0.00") == _ledger_sql(fund.pk)
    assert GuaranteeDraw.objects.count() == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_guarantees_on_a_fund_for_ten_grant_exactly_ten(plan):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent row locks need PostgreSQL")
    _deposit(plan, "1000.00")
    tenancies = [_tenancy(plan, f"Famiglia {n}") for n in range(THREADS)]
    outcomes = _race(
        lambda n: services.guarantee_grant(
            actor=plan.owner, tenancy=tenancies[n], amount=D("100.00"), months=12, starts_on=date(2026, 1, 1)
        )
    )
    assert outcomes.count("done") == 10
    assert services.fund_figures(services.fund_for(plan.programme), on=date(2026, 1, 1)).available == D("0.00")
