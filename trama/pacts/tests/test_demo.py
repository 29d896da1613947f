"""The demo step of the pacts: forty pacts in Wel(l)FARE legami and some in Fare #BeneComune, in
every status, with money and hours on both sides; deterministic and idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from trama.accounts.models import Role, User
from trama.core.demo.users import demo_email
from trama.pacts.models import ContributionLog, Disbursement, Pact, PactVersion, Review
from trama.pacts.permissions import giving_back_commitments
from trama.pacts.selectors import due_reviews, programme_overview
from trama.territory.models import Programme

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count() for model in (Pact, PactVersion, Disbursement, ContributionLog, Review)
    }


def test_it_loads_pacts_in_every_status_with_both_sides_of_the_ledger_once():
    call_command("load_demo", "--only", "programmes,network,users,casework,pacts", "--quiet-logins", stdout=StringIO())
    legami = Programme.objects.get(slug="wellfare-legami")
    fbc = Programme.objects.get(slug="fare-benecomune")
    pacts = Pact.objects.filter(programme=legami)
    assert pacts.count() == 40
    assert set(pacts.values_list("status", flat=True)) == set(Pact.Status.values)
    assert set(pacts.filter(status="closed").values_list("outcome", flat=True)) == {"completed", "interrupted"}
    assert Pact.objects.filter(programme=fbc).count() >= 6
    assert set(Disbursement.objects.filter(pact__programme=legami).values_list("status", flat=True)) >= {
        "requested", "approved", "paid", "refused"
    }  # fmt: skip
    assert set(ContributionLog.objects.filter(commitment__pact__programme=legami).values_list("status", flat=True)) == {
        "pending", "confirmed", "rejected"
    }  # fmt: skip
    assert Review.objects.filter(pact__programme=legami, items__outcome="partly").exists()
    assert PactVersion.objects.filter(pact__programme=legami, number=2, status="draft").exists()
    overview = programme_overview(legami)
    assert overview.totals.disbursed > 0
    assert overview.hours_given > 0
    for programme in (legami, fbc):
        lab_manager = User.objects.get(email=demo_email(programme, Role.LAB_MANAGER))
        assert giving_back_commitments(lab_manager, programme).exists(), programme.slug
    operator = User.objects.get(email=demo_email(legami, Role.OPERATOR))
    assert due_reviews(operator, legami).exists()

    before = _counts()
    out = StringIO()
    call_command("load_demo", "--only", "pacts", "--quiet-logins", stdout=out)
    assert _counts() == before
    assert "already" in out.getvalue()
