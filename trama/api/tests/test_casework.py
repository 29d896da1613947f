"""Cases, assessments, pathways, sessions and referrals in the API: the pages' roles and visibility,
notes for the case team only, writes through the services."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from trama.accounts.models import AuditEvent
from trama.casework.models import Assessment, Case, Referral, Session
from trama.casework.services import pathways as pathway_services
from trama.casework.services import referrals as referral_services
from trama.casework.tests.factories import (
    CaseFactory,
    CaseTeamMemberFactory,
    ConsentFactory,
    HouseholdMemberFactory,
)
from trama.people.models import Consent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    """The per-token request count lives in the cache, keyed by the token's row id, which the
    database hands out again after each test's rollback: start every test from zero."""
    cache.clear()


ROME = ZoneInfo("Europe/Rome")
CANARY = "CANARY-nota-riservata-7781"


def url(programme, *parts: object) -> str:
    return f"/api/v1/programmes/{programme.slug}/" + "".join(f"{part}/" for part in parts)


@pytest.fixture
def w(casework):
    casework.programme = casework.case.programme
    return casework


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def same_cost(client, target: str, add_rows) -> None:
    """The list costs the same number of queries with 2 rows and with 20."""
    client.get(target)  # the token's "last used" mark is written once

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(target).status_code == 200
        return len(queries)

    add_rows(2)
    few = count()
    add_rows(18)
    assert len(client.get(target).json()["results"]) >= 20
    assert count() == few


def pathway_of(w, **kwargs):
    start = kwargs.pop("start_date", date(2024, 2, 1))
    return pathway_services.pathway_create(
        actor=None, case=w.case, kind="parenting", title="Sostegno alla genitorialità", organisation=w.partner,
        start_date=start, **kwargs,
    )  # fmt: skip


def session_of(pathway, w, note: str = CANARY) -> Session:
    return pathway_services.session_create(
        actor=None, pathway=pathway, starts_at=datetime(2024, 3, 5, 15, 0, tzinfo=ROME), duration_minutes=60,
        modality="in_person", attendees=[w.person], note=note, recorded_by=w.owner,
    )  # fmt: skip


# --- Cases: who sees which ------------------------------------------------------------------------


def test_it_lists_the_cases_of_the_pages(api, w):
    case = str(w.case.public_id)
    assert ids(api(w.owner).get(url(w.programme, "cases"))) == [case]
    assert ids(api(w.supervisor).get(url(w.programme, "cases"))) == [case]
    assert ids(api(w.coordinator).get(url(w.programme, "cases"))) == [case]
    assert ids(api(w.colleague).get(url(w.programme, "cases"))) == []
    assert ids(api(w.stranger).get(url(w.programme, "cases"))) == []


@pytest.mark.parametrize("persona", ["evaluator", "lab_manager", "volunteer", "funder"])
def test_it_refuses_case_data_to_other_roles(api, w, persona):
    client = api(getattr(w, persona))
    assert client.get(url(w.programme, "cases")).status_code == 403
    assert client.get(url(w.programme, "cases", w.case.public_id)).status_code == 403
    assert client.get(url(w.programme, "pathways")).status_code == 403


def test_it_answers_404_for_a_case_one_may_not_see(api, w):
    assert api(w.colleague).get(url(w.programme, "cases", w.case.public_id)).status_code == 404
    assert api(w.stranger).get(url(w.programme, "cases", w.case.public_id, "assessments")).status_code == 404
    assert api(w.outsider).get(url(w.programme, "cases", w.case.public_id)).status_code == 404
    other = CaseFactory()
    assert api(w.coordinator).get(url(w.programme, "cases", other.public_id)).status_code == 404


def test_it_filters_the_cases(api, w):
    CaseFactory(programme=w.programme, organisation=w.partner, phase=Case.Phase.DELIVERY)
    client = api(w.coordinator)
    assert len(ids(client.get(url(w.programme, "cases"), {"phase": "D"}))) == 1
    assert ids(client.get(url(w.programme, "cases"), {"mine": "true"})) == []
    assert ids(client.get(url(w.programme, "cases"), {"q": w.household.label})) == [str(w.case.public_id)]


def test_it_costs_the_same_queries_for_2_and_20_cases(api, w):
    def add(count: int) -> None:
        for _ in range(count):
            CaseTeamMemberFactory(case=CaseFactory(programme=w.programme, organisation=w.partner), user=w.owner)

    same_cost(api(w.owner), url(w.programme, "cases"), add)


def test_it_audits_the_read_of_a_case_and_shows_the_closing_note_to_the_team_only(api, w):
    Case.objects.filter(pk=w.case.pk).update(closing_note=CANARY)
    mine = api(w.owner).get(url(w.programme, "cases", w.case.public_id))
    assert mine.status_code == 200
    assert mine.json()["closing_note"] == CANARY
    assert mine.json()["lead"]["id"] == str(w.owner.pk)
    assert mine["ETag"] == f'"{w.case.version}"'
    theirs = api(w.coordinator).get(url(w.programme, "cases", w.case.public_id))
    assert theirs.json()["closing_note"] is None
    assert CANARY not in theirs.content.decode()
    assert AuditEvent.objects.filter(actor=w.coordinator, action="read", target_id=str(w.case.public_id)).exists()


# --- Cases: writes --------------------------------------------------------------------------------


def test_it_opens_a_case_for_coordinators_only(api, w):
    household = HouseholdMemberFactory(household__programme=w.programme).household
    body = {
        "household": str(household.public_id),
        "organisation": str(w.partner.public_id),
        "lead": str(w.owner.pk),
        "referral_source": "school",
    }
    assert api(w.owner).post(url(w.programme, "cases"), body, format="json").status_code == 403
    response = api(w.coordinator).post(url(w.programme, "cases"), body, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    assert response.status_code == 201, response.json()
    again = api(w.coordinator).post(url(w.programme, "cases"), body, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    assert again.json()["id"] == response.json()["id"]
    case = Case.objects.get(household=household)
    assert case.team.get().user == w.owner
    assert AuditEvent.objects.filter(actor=w.coordinator, action="create", target_id=str(case.public_id)).exists()


def test_it_refuses_a_lead_who_is_not_an_operator(api, w):
    household = HouseholdMemberFactory(household__programme=w.programme).household
    body = {"household": str(household.public_id), "organisation": str(w.partner.public_id), "lead": str(w.funder.pk)}
    response = api(w.coordinator).post(url(w.programme, "cases"), body, format="json")
    assert response.status_code == 400
    assert "lead" in response.json()["error"]["fields"]
    assert not Case.objects.filter(household=household).exists()


def test_it_updates_a_case_with_if_match(api, w):
    client = api(w.owner)
    target = url(w.programme, "cases", w.case.public_id)
    body = {"organisation": str(w.other_organisation.public_id)}
    assert client.patch(target, body, format="json").status_code == 428
    assert client.patch(target, body, format="json", HTTP_IF_MATCH='"7"').status_code == 412
    response = client.patch(target, body, format="json", HTTP_IF_MATCH=client.get(target)["ETag"])
    assert response.status_code == 200, response.json()
    assert response.json()["organisation"]["id"] == str(w.other_organisation.public_id)
    assert response["ETag"] == f'"{w.case.version + 1}"'


def test_it_moves_a_case_with_its_version(api, w):
    client = api(w.owner)
    target = url(w.programme, "cases", w.case.public_id, "phase")
    response = client.post(target, {"to_phase": "B", "version": w.case.version}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["phase"] == "B"
    stale = client.post(target, {"to_phase": "C", "version": w.case.version}, format="json")
    assert stale.status_code == 409
    assert Case.objects.get(pk=w.case.pk).phase == "B"
    assert api(w.supervisor).post(target, {"to_phase": "C", "version": 2}, format="json").status_code == 403


def test_it_closes_and_reopens_a_case(api, w):
    client = api(w.owner)
    closed = client.post(
        url(w.programme, "cases", w.case.public_id, "close"),
        {"outcome": "reached", "closing_note": CANARY, "version": w.case.version},
        format="json",
    )
    assert closed.status_code == 200, closed.json()
    assert closed.json()["status"] == "closed"
    reopened = client.post(
        url(w.programme, "cases", w.case.public_id, "reopen"),
        {"reason": "La famiglia è tornata", "version": closed.json()["version"]},
        format="json",
    )
    assert reopened.status_code == 200, reopened.json()
    assert reopened.json()["status"] == "open"


# --- Assessments ----------------------------------------------------------------------------------


SCORES = dict.fromkeys(Assessment.Dimension.values, 3)


def test_it_records_an_assessment_and_shows_notes_to_the_team_only(api, w):
    target = url(w.programme, "cases", w.case.public_id, "assessments")
    body = {"assessed_on": "2024-03-01", "scores": SCORES, "notes": {"health": CANARY}, "note": CANARY}
    response = api(w.owner).post(target, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["note"] == CANARY
    assessment = Assessment.objects.get(case=w.case)
    assert assessment.scores.count() == 8
    theirs = api(w.coordinator).get(url(w.programme, "cases", w.case.public_id, "assessments", assessment.public_id))
    assert theirs.status_code == 200
    assert theirs.json()["note"] is None
    assert all(score["note"] is None for score in theirs.json()["scores"])
    assert CANARY not in api(w.supervisor).get(target).content.decode()


def test_it_refuses_an_incomplete_assessment(api, w):
    target = url(w.programme, "cases", w.case.public_id, "assessments")
    response = api(w.owner).post(target, {"assessed_on": "2024-03-01", "scores": {"health": 2}}, format="json")
    assert response.status_code == 400
    assert not Assessment.objects.exists()
    assert (
        api(w.supervisor).post(target, {"assessed_on": "2024-03-01", "scores": SCORES}, format="json").status_code
        == 403
    )


# --- Pathways and sessions --------------------------------------------------------------------------


def test_it_creates_a_pathway_from_a_case(api, w):
    body = {"kind": "parenting", "title": "Genitori insieme", "organisation": str(w.partner.public_id),
            "start_date": "2024-02-01"}  # fmt: skip
    response = api(w.owner).post(url(w.programme, "cases", w.case.public_id, "pathways"), body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["households"][0]["case"] == str(w.case.public_id)
    assert response.json()["can_read_notes"] is True
    assert ids(api(w.owner).get(url(w.programme, "pathways"))) == [response.json()["id"]]
    assert ids(api(w.colleague).get(url(w.programme, "pathways"))) == []


def test_it_edits_a_pathway_with_if_match(api, w):
    pathway = pathway_of(w)
    client = api(w.owner)
    target = url(w.programme, "pathways", pathway.public_id)
    assert client.patch(target, {"title": "Nuovo titolo"}, format="json").status_code == 428
    response = client.patch(target, {"title": "Nuovo titolo"}, format="json", HTTP_IF_MATCH=client.get(target)["ETag"])
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Nuovo titolo"


def test_it_shows_session_notes_to_the_case_team_only(api, w):
    pathway = pathway_of(w)
    session = session_of(pathway, w)
    target = url(w.programme, "pathways", pathway.public_id, "sessions")
    mine = api(w.owner).get(target)
    assert mine.json()["results"][0]["note"] == CANARY
    assert mine.json()["results"][0]["attendees"][0]["id"] == str(w.person.public_id)
    for persona in (w.coordinator, w.supervisor):
        theirs = api(persona).get(url(w.programme, "pathways", pathway.public_id, "sessions", session.public_id))
        assert theirs.status_code == 200
        assert theirs.json()["note"] is None
        assert CANARY not in api(persona).get(target).content.decode()
    assert api(w.colleague).get(target).status_code == 404
    assert AuditEvent.objects.filter(actor=w.supervisor, target_id=str(session.public_id)).exists()


def test_it_answers_404_for_a_session_of_another_pathway(api, w):
    pathway, other = pathway_of(w), pathway_of(w)
    session = session_of(other, w)
    target = url(w.programme, "pathways", pathway.public_id, "sessions", session.public_id)
    assert api(w.owner).get(target).status_code == 404


def test_it_records_a_session(api, w):
    pathway = pathway_of(w)
    body = {"starts_at": "2024-03-10T10:00:00+01:00", "duration_minutes": 45, "modality": "phone",
            "attendees": [str(w.person.public_id)], "note": CANARY}  # fmt: skip
    target = url(w.programme, "pathways", pathway.public_id, "sessions")
    response = api(w.owner).post(target, body, format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    assert response.status_code == 201, response.json()
    assert api(w.owner).post(target, body, format="json", HTTP_IDEMPOTENCY_KEY="s-1").status_code == 201
    assert Session.objects.filter(pathway=pathway).count() == 1
    early = {**body, "starts_at": "2023-01-10T10:00:00+01:00"}
    assert api(w.owner).post(target, early, format="json").status_code == 400
    stranger = {**body, "attendees": [str(HouseholdMemberFactory().person.public_id)]}
    assert api(w.owner).post(target, stranger, format="json").status_code == 400
    assert api(w.supervisor).post(target, body, format="json").status_code == 403


def test_it_costs_the_same_queries_for_2_and_20_sessions(api, w):
    pathway = pathway_of(w)

    def add(count: int) -> None:
        for _ in range(count):
            session_of(pathway, w)

    same_cost(api(w.owner), url(w.programme, "pathways", pathway.public_id, "sessions"), add)


# --- Referrals ----------------------------------------------------------------------------------------


def consent(w) -> None:
    ConsentFactory(
        person=w.person, purpose=Consent.Purpose.SHARING, partner=w.other_organisation,
        given_on=timezone.localdate() - timedelta(days=10),
    )  # fmt: skip


REFERRAL = {"target_kind": "organisation", "service": "Doposcuola", "reason": CANARY}


def refer(api, w, **extra):
    body = {**REFERRAL, "person": str(w.person.public_id), "target_organisation": str(w.other_organisation.public_id)}
    return api(w.owner).post(url(w.programme, "cases", w.case.public_id, "referrals"), {**body, **extra}, format="json")


def test_it_refuses_a_referral_without_consent(api, w):
    response = refer(api, w)
    assert response.status_code == 400
    assert "person" in response.json()["error"]["fields"]
    assert not Referral.objects.exists()


def test_it_sends_a_referral_and_the_receiving_side_sees_the_minimum(api, w):
    consent(w)
    sent = refer(api, w)
    assert sent.status_code == 201, sent.json()
    assert sent.json()["reason"] == CANARY
    assert [t["to_status"] for t in sent.json()["transitions"]] == ["pending"]
    received = api(w.stranger).get(url(w.programme, "referrals", "received"))
    row = received.json()["results"][0]
    assert row["id"] == sent.json()["id"]
    assert row["age_band"] == "22–64"
    assert "reason" not in row
    assert CANARY not in received.content.decode()
    assert ids(api(w.owner).get(url(w.programme, "referrals", "sent"))) == [sent.json()["id"]]
    assert api(w.evaluator).get(url(w.programme, "referrals", "received")).status_code == 403


def test_it_moves_a_referral_through_its_states(api, w):
    consent(w)
    referral = Referral.objects.get(public_id=refer(api, w).json()["id"])
    receiver = api(w.stranger)
    assert (
        receiver.post(url(w.programme, "referrals", referral.public_id, "complete"), {}, format="json").status_code
        == 400
    )
    assert (
        api(w.owner).post(url(w.programme, "referrals", referral.public_id, "accept"), {}, format="json").status_code
        == 404
    )
    accepted = receiver.post(url(w.programme, "referrals", referral.public_id, "accept"), {"version": 1}, format="json")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "accepted"
    stale = receiver.post(url(w.programme, "referrals", referral.public_id, "complete"), {"version": 1}, format="json")
    assert stale.status_code == 409
    done = receiver.post(
        url(w.programme, "referrals", referral.public_id, "complete"), {"reason": "Frequenta"}, format="json"
    )
    assert done.json()["status"] == "completed"
    assert AuditEvent.objects.filter(actor=w.stranger, action="update", target_id=str(referral.public_id)).count() == 2


def test_it_needs_a_reason_to_reject(api, w):
    consent(w)
    referral_id = refer(api, w).json()["id"]
    target = url(w.programme, "referrals", referral_id, "reject")
    response = api(w.stranger).post(target, {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    assert api(w.stranger).post(target, {"reason": "Nessun posto"}, format="json").status_code == 200
    assert api(w.stranger).get(url(w.programme, "referrals", "received", referral_id)).status_code == 404


def test_it_revokes_a_referral_and_the_receiving_side_loses_it(api, w):
    consent(w)
    referral_id = refer(api, w).json()["id"]
    assert api(w.stranger).get(url(w.programme, "referrals", "received", referral_id)).status_code == 200
    assert (
        api(w.colleague).post(url(w.programme, "referrals", referral_id, "revoke"), {}, format="json").status_code
        == 404
    )
    revoked = api(w.owner).post(
        url(w.programme, "referrals", referral_id, "revoke"), {"reason": "Trasferiti"}, format="json"
    )
    assert revoked.status_code == 200, revoked.json()
    assert api(w.stranger).get(url(w.programme, "referrals", "received", referral_id)).status_code == 404


def test_it_answers_404_for_a_referral_of_another_case(api, w):
    consent(w)
    referral_id = refer(api, w).json()["id"]
    other = CaseFactory(programme=w.programme, organisation=w.partner)
    CaseTeamMemberFactory(case=other, user=w.owner, organisation=w.partner)
    target = url(w.programme, "cases", other.public_id, "referrals", referral_id)
    assert api(w.owner).get(target).status_code == 404


def test_it_costs_the_same_queries_for_2_and_20_referrals(api, w):
    consent(w)

    def add(count: int) -> None:
        for _ in range(count):
            referral_services.referral_create(
                actor=w.owner, case=w.case, person=w.person, target_kind="organisation",
                target_organisation=w.other_organisation, service="Doposcuola",
            )  # fmt: skip

    same_cost(api(w.owner), url(w.programme, "referrals", "sent"), add)


def test_it_changes_a_pathway_status_with_its_version(api, w):
    pathway = pathway_of(w)
    target = url(w.programme, "pathways", pathway.public_id, "status")
    response = api(w.owner).post(target, {"status": "completed", "version": pathway.version}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "completed"
    stale = api(w.owner).post(target, {"status": "active", "version": pathway.version}, format="json")
    assert stale.status_code == 409
    assert api(w.colleague).post(target, {"status": "active", "version": 2}, format="json").status_code == 404
