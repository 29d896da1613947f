"""S21 and S22 on the budget: concurrent expenses never overspend a line (the line's row is
locked before its remaining amount is read), and concurrent edits of a line from the same version
leave exactly one winner."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from threading import Barrier

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Sum

from trama.core.concurrency import StaleVersionError
from trama.funding.models import BudgetLine, Expense
from trama.funding.services import budget as services
from trama.funding.tests.factories import BudgetLineFactory, FundingSourceFactory

REQUESTS = 30
AMOUNT = Decimal("10.00")
LINE = Decimal("100.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_thirty_concurrent_expenses_on_a_line_of_ten_never_overspend_it(programme):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent row locks need PostgreSQL")
    line = BudgetLineFactory(programme=programme, planned_amount=LINE)
    start = Barrier(REQUESTS)

    def spend(n: int) -> bool:
        start.wait()
        try:
            services.expense_record(
                actor=None, programme=programme, line=BudgetLine.objects.get(pk=line.pk), amount=AMOUNT,
                incurred_on=date(2020, 1, 1), description=f"Spesa {n}",
            )  # fmt: skip
        except ValidationError:
            return False
        finally:
            connections.close_all()
        return True

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        outcomes = list(pool.map(spend, range(REQUESTS)))
    assert outcomes.count(True) == 10
    assert Expense.objects.filter(line=line).aggregate(total=Sum("amount"))["total"] == LINE


@pytest.mark.django_db
def test_two_edits_of_a_line_from_the_same_version_leave_one_winner(programme):
    source = FundingSourceFactory(programme=programme, amount=Decimal("1000.00"))
    line = BudgetLineFactory(programme=programme, source=source, planned_amount=Decimal("100.00"))
    version = line.version
    services.line_save(actor=None, programme=programme, line=line, expected_version=version, fields={"title": "Prima"})
    with pytest.raises(StaleVersionError):
        services.line_save(
            actor=None, programme=programme, line=line, expected_version=version, fields={"title": "Seconda"}
        )
    line.refresh_from_db()
    assert line.title == "Prima"
