"""Pathways (individual and group) and goals: who may create and see them, what each viewer sees of
a group, optimistic concurrency, nested goals (S2), query counts."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from trama.accounts.models import AuditEvent
from trama.casework.models import Goal, Pathway, PathwayParticipation
from trama.casework.services import pathways as services
from trama.casework.tests.factories import (
    ROME,
    CaseFactory,
    CaseTeamMemberFactory,
    HouseholdMemberFactory,
    PathwayFactory,
    SessionFactory,
)
from trama.core.tests.factories import CommunityPlaceFactory

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: object) -> str:
    return reverse(f"casework:{name}", kwargs={"slug": "programma-a", **kwargs})


def pathway_of(casework, *cases, is_group: bool = False, **fields: object) -> Pathway:
    pathway = PathwayFactory(
        programme=casework.case.programme, organisation=casework.partner, is_group=is_group, **fields
    )
    for case in cases or [casework.case]:
        PathwayParticipation.objects.create(pathway=pathway, case=case, joined_on=pathway.start_date)
    return pathway


def foreign_case(casework):
    """A case of the other organisation, on the stranger's team: the owner cannot see it."""
    case = CaseFactory(programme=casework.case.programme, organisation=casework.other_organisation)
    CaseTeamMemberFactory(case=case, user=casework.stranger, organisation=casework.other_organisation)
    HouseholdMemberFactory(household=case.household)
    return case


def test_it_creates_an_individual_pathway_from_the_case(client, login, casework):
    place = CommunityPlaceFactory(programme=casework.case.programme, managing_organisation=casework.partner)
    login(client, casework.owner)
    response = client.post(
        url("pathway-create", case_id=casework.case.public_id),
        {
            "kind": Pathway.Kind.HOMEWORK,
            "title": "Compiti al laboratorio",
            "organisation": casework.partner.pk,
            "place": place.pk,
            "start_date": "2024-02-01",
            "end_date": "2024-06-30",
        },
    )
    pathway = Pathway.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("pathway-detail", pathway_id=pathway.public_id)
    assert not pathway.is_group
    assert list(pathway.cases.all()) == [casework.case]
    assert AuditEvent.objects.filter(action="create", target_type="casework.pathway").count() == 1


def test_it_creates_a_group_pathway_only_with_households_the_author_may_see(casework):
    mine = CaseFactory(programme=casework.case.programme, organisation=casework.partner)
    CaseTeamMemberFactory(case=mine, user=casework.owner, organisation=casework.partner)
    fields = {
        "kind": Pathway.Kind.TUTORING_GROUP,
        "title": "Tutoring di gruppo",
        "organisation": casework.partner,
        "start_date": date(2024, 2, 1),
    }
    pathway = services.pathway_create(
        actor=casework.owner, case=casework.case, is_group=True, other_cases=[mine], **fields
    )
    assert set(pathway.cases.all()) == {casework.case, mine}
    with pytest.raises(PermissionDenied):
        services.pathway_create(
            actor=casework.owner, case=casework.case, is_group=True, other_cases=[foreign_case(casework)], **fields
        )
    with pytest.raises(ValidationError):
        services.pathway_create(actor=casework.owner, case=casework.case, is_group=False, other_cases=[mine], **fields)
    assert Pathway.objects.count() == 1


@pytest.mark.parametrize(("persona", "status"), [("supervisor", 403), ("colleague", 404), ("stranger", 404)])
def test_it_lets_only_the_team_and_coordinators_start_a_pathway(client, login, casework, persona, status):
    login(client, getattr(casework, persona))
    response = client.post(
        url("pathway-create", case_id=casework.case.public_id),
        {"kind": "homework", "title": "X", "organisation": casework.partner.pk, "start_date": "2024-02-01"},
    )
    assert response.status_code == status
    assert not Pathway.objects.exists()


def test_it_shows_each_viewer_only_the_households_they_may_see(client, login, casework):
    other = foreign_case(casework)
    pathway = pathway_of(casework, casework.case, other, is_group=True)
    page = url("pathway-detail", pathway_id=pathway.public_id)
    mine, theirs = casework.case.household.label, other.household.label

    login(client, casework.owner)
    html = client.get(page).content.decode()
    assert mine in html
    assert theirs not in html
    login(client, casework.stranger)
    html = client.get(page).content.decode()
    assert theirs in html
    assert mine not in html
    login(client, casework.coordinator)
    html = client.get(page).content.decode()
    assert mine in html
    assert theirs in html
    for persona in ("colleague", "lab_manager", "outsider"):
        login(client, getattr(casework, persona))
        assert client.get(page).status_code in (403, 404), persona


def test_it_audits_the_read_of_a_pathway(client, login, casework):
    pathway = pathway_of(casework)
    login(client, casework.owner)
    client.get(url("pathway-detail", pathway_id=pathway.public_id))
    assert AuditEvent.objects.filter(action="read", target_id=str(pathway.public_id)).count() == 1


def test_it_adds_households_to_a_group_pathway(client, login, casework):
    pathway = pathway_of(casework, is_group=True)
    mine = CaseFactory(programme=casework.case.programme, organisation=casework.partner)
    CaseTeamMemberFactory(case=mine, user=casework.owner, organisation=casework.partner)
    other = foreign_case(casework)
    login(client, casework.owner)
    response = client.post(url("pathway-add-cases", pathway_id=pathway.public_id), {"cases": [mine.pk]})
    assert response.status_code == 302
    # A household the owner cannot see is not even a choice.
    response = client.post(url("pathway-add-cases", pathway_id=pathway.public_id), {"cases": [other.pk]})
    assert response.status_code == 200
    assert "cases" in response.context["form"].errors
    assert set(pathway.cases.all()) == {casework.case, mine}


def test_it_edits_a_pathway_with_a_version_and_reports_a_conflict(client, login, casework):
    pathway = pathway_of(casework)
    login(client, casework.owner)
    data = {"version": pathway.version, "title": "Nuovo titolo", "start_date": "2024-02-01", "end_date": ""}
    assert client.post(url("pathway-edit", pathway_id=pathway.public_id), data).status_code == 302
    pathway.refresh_from_db()
    assert (pathway.title, pathway.version) == ("Nuovo titolo", 2)
    stale = {**data, "title": "Titolo vecchio"}  # still version 1
    response = client.post(url("pathway-edit", pathway_id=pathway.public_id), stale)
    assert response.status_code == 302
    pathway.refresh_from_db()
    assert pathway.title == "Nuovo titolo"


def test_it_refuses_new_dates_that_would_leave_a_session_outside(casework):
    pathway = pathway_of(casework, start_date=date(2024, 2, 1))
    SessionFactory(pathway=pathway, starts_at=datetime(2024, 3, 5, 10, tzinfo=ROME), recorded_by=casework.owner)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.pathway_update(
            actor=casework.owner,
            pathway=pathway,
            expected_version=pathway.version,
            fields={"start_date": date(2024, 4, 1)},
        )
    assert "outside the new dates" in str(error.value)
    pathway.refresh_from_db()
    assert pathway.start_date == date(2024, 2, 1)


def test_it_changes_the_status_through_its_own_form(client, login, casework):
    pathway = pathway_of(casework)
    login(client, casework.owner)
    response = client.post(
        url("pathway-status", pathway_id=pathway.public_id), {"version": pathway.version, "status": "completed"}
    )
    assert response.status_code == 302
    pathway.refresh_from_db()
    assert pathway.status == Pathway.Status.COMPLETED
    # The generic edit form cannot set it (S4).
    client.post(
        url("pathway-edit", pathway_id=pathway.public_id),
        {"version": pathway.version, "title": "T", "start_date": "2024-02-01", "status": "interrupted"},
    )
    pathway.refresh_from_db()
    assert pathway.status == Pathway.Status.COMPLETED


def test_it_adds_goals_and_updates_their_status(client, login, casework):
    pathway = pathway_of(casework)
    login(client, casework.owner)
    response = client.post(
        url("goal-create", case_id=casework.case.public_id),
        {"description": "Frequenza regolare", "due_on": "2024-06-30", "pathway": pathway.pk},
    )
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert (goal.case, goal.pathway, goal.status) == (casework.case, pathway, Goal.Status.OPEN)
    response = client.post(
        url("goal-status", case_id=casework.case.public_id, goal_id=goal.public_id), {"status": "reached"}
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.status == Goal.Status.REACHED
    assert goal.history.count() == 2  # each update is kept


def test_it_refuses_a_goal_on_a_pathway_the_household_is_not_in(casework):
    other_pathway = pathway_of(casework, foreign_case(casework))
    with pytest.raises(ValidationError):
        services.goal_create(actor=casework.owner, case=casework.case, description="X", pathway=other_pathway)
    assert not Goal.objects.exists()


def test_it_answers_404_for_a_goal_of_another_case(client, login, casework):
    """S2: the goal of case B through the address of case A; nothing changes."""
    other_case = CaseFactory(programme=casework.case.programme, organisation=casework.partner)
    CaseTeamMemberFactory(case=other_case, user=casework.owner, organisation=casework.partner)
    goal = Goal.objects.create(case=other_case, description="Altro caso")
    login(client, casework.owner)
    response = client.post(
        url("goal-status", case_id=casework.case.public_id, goal_id=goal.public_id), {"status": "reached"}
    )
    assert response.status_code == 404
    goal.refresh_from_db()
    assert goal.status == Goal.Status.OPEN


def test_it_lists_pathways_in_a_fixed_number_of_queries(client, login, casework, django_assert_max_num_queries):
    login(client, casework.owner)
    pathway_of(casework)
    with django_assert_max_num_queries(20) as few:
        assert client.get(url("pathway-list")).status_code == 200
    for _ in range(8):
        pathway_of(casework, place=CommunityPlaceFactory(programme=casework.case.programme))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url("pathway-list"))
    assert len(response.context["page"].object_list) == 9
    # Pathways of cases the owner cannot see are not listed.
    pathway_of(casework, foreign_case(casework))
    assert client.get(url("pathway-list")).context["page"].paginator.count == 9


def test_it_shows_the_pathway_page_in_a_fixed_number_of_queries(client, login, casework, django_assert_max_num_queries):
    pathway = pathway_of(casework, is_group=True)
    login(client, casework.owner)
    page = url("pathway-detail", pathway_id=pathway.public_id)
    SessionFactory(pathway=pathway, recorded_by=casework.owner).attendees.add(casework.person)
    with django_assert_max_num_queries(30) as few:
        assert client.get(page).status_code == 200
    for _ in range(5):
        case = CaseFactory(programme=casework.case.programme, organisation=casework.partner)
        CaseTeamMemberFactory(case=case, user=casework.owner, organisation=casework.partner)
        PathwayParticipation.objects.create(pathway=pathway, case=case, joined_on=pathway.start_date)
        Goal.objects.create(case=case, pathway=pathway, description="Obiettivo")
        session = SessionFactory(pathway=pathway, recorded_by=casework.owner)
        session.attendees.add(HouseholdMemberFactory(household=case.household).person)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(page).status_code == 200


def test_it_renders_every_page_of_the_delivery_side(client, login, casework):
    """Each form and page answers 200 to the case owner, with the form fields it promises."""
    group = pathway_of(casework, is_group=True)
    goal = Goal.objects.create(case=casework.case, pathway=group, description="Obiettivo")
    session = SessionFactory(pathway=group, recorded_by=casework.owner)
    case_id = casework.case.public_id
    pages = [
        url("assessment-create", case_id=case_id),
        url("pathway-create", case_id=case_id),
        url("goal-create", case_id=case_id),
        url("goal-status", case_id=case_id, goal_id=goal.public_id),
        url("pathway-list"),
        url("pathway-detail", pathway_id=group.public_id),
        url("pathway-edit", pathway_id=group.public_id),
        url("pathway-status", pathway_id=group.public_id),
        url("pathway-add-cases", pathway_id=group.public_id),
        url("session-create", pathway_id=group.public_id),
        url("session-detail", pathway_id=group.public_id, session_id=session.public_id),
        url("agenda"),
        url("referral-create", case_id=case_id),
        url("referral-outbox"),
        url("referral-inbox"),
        reverse("casework:case-detail", kwargs={"slug": "programma-a", "case_id": case_id}),
    ]
    login(client, casework.owner)
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert "style=" not in html, page
