"""Reads of pacts, scoped by who asks (S1) and costing a fixed number of queries whatever the
number of rows: lists annotate their sums with subqueries, a pact's page prefetches its parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trama.accounts.models import User
from trama.casework.models import CaseTeamMember
from trama.pacts.models import (
    BudgetLine,
    Commitment,
    ContributionLog,
    Disbursement,
    Pact,
    PactVersion,
    Review,
    Signatory,
)
from trama.pacts.money import cents
from trama.pacts.permissions import giving_back_commitments, visible_pacts
from trama.territory.models import Programme

DUE_SOON_DAYS = 14
ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))
CONFIRMED = ContributionLog.Status.CONFIRMED


def _total(queryset: QuerySet, group: str, amount: str) -> Coalesce:
    """The sum of `amount` over `queryset` rows of the outer row (`group` = OuterRef("pk"))."""
    sums = queryset.filter(**{group: OuterRef("pk")}).values(group).annotate(total=Sum(amount)).values("total")
    return Coalesce(Subquery(sums, output_field=DecimalField(max_digits=12, decimal_places=2)), ZERO)


def with_totals(pacts: QuerySet[Pact]) -> QuerySet[Pact]:
    """Each pact with `budget` (signed), `spent` (approved or paid), `hours_signed`, `hours_given`."""
    return pacts.annotate(
        budget=_total(BudgetLine.objects.all(), "pact", "signed_amount"),
        spent=_total(Disbursement.objects.filter(status__in=Disbursement.SPENT), "pact", "amount"),
        hours_signed=_total(Commitment.objects.all(), "pact", "signed_hours"),
        hours_given=_total(ContributionLog.objects.filter(status=CONFIRMED), "commitment__pact", "hours"),
    )


# --- The list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PactFilters:
    query: str = ""
    status: str = ""
    mine: bool = False


def pact_list(user: User, programme: Programme, filters: PactFilters) -> QuerySet[Pact]:
    pacts = visible_pacts(user, programme)
    if filters.query:
        words = filters.query.split()
        for word in words[:4]:
            pacts = pacts.filter(
                Q(person__first_name__icontains=word)
                | Q(person__last_name__icontains=word)
                | Q(case__household__label__icontains=word)
            )
    if filters.status in Pact.Status.values:
        pacts = pacts.filter(status=filters.status)
    if filters.mine:
        pacts = pacts.filter(case_id__in=CaseTeamMember.objects.filter(user=user).values("case_id"))
    return with_totals(
        pacts.select_related("programme", "person", "case__household", "latest_version", "version_in_force")
    ).order_by("-created_at", "-pk")


# --- One pact ---------------------------------------------------------------------------------


@dataclass
class PactRecord:
    """Everything a pact's page shows, loaded in a fixed number of queries."""

    versions: list[PactVersion]
    signatories: list[Signatory]
    lines: list[BudgetLine]
    commitments: list[Commitment]
    disbursements: list[Disbursement]
    reviews: list[Review]
    logs: list[ContributionLog]
    budget_signed: Decimal = Decimal("0.00")
    budget_spent: Decimal = Decimal("0.00")
    budget_pending: Decimal = Decimal("0.00")
    hours_signed: Decimal = Decimal("0.00")
    hours_given: Decimal = Decimal("0.00")
    hours_pending: Decimal = Decimal("0.00")

    @property
    def budget_remaining(self) -> Decimal:
        return self.budget_signed - self.budget_spent

    @property
    def hours_progress(self) -> int:
        if not self.hours_signed:
            return 0
        return min(100, int(self.hours_given * 100 / self.hours_signed))


def annotated_lines(pact: Pact) -> QuerySet[BudgetLine]:
    return (
        pact.budget_lines.select_related("funder")
        .annotate(
            spent=Coalesce(Sum("disbursements__amount", filter=Q(disbursements__status__in=Disbursement.SPENT)), ZERO),
            pending=Coalesce(
                Sum("disbursements__amount", filter=Q(disbursements__status=Disbursement.Status.REQUESTED)), ZERO
            ),
        )
        .order_by("created_at", "id")
    )


def annotated_commitments(queryset: QuerySet[Commitment]) -> QuerySet[Commitment]:
    return queryset.select_related("place", "group", "activity").annotate(
        given=Coalesce(Sum("logs__hours", filter=Q(logs__status=CONFIRMED)), ZERO),
        pending=Coalesce(Sum("logs__hours", filter=Q(logs__status=ContributionLog.Status.PENDING)), ZERO),
    )


def pact_record(pact: Pact) -> PactRecord:
    record = PactRecord(
        versions=list(pact.versions.select_related("signature_recorded_by").order_by("-number")),
        signatories=list(
            pact.signatories.select_related("person", "organisation", "place", "group").order_by("created_at", "id")
        ),
        lines=list(annotated_lines(pact)),
        commitments=list(annotated_commitments(pact.commitments.all()).order_by("created_at", "id")),
        disbursements=list(
            pact.disbursements.select_related("budget_line", "requested_by", "decided_by").order_by(
                "-due_on", "-created_at"
            )
        ),
        reviews=list(
            pact.reviews.select_related("reviewed_by", "version")
            .prefetch_related(Prefetch("items", queryset=_items()))
            .order_by("-reviewed_on", "-created_at")
        ),
        logs=list(
            ContributionLog.objects.filter(commitment__pact=pact)
            .select_related("commitment__place", "commitment__group", "commitment__activity", "confirmed_by")
            .order_by("-date", "-created_at")
        ),
    )
    for line in record.lines:
        line.remaining = cents(line.signed_amount) - cents(line.spent)
        record.budget_signed += cents(line.signed_amount)
        record.budget_spent += cents(line.spent)
        record.budget_pending += cents(line.pending)
    for commitment in record.commitments:
        commitment.progress = (
            min(100, int(commitment.given * 100 / commitment.signed_hours)) if commitment.signed_hours else 0
        )
        record.hours_signed += cents(commitment.signed_hours)
        record.hours_given += cents(commitment.given)
        record.hours_pending += cents(commitment.pending)
    return record


def _items() -> QuerySet:
    from trama.pacts.models import ReviewItem

    return ReviewItem.objects.order_by("id")


# --- The two-sided ledger ---------------------------------------------------------------------


@dataclass
class LedgerMonth:
    month: date
    given: Decimal = Decimal("0.00")
    given_back: Decimal = Decimal("0.00")
    disbursements: list[Disbursement] = field(default_factory=list)
    logs: list[ContributionLog] = field(default_factory=list)


def ledger(pact: Pact) -> list[LedgerMonth]:
    """Month by month, newest first: the money the community gave (approved or paid, by the date
    of the expense) beside the hours the beneficiary gave back (confirmed). Two queries."""
    months: dict[date, LedgerMonth] = {}

    def month_of(day: date) -> LedgerMonth:
        key = day.replace(day=1)
        return months.setdefault(key, LedgerMonth(month=key))

    for disbursement in pact.disbursements.filter(status__in=Disbursement.SPENT).select_related("budget_line"):
        entry = month_of(disbursement.due_on)
        entry.given += disbursement.amount
        entry.disbursements.append(disbursement)
    logs = ContributionLog.objects.filter(commitment__pact=pact, status=CONFIRMED).select_related(
        "commitment__place", "commitment__group", "commitment__activity"
    )
    for log in logs:
        entry = month_of(log.date)
        entry.given_back += log.hours
        entry.logs.append(log)
    for entry in months.values():
        entry.disbursements.sort(key=lambda d: (d.due_on, d.pk))
        entry.logs.sort(key=lambda log: (log.date, log.pk))
    return sorted(months.values(), key=lambda entry: entry.month, reverse=True)


# --- Work queues ------------------------------------------------------------------------------


def due_reviews(user: User, programme: Programme, *, today: date | None = None) -> QuerySet[Pact]:
    """The pacts the user may see whose review is due within two weeks, overdue, or under way."""
    today = today or timezone.localdate()
    return (
        visible_pacts(user, programme)
        .filter(
            Q(status=Pact.Status.IN_REVIEW)
            | Q(status=Pact.Status.ACTIVE, next_review_on__lte=today + timedelta(days=DUE_SOON_DAYS))
        )
        .select_related("programme", "person", "case__household")
        .order_by("next_review_on", "pk")
    )


def requests_to_decide(programme: Programme) -> QuerySet[Disbursement]:
    """Requests for money waiting for a coordinator, oldest first, each with its line's remaining."""
    return (
        Disbursement.objects.filter(pact__programme=programme, status=Disbursement.Status.REQUESTED)
        .select_related("pact__person", "pact__case__household", "budget_line", "requested_by")
        .annotate(
            line_spent=Coalesce(
                Subquery(
                    Disbursement.objects.filter(budget_line=OuterRef("budget_line"), status__in=Disbursement.SPENT)
                    .values("budget_line")
                    .annotate(total=Sum("amount"))
                    .values("total"),
                    output_field=DecimalField(max_digits=12, decimal_places=2),
                ),
                ZERO,
            )
        )
        .order_by("created_at", "pk")
    )


def giving_back_list(user: User, programme: Programme) -> QuerySet[Commitment]:
    """What a lab manager (or coordinator) sees: commitments of running pacts at their places, with
    the beneficiary's name and the hours — no budget, no case."""
    return (
        annotated_commitments(giving_back_commitments(user, programme).filter(pact__status__in=Pact.RUNNING))
        .select_related("pact__person")
        .order_by("pact__person__last_name", "pact__person__first_name", "pk")
    )


def logs_to_confirm(user: User, programme: Programme) -> QuerySet[ContributionLog]:
    return (
        ContributionLog.objects.filter(
            commitment__in=giving_back_commitments(user, programme), status=ContributionLog.Status.PENDING
        )
        .select_related("commitment__pact__person", "commitment__place", "commitment__group", "commitment__activity")
        .order_by("date", "pk")
    )


# --- The programme view (aggregates only: evaluators and funders see this and nothing else) ------


@dataclass
class BudgetRow:
    label: str
    funder: str
    committed: Decimal
    disbursed: Decimal
    remaining: Decimal  # of pacts still open
    released: Decimal  # unspent money of closed pacts, back to the programme


WHERE_KINDS = {"place": _("community place"), "group": _("citizen group"), "activity": _("activity")}


@dataclass
class HoursRow:
    kind: str
    name: str
    people: int
    hours_signed: Decimal
    hours_given: Decimal

    @property
    def kind_label(self) -> str:
        return str(WHERE_KINDS[self.kind])


@dataclass
class ProgrammeOverview:
    by_status: list[tuple[str, str, int]]
    by_outcome: list[tuple[str, str, int]]
    by_source: list[BudgetRow]
    by_purpose: list[BudgetRow]
    hours: list[HoursRow]
    totals: BudgetRow
    hours_signed: Decimal
    hours_given: Decimal


def _budget_rows(programme: Programme, key: str, funder_key: str | None, labels: dict[str, str]) -> list[BudgetRow]:
    closed = Q(pact__status=Pact.Status.CLOSED)
    keys = [key, *([funder_key] if funder_key else [])]
    lines = (
        BudgetLine.objects.filter(pact__programme=programme, signed_amount__gt=0)
        .values(*keys)
        .annotate(committed=Sum("signed_amount"), committed_closed=Sum("signed_amount", filter=closed))
        .order_by(*keys)
    )
    money = (
        Disbursement.objects.filter(pact__programme=programme, status__in=Disbursement.SPENT)
        .values(*[f"budget_line__{k}" for k in keys])
        .annotate(spent=Sum("amount"), spent_closed=Sum("amount", filter=closed))
        .order_by()
    )
    spent = {tuple(row[f"budget_line__{k}"] for k in keys): row for row in money}
    rows = []
    for row in lines:
        group = tuple(row[k] for k in keys)
        paid = spent.get(group, {})
        committed, committed_closed = cents(row["committed"]), cents(row["committed_closed"])
        disbursed, disbursed_closed = cents(paid.get("spent")), cents(paid.get("spent_closed"))
        rows.append(
            BudgetRow(
                label=str(labels.get(row[key], row[key])),
                funder=(row[funder_key] or "") if funder_key else "",
                committed=committed,
                disbursed=disbursed,
                remaining=(committed - committed_closed) - (disbursed - disbursed_closed),
                released=committed_closed - disbursed_closed,
            )
        )
    return rows


def _hours_rows(programme: Programme) -> list[HoursRow]:
    base = Commitment.objects.filter(pact__programme=programme, signed_hours__gt=0)
    rows: list[HoursRow] = []
    for kind, name_field in (("place", "place__name"), ("group", "group__name"), ("activity", "activity__title")):
        grouped = (
            base.filter(**{f"{kind}__isnull": False})
            .values(f"{kind}_id", name_field)
            .annotate(
                people=Count("pact__person", distinct=True),
                hours_signed=Sum("signed_hours"),
            )
            .order_by(name_field)
        )
        given = dict(
            ContributionLog.objects.filter(
                commitment__in=base, status=CONFIRMED, **{f"commitment__{kind}__isnull": False}
            )
            .values_list(f"commitment__{kind}_id")
            .annotate(total=Sum("hours"))
            .order_by()
        )
        rows.extend(
            HoursRow(
                kind=kind,
                name=row[name_field],
                people=row["people"],
                hours_signed=cents(row["hours_signed"]),
                hours_given=cents(given.get(row[f"{kind}_id"])),
            )
            for row in grouped
        )
    return rows


def programme_overview(programme: Programme) -> ProgrammeOverview:
    """Pacts by status and outcome, the budget by source and by purpose (committed, disbursed,
    remaining, released), and the hours given back by place, group and activity. No name of a
    person appears: evaluators and funders see exactly this."""
    counts = dict(Pact.objects.filter(programme=programme).values_list("status").annotate(n=Count("pk")).order_by())
    outcomes = dict(
        Pact.objects.filter(programme=programme, status=Pact.Status.CLOSED)
        .values_list("outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_source = _budget_rows(programme, "source", "funder__name", dict(BudgetLine.Source.choices))
    hours = _hours_rows(programme)
    totals = BudgetRow(
        label="",
        funder="",
        committed=sum((row.committed for row in by_source), Decimal("0.00")),
        disbursed=sum((row.disbursed for row in by_source), Decimal("0.00")),
        remaining=sum((row.remaining for row in by_source), Decimal("0.00")),
        released=sum((row.released for row in by_source), Decimal("0.00")),
    )
    return ProgrammeOverview(
        by_status=[(value, str(label), counts.get(value, 0)) for value, label in Pact.Status.choices],
        by_outcome=[(value, str(label), outcomes.get(value, 0)) for value, label in Pact.Outcome.choices],
        by_source=by_source,
        by_purpose=_budget_rows(programme, "purpose", None, dict(BudgetLine.Purpose.choices)),
        hours=hours,
        totals=totals,
        hours_signed=sum((row.hours_signed for row in hours), Decimal("0.00")),
        hours_given=sum((row.hours_given for row in hours), Decimal("0.00")),
    )


def context_flags(pact: Pact, can_write: bool, coordinator: bool) -> dict[str, Any]:
    """What the pact's page lets the user do (the services check again on every write)."""
    return {
        "can_write": can_write and not pact.is_closed,
        "can_decide": coordinator,
        "pending_version": pact.latest_version_id != pact.version_in_force_id,
    }
