"""The time bank: every exchange is a balanced double entry, so the ledger always sums to zero (a
property test over random exchanges); balances per person, household and micro-network; the hours a
person gave, for the pacts; and the journey from beneficiary to volunteer or group member."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from trama.casework.tests.factories import CaseFactory, HouseholdFactory, HouseholdMemberFactory, PersonFactory
from trama.core.tests.factories import CitizenGroupFactory, ProgrammeFactory
from trama.mutualaid.models import Account, Exchange, HourLog, LedgerEntry, MicroNetworkMember, Volunteer
from trama.mutualaid.selectors.timebank import (
    account_balances,
    hours_given,
    hours_given_breakdown,
    journey,
    ledger_totals,
    network_summaries,
)
from trama.mutualaid.services.timebank import (
    account_for,
    exchange_record,
    group_member_add,
    network_add_member,
    network_create,
)
from trama.mutualaid.tests.factories import HourLogFactory, VolunteerFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 10)


def _exchange(giver: Account, receiver: Account, hours: str, day: date | None = None) -> Exchange:
    return exchange_record(
        actor=None, programme=giver.programme, giver=giver, receiver=receiver, hours=hours,
        occurred_on=day or timezone.localdate(), category="shopping",
    )  # fmt: skip


class TestTheLedgerAlwaysBalances(TestCase):
    """Hypothesis drives random sequences of exchanges among people, households and groups."""

    @classmethod
    def setUpTestData(cls) -> None:
        programme = ProgrammeFactory(slug="banca-del-tempo")
        holders = [PersonFactory(programme=programme) for _ in range(3)]
        holders += [HouseholdFactory(programme=programme) for _ in range(2)]
        holders.append(CitizenGroupFactory(programme=programme))
        cls.programme = programme
        cls.accounts = [account_for(holder) for holder in holders]

    @settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=5),
                st.integers(min_value=0, max_value=5),
                st.decimals(min_value=Decimal("0.25"), max_value=Decimal("24"), places=2),
            ),
            min_size=1,
            max_size=12,
        )
    )
    def test_any_sequence_of_exchanges_keeps_every_balance_consistent(self, exchanges) -> None:
        expected: dict[int, Decimal] = defaultdict(Decimal)
        for giver, receiver, hours in exchanges:
            if giver == receiver:
                with pytest.raises(ValidationError):
                    _exchange(self.accounts[giver], self.accounts[receiver], str(hours))
                continue
            _exchange(self.accounts[giver], self.accounts[receiver], str(hours))
            expected[self.accounts[giver].pk] += hours
            expected[self.accounts[receiver].pk] -= hours

        # Each example runs in its own transaction (rolled back after it): the ledger starts empty.
        entries = LedgerEntry.objects.filter(exchange__programme=self.programme)
        assert entries.aggregate(total=Sum("hours"))["total"] in (None, 0)
        for exchange in Exchange.objects.filter(programme=self.programme).prefetch_related("entries"):
            assert len(exchange.entries.all()) == 2
            assert sum(entry.hours for entry in exchange.entries.all()) == 0
        balances = {account.pk: account.balance for account in account_balances(self.programme)}
        assert {pk: balance.quantize(Decimal("0.01")) for pk, balance in balances.items() if balance} == {
            pk: change for pk, change in expected.items() if change
        }
        assert sum(balances.values(), Decimal(0)).quantize(Decimal("0.01")) == 0
        assert ledger_totals(self.programme).balanced


def test_an_exchange_writes_two_entries_that_sum_to_zero(programme):
    giver, receiver = (
        account_for(PersonFactory(programme=programme)),
        account_for(HouseholdFactory(programme=programme)),
    )
    exchange = _exchange(giver, receiver, "2.5")
    assert sorted(exchange.entries.values_list("hours", flat=True)) == [Decimal("-2.50"), Decimal("2.50")]


@pytest.mark.parametrize("hours", ["0", "-1", "25", "due ore"])
def test_an_implausible_exchange_is_refused_and_nothing_is_written(programme, hours):
    giver, receiver = account_for(PersonFactory(programme=programme)), account_for(PersonFactory(programme=programme))
    with pytest.raises(ValidationError) as error:
        _exchange(giver, receiver, hours)
    assert "hours" in error.value.message_dict
    assert not Exchange.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_the_ledger_cannot_be_edited_or_deleted(programme):
    giver, receiver = account_for(PersonFactory(programme=programme)), account_for(PersonFactory(programme=programme))
    exchange = _exchange(giver, receiver, "1")
    entry = exchange.entries.first()
    with pytest.raises(PermissionError):
        LedgerEntry.objects.filter(pk=entry.pk).update(hours=5)
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        entry.save()


def test_an_exchange_between_programmes_is_refused(programme, other_programme):
    giver, stranger = (
        account_for(PersonFactory(programme=programme)),
        account_for(PersonFactory(programme=other_programme)),
    )
    with pytest.raises(ValidationError):
        _exchange(giver, stranger, "1")


def test_a_micro_network_counts_what_its_members_give_and_receive_outside(programme, coordinator):
    network = network_create(actor=coordinator, programme=programme, name="Rete di via Riviera")
    maria, rossi = PersonFactory(programme=programme), HouseholdFactory(programme=programme)
    outsider = PersonFactory(programme=programme)
    for holder in (maria, rossi):
        network_add_member(actor=coordinator, network=network, holder=holder)
    _exchange(account_for(maria), account_for(rossi), "3")  # inside
    _exchange(account_for(maria), account_for(outsider), "2")  # given outside
    _exchange(account_for(outsider), account_for(rossi), "1.5")  # received from outside

    [summary] = network_summaries(programme)

    assert (summary.households, summary.people) == (1, 1)
    assert summary.inside == Decimal("3.00")
    assert summary.given == Decimal("5.00")
    assert summary.received == Decimal("4.50")
    assert summary.balance == Decimal("0.50")


def test_only_a_coordinator_adds_members_to_a_micro_network(programme, coordinator, operator):
    network = network_create(actor=coordinator, programme=programme, name="Rete")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        network_add_member(actor=operator, network=network, holder=PersonFactory(programme=programme))
    assert not MicroNetworkMember.objects.exists()


def test_hours_given_counts_exchanges_given_and_volunteering_in_the_period(programme):
    """The contract with the pacts: a beneficiary's hours given back to the community."""
    person = PersonFactory(programme=programme)
    volunteer = VolunteerFactory(programme=programme, person=person)
    me, neighbour = account_for(person), account_for(HouseholdFactory(programme=programme))
    today = timezone.localdate()
    _exchange(me, neighbour, "2", today - timedelta(days=5))
    _exchange(neighbour, me, "4", today - timedelta(days=4))  # received: does not count
    _exchange(me, neighbour, "1", today - timedelta(days=400))  # before the period
    HourLogFactory(volunteer=volunteer, date=today - timedelta(days=3), hours=Decimal("1.5"),
                   status=HourLog.Status.CONFIRMED)  # fmt: skip
    HourLogFactory(volunteer=volunteer, date=today - timedelta(days=2), hours=Decimal("6"),
                   status=HourLog.Status.PENDING)  # fmt: skip

    start, end = today - timedelta(days=30), today
    breakdown = hours_given_breakdown(person, start, end)

    assert breakdown.exchanges == Decimal("2.00")
    assert breakdown.volunteering == Decimal("1.50")
    assert hours_given(person, start, end) == Decimal("3.50")


def test_the_journey_counts_beneficiaries_who_later_volunteered_or_joined_a_group(programme, coordinator):
    beneficiary = HouseholdMemberFactory(household=HouseholdFactory(programme=programme)).person
    CaseFactory(programme=programme, household=beneficiary.households.first(), opened_on=date(2024, 1, 15))
    VolunteerFactory(programme=programme, person=beneficiary, status=Volunteer.Status.APPROVED,
                     approved_on=date(2025, 2, 1))  # fmt: skip
    group = CitizenGroupFactory(programme=programme)
    group_member_add(actor=coordinator, group=group, person=beneficiary, joined_on=date(2025, 3, 1))
    joiner = HouseholdMemberFactory(household=HouseholdFactory(programme=programme)).person
    CaseFactory(programme=programme, household=joiner.households.first(), opened_on=date(2024, 6, 1))
    group_member_add(actor=coordinator, group=group, person=joiner, joined_on=date(2025, 5, 1))
    VolunteerFactory(programme=programme)  # a volunteer who never was a beneficiary
    earlier = HouseholdMemberFactory(household=HouseholdFactory(programme=programme)).person
    CaseFactory(programme=programme, household=earlier.households.first(), opened_on=date(2025, 9, 1))
    VolunteerFactory(programme=programme, person=earlier, approved_on=date(2025, 1, 1))  # volunteer first

    counted = journey(programme)

    assert (counted.became_volunteers, counted.joined_groups, counted.either) == (1, 2, 2)
    assert journey(programme, start=date(2025, 4, 1)).joined_groups == 1
