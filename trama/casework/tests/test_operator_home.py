"""The programme home of operators and coordinators: cases by phase, the intake queue."""

from __future__ import annotations

import pytest
from django.urls import reverse

from trama.accounts.models import Role
from trama.casework.models import IntakeRequest
from trama.casework.tests.factories import CaseFactory, CaseTeamMemberFactory, IntakeRequestFactory

pytestmark = pytest.mark.django_db


def _home(programme) -> str:
    return reverse("territory:programme-home", kwargs={"slug": programme.slug})


def _counts(rows) -> dict[str, int]:
    return {phase: count for phase, _label, count in rows}


def test_it_shows_an_operator_their_open_cases_by_phase(client, login, programme, casework):
    for phase in ("B", "B", "D"):
        CaseTeamMemberFactory(case=CaseFactory(programme=programme, organisation=casework.partner, phase=phase),
                              user=casework.owner, is_lead=False)  # fmt: skip
    CaseFactory(programme=programme, organisation=casework.partner, phase="C")  # not on its team
    closed = CaseFactory(programme=programme, organisation=casework.partner, phase="E", status="closed",
                         closed_on=casework.case.opened_on, outcome="reached")  # fmt: skip
    CaseTeamMemberFactory(case=closed, user=casework.owner)
    login(client, casework.owner)
    response = client.get(_home(programme))
    assert _counts(response.context["my_cases_by_phase"]) == {"A": 1, "B": 2, "C": 0, "D": 1, "E": 0}
    assert "cases_by_phase" not in response.context
    body = response.content.decode()
    assert (
        reverse("casework:case-list", kwargs={"slug": programme.slug}) + "?phase=B&amp;status=open&amp;mine=1" in body
    )
    assert reverse("casework:signal-create", kwargs={"slug": programme.slug}) in body


def test_it_shows_a_coordinator_the_intake_queue_and_the_cases_by_phase(
    client, login, programme, casework, other_programme
):
    IntakeRequestFactory(programme=programme)
    IntakeRequestFactory(programme=programme)
    IntakeRequestFactory(programme=programme, status=IntakeRequest.Status.CLOSED)
    IntakeRequestFactory(programme=other_programme)
    CaseFactory(programme=programme, organisation=casework.other_organisation, phase="C")
    CaseFactory(programme=other_programme, phase="C")
    login(client, casework.coordinator)
    response = client.get(_home(programme))
    assert response.context["intake_waiting"] == 2
    assert _counts(response.context["cases_by_phase"]) == {"A": 1, "B": 0, "C": 1, "D": 0, "E": 0}
    assert reverse("casework:intake-list", kwargs={"slug": programme.slug}) in response.content.decode()


@pytest.mark.parametrize("persona", ["evaluator", "volunteer", "funder"])
def test_it_shows_no_case_figures_to_other_roles(client, login, programme, casework, persona):
    login(client, getattr(casework, persona))
    response = client.get(_home(programme))
    assert response.status_code == 200
    assert "my_cases_by_phase" not in response.context
    assert "cases_by_phase" not in response.context
    assert reverse("casework:case-list", kwargs={"slug": programme.slug}) not in response.content.decode()


def test_it_lets_a_lab_manager_signal_a_family_from_the_home(client, login, programme, casework):
    login(client, casework.lab_manager)
    body = client.get(_home(programme)).content.decode()
    assert reverse("casework:signal-create", kwargs={"slug": programme.slug}) in body


@pytest.mark.parametrize("persona", ["owner", "supervisor", "coordinator"])
def test_it_costs_a_fixed_number_of_queries(client, login, programme, casework, persona, django_assert_max_num_queries):
    user = getattr(casework, persona)
    login(client, user)
    client.get(_home(programme))
    with django_assert_max_num_queries(22) as few:
        client.get(_home(programme))
    for phase in "ABCDE" * 3:
        case = CaseFactory(programme=programme, organisation=casework.partner, phase=phase)
        if user.memberships.filter(role=Role.OPERATOR).exists():
            CaseTeamMemberFactory(case=case, user=user)
        IntakeRequestFactory(programme=programme)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(_home(programme))


def test_it_gives_the_demo_operator_and_coordinator_a_home_with_cases(client, login):
    """The demo (load_demo): cases in every phase, some closed, the demo operators as case leads,
    requests waiting in the intake queue."""
    from io import StringIO

    from django.core.management import call_command

    from trama.accounts.models import User
    from trama.casework.models import Case, CaseTeamMember
    from trama.core.demo.users import MULTI_OPERATOR_EMAIL
    from trama.territory.models import Programme

    call_command("load_demo", "--quiet-logins", stdout=StringIO())
    fbc = Programme.objects.get(slug="fare-benecomune")
    cases = Case.objects.filter(programme=fbc)
    assert 55 <= fbc.households.count() <= 65
    assert set(cases.filter(status="open").values_list("phase", flat=True)) == set("ABCDE")
    assert cases.filter(status="closed").exclude(outcome="").count() >= 5
    assert cases.values("organisation").distinct().count() >= 5
    for email in ("operatore.fbc@example.org", MULTI_OPERATOR_EMAIL):
        assert CaseTeamMember.objects.filter(case__programme=fbc, user__email=email, is_lead=True).exists()
    login(client, User.objects.get(email="operatore.fbc@example.org"))
    response = client.get(_home(fbc))
    assert sum(count for _, _, count in response.context["my_cases_by_phase"]) > 0
    login(client, User.objects.get(email="coordinatore.fbc@example.org"))
    assert client.get(_home(fbc)).context["intake_waiting"] >= 3
