"""Pacts in the API: only the case team and coordinators see them; money and hours through the services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trama.accounts.models import AuditEvent
from trama.casework.tests.factories import CaseFactory, CaseTeamMemberFactory, HouseholdMemberFactory
from trama.pacts.models import ContributionLog, Disbursement
from trama.pacts.services import money
from trama.pacts.services import pacts as pact_services
from trama.pacts.tests.builders import running, text
from trama.pacts.tests.conftest import _media_in_a_temporary_folder, pactwork  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    """The per-token request count lives in the cache, keyed by the token's row id, which the
    database hands out again after each test's rollback: start every test from zero."""
    cache.clear()


def url(programme, *parts: object) -> str:
    return f"/api/v1/programmes/{programme.slug}/" + "".join(f"{part}/" for part in parts)


@pytest.fixture
def w(request):
    personas = request.getfixturevalue("pactwork")
    personas.pact = running(personas)
    return personas


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def count_queries(client, target: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(target).status_code == 200
    return len(queries)


def request_money(w, amount: str = "50.00") -> Disbursement:
    return money.disbursement_request(
        actor=w.owner, pact=w.pact, budget_line=w.pact.budget_lines.get(), amount=Decimal(amount),
        payee="Immobiliare Rossi", description="Affitto", due_on=w.today,
    )  # fmt: skip


# --- Who sees a pact ------------------------------------------------------------------------------


def test_it_shows_pacts_to_the_case_team_and_coordinators_only(api, w):
    pact = str(w.pact.public_id)
    assert ids(api(w.owner).get(url(w.programme, "pacts"))) == [pact]
    assert ids(api(w.coordinator).get(url(w.programme, "pacts"))) == [pact]
    for persona in (w.colleague, w.supervisor, w.stranger):
        assert ids(api(persona).get(url(w.programme, "pacts"))) == []
        assert api(persona).get(url(w.programme, "pacts", pact)).status_code == 404
    for persona in (w.evaluator, w.funder, w.lab_manager, w.volunteer):
        assert api(persona).get(url(w.programme, "pacts")).status_code == 403
    assert api(w.outsider).get(url(w.programme, "pacts", pact)).status_code == 404


def test_it_shows_the_two_sided_ledger_and_audits_the_read(api, w):
    response = api(w.owner).get(url(w.programme, "pacts", w.pact.public_id))
    assert response.status_code == 200
    data = response.json()
    assert data["budget"] == "1000.00"
    assert data["budget_lines"][0]["remaining"] == "1000.00"
    assert data["commitments"][0]["place"]["id"] == str(w.place.public_id)
    assert data["hours_signed"] == "20.00"
    assert response["ETag"] == f'"{w.pact.version}"'
    assert AuditEvent.objects.filter(actor=w.owner, action="read", target_id=str(w.pact.public_id)).exists()


def test_it_costs_the_same_queries_for_2_and_20_pacts(api, w):
    client = api(w.owner)
    target = url(w.programme, "pacts")
    client.get(target)

    def add(count: int) -> None:
        for _ in range(count):
            case = CaseFactory(programme=w.programme, organisation=w.partner, opened_on=w.case.opened_on)
            CaseTeamMemberFactory(case=case, user=w.owner, organisation=w.partner)
            person = HouseholdMemberFactory(household=case.household).person
            pact_services.pact_create(actor=None, case=case, person=person, text=text(w.today))

    add(1)
    few = count_queries(client, target)
    add(18)
    assert len(ids(client.get(target))) == 20
    assert count_queries(client, target) == few


# --- Money ----------------------------------------------------------------------------------------


def test_it_requests_money_once_per_idempotency_key(api, w):
    line = w.pact.budget_lines.get()
    body = {"budget_line": str(line.public_id), "amount": "120.50", "payee": "Scuola", "description": "Mensa",
            "due_on": str(w.today)}  # fmt: skip
    target = url(w.programme, "pacts", w.pact.public_id, "disbursements")
    first = api(w.owner).post(target, body, format="json", HTTP_IDEMPOTENCY_KEY="mensa-1")
    again = api(w.owner).post(target, body, format="json", HTTP_IDEMPOTENCY_KEY="mensa-1")
    assert first.status_code == again.status_code == 201, first.json()
    assert first.json()["id"] == again.json()["id"]
    disbursement = Disbursement.objects.get()
    assert disbursement.amount == Decimal("120.50")
    assert AuditEvent.objects.filter(actor=w.owner, action="create", target_id=str(disbursement.public_id)).exists()


def test_it_refuses_more_than_the_line_and_lines_of_other_pacts(api, w):
    target = url(w.programme, "pacts", w.pact.public_id, "disbursements")
    base = {"payee": "Scuola", "description": "Mensa", "due_on": str(w.today)}
    too_much = {**base, "budget_line": str(w.pact.budget_lines.get().public_id), "amount": "1000.01"}
    response = api(w.owner).post(target, too_much, format="json")
    assert response.status_code == 400
    assert "amount" in response.json()["error"]["fields"]
    other = CaseFactory(programme=w.programme, organisation=w.partner, opened_on=w.case.opened_on)
    person = HouseholdMemberFactory(household=other.household).person
    other_pact = pact_services.pact_create(actor=None, case=other, person=person, text=text(w.today))
    other_line = pact_services.budget_line_save(
        actor=None, pact=other_pact, purpose="housing", source="foundation", funder=w.foundation,
        amount=Decimal(10), description="Altro",
    )  # fmt: skip
    foreign = {**base, "budget_line": str(other_line.public_id), "amount": "5.00"}
    assert api(w.owner).post(target, foreign, format="json").status_code == 400
    assert not Disbursement.objects.exists()


def test_it_leaves_the_decision_to_another_coordinator(api, w):
    disbursement = request_money(w)
    base = url(w.programme, "pacts", w.pact.public_id, "disbursements", disbursement.public_id)
    assert api(w.owner).post(base + "approve/", format="json").status_code == 403
    refused = api(w.coordinator).post(base + "refuse/", {}, format="json")
    assert refused.status_code == 400
    approved = api(w.coordinator).post(base + "approve/", format="json")
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    assert api(w.coordinator).post(base + "approve/", format="json").status_code == 400


def test_it_answers_404_for_a_disbursement_of_another_pact(api, w):
    disbursement = request_money(w)
    other = CaseFactory(programme=w.programme, organisation=w.partner, opened_on=w.case.opened_on)
    CaseTeamMemberFactory(case=other, user=w.owner, organisation=w.partner)
    person = HouseholdMemberFactory(household=other.household).person
    other_pact = pact_services.pact_create(actor=None, case=other, person=person, text=text(w.today))
    target = url(w.programme, "pacts", other_pact.public_id, "disbursements", disbursement.public_id)
    assert api(w.owner).get(target).status_code == 404
    assert api(w.coordinator).post(target + "approve/", format="json").status_code == 404
    assert Disbursement.objects.get(pk=disbursement.pk).status == "requested"


def test_it_costs_the_same_queries_for_2_and_20_disbursements(api, w):
    client = api(w.owner)
    target = url(w.programme, "pacts", w.pact.public_id, "disbursements")
    client.get(target)
    request_money(w)
    request_money(w)
    few = count_queries(client, target)
    for _ in range(18):
        request_money(w)
    assert len(ids(client.get(target))) == 20
    assert count_queries(client, target) == few


# --- Hours given back -------------------------------------------------------------------------------


def test_it_logs_hours_that_wait_for_the_place(api, w):
    commitment = w.pact.commitments.get()
    target = url(w.programme, "pacts", w.pact.public_id, "commitments", commitment.public_id, "contributions")
    body = {"date": str(w.today), "hours": "2.50", "note": "Doposcuola"}
    response = api(w.owner).post(target, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == ContributionLog.Status.PENDING
    listed = api(w.owner).get(url(w.programme, "pacts", w.pact.public_id, "contributions"))
    assert ids(listed) == [response.json()["id"]]
    assert api(w.colleague).post(target, body, format="json").status_code == 404
    too_many = api(w.owner).post(target, {**body, "hours": "13"}, format="json")
    assert too_many.status_code == 400
    assert ContributionLog.objects.count() == 1
