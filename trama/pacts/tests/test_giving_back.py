"""The beneficiary's side: hours logged by the case team wait for the place's confirmation; the
place's own records count at once; a citizen group's hours are confirmed by a coordinator on the
contact's word; dates stay within the pact."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from trama.pacts.models import ContributionLog
from trama.pacts.services import giving_back as services
from trama.pacts.services import pacts as pact_services
from trama.pacts.tests.builders import running, text

pytestmark = pytest.mark.django_db


def _log(w, commitment, actor, **kwargs):
    values = {"day": w.today - timedelta(days=3), "hours": Decimal("2.5"), "note": "Doposcuola"}
    return services.contribution_record(actor=actor, commitment=commitment, **{**values, **kwargs})


def test_hours_logged_by_the_operator_wait_for_the_lab_manager(pactwork):
    commitment = running(pactwork).commitments.get()
    log = _log(pactwork, commitment, pactwork.owner)
    assert log.status == ContributionLog.Status.PENDING
    confirmed = services.contribution_confirm(actor=pactwork.lab_manager, log=log)
    assert (confirmed.status, confirmed.confirmed_by) == ("confirmed", pactwork.lab_manager)


def test_hours_recorded_by_the_lab_manager_count_at_once(pactwork):
    commitment = running(pactwork).commitments.get()
    log = _log(pactwork, commitment, pactwork.lab_manager)
    assert log.status == ContributionLog.Status.CONFIRMED


def test_another_place_cannot_confirm_nor_record_and_the_operator_cannot_confirm(pactwork):
    commitment = running(pactwork).commitments.get()
    log = _log(pactwork, commitment, pactwork.owner)
    for user in (pactwork.other_lab_manager, pactwork.owner, pactwork.evaluator):
        with pytest.raises(PermissionDenied):
            services.contribution_confirm(actor=user, log=log)
    with pytest.raises(PermissionDenied):
        _log(pactwork, commitment, pactwork.other_lab_manager)
    assert ContributionLog.objects.get(pk=log.pk).status == ContributionLog.Status.PENDING


def test_a_coordinator_confirms_for_a_citizen_group_on_the_contacts_word(pactwork):
    pact = running(pactwork)
    pact_services.commitment_save(
        actor=pactwork.owner, pact=pact, description="Cura dell'orto", hours=Decimal("8"), group=pactwork.group
    )
    pact_services.pact_sign(actor=pactwork.owner, pact=pact, signed_on=pactwork.today)
    commitment = pact.commitments.get(group=pactwork.group)
    log = _log(pactwork, commitment, pactwork.owner)
    with pytest.raises(PermissionDenied):
        services.contribution_confirm(actor=pactwork.lab_manager, log=log)
    confirmed = services.contribution_confirm(actor=pactwork.coordinator, log=log)
    assert (confirmed.status, confirmed.confirmed_for) == ("confirmed", "Maria Riservata")


@pytest.mark.parametrize(("when", "code"), [("future", "future"), ("before", "before_start"), ("after", "after_end")])
def test_it_refuses_hours_outside_the_pact_and_saves_nothing(pactwork, when, code):
    # For "after", a pact whose year ended a month ago.
    pact = running(pactwork, text=text(pactwork.today, months_back=13, months=12) if when == "after" else None)
    in_force = pact.version_in_force
    day = {
        "future": pactwork.today + timedelta(days=1),
        "before": in_force.start_date - timedelta(days=1),
        "after": in_force.end_date + timedelta(days=1),
    }[when]
    with pytest.raises(ValidationError) as error:
        _log(pactwork, pact.commitments.get(), pactwork.owner, day=day)
    assert error.value.message_dict.keys() == {"date"}
    assert error.value.error_dict["date"][0].code == code
    assert not ContributionLog.objects.exists()


@pytest.mark.parametrize("hours", ["0", "-1", "13", "1.005"])
def test_it_refuses_impossible_hours(pactwork, hours):
    commitment = running(pactwork).commitments.get()
    with pytest.raises(ValidationError) as error:
        _log(pactwork, commitment, pactwork.owner, hours=Decimal(hours))
    assert error.value.message_dict.keys() == {"hours"}


def test_unconfirmed_hours_say_why(pactwork):
    commitment = running(pactwork).commitments.get()
    log = _log(pactwork, commitment, pactwork.owner)
    with pytest.raises(ValidationError) as error:
        services.contribution_reject(actor=pactwork.lab_manager, log=log, reason="")
    assert error.value.message_dict.keys() == {"reason"}
    rejected = services.contribution_reject(actor=pactwork.lab_manager, log=log, reason="Non si è presentato")
    assert (rejected.status, rejected.rejection_reason) == ("rejected", "Non si è presentato")
    with pytest.raises(ValidationError):
        services.contribution_confirm(actor=pactwork.lab_manager, log=log)


def test_no_hours_on_a_commitment_not_signed_yet(pactwork):
    pact = running(pactwork)
    commitment = pact_services.commitment_save(
        actor=pactwork.owner, pact=pact, description="Nuovo", hours=Decimal("3"), place=pactwork.place
    )
    with pytest.raises(ValidationError) as error:
        _log(pactwork, commitment, pactwork.owner)
    assert error.value.code == "not_signed"


def _time_bank_exchange(w, pact, hours: str, days_ago: int = 2):
    """The pact's beneficiary helps a neighbour through the time bank."""
    from trama.casework.tests.factories import PersonFactory
    from trama.mutualaid.services.timebank import account_for, exchange_record

    neighbour = PersonFactory(programme=pact.programme)
    return exchange_record(
        actor=None, programme=pact.programme, giver=account_for(pact.person), receiver=account_for(neighbour),
        hours=hours, occurred_on=w.today - timedelta(days=days_ago), category="shopping",
    )  # fmt: skip


def test_hours_given_in_the_time_bank_count_on_a_commitment_once(pactwork):
    pact = running(pactwork)
    commitment = pact.commitments.get()
    _time_bank_exchange(pactwork, pact, "3.5")
    _time_bank_exchange(pactwork, pact, "1.25")
    assert services.time_bank_available(pact) == Decimal("4.75")

    log = services.contribution_from_time_bank(actor=pactwork.owner, commitment=commitment)

    assert (log.hours, log.status, log.from_time_bank) == (Decimal("4.75"), "confirmed", True)
    assert services.time_bank_available(pact) == Decimal("0.00")
    with pytest.raises(ValidationError):
        services.contribution_from_time_bank(actor=pactwork.owner, commitment=commitment)
    assert ContributionLog.objects.filter(from_time_bank=True).count() == 1
    _time_bank_exchange(pactwork, pact, "2")
    assert services.time_bank_available(pact) == Decimal("2.00")


def test_time_bank_hours_before_the_pact_do_not_count_and_strangers_cannot_count(pactwork):
    pact = running(pactwork)
    _time_bank_exchange(pactwork, pact, "5", days_ago=200)
    assert services.time_bank_available(pact) == Decimal("0.00")
    _time_bank_exchange(pactwork, pact, "2")
    with pytest.raises(PermissionDenied):
        services.contribution_from_time_bank(actor=pactwork.stranger, commitment=pact.commitments.get())
    assert not ContributionLog.objects.filter(from_time_bank=True).exists()


def test_the_case_team_counts_time_bank_hours_from_the_pact_page(client, login, pactwork):
    from django.urls import reverse

    pact = running(pactwork)
    commitment = pact.commitments.get()
    _time_bank_exchange(pactwork, pact, "3")
    url = reverse(
        "pacts:time-bank-count",
        kwargs={"slug": pact.programme.slug, "pact_id": pact.public_id, "commitment_id": commitment.public_id},
    )
    login(client, pactwork.owner)
    page = client.get(url)
    assert page.context["available"] == Decimal("3.00")
    assert client.post(url).status_code == 302
    assert ContributionLog.objects.get(from_time_bank=True).hours == Decimal("3.00")
