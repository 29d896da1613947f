"""Reviews are immutable snapshots; compliance (were the commitments met?) is kept apart from
eligibility (may the pact continue?); a missed commitment carries its reason; a pact never ends
without a decision and its reason. Due reviews come up for the case team."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from trama.pacts.models import Disbursement, Pact, Review, ReviewItem
from trama.pacts.selectors import due_reviews
from trama.pacts.services import giving_back, money
from trama.pacts.services import pacts as pact_services
from trama.pacts.services import reviews as services
from trama.pacts.services.reviews import CommitmentOutcome, item_field
from trama.pacts.tests.builders import draft, running

pytestmark = pytest.mark.django_db


def _review(w, pact, *, outcome="met", reason="", eligibility="continue", eligibility_reason="", **kwargs):
    items = [CommitmentOutcome(c, outcome, reason) for c in pact.commitments.filter(signed_hours__gt=0)]
    values = {"reviewed_on": w.today, "assessment": "La famiglia partecipa con impegno."}
    return services.review_record(
        actor=w.owner, pact=pact, items=items, eligibility=eligibility, eligibility_reason=eligibility_reason,
        **{**values, **kwargs},
    )  # fmt: skip


def test_it_snapshots_both_sides_of_the_ledger(pactwork):
    pact = running(pactwork, amount="300.00", hours="10")
    request = money.disbursement_request(
        actor=pactwork.owner, pact=pact, budget_line=pact.budget_lines.get(), amount=Decimal("120.10"),
        payee="Scuola", description="Libri", due_on=pactwork.today,
    )  # fmt: skip
    money.disbursement_approve(actor=pactwork.coordinator, disbursement=request)
    giving_back.contribution_record(
        actor=pactwork.lab_manager, commitment=pact.commitments.get(), day=pactwork.today, hours=Decimal("3.5")
    )
    review = _review(pactwork, pact, outcome="partly", reason="Orari di lavoro cambiati")
    assert (review.budget_committed, review.budget_disbursed, review.budget_remaining) == (
        Decimal("300.00"), Decimal("120.10"), Decimal("179.90")
    )  # fmt: skip
    assert (review.hours_committed, review.hours_confirmed) == (Decimal("10.00"), Decimal("3.50"))
    assert review.lines[0]["disbursed"] == "120.10"
    assert review.items.get().reason == "Orari di lavoro cambiati"
    pact.refresh_from_db()
    assert pact.status == Pact.Status.ACTIVE
    assert pact.next_review_on == review.next_review_on


def test_a_missed_commitment_needs_its_reason_and_nothing_is_saved_without(pactwork):
    pact = running(pactwork)
    with pytest.raises(ValidationError) as error:
        _review(pactwork, pact, outcome="missed", reason="")
    assert error.value.message_dict.keys() == {item_field(pact.commitments.get(), "reason")}
    assert not Review.objects.exists()


def test_compliance_is_kept_apart_from_eligibility(pactwork):
    pact = running(pactwork)
    review = _review(pactwork, pact, outcome="missed", reason="Ricoverata in ospedale per due mesi")
    assert (review.compliance, review.eligibility) == (Review.Compliance.NOT_MET, Review.Eligibility.CONTINUE)
    assert Pact.objects.get(pk=pact.pk).status == Pact.Status.ACTIVE  # the family is not dropped


def test_a_review_before_the_pact_starts_is_refused(pactwork):
    pact = running(pactwork)
    with pytest.raises(ValidationError) as error:
        _review(pactwork, pact, reviewed_on=pact.started_on - timedelta(days=1))
    assert error.value.message_dict.keys() == {"reviewed_on"}
    assert not Review.objects.exists()
    pact_services.pact_interrupt(actor=pactwork.owner, pact=pact, reason="Ricominciamo da capo")
    not_started = draft(pactwork)
    with pytest.raises(ValidationError) as error:
        _review(pactwork, not_started)
    assert error.value.code == "not_running"


def test_interrupting_at_a_review_needs_a_reason_and_refuses_the_open_requests(pactwork):
    pact = running(pactwork)
    request = money.disbursement_request(
        actor=pactwork.owner, pact=pact, budget_line=pact.budget_lines.get(), amount=Decimal("10.00"),
        payee="Scuola", description="Libri", due_on=pactwork.today,
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        _review(pactwork, pact, eligibility="interrupt")
    assert error.value.message_dict.keys() == {"eligibility_reason"}
    _review(pactwork, pact, eligibility="interrupt", eligibility_reason="Non più reperibile")
    pact.refresh_from_db()
    assert (pact.status, pact.outcome, pact.closing_reason) == ("closed", "interrupted", "Non più reperibile")
    request.refresh_from_db()
    assert request.status == Disbursement.Status.REFUSED
    assert request.refusal_reason


def test_a_completed_pact_closes_with_its_final_review(pactwork):
    pact = running(pactwork)
    review = _review(pactwork, pact, eligibility="complete")
    pact.refresh_from_db()
    assert (pact.status, pact.outcome, pact.closed_on) == ("closed", "completed", review.reviewed_on)


def test_a_review_can_never_be_changed_or_removed(pactwork):
    pact = running(pactwork)
    review = _review(pactwork, pact)
    review.assessment = "Cambiata"
    with pytest.raises(PermissionError):
        review.save()
    with pytest.raises(PermissionError):
        Review.objects.filter(pk=review.pk).update(compliance="not_met")
    with pytest.raises(PermissionError):
        Review.objects.filter(pk=review.pk).delete()
    with pytest.raises(PermissionError):
        review.delete()
    item = review.items.get()
    item.reason = "Cambiata"
    with pytest.raises(PermissionError):
        item.save()
    with pytest.raises(PermissionError):
        ReviewItem.objects.all().update(reason="x")
    stored = Review.objects.get(pk=review.pk)
    assert stored.assessment == "La famiglia partecipa con impegno."


def test_the_assessment_is_encrypted_in_the_database(pactwork):
    from django.db import connection

    pact = running(pactwork)
    review = _review(pactwork, pact, assessment="CANARY-7f3a-nota-riservata nella valutazione")
    with connection.cursor() as cursor:
        cursor.execute("SELECT assessment FROM pacts_review WHERE id = %s", [review.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("enc1:")
    assert "CANARY" not in stored


def test_due_reviews_show_the_case_teams_pacts_coming_up(pactwork):
    pact = running(pactwork)
    Pact.objects.filter(pk=pact.pk).update(next_review_on=pactwork.today + timedelta(days=5))
    assert list(due_reviews(pactwork.owner, pactwork.programme)) == [pact]
    assert list(due_reviews(pactwork.coordinator, pactwork.programme)) == [pact]
    for user in (pactwork.colleague, pactwork.supervisor, pactwork.lab_manager, pactwork.evaluator):
        assert list(due_reviews(user, pactwork.programme)) == []
    Pact.objects.filter(pk=pact.pk).update(next_review_on=pactwork.today + timedelta(days=60))
    assert list(due_reviews(pactwork.owner, pactwork.programme)) == []
    services.review_open(actor=pactwork.owner, pact=pact)
    assert list(due_reviews(pactwork.owner, pactwork.programme)) == [pact]
