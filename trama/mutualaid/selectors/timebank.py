"""Reads of the time bank and of the journeys it helps to count.

`hours_given(person, start, end)` is the contract other apps use: the pacts count a beneficiary's
hours given here towards their commitment to give back (DESIGN.md, "Restituzione alla comunità").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Round
from django.http import Http404

from trama.casework.models import Case
from trama.mutualaid.models import (
    Account,
    Exchange,
    GroupMember,
    LedgerEntry,
    Match,
    MicroNetwork,
    MicroNetworkMember,
    MutualAidRequest,
    Volunteer,
)
from trama.mutualaid.selectors.volunteers import programme_volunteer_hours, volunteer_hours
from trama.people.models import Person
from trama.territory.models import Programme

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
HOURS = DecimalField(max_digits=12, decimal_places=2)


def to_hours(value: Decimal | float | None) -> Decimal:
    """A sum of hours to the hundredth: SQLite adds decimals as floating point (0.0600000000000001)."""
    return Decimal(str(value or 0)).quantize(CENT)


def _sum(queryset: QuerySet, group_by: str) -> Subquery:
    return Subquery(queryset.values(group_by).annotate(total=Sum("hours")).values("total")[:1], output_field=HOURS)


# --- Balances -------------------------------------------------------------------------------------


def account_balances(programme: Programme, *, query: str = "") -> QuerySet[Account]:
    """Every account with hours given, received and its balance (given − received). Names: for
    coordinators only (the view checks `sees_names_in_time_bank`)."""
    accounts = Account.objects.filter(programme=programme).filter(entries__isnull=False).distinct()
    if query:
        accounts = accounts.filter(
            Q(person__last_name__icontains=query) | Q(person__first_name__icontains=query)
            | Q(household__label__icontains=query) | Q(group__name__icontains=query)
        )  # fmt: skip
    given = LedgerEntry.objects.filter(account=OuterRef("pk"), hours__gt=0)
    received = LedgerEntry.objects.filter(account=OuterRef("pk"), hours__lt=0)
    return (
        accounts.annotate(
            given=Coalesce(_sum(given, "account"), Value(ZERO), output_field=HOURS),
            received_entries=Coalesce(_sum(received, "account"), Value(ZERO), output_field=HOURS),
        )
        .annotate(
            received=Round(ExpressionWrapper(-F("received_entries"), output_field=HOURS), 2, output_field=HOURS),
            balance=Round(
                ExpressionWrapper(F("given") + F("received_entries"), output_field=HOURS), 2, output_field=HOURS
            ),
        )
        .select_related("person", "household", "group")
        .order_by("-given", "pk")
    )


@dataclass(frozen=True)
class NetworkSummary:
    network: MicroNetwork
    members: int
    households: int
    people: int
    given: Decimal  # by the members, to anyone
    received: Decimal  # by the members, from anyone
    inside: Decimal  # exchanged between members

    @property
    def balance(self) -> Decimal:
        """Hours the network gave to the rest of the community, less those it received: the
        exchanges inside it cancel out."""
        return self.given - self.received


def _networks(programme: Programme) -> QuerySet[MicroNetwork]:
    entries = LedgerEntry.objects.filter(account__network_memberships__network=OuterRef("pk"))
    inside = Exchange.objects.filter(
        giver__network_memberships__network=OuterRef("pk"), receiver__network_memberships__network=OuterRef("pk")
    )
    return MicroNetwork.objects.filter(programme=programme).annotate(
        member_count=Count("members", distinct=True),
        household_count=Count("members", filter=Q(members__account__household__isnull=False), distinct=True),
        person_count=Count("members", filter=Q(members__account__person__isnull=False), distinct=True),
        given=Coalesce(_sum(entries.filter(hours__gt=0), "account__network_memberships__network"), Value(ZERO),
                       output_field=HOURS),
        received=Coalesce(_sum(entries.filter(hours__lt=0), "account__network_memberships__network"), Value(ZERO),
                          output_field=HOURS),
        inside=Coalesce(_sum(inside, "giver__network_memberships__network"), Value(ZERO), output_field=HOURS),
    ).select_related("place").order_by("name")  # fmt: skip


def _summary(network: MicroNetwork) -> NetworkSummary:
    return NetworkSummary(
        network=network, members=network.member_count, households=network.household_count,
        people=network.person_count, given=to_hours(network.given), received=to_hours(-network.received),
        inside=to_hours(network.inside),
    )  # fmt: skip


def network_summaries(programme: Programme) -> list[NetworkSummary]:
    """Each micro-network's figures, without a name: what evaluators and funders may read. One query."""
    return [_summary(network) for network in _networks(programme)]


def network_summary(programme: Programme, network_id: object) -> NetworkSummary:
    network = _networks(programme).filter(public_id=network_id).first()
    if network is None:
        raise Http404
    return _summary(network)


def network_members(network: MicroNetwork) -> QuerySet[MicroNetworkMember]:
    return network.members.select_related("account__person", "account__household").order_by("joined_on", "pk")


@dataclass(frozen=True)
class LedgerTotals:
    exchanges: int
    hours: Decimal
    entries_sum: Decimal  # zero, always: the double entry balances

    @property
    def balanced(self) -> bool:
        return self.entries_sum == 0


def ledger_totals(programme: Programme, start: date | None = None, end: date | None = None) -> LedgerTotals:
    exchanges = Exchange.objects.filter(programme=programme)
    entries = LedgerEntry.objects.filter(exchange__programme=programme)
    if start is not None:
        exchanges, entries = exchanges.filter(occurred_on__gte=start), entries.filter(occurred_on__gte=start)
    if end is not None:
        exchanges, entries = exchanges.filter(occurred_on__lte=end), entries.filter(occurred_on__lte=end)
    totals = exchanges.aggregate(count=Count("pk"), hours=Sum("hours"))
    return LedgerTotals(
        exchanges=totals["count"], hours=to_hours(totals["hours"]),
        entries_sum=to_hours(entries.aggregate(total=Sum("hours"))["total"]),
    )  # fmt: skip


# --- Hours given: the contract with the pacts -------------------------------------------------------


@dataclass(frozen=True)
class HoursGiven:
    exchanges: Decimal  # given to others in the time bank
    volunteering: Decimal  # attended shifts and confirmed logs as a volunteer

    @property
    def total(self) -> Decimal:
        return self.exchanges + self.volunteering


def hours_given_breakdown(person: Person, start: date, end: date) -> HoursGiven:
    """What `person` gave the community from `start` to `end` (both included), by kind."""
    exchanges = to_hours(
        LedgerEntry.objects.filter(
            account__person=person, hours__gt=0, occurred_on__gte=start, occurred_on__lte=end
        ).aggregate(total=Sum("hours"))["total"]
    )
    volunteering = ZERO
    for volunteer in Volunteer.objects.filter(person=person, status=Volunteer.Status.APPROVED):
        volunteering += volunteer_hours(volunteer, start, end).total
    return HoursGiven(exchanges=exchanges, volunteering=volunteering)


def hours_given(person: Person, start: date, end: date) -> Decimal:
    """Hours `person` gave from `start` to `end` (both included): their exchanges as a giver in
    the time bank plus their volunteer hours (attended shifts, confirmed logs). Pending or rejected
    logs and declined matches never count. The pacts app counts this towards a commitment."""
    return hours_given_breakdown(person, start, end).total


# --- Figures for evaluation ----------------------------------------------------------------------


@dataclass(frozen=True)
class Journey:
    """Beneficiaries (members of a household with a case) who later became volunteers or joined a
    citizen group — the same person record, counted once per kind of change."""

    became_volunteers: int
    joined_groups: int
    either: int


def _beneficiary_before(date_field: str) -> Exists:
    return Exists(
        Case.objects.filter(household__memberships__person=OuterRef("person"), opened_on__lte=OuterRef(date_field))
    )


def journey(programme: Programme, start: date | None = None, end: date | None = None) -> Journey:
    volunteers = Volunteer.objects.filter(programme=programme, status=Volunteer.Status.APPROVED).filter(
        _beneficiary_before("approved_on")
    )
    members = GroupMember.objects.filter(group__programme=programme).filter(_beneficiary_before("joined_on"))
    if start is not None:
        volunteers, members = volunteers.filter(approved_on__gte=start), members.filter(joined_on__gte=start)
    if end is not None:
        volunteers, members = volunteers.filter(approved_on__lte=end), members.filter(joined_on__lte=end)
    volunteer_people = set(volunteers.values_list("person_id", flat=True))
    member_people = set(members.values_list("person_id", flat=True))
    return Journey(
        became_volunteers=len(volunteer_people),
        joined_groups=len(member_people),
        either=len(volunteer_people | member_people),
    )


@dataclass(frozen=True)
class Figures:
    volunteers: dict[str, int]
    volunteer_hours: Decimal
    requests: dict[str, int]
    matches_done: int
    ledger: LedgerTotals
    journey: Journey

    @property
    def requests_live(self) -> int:
        return self.requests[MutualAidRequest.Status.OPEN] + self.requests[MutualAidRequest.Status.MATCHED]


def figures(programme: Programme, start: date | None = None, end: date | None = None) -> Figures:
    """The page "Volunteering and mutual aid in figures": counts only, no name."""
    volunteers = dict.fromkeys(Volunteer.Status.values, 0)
    for row in Volunteer.objects.filter(programme=programme).values("status").annotate(count=Count("pk")):
        volunteers[row["status"]] = row["count"]
    requests = dict.fromkeys(MutualAidRequest.Status.values, 0)
    for row in MutualAidRequest.objects.filter(programme=programme).values("status").annotate(count=Count("pk")):
        requests[row["status"]] = row["count"]
    return Figures(
        volunteers=volunteers,
        volunteer_hours=programme_volunteer_hours(programme, start, end),
        requests=requests,
        matches_done=Match.objects.filter(programme=programme, status=Match.Status.DONE).count(),
        ledger=ledger_totals(programme, start, end),
        journey=journey(programme, start, end),
    )
