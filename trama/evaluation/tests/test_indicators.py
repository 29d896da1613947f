"""Every indicator on one hand-computed dataset: the period is the first half of 2026, and each
kind of record has rows inside it, before it, after it and of the kinds that must not count.
The expected figures are worked out by hand in the comments of `world`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from trama.activities.models import Activity, AgeBand, Occurrence
from trama.activities.tests.factories import (
    ActivityFactory,
    AttendanceFactory,
    OccurrenceFactory,
    TallyFactory,
    rome,
)
from trama.casework.models import CasePhaseChange, Referral, ReferralTransition
from trama.casework.tests.factories import (
    AssessmentFactory,
    AssessmentScoreFactory,
    CaseFactory,
    HouseholdFactory,
    HouseholdMemberFactory,
    PathwayFactory,
    PersonFactory,
    ReferralFactory,
    SessionFactory,
)
from trama.core.tests.factories import (
    CitizenGroupFactory,
    CommunityPlaceFactory,
    OrganisationFactory,
    PartnershipFactory,
    UserFactory,
)
from trama.evaluation.registry import Filters, Period, all_indicators, get
from trama.mutualaid.models import Account, GroupMember, HourLog, MicroNetwork, MicroNetworkMember, Volunteer
from trama.mutualaid.tests.factories import HourLogFactory, ShiftFactory, SignupFactory, VolunteerFactory
from trama.pacts.models import BudgetLine, Commitment, ContributionLog, Disbursement, Pact
from trama.people.models import Person
from trama.territory.models import Municipality, Programme

pytestmark = pytest.mark.django_db

PERIOD = Period(date(2026, 1, 1), date(2026, 6, 30))
NO_FILTERS = Filters()

EXPECTED = {
    "households-supported": 3,
    "people-in-pathways": 2,
    "citizens-reached-named": 2,
    "citizens-reached-anonymous": 14,
    "citizens-reached": 16,
    "minors-reached-named": 1,
    "minors-reached-anonymous": 4,
    "activities-held": 1,
    "organisations-active": 2,
    "groups-active": 2,
    "organisations-and-groups-active": 4,
    "volunteers-active": 2,
    "volunteer-hours": Decimal("4.50"),
    "pacts-signed": 1,
    "budget-committed": Decimal("1500.00"),
    "budget-spent": Decimal("400.00"),
    "hours-given-back": Decimal("2.50"),
    "households-needs-improved": 2,
    "households-referral-completed": 1,
    "households-in-mutual-aid": 2,
    "beneficiaries-gave-time": 2,
    "cases-by-channel": 2,
    "cases-by-intake-phase": 2,
    "organisations-collaborating": 4,
    "beneficiaries-became-volunteers": 1,
    "beneficiaries-joined-groups": 1,
    "beneficiaries-generative": 2,
}


def _at(model: type, pk: int, day: date) -> None:
    """Back-date an automatic creation time (referrals and their transitions are dated by it)."""
    model.objects.filter(pk=pk).update(created_at=rome(day.year, day.month, day.day, 10, 0))


@pytest.fixture
def world(programme: Programme) -> SimpleNamespace:
    pavia = Municipality.objects.get(istat_code="018110")
    other = Municipality.objects.exclude(istat_code="018110").order_by("istat_code").first()
    programme.municipalities.add(pavia, other)
    user = UserFactory()

    # Households and cases. Supported in the period: H1, H2, H3 (H4 closed before, H5 opened after).
    h1, h2, h3, h4, h5 = (
        HouseholdFactory(programme=programme, municipality=m) for m in (pavia, pavia, other, pavia, other)
    )
    c1 = CaseFactory(programme=programme, household=h1, opened_on=date(2025, 12, 1), referral_source="school")
    c2 = CaseFactory(programme=programme, household=h2, opened_on=date(2026, 2, 10), referral_source="social_services")
    c3 = CaseFactory(
        programme=programme, household=h3, opened_on=date(2026, 3, 1), closed_on=date(2026, 3, 20),
        status="closed", outcome="reached", referral_source="school",
    )  # fmt: skip
    c4 = CaseFactory(
        programme=programme, household=h4, opened_on=date(2025, 1, 1), closed_on=date(2025, 6, 30),
        status="closed", outcome="reached",
    )  # fmt: skip
    CaseFactory(programme=programme, household=h5, opened_on=date(2026, 7, 5))
    # Phase at intake: C2 entered at B (its first phase change), C3 has none (its phase, A).
    CasePhaseChange.objects.create(case=c2, from_phase="", to_phase="B", to_status="open")
    CasePhaseChange.objects.create(case=c2, from_phase="B", to_phase="C", to_status="open")

    p1 = HouseholdMemberFactory(household=h1, person__gender="F").person
    p2 = HouseholdMemberFactory(household=h1, person__birth_date=date(2018, 5, 1), relation="child").person
    p3 = HouseholdMemberFactory(household=h2, person__gender="M").person
    p4 = HouseholdMemberFactory(household=h3).person
    p9 = PersonFactory(programme=programme, gender="M")  # in no household: never a beneficiary

    # Pathways: P1 and P3 at sessions in the period (P1 twice), P4 only before it.
    pathway = PathwayFactory(programme=programme)
    SessionFactory(pathway=pathway, starts_at=rome(2026, 3, 10, 15, 0)).attendees.set([p1, p3])
    SessionFactory(pathway=pathway, starts_at=rome(2026, 4, 10, 15, 0)).attendees.set([p1])
    SessionFactory(pathway=pathway, starts_at=rome(2025, 11, 1, 15, 0)).attendees.set([p4])

    # Organisations: O1 partner throughout, O2 partner until 2025 but organised A1, O3 partner from September.
    o1, o2, o3 = OrganisationFactory(), OrganisationFactory(), OrganisationFactory()
    PartnershipFactory(programme=programme, organisation=o1)
    PartnershipFactory(programme=programme, organisation=o2, end_date=date(2025, 12, 31))
    PartnershipFactory(programme=programme, organisation=o3, start_date=date(2026, 9, 1))
    g1, g2, g3 = (CitizenGroupFactory(programme=programme) for _index in range(3))

    # Activities: A1 held twice in the period (O2 and G1 co-organise it); A2 only before it; A3 cancelled.
    place = CommunityPlaceFactory(programme=programme, municipality=pavia, managing_organisation=o1)
    a1 = ActivityFactory(programme=programme, place=place, expand=False)
    a1.organisers.set([o2])
    a1.co_organising_groups.set([g1])
    first = OccurrenceFactory(activity=a1, starts_at=rome(2026, 3, 5, 16, 30))
    second = OccurrenceFactory(activity=a1, starts_at=rome(2026, 5, 5, 16, 30))
    a2 = ActivityFactory(programme=programme, place=place, expand=False)
    before = OccurrenceFactory(activity=a2, starts_at=rome(2025, 12, 20, 16, 30))
    a3 = ActivityFactory(programme=programme, place=place, expand=False)
    OccurrenceFactory(activity=a3, starts_at=rome(2026, 4, 1, 10, 0), status=Occurrence.Status.CANCELLED)
    # Named: P1 twice, P2 (a child) once → 2 people, 1 minor; P3 only before the period.
    AttendanceFactory(occurrence=first, person=p1)
    AttendanceFactory(occurrence=first, person=p2, age_band=AgeBand.CHILDREN_6_10, is_minor=True)
    AttendanceFactory(occurrence=second, person=p1)
    AttendanceFactory(occurrence=before, person=p3)
    # Head counts: 10 adults and 4 children at A1 → 14, of whom 4 minors; 50 before the period.
    TallyFactory(occurrence=first, age_band=AgeBand.ADULTS_18_64, count=10)
    TallyFactory(occurrence=first, age_band=AgeBand.CHILDREN_6_10, count=4)
    TallyFactory(occurrence=before, age_band=AgeBand.ADULTS_18_64, count=50)

    # Groups: G1 co-organised A1, G2 has P1 since February, G3's only member left in 2025.
    GroupMember.objects.create(group=g2, person=p1, joined_on=date(2026, 2, 1))
    GroupMember.objects.create(group=g3, person=p4, joined_on=date(2025, 9, 1), left_on=date(2025, 10, 1))

    # Referrals: O1 → O3 (completed in April, for H2), O1 → an external service (not a collaboration),
    # O1 → O3 for H1 completed after the period.
    r1 = ReferralFactory(case=c2, person=p3, from_organisation=o1, target_organisation=o3, status="completed")
    _at(Referral, r1.pk, date(2026, 4, 1))
    _at(ReferralTransition, ReferralTransition.objects.create(referral=r1, to_status="completed", by=user).pk,
        date(2026, 4, 15))  # fmt: skip
    r2 = ReferralFactory(
        case=c1, person=p1, from_organisation=o1, target_kind=Referral.TargetKind.EXTERNAL, target_organisation=None,
        external_service="CPS",
    )  # fmt: skip
    _at(Referral, r2.pk, date(2026, 4, 2))
    r3 = ReferralFactory(case=c1, person=p1, from_organisation=o1, target_organisation=o3, status="completed")
    _at(Referral, r3.pk, date(2025, 12, 1))
    _at(ReferralTransition, ReferralTransition.objects.create(referral=r3, to_status="completed", by=user).pk,
        date(2026, 8, 1))  # fmt: skip

    # Volunteers: V1 (P3, a beneficiary since February) approved in March, V4 (P9) since 2025;
    # V2 approved after the period, V3 only applied.
    v1 = VolunteerFactory(programme=programme, person=p3, approved_on=date(2026, 3, 1))
    VolunteerFactory(programme=programme, approved_on=date(2026, 8, 1))
    VolunteerFactory(programme=programme, status=Volunteer.Status.APPLIED)
    v4 = VolunteerFactory(programme=programme, person=p9, approved_on=date(2025, 5, 1))
    # Hours: V1 3.00 confirmed (+ 2.00 pending), V4 1.50 at A1's first date (90 minutes) and 1.50 before.
    HourLogFactory(volunteer=v1, date=date(2026, 3, 1), hours=Decimal("3.00"), status=HourLog.Status.CONFIRMED)
    HourLogFactory(volunteer=v1, date=date(2026, 3, 2), hours=Decimal("2.00"))
    HourLogFactory(volunteer=v4, date=date(2025, 12, 1), hours=Decimal("1.50"), status=HourLog.Status.CONFIRMED)
    SignupFactory(shift=ShiftFactory(occurrence=first), volunteer=v4, attended=True)

    # Micro-networks: P4 (H3) joined in January; H1's household account joined in June; P9 is no beneficiary.
    network = MicroNetwork.objects.create(programme=programme, name="Vicini di casa")
    for owner, day in (({"person": p4}, date(2026, 1, 20)), ({"household": h1}, date(2026, 6, 1)),
                       ({"person": p9}, date(2026, 1, 20))):  # fmt: skip
        account = Account.objects.create(programme=programme, **owner)
        MicroNetworkMember.objects.create(network=network, account=account, joined_on=day)

    # Pacts: K1 (P1) started in February with 1,000 + 500 signed; K2 (P3) started in 2025 with 800.
    k1 = Pact.objects.create(programme=programme, case=c1, person=p1, status="active", started_on=date(2026, 2, 15))
    k2 = Pact.objects.create(programme=programme, case=c2, person=p3, status="active", started_on=date(2025, 10, 1))
    lines = [
        BudgetLine.objects.create(
            pact=pact, purpose="housing", source="fundraising", amount=Decimal(amount), signed_amount=Decimal(amount)
        )
        for pact, amount in ((k1, "1000"), (k1, "500"), (k2, "800"))
    ]
    # Spent: 300 paid and 100 approved in the period; 200 refused does not count.
    Disbursement.objects.create(pact=k1, budget_line=lines[0], amount=300, payee="Locatore", description="Affitto",
                                due_on=date(2026, 3, 1), status="paid", paid_on=date(2026, 3, 2))  # fmt: skip
    Disbursement.objects.create(pact=k1, budget_line=lines[1], amount=200, payee="Scuola", description="Gita",
                                due_on=date(2026, 3, 5), status="refused", refusal_reason="No")  # fmt: skip
    Disbursement.objects.create(pact=k2, budget_line=lines[2], amount=100, payee="Autoscuola", description="Esame",
                                due_on=date(2026, 4, 1), status="approved")  # fmt: skip
    # Given back: 2.50 confirmed in April; 1.00 pending, 4.00 confirmed after the period.
    commitment = Commitment.objects.create(pact=k1, description="Doposcuola", hours=20, signed_hours=20, place=place)
    for day, hours, status in ((date(2026, 4, 1), "2.50", "confirmed"), (date(2026, 4, 2), "1.00", "pending"),
                               (date(2026, 7, 10), "4.00", "confirmed")):  # fmt: skip
        ContributionLog.objects.create(
            commitment=commitment, date=day, hours=Decimal(hours), status=status,
            confirmed_at=rome(day.year, day.month, day.day, 18, 0) if status == "confirmed" else None,
        )  # fmt: skip

    # Needs assessment: H1 improved on the economic dimension (2 → 4), housing unchanged;
    # H2 improved then fell back (3 → 4 → 2); H3 assessed once; H4 improved in 2025 and is still better
    # than its first score (from 2025, before the period) when assessed again in the period (1 → 3 → 2).
    for case, day, scores in (
        (c1, date(2026, 1, 10), {"economic": 2, "housing": 3}),
        (c1, date(2026, 5, 10), {"economic": 4, "housing": 3}),
        (c2, date(2026, 2, 15), {"economic": 3}),
        (c2, date(2026, 3, 15), {"economic": 4}),
        (c2, date(2026, 6, 1), {"economic": 2}),
        (c3, date(2026, 3, 10), {"economic": 1}),
        (c4, date(2025, 1, 10), {"economic": 1}),
        (c4, date(2025, 6, 1), {"economic": 3}),
        (c4, date(2026, 4, 20), {"economic": 2}),
    ):
        assessment = AssessmentFactory(case=case, assessed_on=day, assessed_by=user)
        for dimension, score in scores.items():
            AssessmentScoreFactory(assessment=assessment, dimension=dimension, score=score)

    return SimpleNamespace(
        programme=programme, pavia=pavia, other=other, place=place, a1=a1, activities=Activity.objects.all()
    )


def test_every_indicator_equals_its_hand_computed_figure(world: SimpleNamespace) -> None:
    computed = {code: get(code).compute(world.programme, PERIOD, NO_FILTERS) for code in EXPECTED}
    assert computed == EXPECTED


def test_every_indicator_of_the_evaluation_app_is_checked_by_hand() -> None:
    network_analysis = {"new-ties", "network-density"}  # tested against the network analysis below
    own = {
        indicator.code
        for indicator in all_indicators()
        if indicator.compute.__module__.startswith("trama.evaluation.indicators")
    }
    assert own - network_analysis == set(EXPECTED)


def test_the_network_indicators_are_the_network_analysis_figures(world: SimpleNamespace) -> None:
    from trama.evaluation.network import programme_network

    analysis = programme_network(world.programme, PERIOD)
    assert get("new-ties").compute(world.programme, PERIOD, NO_FILTERS) == analysis.new_ties
    assert float(get("network-density").compute(world.programme, PERIOD, NO_FILTERS)) == pytest.approx(
        analysis.density, abs=0.001
    )


def test_the_breakdowns_are_hand_computed_too(world: SimpleNamespace) -> None:
    def rows(code: str, dimension: str) -> dict[str, object]:
        return {row.key: row.value for row in get(code).breakdown(world.programme, PERIOD, dimension, NO_FILTERS)}

    assert rows("households-supported", "municipality") == {"018110": 2, world.other.istat_code: 1}
    assert rows("cases-by-channel", "channel") == {"school": 1, "social_services": 1}
    assert rows("cases-by-intake-phase", "phase") == {"A": 1, "B": 1}
    assert rows("households-needs-improved", "dimension") == {"economic": 2}
    assert rows("citizens-reached-named", "age_band") == {AgeBand.ADULTS_18_64: 1, AgeBand.CHILDREN_6_10: 1}
    assert rows("citizens-reached", "place") == {str(world.place.public_id): 16}
    assert rows("minors-reached-anonymous", "age_band") == {AgeBand.CHILDREN_6_10: 4}
    assert rows("people-in-pathways", "gender") == {"F": 1, "M": 1}
    assert rows("beneficiaries-generative", "gender") == {"F": 1, "M": 1}


def test_the_filters_equal_the_rows_of_the_breakdowns(world: SimpleNamespace) -> None:
    for indicator in all_indicators():
        if "municipality" not in indicator.breakdowns:
            continue
        rows = {row.key: row.value for row in indicator.breakdown(world.programme, PERIOD, "municipality", NO_FILTERS)}
        for municipality in (world.pavia, world.other):
            filtered = indicator.compute(world.programme, PERIOD, Filters(municipality=municipality))
            assert filtered == rows.get(municipality.istat_code, 0), indicator.code
    assert get("citizens-reached-named").compute(world.programme, PERIOD, Filters(gender=Person.Gender.MALE)) == 0
    assert get("households-supported").compute(world.programme, PERIOD, Filters(municipality=world.other)) == 1


def test_the_reach_figures_are_those_of_the_activities_reach_page(world: SimpleNamespace) -> None:
    from trama.activities.reach import ReachQuery, reach_figures

    reach = reach_figures(world.programme, ReachQuery(start=PERIOD.start, end=PERIOD.end)).total
    assert get("citizens-reached-named").compute(world.programme, PERIOD, NO_FILTERS) == reach.people
    assert get("citizens-reached-anonymous").compute(world.programme, PERIOD, NO_FILTERS) == reach.anonymous
    assert get("citizens-reached").compute(world.programme, PERIOD, NO_FILTERS) == reach.combined
    assert get("minors-reached-named").compute(world.programme, PERIOD, NO_FILTERS) == reach.minors


def test_the_volunteer_and_generativity_figures_are_those_of_the_mutual_aid_pages(world: SimpleNamespace) -> None:
    from trama.mutualaid.selectors.timebank import journey
    from trama.mutualaid.selectors.volunteers import programme_volunteer_hours

    path = journey(world.programme, PERIOD.start, PERIOD.end)
    assert get("beneficiaries-became-volunteers").compute(world.programme, PERIOD, NO_FILTERS) == path.became_volunteers
    assert get("beneficiaries-joined-groups").compute(world.programme, PERIOD, NO_FILTERS) == path.joined_groups
    assert get("beneficiaries-generative").compute(world.programme, PERIOD, NO_FILTERS) == path.either
    assert get("volunteer-hours").compute(world.programme, PERIOD, NO_FILTERS) == programme_volunteer_hours(
        world.programme, PERIOD.start, PERIOD.end
    )


def test_another_programme_counts_nothing_of_this_one(world: SimpleNamespace, other_programme: Programme) -> None:
    for indicator in all_indicators():
        assert indicator.compute(other_programme, PERIOD, NO_FILTERS) == 0, indicator.code


def test_an_evaluator_cannot_drill_down_to_records(world: SimpleNamespace, member: object) -> None:
    from django.core.exceptions import PermissionDenied

    from trama.accounts.models import Role

    indicator = get("households-supported")
    with pytest.raises(PermissionDenied):
        indicator.records(world.programme, PERIOD, NO_FILTERS, member(Role.EVALUATOR))
    records = indicator.records(world.programme, PERIOD, NO_FILTERS, member(Role.COORDINATOR))
    assert records.count() == 3


def test_an_indicator_computed_again_runs_its_kept_sql_and_counts_what_changed(
    world: SimpleNamespace, django_assert_num_queries: Callable
) -> None:
    """The second time, the SQL kept from the first is run again as is (no ORM work): one query, and
    it reads the records as they are now."""
    indicator = get("activities-held")
    before = indicator.compute(world.programme, PERIOD, NO_FILTERS)
    OccurrenceFactory(
        activity=ActivityFactory(programme=world.programme, expand=False), starts_at=rome(2026, 5, 4, 10, 0)
    )
    with django_assert_num_queries(1):
        assert indicator.compute(world.programme, PERIOD, NO_FILTERS) == before + 1
