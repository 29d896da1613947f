"""Reads of the budget: the overview by source and by action line, the co-financing ratio, one
line's expenses, the expense list. Aggregates only; for coordinators, evaluators and funders
(`permissions.reader_membership`). Every figure is summed by the database from the records, in
a fixed number of queries however many lines and expenses there are.

The co-financing ratio (the rule stated on the page): the share of the total pledged by the
sources that are not the foundation's grant — the partners' co-financing, fundraising and other
contributions — over the total pledged by every source. The call states the minimum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldError
from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from trama.accounts.models import User
from trama.funding.models import Budget, BudgetLine, Donation, Expense, FundingSource, Reallocation
from trama.funding.money import ZERO, cents, percent
from trama.funding.permissions import manager_membership, reader_membership
from trama.territory.models import ActionLine, Programme

MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)


def _sum(expression: str, condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum(expression, filter=condition), Value(ZERO), output_field=MONEY_FIELD)


@dataclass
class Figures:
    """Amount allocated, committed (not yet paid), spent (paid) and what remains free."""

    amount: Decimal = ZERO
    committed: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def used(self) -> Decimal:
        return self.committed + self.spent

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.committed - self.spent

    def add(self, other: Figures) -> None:
        self.amount += other.amount
        self.committed += other.committed
        self.spent += other.spent


@dataclass
class SourceRow:
    source: FundingSource
    pledged: Decimal
    figures: Figures = field(default_factory=Figures)
    raised: Decimal | None = None  # fundraising sources: the donations of their campaigns

    @property
    def unallocated(self) -> Decimal:
        return self.pledged - self.figures.amount


@dataclass
class ActionLineRow:
    action_line: ActionLine | None
    figures: Figures = field(default_factory=Figures)
    lines: list[BudgetLine] = field(default_factory=list)


@dataclass(frozen=True)
class PersonalBudgets:
    """The personal welfare budgets of the pacts (seed 003), as one of the budget's uses."""

    planned: Decimal
    signed: Decimal | None
    disbursed: Decimal | None
    pacts: int


@dataclass
class BudgetOverview:
    programme: Programme
    settings: Budget | None
    sources: list[SourceRow]
    action_lines: list[ActionLineRow]
    totals: Figures
    pledged: Decimal
    by_kind: dict[str, Decimal]
    raised: Decimal
    personal_budgets: PersonalBudgets | None

    @property
    def unallocated(self) -> Decimal:
        return self.pledged - self.totals.amount

    @property
    def cofinancing(self) -> Decimal:
        """Everything pledged by sources other than the foundation's grant."""
        return self.pledged - self.by_kind.get(FundingSource.Kind.GRANT, ZERO)

    @property
    def cofinancing_percent(self) -> Decimal | None:
        return percent(self.cofinancing, self.pledged)

    @property
    def partners_percent(self) -> Decimal | None:
        return percent(self.by_kind.get(FundingSource.Kind.COFINANCING, ZERO), self.pledged)

    @property
    def required_percent(self) -> Decimal | None:
        return self.settings.required_cofinancing_percent if self.settings else None

    @property
    def meets_requirement(self) -> bool | None:
        if self.required_percent is None or self.cofinancing_percent is None:
            return None
        return self.cofinancing_percent >= self.required_percent


def annotated_lines(programme: Programme) -> QuerySet[BudgetLine]:
    """The programme's lines with what their expenses commit and spend (one query)."""
    return (
        BudgetLine.objects.for_programme(programme)
        .select_related("source__organisation", "action_line", "programme")
        .annotate(
            committed=_sum("expenses__amount", Q(expenses__status=Expense.Status.COMMITTED)),
            spent=_sum("expenses__amount", Q(expenses__status=Expense.Status.PAID)),
        )
        .order_by("action_line__position", "action_line__name", "position", "title", "pk")
    )


def _figures(line: BudgetLine) -> Figures:
    return Figures(amount=cents(line.amount), committed=cents(line.committed), spent=cents(line.spent))


def personal_welfare_budgets(programme: Programme) -> PersonalBudgets | None:
    """The pacts' personal welfare budgets of `programme`, if the pacts app provides them.

    Looked up by name, never imported, so the budget works with or without that app. It expects
    a model `pacts.BudgetLine` with a foreign key `pact` to a model that has a foreign key
    `programme`, and a decimal `amount` (planned); a decimal `signed_amount` when present (signed);
    and a model `pacts.Disbursement` with a foreign key `budget_line`, a decimal `amount`, a
    `status` and a class attribute `SPENT` (the statuses that count as money given) for the
    disbursed figure. Anything missing leaves that figure out (None), never an error."""
    if not apps.is_installed("trama.pacts"):
        return None
    try:
        line_model = apps.get_model("pacts", "BudgetLine")
    except LookupError:
        return None
    names = {f.name for f in line_model._meta.get_fields()}
    if not {"amount", "pact"} <= names:
        return None
    wanted = {"planned": Sum("amount"), "pacts": Count("pact", distinct=True)}
    if "signed_amount" in names:
        wanted["signed"] = Sum("signed_amount")
    try:
        row = line_model.objects.filter(pact__programme=programme).aggregate(**wanted)
    except FieldError:
        return None
    disbursed = None
    try:
        disbursement_model = apps.get_model("pacts", "Disbursement")
        spent_statuses = getattr(disbursement_model, "SPENT", None)
        if spent_statuses is not None:
            total = disbursement_model.objects.filter(
                budget_line__pact__programme=programme, status__in=list(spent_statuses)
            ).aggregate(total=Sum("amount"))["total"]
            disbursed = cents(total)
    except (LookupError, FieldError):
        disbursed = None
    return PersonalBudgets(
        planned=cents(row["planned"]),
        signed=cents(row["signed"]) if "signed" in row else None,
        disbursed=disbursed,
        pacts=row["pacts"] or 0,
    )


def _raised_by_source(programme: Programme) -> tuple[dict[int | None, Decimal], Decimal]:
    rows = (
        Donation.objects.for_programme(programme)
        .values("campaign__source")
        .annotate(total=Sum("amount"))
        .order_by("campaign__source")
    )
    by_source = {row["campaign__source"]: cents(row["total"]) for row in rows}
    return by_source, sum(by_source.values(), ZERO)


def budget_overview(user: User | None, programme: Programme) -> BudgetOverview:
    """The budget by source and by action line, the totals and the co-financing ratio."""
    if user is not None:
        reader_membership(user, programme)
    settings = Budget.objects.filter(programme=programme).first()
    sources = list(FundingSource.objects.for_programme(programme).select_related("organisation"))
    rows = {source.pk: SourceRow(source=source, pledged=cents(source.amount)) for source in sources}
    raised_by_source, raised = _raised_by_source(programme)
    for source in sources:
        if source.kind == FundingSource.Kind.FUNDRAISING:
            rows[source.pk].raised = raised_by_source.get(source.pk, ZERO)
    by_action_line: dict[int | None, ActionLineRow] = {}
    totals = Figures()
    for line in annotated_lines(programme):
        figures = _figures(line)
        line.remaining = figures.remaining
        rows[line.source_id].figures.add(figures)
        row = by_action_line.setdefault(line.action_line_id, ActionLineRow(action_line=line.action_line))
        row.figures.add(figures)
        row.lines.append(line)
        totals.add(figures)
    by_kind: dict[str, Decimal] = {}
    for source in sources:
        by_kind[source.kind] = by_kind.get(source.kind, ZERO) + cents(source.amount)
    # Action lines in their order, the general costs (no action line) last.
    ordered = sorted(
        by_action_line.values(),
        key=lambda r: (r.action_line is None, r.action_line.position if r.action_line else 0,
                       r.action_line.name if r.action_line else ""),
    )  # fmt: skip
    return BudgetOverview(
        programme=programme, settings=settings, sources=list(rows.values()), action_lines=ordered, totals=totals,
        pledged=sum((row.pledged for row in rows.values()), ZERO), by_kind=by_kind, raised=raised,
        personal_budgets=personal_welfare_budgets(programme),
    )  # fmt: skip


def line_figures(line: BudgetLine) -> Figures:
    row = annotated_lines(line.programme).get(pk=line.pk)
    return _figures(row)


def line_expenses(line: BudgetLine) -> QuerySet[Expense]:
    return line.expenses.select_related("recorded_by").order_by("-incurred_on", "-pk")


def line_reallocations(line: BudgetLine) -> QuerySet[Reallocation]:
    return (
        Reallocation.objects.filter(Q(from_line=line) | Q(to_line=line))
        .select_related("from_line", "to_line", "recorded_by")
        .order_by("-created_at", "-pk")
    )


def expense_list(
    user: User, programme: Programme, *, query: str = "", status: str = "", line: str = "", source: str = ""
) -> QuerySet[Expense]:
    """The programme's expenses for a coordinator, filtered, newest first."""
    manager_membership(user, programme)
    expenses = Expense.objects.for_programme(programme).select_related(
        "line__source", "line__action_line", "line__programme"
    )
    if query:
        expenses = expenses.filter(
            Q(description__icontains=query) | Q(supplier__icontains=query) | Q(reference__icontains=query)
        )
    if status:
        expenses = expenses.filter(status=status)
    if line:
        expenses = expenses.filter(line__public_id=line)
    if source:
        expenses = expenses.filter(line__source__public_id=source)
    return expenses.order_by("-incurred_on", "-pk")


def reallocation_list(user: User, programme: Programme) -> QuerySet[Reallocation]:
    reader_membership(user, programme)
    return (
        Reallocation.objects.for_programme(programme)
        .select_related("from_line", "to_line", "recorded_by")
        .order_by("-created_at", "-pk")
    )
