"""The community's side is exact to the cent: awkward amounts, many small disbursements, a line
exhausted to the cent, refusals that say what remains — and S22: thirty concurrent approvals
against a line that funds ten give exactly ten."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from threading import Barrier

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from trama.pacts.models import BudgetLine, Disbursement
from trama.pacts.money import euro
from trama.pacts.services import money
from trama.pacts.services import pacts as pact_services
from trama.pacts.tests.builders import running

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


def _line(pact) -> BudgetLine:
    return pact.budget_lines.get()


def _request(w, pact, amount, **kwargs) -> Disbursement:
    values = {"payee": "Immobiliare Rossi", "description": "Affitto", "due_on": w.today}
    return money.disbursement_request(
        actor=w.owner, pact=pact, budget_line=_line(pact), amount=amount, **{**values, **kwargs}
    )


def _approve(w, disbursement) -> Disbursement:
    return money.disbursement_approve(actor=w.coordinator, disbursement=disbursement)


def test_it_adds_ten_and_twenty_cents_to_exactly_thirty(pactwork):
    pact = running(pactwork, amount="0.30")
    _approve(pactwork, _request(pactwork, pact, Decimal("0.10")))
    _approve(pactwork, _request(pactwork, pact, Decimal("0.20")))
    assert money.remaining_on(_line(pact)) == Decimal("0.00")
    with pytest.raises(ValidationError) as error:
        _request(pactwork, pact, Decimal("0.01"))
    assert error.value.message_dict.keys() == {"amount"}
    assert f"€{NBSP}0,00" in error.value.message_dict["amount"][0]


def test_it_accepts_a_hundred_one_cent_disbursements_and_not_one_more(pactwork):
    pact = running(pactwork, amount="1.00")
    for _ in range(100):
        _approve(pactwork, _request(pactwork, pact, "0.01"))
    line = _line(pact)
    assert money.remaining_on(line) == Decimal("0.00")
    assert line.disbursements.filter(status="approved").count() == 100
    with pytest.raises(ValidationError):
        _request(pactwork, pact, "0.01")


def test_it_exhausts_a_line_to_the_cent_and_says_what_remains(pactwork):
    pact = running(pactwork, amount="1234.56")
    _approve(pactwork, _request(pactwork, pact, Decimal("1000.00")))
    _approve(pactwork, _request(pactwork, pact, Decimal("234.55")))
    with pytest.raises(ValidationError) as error:
        _request(pactwork, pact, Decimal("0.02"))
    assert f"€{NBSP}0,01" in error.value.message_dict["amount"][0]
    last = _approve(pactwork, _request(pactwork, pact, Decimal("0.01")))
    assert last.status == Disbursement.Status.APPROVED
    assert money.remaining_on(_line(pact)) == Decimal("0.00")
    assert Disbursement.objects.filter(pact=pact).count() == 3


def test_it_refuses_to_approve_what_the_line_no_longer_covers_and_keeps_the_request(pactwork):
    pact = running(pactwork, amount="100.00")
    first = _request(pactwork, pact, Decimal("70.00"))
    second = _request(pactwork, pact, Decimal("40.00"))
    _approve(pactwork, first)
    with pytest.raises(ValidationError) as error:
        _approve(pactwork, second)
    assert f"€{NBSP}30,00" in error.value.message_dict["amount"][0]
    second.refresh_from_db()
    assert second.status == Disbursement.Status.REQUESTED


def test_it_formats_euro_the_italian_way(settings):
    assert euro(Decimal("1234.5")) == f"€{NBSP}1.234,50"
    assert euro(None) == f"€{NBSP}0,00"


@pytest.mark.parametrize("amount", ["-5.00", "0", "0.001", "12.345"])
def test_it_refuses_a_negative_zero_or_sub_cent_amount_and_saves_nothing(pactwork, amount):
    pact = running(pactwork)
    with pytest.raises(ValidationError) as error:
        _request(pactwork, pact, Decimal(amount))
    assert error.value.message_dict.keys() == {"amount"}
    assert not Disbursement.objects.exists()


def test_it_refuses_a_negative_budget_line(pactwork):
    pact = running(pactwork)
    with pytest.raises(ValidationError) as error:
        pact_services.budget_line_save(
            actor=pactwork.owner, pact=pact, purpose="transport", source="foundation", funder=pactwork.foundation,
            amount=Decimal("-10.00"),
        )  # fmt: skip
    assert error.value.message_dict.keys() == {"amount"}
    assert pact.budget_lines.count() == 1


def test_it_refuses_a_disbursement_after_the_pact_ends_and_saves_nothing(pactwork):
    pact = running(pactwork)
    end = pact.version_in_force.end_date
    with pytest.raises(ValidationError) as error:
        _request(pactwork, pact, Decimal("10.00"), due_on=end + timedelta(days=1))
    assert error.value.message_dict.keys() == {"due_on"}
    assert error.value.error_dict["due_on"][0].code == "after_end"
    assert not Disbursement.objects.exists()


def test_it_lets_only_a_coordinator_approve_and_never_their_own_request(pactwork):
    pact = running(pactwork)
    request = _request(pactwork, pact, Decimal("10.00"))
    with pytest.raises(PermissionDenied):
        money.disbursement_approve(actor=pactwork.owner, disbursement=request)
    own = money.disbursement_request(
        actor=pactwork.coordinator, pact=pact, budget_line=_line(pact), amount=Decimal("5.00"), payee="Scuola",
        description="Libri", due_on=pactwork.today,
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        money.disbursement_approve(actor=pactwork.coordinator, disbursement=own)
    assert error.value.code == "own_request"


def test_a_refusal_says_why(pactwork):
    pact = running(pactwork)
    request = _request(pactwork, pact, Decimal("10.00"))
    with pytest.raises(ValidationError) as error:
        money.disbursement_refuse(actor=pactwork.coordinator, disbursement=request, reason="  ")
    assert error.value.message_dict.keys() == {"reason"}
    refused = money.disbursement_refuse(actor=pactwork.coordinator, disbursement=request, reason="Spesa già coperta")
    assert (refused.status, refused.refusal_reason) == ("refused", "Spesa già coperta")


def test_it_checks_the_amount_signed_not_a_draft_amendment(pactwork):
    pact = running(pactwork, amount="100.00")
    line = _line(pact)
    pact_services.budget_line_save(
        actor=pactwork.owner, pact=pact, line=line, expected_version=line.version, purpose="housing",
        source="foundation", funder=pactwork.foundation, amount=Decimal("500.00"),
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        _request(pactwork, pact, Decimal("200.00"))
    assert f"€{NBSP}100,00" in error.value.message_dict["amount"][0]
    pact_services.pact_sign(actor=pactwork.owner, pact=pact, signed_on=pactwork.today)
    assert _request(pactwork, pact, Decimal("200.00")).status == Disbursement.Status.REQUESTED


def test_a_line_cannot_go_below_what_was_disbursed(pactwork):
    pact = running(pactwork, amount="100.00")
    _approve(pactwork, _request(pactwork, pact, Decimal("60.00")))
    line = _line(pact)
    with pytest.raises(ValidationError) as error:
        pact_services.budget_line_save(
            actor=pactwork.owner, pact=pact, line=line, expected_version=line.version, purpose="housing",
            source="foundation", funder=pactwork.foundation, amount=Decimal("59.99"),
        )  # fmt: skip
    assert error.value.message_dict.keys() == {"amount"}


APPROVALS = 30
FUNDED = 10


def _thirty_requests(w):
    pact = running(w, amount=str(Decimal("12.34") * FUNDED))
    return pact, [_request(w, pact, Decimal("12.34")) for _ in range(APPROVALS)]


def _outcomes(w, requests) -> list[str]:
    outcomes = []
    for request in requests:
        try:
            _approve(w, request)
            outcomes.append("approved")
        except ValidationError:
            outcomes.append("refused")
    return outcomes


def test_thirty_approvals_one_after_the_other_against_a_line_for_ten_approve_exactly_ten(pactwork):
    pact, requests = _thirty_requests(pactwork)
    assert _outcomes(pactwork, requests).count("approved") == FUNDED
    assert money.remaining_on(_line(pact)) == Decimal("0.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_thirty_concurrent_approvals_against_a_line_for_ten_approve_exactly_ten(pactwork):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent row locks need PostgreSQL")
    pact, requests = _thirty_requests(pactwork)
    start = Barrier(APPROVALS)

    def approve(n: int) -> str:
        start.wait()
        try:
            _approve(pactwork, Disbursement.objects.get(pk=requests[n].pk))
            return "approved"
        except ValidationError:
            return "refused"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=APPROVALS) as pool:
        outcomes = list(pool.map(approve, range(APPROVALS)))
    assert outcomes.count("approved") == FUNDED
    assert outcomes.count("refused") == APPROVALS - FUNDED
    line = _line(pact)
    assert line.disbursements.filter(status="approved").count() == FUNDED
    assert money.remaining_on(line) == Decimal("0.00")


@pytest.mark.django_db(transaction=True)
def test_thirty_concurrent_approvals_on_a_sqlite_file_approve_exactly_ten(pactwork, tmp_path):
    """The same race on SQLite. The test database lives in shared-cache memory, where SQLite
    answers a second writer "table is locked" at once instead of queueing it; a real installation
    uses a file, where IMMEDIATE transactions queue the writers. So the data is copied to a file
    and each thread opens its own connection to it, exactly as the embedded default runs."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite leg of S22")
    pact, requests = _thirty_requests(pactwork)
    path = tmp_path / "trama.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    with target:
        connection.connection.backup(target)
    target.close()
    original = connections.settings["default"]
    connections.settings["default"] = {**original, "NAME": str(path)}
    start = Barrier(APPROVALS)

    def approve(n: int) -> str:
        start.wait()
        try:
            _approve(pactwork, Disbursement.objects.get(pk=requests[n].pk))
            return "approved"
        except ValidationError:
            return "refused"
        finally:
            connections.close_all()

    try:
        with ThreadPoolExecutor(max_workers=APPROVALS) as pool:
            outcomes = list(pool.map(approve, range(APPROVALS)))
    finally:
        connections.settings["default"] = original
    assert outcomes.count("approved") == FUNDED
    assert not Disbursement.objects.filter(status="approved").exists()  # the race ran on the file
    stored = sqlite3.connect(path)
    approved = stored.execute(
        "SELECT COUNT(*), SUM(amount) FROM pacts_disbursement WHERE budget_line_id = ? AND status = 'approved'",
        [_line(pact).pk],
    ).fetchone()
    stored.close()
    assert approved[0] == FUNDED
    assert Decimal(str(approved[1])).quantize(Decimal("0.01")) == Decimal("123.40")
