"""The case: list, page, phases, edits with their version, team, closing and reopening."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from trama.accounts.models import AuditEvent, Role
from trama.casework.models import Case, CasePhaseChange, CaseTeamMember
from trama.casework.services import cases as services
from trama.casework.tests.factories import CaseFactory, CaseTeamMemberFactory, HouseholdMemberFactory
from trama.core.concurrency import StaleVersionError
from trama.core.tests.factories import ActionLineFactory, MembershipFactory

pytestmark = pytest.mark.django_db

CANARY = "CANARY-closing-51c2 valutazione finale"


def _url(name: str, case: Case, **kwargs: object) -> str:
    return reverse(f"casework:{name}", kwargs={"slug": case.programme.slug, "case_id": case.public_id, **kwargs})


def _list_url(programme, query: str = "") -> str:
    return reverse("casework:case-list", kwargs={"slug": programme.slug}) + query


# --- List -----------------------------------------------------------------------------------


def test_it_searches_and_filters_the_case_list(client, login, programme, casework):
    rossi = CaseFactory(
        programme=programme, organisation=casework.partner, household__label="Famiglia Rossi", phase="B"
    )
    bianchi = CaseFactory(
        programme=programme, organisation=casework.other_organisation, household__label="Famiglia Bianchi", phase="B",
        status="closed", closed_on=date(2024, 6, 1), outcome="reached",
    )  # fmt: skip
    login(client, casework.coordinator)

    def listed(query: str) -> set[int]:
        return {case.pk for case in client.get(_list_url(programme, query)).context["page"].object_list}

    assert listed("?q=rossi") == {rossi.pk}
    assert listed("?phase=B") == {rossi.pk, bianchi.pk}
    assert listed("?phase=B&status=open") == {rossi.pk}
    assert listed(f"?organisation={casework.other_organisation.public_id}") == {bianchi.pk}
    assert listed("?phase=Z&organisation=not-a-uuid") == {casework.case.pk, rossi.pk, bianchi.pk}
    assert listed("?mine=1") == set()


def test_it_filters_an_operators_own_cases(client, login, programme, casework):
    supervised = CaseFactory(programme=programme, organisation=casework.partner)
    CaseTeamMemberFactory(case=casework.case, user=casework.supervisor, is_lead=False)
    login(client, casework.supervisor)
    everything = {c.pk for c in client.get(_list_url(programme)).context["page"].object_list}
    mine = {c.pk for c in client.get(_list_url(programme, "?mine=1")).context["page"].object_list}
    assert everything == {casework.case.pk, supervised.pk}
    assert mine == {casework.case.pk}


def test_it_lists_cases_in_a_fixed_number_of_queries(client, login, programme, casework, django_assert_max_num_queries):
    for user in (casework.coordinator, casework.supervisor, casework.owner):
        login(client, user)
        client.get(_list_url(programme))
        with django_assert_max_num_queries(12) as few:
            client.get(_list_url(programme))
        bound = len(few.captured_queries)
        for _ in range(12):
            case = CaseFactory(
                programme=programme, organisation=casework.partner, action_line=ActionLineFactory(programme=programme)
            )
            CaseTeamMemberFactory(case=case, user=casework.owner)
        with django_assert_max_num_queries(bound):
            response = client.get(_list_url(programme))
        assert len(response.context["page"].object_list) > 1


# --- Detail ---------------------------------------------------------------------------------


def test_it_shows_the_case_with_household_team_and_history(client, login, casework):
    casework.household.primary_contact = casework.person
    casework.household.save()
    login(client, casework.owner)
    response = client.get(_url("case-detail", casework.case))
    body = response.content.decode()
    assert response.status_code == 200
    assert casework.household.label in body
    assert casework.person.first_name in body
    assert casework.owner.full_name in body
    assert response.context["can_write"] is True
    assert response.context["can_manage_team"] is True


def test_it_writes_one_read_audit_row_per_case_read(client, login, casework):
    login(client, casework.supervisor)
    before = AuditEvent.objects.filter(action="read", target_id=str(casework.case.public_id)).count()
    client.get(_url("case-detail", casework.case))
    rows = AuditEvent.objects.filter(action="read", target_id=str(casework.case.public_id))
    assert rows.count() == before + 1
    row = rows.first()
    assert (row.actor, row.target_type, row.organisation, row.role) == (
        casework.supervisor, "casework.case", casework.partner, Role.OPERATOR,
    )  # fmt: skip


def test_it_lets_a_supervisor_read_but_not_change_a_case(client, login, casework):
    login(client, casework.supervisor)
    response = client.get(_url("case-detail", casework.case))
    assert response.status_code == 200
    assert response.context["can_write"] is False
    version = casework.case.version
    for name in ("case-edit", "case-phase", "case-close", "case-reopen", "case-team"):
        assert client.get(_url(name, casework.case)).status_code == 403, name
        assert client.post(_url(name, casework.case), {"version": version, "to_phase": "B"}).status_code == 403, name
    member = CaseTeamMember.objects.get(case=casework.case)
    assert client.post(_url("case-team-lead", casework.case, member_id=member.public_id)).status_code == 403
    assert client.post(_url("case-team-remove", casework.case, member_id=member.public_id)).status_code == 403
    casework.case.refresh_from_db()
    assert (casework.case.phase, casework.case.version) == ("A", version)


def test_it_hides_the_closing_evaluation_from_whoever_is_not_on_the_team(client, login, casework):
    services.case_close(actor=None, case=casework.case, expected_version=1, outcome="reached", closing_note=CANARY)
    login(client, casework.owner)
    assert CANARY in client.get(_url("case-detail", casework.case)).content.decode()
    for persona in (casework.coordinator, casework.supervisor):
        login(client, persona)
        assert CANARY not in client.get(_url("case-detail", casework.case)).content.decode()


def test_it_shows_a_case_page_in_a_fixed_number_of_queries(client, login, casework, django_assert_max_num_queries):
    login(client, casework.owner)
    client.get(_url("case-detail", casework.case))
    with django_assert_max_num_queries(26) as few:
        client.get(_url("case-detail", casework.case))
    for _ in range(5):
        services.case_team_add(
            actor=None, case=casework.case,
            member=MembershipFactory(programme=casework.case.programme, organisation=casework.partner),
        )  # fmt: skip
    for _ in range(5):
        HouseholdMemberFactory(household=casework.household)
    services.case_move_phase(actor=None, case=casework.case, expected_version=1, to_phase="B")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(_url("case-detail", casework.case))


# --- Phases ---------------------------------------------------------------------------------


def test_it_moves_a_case_through_its_phases_and_back_with_a_reason(client, login, casework):
    case = casework.case
    login(client, casework.owner)
    assert client.post(_url("case-phase", case), {"version": 1, "to_phase": "B", "note": ""}).status_code == 302
    assert client.post(_url("case-phase", case), {"version": 2, "to_phase": "C", "note": ""}).status_code == 302
    response = client.post(_url("case-phase", case), {"version": 3, "to_phase": "A", "note": ""})
    assert "note" in response.context["form"].errors
    case.refresh_from_db()
    assert (case.phase, case.version) == ("C", 3)
    client.post(_url("case-phase", case), {"version": 3, "to_phase": "B", "note": "Nuova valutazione necessaria"})
    case.refresh_from_db()
    assert case.phase == "B"
    history = list(
        CasePhaseChange.objects.filter(case=case)
        .order_by("created_at", "id")
        .values_list("from_phase", "to_phase", "note")
    )
    assert history == [("A", "B", ""), ("B", "C", ""), ("C", "B", "Nuova valutazione necessaria")]
    assert client.get(_url("case-detail", case)).content.decode().count("Nuova valutazione necessaria") == 1


def test_it_refuses_going_back_without_a_reason_in_the_service(casework):
    services.case_move_phase(actor=None, case=casework.case, expected_version=1, to_phase="C")
    with pytest.raises(ValidationError):
        services.case_move_phase(actor=casework.owner, case=casework.case, expected_version=2, to_phase="B")


def test_it_lets_only_the_team_and_coordinators_write(casework):
    for persona in (
        casework.supervisor,
        casework.colleague,
        casework.stranger,
        casework.lab_manager,
        casework.outsider,
    ):
        with pytest.raises(PermissionDenied):
            services.case_move_phase(actor=persona, case=casework.case, expected_version=1, to_phase="B")
    services.case_move_phase(actor=casework.coordinator, case=casework.case, expected_version=1, to_phase="B")


# --- Edit with the version ------------------------------------------------------------------


def test_it_edits_the_organisation_and_action_line(client, login, programme, casework):
    line = ActionLineFactory(programme=programme)
    login(client, casework.coordinator)
    response = client.post(
        _url("case-edit", casework.case),
        {"version": 1, "organisation": str(casework.other_organisation.public_id), "action_line": str(line.public_id)},
    )
    assert response.status_code == 302
    casework.case.refresh_from_db()
    assert (casework.case.organisation, casework.case.action_line, casework.case.version) == (
        casework.other_organisation, line, 2,
    )  # fmt: skip
    assert AuditEvent.objects.filter(action="update", target_id=str(casework.case.public_id)).count() == 1


def test_it_refuses_an_organisation_or_action_line_outside_the_programme(client, login, casework, other_programme):
    from trama.core.tests.factories import OrganisationFactory

    login(client, casework.coordinator)
    outside = OrganisationFactory(name="Fuori dal programma")
    foreign_line = ActionLineFactory(programme=other_programme)
    response = client.post(
        _url("case-edit", casework.case), {"version": 1, "organisation": str(outside.public_id), "action_line": ""}
    )
    assert "organisation" in response.context["form"].errors
    response = client.post(
        _url("case-edit", casework.case),
        {"version": 1, "organisation": str(casework.partner.public_id), "action_line": str(foreign_line.public_id)},
    )
    assert "action_line" in response.context["form"].errors
    casework.case.refresh_from_db()
    assert casework.case.version == 1


def test_it_shows_a_clear_conflict_message_for_a_stale_edit(client, login, casework, settings):
    settings.LANGUAGE_CODE = "en"
    data = {"version": 1, "organisation": str(casework.other_organisation.public_id), "action_line": ""}
    login(client, casework.owner)
    assert client.post(_url("case-edit", casework.case), data, HTTP_ACCEPT_LANGUAGE="en").status_code == 302
    data["organisation"] = str(casework.partner.public_id)
    response = client.post(_url("case-edit", casework.case), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "Someone else changed this case" in response.content.decode()
    assert response.context["form"].initial["version"] == 2
    casework.case.refresh_from_db()
    assert (casework.case.organisation, casework.case.version) == (casework.other_organisation, 2)


def test_it_refuses_a_stale_phase_change(client, login, casework):
    login(client, casework.owner)
    client.post(_url("case-phase", casework.case), {"version": 1, "to_phase": "B"})
    response = client.post(_url("case-phase", casework.case), {"version": 1, "to_phase": "C"})
    assert response.status_code == 409
    casework.case.refresh_from_db()
    assert casework.case.phase == "B"
    assert CasePhaseChange.objects.filter(case=casework.case, to_phase="C").count() == 0


# --- Closing and reopening ------------------------------------------------------------------


def test_it_closes_a_case_with_outcome_and_encrypted_evaluation(client, login, casework):
    login(client, casework.owner)
    today = timezone.localdate().isoformat()
    response = client.post(
        _url("case-close", casework.case),
        {"version": 1, "outcome": "partly", "closing_note": CANARY, "closed_on": today},
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=casework.case.pk)
    assert (case.status, case.phase, case.outcome, case.closing_note) == ("closed", "E", "partly", CANARY)
    assert case.closed_on == timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT closing_note FROM {Case._meta.db_table} WHERE id = %s", [case.pk])  # noqa: S608
        (raw,) = cursor.fetchone()
    assert "CANARY" not in raw
    change = CasePhaseChange.objects.filter(case=case).latest("created_at")
    assert (change.from_status, change.to_status, change.to_phase) == ("open", "closed", "E")


def test_it_requires_outcome_and_evaluation_to_close(client, login, casework):
    login(client, casework.owner)
    response = client.post(_url("case-close", casework.case), {"version": 1, "outcome": "", "closing_note": ""})
    assert {"outcome", "closing_note", "closed_on"} <= set(response.context["form"].errors)
    casework.case.refresh_from_db()
    assert casework.case.status == "open"


def test_it_reopens_a_case_and_keeps_its_history(client, login, casework):
    services.case_move_phase(actor=None, case=casework.case, expected_version=1, to_phase="D")
    services.case_close(actor=None, case=casework.case, expected_version=2, outcome="moved", closing_note="x")
    login(client, casework.owner)
    response = client.post(_url("case-reopen", casework.case), {"version": 3, "to_phase": "D", "reason": ""})
    assert "reason" in response.context["form"].errors
    response = client.post(_url("case-reopen", casework.case), {"version": 3, "to_phase": "D", "reason": "Rientrati"})
    assert response.status_code == 302
    case = Case.objects.get(pk=casework.case.pk)
    assert (case.status, case.phase, case.outcome, case.closed_on, case.version) == ("open", "D", "", None, 4)
    statuses = list(
        CasePhaseChange.objects.filter(case=case).order_by("created_at", "id").values_list("to_status", flat=True)
    )
    assert statuses == ["open", "closed", "open"]
    assert case.history.filter(status="closed", outcome="moved").exists()


def test_it_does_not_change_the_phase_of_a_closed_case(casework):
    services.case_close(actor=None, case=casework.case, expected_version=1, outcome="withdrew", closing_note="x")
    with pytest.raises(ValidationError):
        services.case_move_phase(actor=casework.coordinator, case=casework.case, expected_version=2, to_phase="B")


# --- Team -----------------------------------------------------------------------------------


def test_it_adds_an_operator_of_another_partner_and_keeps_one_lead(client, login, casework):
    stranger = casework.stranger.memberships.get(role=Role.OPERATOR)
    login(client, casework.owner)  # the case lead
    response = client.post(_url("case-team", casework.case), {"member": str(stranger.public_id), "is_lead": "on"})
    assert response.status_code == 302
    team = {m.user: (m.organisation, m.is_lead) for m in CaseTeamMember.objects.filter(case=casework.case)}
    assert team == {
        casework.owner: (casework.partner, False),
        casework.stranger: (casework.other_organisation, True),
    }
    # The old lead is a plain member now: team changes are no longer theirs.
    assert client.get(_url("case-team", casework.case)).status_code == 403


def test_it_changes_the_lead_and_removes_members(client, login, casework):
    colleague = casework.colleague.memberships.get(role=Role.OPERATOR)
    member = services.case_team_add(actor=casework.coordinator, case=casework.case, member=colleague)
    login(client, casework.coordinator)
    owner_member = CaseTeamMember.objects.get(case=casework.case, user=casework.owner)
    response = client.post(_url("case-team-remove", casework.case, member_id=owner_member.public_id))
    assert response.status_code == 302
    assert CaseTeamMember.objects.filter(case=casework.case).count() == 2  # the lead cannot be removed
    client.post(_url("case-team-lead", casework.case, member_id=member.public_id))
    assert CaseTeamMember.objects.get(case=casework.case, is_lead=True).user == casework.colleague
    assert client.get(_url("case-team-remove", casework.case, member_id=owner_member.public_id)).status_code == 200
    client.post(_url("case-team-remove", casework.case, member_id=owner_member.public_id))
    assert list(CaseTeamMember.objects.filter(case=casework.case).values_list("user", flat=True)) == [
        casework.colleague.pk
    ]


def test_it_refuses_a_member_who_is_not_an_operator_of_the_programme(casework, other_programme):
    for membership in (
        casework.lab_manager.memberships.get(),
        MembershipFactory(programme=other_programme, organisation=casework.partner, role=Role.OPERATOR),
    ):
        with pytest.raises(ValidationError):
            services.case_team_add(actor=casework.coordinator, case=casework.case, member=membership)


def test_it_lets_a_team_member_who_is_not_lead_work_but_not_manage_the_team(casework):
    colleague = casework.colleague.memberships.get(role=Role.OPERATOR)
    services.case_team_add(actor=None, case=casework.case, member=colleague)
    services.case_move_phase(actor=casework.colleague, case=casework.case, expected_version=1, to_phase="B")
    with pytest.raises(PermissionDenied):
        services.case_team_add(actor=casework.colleague, case=casework.case, member=casework.stranger.memberships.get())


def test_it_answers_404_for_a_team_member_of_another_case(client, login, programme, casework):
    """S2: a nested record of another case, through this case's address → 404, nothing changes."""
    other_case = CaseFactory(programme=programme, organisation=casework.partner)
    other_member = CaseTeamMemberFactory(case=other_case, user=casework.colleague, is_lead=True)
    login(client, casework.coordinator)
    for name in ("case-team-lead", "case-team-remove"):
        url = _url(name, casework.case, member_id=other_member.public_id)
        assert client.post(url).status_code == 404, name
    assert client.get(_url("case-team-remove", casework.case, member_id=other_member.public_id)).status_code == 404
    assert CaseTeamMember.objects.filter(pk=other_member.pk, case=other_case, is_lead=True).exists()
    assert CaseTeamMember.objects.get(case=casework.case).user == casework.owner


@pytest.mark.parametrize("persona", ["colleague", "stranger", "outsider"])
def test_it_answers_404_to_every_action_on_a_case_one_cannot_see(client, login, casework, persona):
    login(client, getattr(casework, persona))
    member = CaseTeamMember.objects.get(case=casework.case)
    urls = [
        _url(name, casework.case)
        for name in ("case-detail", "case-edit", "case-phase", "case-close", "case-reopen", "case-team")
    ] + [_url(name, casework.case, member_id=member.public_id) for name in ("case-team-lead", "case-team-remove")]
    for url in urls:
        assert client.post(url, {"version": 1, "to_phase": "B"}).status_code == 404, url
    casework.case.refresh_from_db()
    assert (casework.case.phase, casework.case.version) == ("A", 1)


@pytest.mark.parametrize("persona", ["lab_manager", "evaluator", "volunteer", "funder"])
def test_it_answers_403_to_members_without_a_case_role(client, login, casework, persona):
    login(client, getattr(casework, persona))
    for name in ("case-detail", "case-edit", "case-phase", "case-close", "case-reopen", "case-team"):
        assert client.get(_url(name, casework.case)).status_code == 403, name
    assert client.get(_list_url(casework.case.programme)).status_code == 403


def test_it_opens_no_second_case_for_a_household_with_an_open_one(casework):
    with pytest.raises(ValidationError):
        services.case_open(
            actor=casework.coordinator, programme=casework.case.programme, household=casework.household,
            organisation=casework.partner, lead=casework.owner,
        )  # fmt: skip
    assert Case.objects.filter(household=casework.household).count() == 1


def test_it_refuses_a_stale_close_in_the_service(casework):
    services.case_move_phase(actor=None, case=casework.case, expected_version=1, to_phase="B")
    with pytest.raises(StaleVersionError):
        services.case_close(
            actor=casework.owner, case=casework.case, expected_version=1, outcome="reached", closing_note=""
        )
