"""The budget's rules, through the services: sources and lines, expenses that never exceed a line,
explicit audited reallocations, the programme's period, and every total recomputed from the rows."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from trama.accounts.models import AuditEvent, Role
from trama.core.tests.factories import ActionLineFactory, OrganisationFactory, PartnershipFactory
from trama.funding.models import BudgetLine, Expense, FundingSource, Reallocation
from trama.funding.money import cents
from trama.funding.selectors.budget import budget_overview, personal_welfare_budgets
from trama.funding.services import budget as services
from trama.funding.tests.factories import FundingSourceFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def dated(programme):
    programme.start_date, programme.end_date = date(2018, 11, 28), date(2021, 11, 27)
    programme.save(update_fields=["start_date", "end_date"])
    return programme


@pytest.fixture
def grant(dated):
    return FundingSourceFactory(programme=dated, kind="grant", name="Contributo Fondazione", amount=D("1000.00"))


def _line(programme, source, title, amount):
    return services.line_save(
        actor=None, programme=programme, fields={"source": source, "title": title, "planned_amount": D(amount)}
    )


def _expense(programme, line, amount, **extra):
    fields = {"incurred_on": date(2020, 3, 2), "description": "Materiali"} | extra
    return services.expense_record(actor=None, programme=programme, line=line, amount=D(amount), **fields)


def test_it_refuses_lines_beyond_what_their_source_pledges(dated, grant):
    _line(dated, grant, "Personale", "800.00")
    with pytest.raises(ValidationError) as refused:
        _line(dated, grant, "Comunicazione", "200.01")
    assert "planned_amount" in refused.value.message_dict
    assert "€\xa0200,00" in refused.value.message_dict["planned_amount"][0]
    assert BudgetLine.objects.count() == 1


def test_it_refuses_an_expense_beyond_the_remaining_amount_and_says_how_much_remains(dated, grant, coordinator):
    line = _line(dated, grant, "Personale", "300.00")
    services.expense_record(
        actor=coordinator, programme=dated, line=line, amount=D("149.50"), incurred_on=date(2020, 1, 10),
        description="Tutor",
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        services.expense_record(
            actor=coordinator, programme=dated, line=line, amount=D("150.51"), incurred_on=date(2020, 1, 11),
            description="Tutor",
        )  # fmt: skip
    assert list(refused.value.message_dict) == ["amount"]
    assert "€\xa0150,50" in refused.value.message_dict["amount"][0]
    assert Expense.objects.count() == 1
    # Exactly the remaining amount is accepted: to the cent.
    services.expense_record(
        actor=coordinator, programme=dated, line=line, amount=D("150.50"), incurred_on=date(2020, 1, 11),
        description="Tutor", paid=True,
    )  # fmt: skip
    overview = budget_overview(coordinator, dated)
    assert overview.totals.remaining == D("0.00")


def test_a_coordinator_covers_a_shortfall_with_an_explicit_audited_reallocation(dated, grant, coordinator):
    short = _line(dated, grant, "Laboratori", "100.00")
    spare = _line(dated, grant, "Imprevisti", "300.00")
    expense = services.expense_record(
        actor=coordinator, programme=dated, line=short, amount=D("130.00"), incurred_on=date(2020, 2, 1),
        description="Affitto sala", cover_from=spare, cover_reason="Sala più grande per la festa",
    )  # fmt: skip
    short.refresh_from_db()
    spare.refresh_from_db()
    assert (short.amount, spare.amount, expense.amount) == (D("130.00"), D("270.00"), D("130.00"))
    move = Reallocation.objects.get()
    assert (move.from_line, move.to_line, move.amount) == (spare, short, D("30.00"))
    audited = AuditEvent.objects.filter(target_type="funding.reallocation", target_id=str(move.public_id))
    assert audited.get().actor == coordinator


def test_it_refuses_a_cover_without_a_reason_and_saves_nothing(dated, grant, coordinator):
    short = _line(dated, grant, "Laboratori", "100.00")
    spare = _line(dated, grant, "Imprevisti", "300.00")
    with pytest.raises(ValidationError) as refused:
        services.expense_record(
            actor=coordinator, programme=dated, line=short, amount=D("130.00"), incurred_on=date(2020, 2, 1),
            description="Affitto sala", cover_from=spare, cover_reason=" ",
        )  # fmt: skip
    assert "cover_reason" in refused.value.message_dict
    assert not Expense.objects.exists()
    assert not Reallocation.objects.exists()
    spare.refresh_from_db()
    assert spare.amount == D("300.00")


def test_it_moves_money_only_between_lines_of_the_same_source(dated, grant, coordinator):
    other = FundingSourceFactory(programme=dated, kind="other", name="Contributo Comune", amount=D("500.00"))
    a = _line(dated, grant, "Personale", "100.00")
    b = _line(dated, other, "Sale", "100.00")
    with pytest.raises(ValidationError) as refused:
        services.reallocation_record(
            actor=coordinator, programme=dated, from_line=a, to_line=b, amount=D("10.00"), reason="Serve"
        )
    assert "from_line" in refused.value.message_dict
    assert not Reallocation.objects.exists()


def test_it_never_moves_money_already_committed(dated, grant, coordinator):
    a = _line(dated, grant, "Personale", "100.00")
    b = _line(dated, grant, "Sale", "100.00")
    _expense(dated, a, "80.00")
    with pytest.raises(ValidationError) as refused:
        services.reallocation_record(
            actor=coordinator, programme=dated, from_line=a, to_line=b, amount=D("20.01"), reason="Serve"
        )
    assert "from_line" in refused.value.message_dict
    services.reallocation_record(
        actor=coordinator, programme=dated, from_line=a, to_line=b, amount=D("20.00"), reason="Serve"
    )
    a.refresh_from_db()
    assert a.amount == D("80.00")


@pytest.mark.parametrize("day", [date(2018, 11, 27), date(2021, 11, 28)])
def test_it_refuses_an_expense_dated_outside_the_programme_and_saves_nothing(dated, grant, coordinator, day):
    line = _line(dated, grant, "Personale", "300.00")
    with pytest.raises(ValidationError) as refused:
        services.expense_record(
            actor=coordinator, programme=dated, line=line, amount=D("10.00"), incurred_on=day, description="Tutor"
        )
    assert list(refused.value.message_dict) == ["incurred_on"]
    assert not Expense.objects.exists()


@pytest.mark.parametrize("amount", [D("0"), D("-5.00"), D("1.005")])
def test_it_refuses_an_amount_that_is_not_positive_euro_and_cents(dated, grant, amount):
    line = _line(dated, grant, "Personale", "300.00")
    with pytest.raises(ValidationError) as refused:
        _expense(dated, line, amount)
    assert "amount" in refused.value.message_dict
    assert not Expense.objects.exists()


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.EVALUATOR, Role.FUNDER, Role.LAB_MANAGER, Role.VOLUNTEER])
def test_only_coordinators_record_expenses(dated, grant, member, role):
    line = _line(dated, grant, "Personale", "300.00")
    with pytest.raises(PermissionDenied):
        services.expense_record(
            actor=member(role), programme=dated, line=line, amount=D("1.00"), incurred_on=date(2020, 1, 1),
            description="Tutor",
        )  # fmt: skip
    assert not Expense.objects.exists()


def test_a_coordinator_of_another_programme_cannot_touch_this_budget(dated, grant, member, other_programme):
    line = _line(dated, grant, "Personale", "300.00")
    outsider = member(Role.COORDINATOR, of=other_programme)
    with pytest.raises(PermissionDenied):
        services.expense_record(
            actor=outsider, programme=dated, line=line, amount=D("1.00"), incurred_on=date(2020, 1, 1),
            description="Tutor",
        )  # fmt: skip
    with pytest.raises(ValidationError):
        services.expense_record(
            actor=None, programme=other_programme, line=line, amount=D("1.00"), incurred_on=date(2020, 1, 1),
            description="Tutor",
        )  # fmt: skip


def test_cancelling_an_expense_gives_its_amount_back_to_the_line(dated, grant, coordinator):
    line = _line(dated, grant, "Personale", "100.00")
    expense = _expense(dated, line, "100.00")
    with pytest.raises(ValidationError):
        services.expense_cancel(actor=coordinator, expense=expense, reason="")
    services.expense_cancel(actor=coordinator, expense=expense, reason="Fattura registrata due volte")
    _expense(dated, line, "100.00")
    assert Expense.objects.filter(status="cancelled").count() == 1


def test_a_commitment_is_paid_without_using_the_line_twice(dated, grant, coordinator):
    line = _line(dated, grant, "Personale", "100.00")
    expense = _expense(dated, line, "100.00")
    services.expense_mark_paid(actor=coordinator, expense=expense, paid_on=date(2020, 4, 1))
    overview = budget_overview(coordinator, dated)
    assert (overview.totals.committed, overview.totals.spent, overview.totals.remaining) == (
        D("0.00"), D("100.00"), D("0.00"),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.expense_mark_paid(actor=coordinator, expense=expense, paid_on=date(2020, 4, 2))


def test_a_line_cannot_shrink_below_what_it_already_uses(dated, grant, coordinator):
    line = _line(dated, grant, "Personale", "100.00")
    _expense(dated, line, "60.00")
    with pytest.raises(ValidationError) as refused:
        services.line_save(
            actor=coordinator, programme=dated, line=line, expected_version=line.version,
            fields={"planned_amount": D("59.99")},
        )  # fmt: skip
    assert "planned_amount" in refused.value.message_dict
    services.line_save(
        actor=coordinator, programme=dated, line=line, expected_version=line.version,
        fields={"planned_amount": D("60.00")},
    )  # fmt: skip
    line.refresh_from_db()
    assert (line.planned_amount, line.amount) == (D("60.00"), D("60.00"))


def test_it_brings_in_each_partners_co_financing_from_the_partnership(dated, coordinator):
    acli = OrganisationFactory(name="Acli")
    PartnershipFactory(programme=dated, organisation=acli, cofinancing=D("42000.00"))
    PartnershipFactory(programme=dated, organisation=OrganisationFactory(name="Senza impegno"))
    created = services.cofinancing_sync(actor=coordinator, programme=dated)
    assert [(s.kind, s.organisation, s.amount) for s in created] == [("cofinancing", acli, D("42000.00"))]
    assert services.cofinancing_sync(actor=coordinator, programme=dated) == []
    dated.partnerships.filter(organisation=acli).update(cofinancing=D("45000.50"))
    services.cofinancing_sync(actor=coordinator, programme=dated)
    assert FundingSource.objects.get(organisation=acli).amount == D("45000.50")


def test_it_computes_the_co_financing_ratio_against_the_calls_minimum(dated, coordinator):
    FundingSourceFactory(programme=dated, kind="grant", name="Fondazione", amount=D("700000.00"))
    FundingSourceFactory(
        programme=dated, kind="cofinancing", name="Acli", amount=D("250000.00"),
        organisation=PartnershipFactory(programme=dated, organisation=OrganisationFactory(name="Acli")).organisation,
    )  # fmt: skip
    FundingSourceFactory(programme=dated, kind="fundraising", name="Raccolta fondi", amount=D("50000.00"))
    services.budget_settings_save(
        actor=coordinator, programme=dated, expected_version=None, required_cofinancing_percent=D("30.00")
    )
    overview = budget_overview(coordinator, dated)
    assert (overview.cofinancing_percent, overview.partners_percent, overview.meets_requirement) == (
        D("30.00"), D("25.00"), True,
    )  # fmt: skip
    budget = dated.funding_budget
    services.budget_settings_save(
        actor=coordinator, programme=dated, expected_version=budget.version, required_cofinancing_percent=D("30.01")
    )
    assert budget_overview(coordinator, dated).meets_requirement is False


def test_evaluators_and_funders_read_the_overview_and_others_do_not(dated, grant, member):
    for role in (Role.EVALUATOR, Role.FUNDER, Role.COORDINATOR):
        assert budget_overview(member(role), dated).pledged == D("1000.00")
    for role in (Role.OPERATOR, Role.LAB_MANAGER, Role.VOLUNTEER):
        with pytest.raises(PermissionDenied):
            budget_overview(member(role), dated)


def test_every_total_is_recomputed_from_the_records_to_the_cent(dated, coordinator):
    """A budget built at random through the services; every figure of the overview equals the sum
    of the rows it comes from, recomputed here in plain Python."""
    rng = random.Random(11)  # noqa: S311 — test data
    families, youth = ActionLineFactory(programme=dated, name="Famiglie"), ActionLineFactory(programme=dated)
    partner = PartnershipFactory(programme=dated, organisation=OrganisationFactory(name="Babele")).organisation
    sources = [
        FundingSourceFactory(programme=dated, kind="grant", name="Fondazione", amount=D("90000.00")),
        FundingSourceFactory(
            programme=dated, kind="cofinancing", name="Babele", amount=D("30000.37"), organisation=partner
        ),
        FundingSourceFactory(programme=dated, kind="fundraising", name="Raccolta", amount=D("5000.00")),
    ]
    lines = []
    for source in sources:
        for action_line in (families, youth, None):
            planned = D(rng.randint(100_00, 900_00)) / 100
            lines.append(
                services.line_save(
                    actor=coordinator, programme=dated,
                    fields={"source": source, "action_line": action_line, "title": f"{source.name} {action_line}",
                            "planned_amount": min(planned, source.amount / 4)},
                )
            )  # fmt: skip
    for _ in range(60):
        line = rng.choice(lines)
        amount = D(rng.randint(1, 250_00)) / 100
        try:
            expense = services.expense_record(
                actor=coordinator, programme=dated, line=line, amount=amount, incurred_on=date(2019, 5, 6),
                description="Voce", paid=rng.random() < 0.5,
            )  # fmt: skip
        except ValidationError:
            continue
        if rng.random() < 0.15:
            services.expense_cancel(actor=coordinator, expense=expense, reason="Errore")
    for _ in range(10):
        a, b = rng.sample(lines, 2)
        try:
            services.reallocation_record(
                actor=coordinator, programme=dated, from_line=a, to_line=b, amount=D(rng.randint(1, 5000)) / 100,
                reason="Riequilibrio",
            )  # fmt: skip
        except ValidationError:
            continue
    assert Reallocation.objects.exists()
    assert Expense.objects.filter(status="cancelled").exists()

    overview = budget_overview(coordinator, dated)

    def recomputed(line):
        moved_in = sum((r.amount for r in Reallocation.objects.filter(to_line=line)), D(0))
        moved_out = sum((r.amount for r in Reallocation.objects.filter(from_line=line)), D(0))
        expenses = list(Expense.objects.filter(line=line))
        committed = sum((e.amount for e in expenses if e.status == "committed"), D(0))
        spent = sum((e.amount for e in expenses if e.status == "paid"), D(0))
        return line.planned_amount + moved_in - moved_out, committed, spent

    expected = {line.pk: recomputed(BudgetLine.objects.get(pk=line.pk)) for line in lines}
    for pk, (amount, committed, spent) in expected.items():
        stored = BudgetLine.objects.get(pk=pk)
        assert stored.amount == amount  # the stored current amount agrees with its history
        assert amount - committed - spent >= 0  # no line is ever overspent
    for row in overview.sources:
        mine = [v for pk, v in expected.items() if BudgetLine.objects.get(pk=pk).source_id == row.source.pk]
        assert row.figures.amount == cents(sum(v[0] for v in mine))
        assert row.figures.committed == cents(sum(v[1] for v in mine))
        assert row.figures.spent == cents(sum(v[2] for v in mine))
        assert row.pledged == row.source.amount
    for row in overview.action_lines:
        mine = [expected[line.pk] for line in row.lines]
        assert {line.pk for line in row.lines} == set(
            BudgetLine.objects.filter(action_line=row.action_line).values_list("pk", flat=True)
        )
        assert row.figures.amount == cents(sum(v[0] for v in mine))
        assert row.figures.remaining == cents(sum(v[0] - v[1] - v[2] for v in mine))
    live = Expense.objects.filter(programme=dated)
    assert overview.totals.committed == live.filter(status="committed").aggregate(t=Sum("amount"))["t"]
    assert overview.totals.spent == live.filter(status="paid").aggregate(t=Sum("amount"))["t"]
    assert overview.totals.amount == cents(sum(v[0] for v in expected.values()))
    assert overview.totals.amount == cents(sum(s.planned_amount for s in BudgetLine.objects.all()))
    assert overview.pledged == D("125000.37")
    assert overview.cofinancing_percent == cents(D("35000.37") * 100 / D("125000.37"))


def test_the_pacts_personal_budgets_are_read_through_an_optional_provider(dated, monkeypatch):
    from django.apps import apps

    found = personal_welfare_budgets(dated)
    if apps.is_installed("trama.pacts"):
        assert found is not None
        assert (found.planned, found.pacts) == (D("0.00"), 0)

    def missing(*args, **kwargs):
        raise LookupError

    monkeypatch.setattr(apps, "get_model", missing)
    assert personal_welfare_budgets(dated) is None
