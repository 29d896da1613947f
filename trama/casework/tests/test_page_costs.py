"""What the operator's home and the case page cost: the same exact number of queries with 2 and with
20 rows in every list they show (the load scenario of `make bench` measures them at 50 users)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from trama.casework.models import Case, CasePhaseChange, Goal, PathwayParticipation, Referral
from trama.casework.selectors.delivery import case_delivery_context, operator_home_context, programme_memberships
from trama.casework.tests.factories import (
    AssessmentFactory,
    AssessmentScoreFactory,
    CaseFactory,
    CaseTeamMemberFactory,
    HouseholdMemberFactory,
    PathwayFactory,
    ReferralFactory,
    SessionFactory,
)
from trama.core.tests.factories import CitizenGroupFactory, CommunityPlaceFactory, MembershipFactory

pytestmark = pytest.mark.django_db

# The whole request: session, user, the two-factor device, programme and memberships (programme_view),
# the home's panels (cases by phase, the delivery lists, the pacts to review), the programme's facts
# and the navigation. Was 22 before the delivery lists shared one `visible_cases`.
HOME_QUERIES = 20
# The whole request: session, user, the two-factor device, programme and memberships, the audited
# read of the case (in a savepoint here), the case record (members, team, history, intake), the
# delivery panel (assessments and scores, pathways and who else is on them, goals, sessions and
# attendees, referrals) and the navigation. Was 31 before the panel reused what the page had read.
CASE_PAGE_QUERIES = 28


def _this_week(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return (local - timedelta(days=local.weekday())).replace(hour=9, minute=0, second=0, microsecond=0)


def _fill_home(casework, n: int) -> None:
    """`n` cases of the owner, each with a session this week, a referral sent (to the owner's own
    organisation, so it is also one received) and no assessment (so it is due)."""
    programme = casework.case.programme
    week = _this_week(timezone.now())
    for i in range(n):
        case = CaseFactory(programme=programme, organisation=casework.partner, phase=Case.Phase.DELIVERY)
        CaseTeamMemberFactory(case=case, user=casework.owner, organisation=casework.partner, is_lead=False)
        pathway = PathwayFactory(
            programme=programme, organisation=casework.partner, place=CommunityPlaceFactory(programme=programme)
        )
        PathwayParticipation.objects.create(pathway=pathway, case=case, joined_on=date(2024, 2, 1))
        SessionFactory(pathway=pathway, starts_at=week + timedelta(minutes=i), recorded_by=casework.owner)
        person = HouseholdMemberFactory(household=case.household).person
        ReferralFactory(case=case, person=person, created_by=casework.owner, target_organisation=casework.partner)


def _home_url(casework) -> str:
    return reverse("territory:programme-home", kwargs={"slug": casework.case.programme.slug})


@pytest.mark.parametrize("rows", [2, 20])
def test_it_shows_the_operator_home_in_the_same_number_of_queries_whatever_the_rows(
    client, login, casework, django_assert_num_queries, rows
):
    _fill_home(casework, rows)
    login(client, casework.owner)
    client.get(_home_url(casework))  # the first request of a session also refreshes it
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(_home_url(casework))
    assert response.status_code == 200
    shown = min(rows, 10)
    assert len(response.context["delivery_referrals_sent"]) == shown
    assert len(response.context["delivery_referrals_received"]) == shown
    assert len(response.context["delivery_assessments_due"]) == shown
    assert len(response.context["delivery_week_sessions"]) == rows
    body = response.content.decode()
    for referral in response.context["delivery_referrals_sent"]:
        detail = reverse(
            "casework:referral-detail",
            kwargs={"slug": casework.case.programme.slug, "case_id": referral.case.public_id,
                    "referral_id": referral.public_id},
        )  # fmt: skip
        assert detail in body
        assert referral.person.last_name in body


def test_it_builds_the_home_lists_alike_with_the_memberships_passed_in_one_query_less(
    casework, django_assert_num_queries
):
    programme = casework.case.programme
    _fill_home(casework, 3)
    memberships = programme_memberships(casework.owner, programme)
    with django_assert_num_queries(6):
        read = operator_home_context(casework.owner, programme)
    with django_assert_num_queries(5):
        given = operator_home_context(casework.owner, programme, memberships=memberships)
    assert given == read
    assert [r.pk for r in read["delivery_referrals_sent"]] == [
        r.pk for r in Referral.objects.filter(case__team__user=casework.owner).order_by("-created_at")
    ]


def _fill_case(casework, n: int) -> None:
    """`n` rows in every list of the case page: household members, team members, phase changes,
    assessments, pathways with a session and a goal, referrals to each kind of target."""
    case = casework.case
    programme = case.programme
    targets = [
        {"target_kind": Referral.TargetKind.ORGANISATION, "target_organisation": casework.other_organisation},
        {
            "target_kind": Referral.TargetKind.PLACE,
            "target_organisation": None,
            "target_place": CommunityPlaceFactory(programme=programme),
        },
        {
            "target_kind": Referral.TargetKind.GROUP,
            "target_organisation": None,
            "target_group": CitizenGroupFactory(programme=programme),
        },
        {"target_kind": Referral.TargetKind.EXTERNAL, "target_organisation": None, "external_service": "Consultorio"},
    ]
    for i in range(n):
        person = HouseholdMemberFactory(household=case.household).person
        colleague = MembershipFactory(programme=programme, organisation=casework.partner, role="operator").user
        CaseTeamMemberFactory(case=case, user=colleague, organisation=casework.partner, is_lead=False)
        CasePhaseChange.objects.create(case=case, from_phase="A", to_phase="B", to_status="open", note=f"Passo {i}")
        assessment = AssessmentFactory(case=case, assessed_on=date(2024, 1 + i % 12, 1))
        AssessmentScoreFactory(assessment=assessment, score=1 + i % 5)
        pathway = PathwayFactory(programme=programme, organisation=casework.partner)
        PathwayParticipation.objects.create(pathway=pathway, case=case, joined_on=date(2024, 2, 1))
        SessionFactory(pathway=pathway, recorded_by=casework.owner).attendees.add(person)
        Goal.objects.create(case=case, pathway=pathway if i % 2 else None, description=f"Obiettivo {i}")
        ReferralFactory(case=case, person=person, created_by=casework.owner, **targets[i % len(targets)])


def _case_url(casework) -> str:
    return reverse(
        "casework:case-detail", kwargs={"slug": casework.case.programme.slug, "case_id": casework.case.public_id}
    )


@pytest.mark.parametrize("persona", ["owner", "coordinator"])
@pytest.mark.parametrize("rows", [2, 20])
def test_it_shows_the_case_page_in_the_same_number_of_queries_whatever_the_rows(
    client, login, casework, django_assert_num_queries, persona, rows
):
    _fill_case(casework, rows)
    login(client, getattr(casework, persona))
    client.get(_case_url(casework))
    with django_assert_num_queries(CASE_PAGE_QUERIES):
        response = client.get(_case_url(casework))
    assert response.status_code == 200
    assert len(response.context["delivery_referrals"]) == rows
    assert len(response.context["delivery_pathways"]) == rows
    assert len(response.context["record"].team) == rows + 1
    body = response.content.decode()
    for referral in response.context["delivery_referrals"]:
        target = referral.target_place or referral.target_group or referral.target_organisation
        assert (target.name if target else referral.external_service) in body


@pytest.mark.parametrize("persona", ["owner", "coordinator", "supervisor"])
def test_it_builds_the_case_panel_alike_from_what_the_page_has_read_in_three_queries_less(
    casework, django_assert_num_queries, persona
):
    user = getattr(casework, persona)
    _fill_case(casework, 3)
    case = Case.objects.select_related("household", "programme").get(pk=casework.case.pk)
    with django_assert_num_queries(13):
        read = case_delivery_context(case, user)
    memberships = programme_memberships(user, case.programme)
    on_team = case.team.filter(user=user).exists()
    people = set(case.household.memberships.values_list("person_id", flat=True))
    with django_assert_num_queries(10):
        given = case_delivery_context(
            case, user, memberships=memberships, on_team=on_team, household_person_ids=people
        )  # fmt: skip
    assert given.keys() == read.keys()
    for key in ("delivery_assessments", "delivery_pathways", "delivery_referrals", "delivery_goals_without_pathway"):
        assert [item.pk for item in given[key]] == [item.pk for item in read[key]], key
    assert [r.actions for r in given["delivery_referrals"]] == [r.actions for r in read["delivery_referrals"]]
    assert [[p.pk for p in s.household_attendees] for s in given["delivery_sessions_past"]] == [
        [p.pk for p in s.household_attendees] for s in read["delivery_sessions_past"]
    ]
    for key in ("delivery_can_work", "delivery_can_read_notes", "delivery_is_coordinator"):
        assert given[key] == read[key], key
