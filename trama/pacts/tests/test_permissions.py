"""S1/S2 for pacts: only the case team and the coordinators see a pact; a lab manager sees only
the commitments at their places, without budget or case; evaluators and funders see aggregates
only; a record of another pact answers 404; every read of a pact is audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from trama.accounts.models import AuditEvent
from trama.casework.tests.factories import HouseholdMemberFactory
from trama.pacts.models import BudgetLine
from trama.pacts.permissions import giving_back_commitments, visible_pacts
from trama.pacts.services import giving_back
from trama.pacts.tests.builders import draft, running

pytestmark = pytest.mark.django_db

SEE = ("owner", "coordinator")
BLIND = ("colleague", "supervisor", "stranger")  # operators not on the team: the pact looks missing
OTHER_ROLES = ("lab_manager", "evaluator", "volunteer", "funder")  # roles that never open a pact


def _get(client, login, user, name, **kwargs):
    login(client, user)
    return client.get(reverse(f"pacts:{name}", kwargs=kwargs))


def test_the_exact_visible_set_of_every_persona(pactwork):
    pact = running(pactwork)
    for persona in SEE:
        assert list(visible_pacts(getattr(pactwork, persona), pactwork.programme)) == [pact], persona
    for persona in (*BLIND, *OTHER_ROLES, "outsider", "other_lab_manager"):
        assert not visible_pacts(getattr(pactwork, persona), pactwork.programme).exists(), persona


@pytest.mark.parametrize("name", ["pact-detail", "pact-ledger", "pact-edit", "review-create", "disbursement-create"])
def test_only_the_case_team_and_coordinators_open_a_pact(client, login, pactwork, name):
    pact = running(pactwork)
    kwargs = {"slug": pactwork.programme.slug, "pact_id": pact.public_id}
    for persona in SEE:
        assert _get(client, login, getattr(pactwork, persona), name, **kwargs).status_code == 200, persona
    for persona in (*BLIND, "outsider"):
        assert _get(client, login, getattr(pactwork, persona), name, **kwargs).status_code == 404, persona
    for persona in OTHER_ROLES:
        assert _get(client, login, getattr(pactwork, persona), name, **kwargs).status_code == 403, persona


def test_the_list_shows_a_colleague_nothing(client, login, pactwork):
    pact = running(pactwork)
    slug = pactwork.programme.slug
    response = _get(client, login, pactwork.owner, "pact-list", slug=slug)
    assert list(response.context["page"].object_list) == [pact]
    for persona in BLIND:
        response = _get(client, login, getattr(pactwork, persona), "pact-list", slug=slug)
        assert list(response.context["page"].object_list) == [], persona
        assert pactwork.person.last_name not in response.content.decode()


def test_a_lab_manager_sees_only_the_commitments_at_their_place_without_budget_or_case(client, login, pactwork):
    pact = running(pactwork, amount="4321.00")
    commitment = pact.commitments.get()
    assert list(giving_back_commitments(pactwork.lab_manager, pactwork.programme)) == [commitment]
    assert not giving_back_commitments(pactwork.other_lab_manager, pactwork.programme).exists()
    assert not giving_back_commitments(pactwork.owner, pactwork.programme).exists()
    response = _get(client, login, pactwork.lab_manager, "giving-back", slug=pactwork.programme.slug)
    page = response.content.decode()
    assert response.status_code == 200
    assert pactwork.person.last_name in page
    assert commitment.description in page
    for secret in ("4.321", "4321", pactwork.household.label, str(pact.public_id), pact.latest_version.objectives):
        assert secret not in page, secret
    other = _get(client, login, pactwork.other_lab_manager, "giving-back", slug=pactwork.programme.slug)
    assert pactwork.person.last_name not in other.content.decode()
    assert _get(client, login, pactwork.owner, "giving-back", slug=pactwork.programme.slug).status_code == 403


def test_a_lab_manager_cannot_reach_a_commitment_elsewhere(client, login, pactwork):
    commitment = running(pactwork).commitments.get()
    login(client, pactwork.other_lab_manager)
    url = reverse("pacts:place-hours", kwargs={"slug": pactwork.programme.slug, "commitment_id": commitment.public_id})
    assert client.get(url).status_code == 404
    assert client.post(url, {"date": pactwork.today.isoformat(), "hours": "2"}).status_code == 404
    assert not commitment.logs.exists()


def test_evaluators_and_funders_see_the_programme_view_without_any_name(client, login, pactwork):
    pact = running(pactwork)
    giving_back.contribution_record(
        actor=pactwork.lab_manager, commitment=pact.commitments.get(), day=pactwork.today, hours=Decimal("2")
    )
    for persona in ("evaluator", "funder", "coordinator"):
        response = _get(client, login, getattr(pactwork, persona), "programme", slug=pactwork.programme.slug)
        page = response.content.decode()
        assert response.status_code == 200
        assert pactwork.place.name in page
        for name in (pactwork.person.first_name, pactwork.person.last_name, pactwork.household.label):
            assert name not in page
    for persona in ("owner", "lab_manager", "volunteer"):
        response = _get(client, login, getattr(pactwork, persona), "programme", slug=pactwork.programme.slug)
        assert response.status_code == 403, persona


def test_a_budget_line_of_another_pact_answers_404_and_changes_nothing(client, login, pactwork):
    pact = draft(pactwork)
    second = HouseholdMemberFactory(household=pactwork.household).person
    from trama.pacts.services import pacts as services
    from trama.pacts.tests.builders import text

    other = services.pact_create(actor=pactwork.owner, case=pactwork.case, person=second, text=text(pactwork.today))
    foreign = services.budget_line_save(
        actor=pactwork.owner, pact=other, purpose="health", source="foundation", funder=pactwork.foundation, amount=50
    )
    login(client, pactwork.owner)
    for name in ("line-edit", "line-delete"):
        url = reverse(
            f"pacts:{name}",
            kwargs={"slug": pactwork.programme.slug, "pact_id": pact.public_id, "line_id": foreign.public_id},
        )
        assert client.get(url).status_code == 404
        assert client.post(url, {"purpose": "other", "source": "fundraising", "amount": "1"}).status_code == 404
    assert BudgetLine.objects.get(pk=foreign.pk).amount == Decimal("50.00")


def test_opening_a_pact_is_an_audited_read(client, login, pactwork):
    pact = running(pactwork)
    _get(client, login, pactwork.coordinator, "pact-detail", slug=pactwork.programme.slug, pact_id=pact.public_id)
    event = AuditEvent.objects.filter(action=AuditEvent.Action.READ, target_id=str(pact.public_id)).get()
    assert (event.actor, event.target_type, event.role) == (pactwork.coordinator, "pacts.pact", "coordinator")


def test_only_a_coordinator_decides_on_money(client, login, pactwork):
    from trama.pacts.services import money

    pact = running(pactwork)
    request = money.disbursement_request(
        actor=pactwork.owner, pact=pact, budget_line=pact.budget_lines.get(), amount=Decimal("10.00"),
        payee="Scuola", description="Libri", due_on=pactwork.today,
    )  # fmt: skip
    url = reverse(
        "pacts:disbursement-decide",
        kwargs={"slug": pactwork.programme.slug, "pact_id": pact.public_id, "disbursement_id": request.public_id},
    )
    login(client, pactwork.owner)
    assert client.post(url, {"decision": "approve"}).status_code == 403
    request.refresh_from_db()
    assert request.status == "requested"
    login(client, pactwork.coordinator)
    assert client.post(url, {"decision": "approve"}).status_code == 302
    request.refresh_from_db()
    assert request.status == "approved"
