"""The access matrix of pacts: the API answers every role as the pages do (S1)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from trama.accounts.models import Role
from trama.api.tests.matrix import Row, make_world, mismatches
from trama.casework.tests.factories import CaseFactory, CaseTeamMemberFactory, HouseholdMemberFactory
from trama.pacts.services import pacts as pact_services
from trama.pacts.tests.builders import text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    """The per-token request count lives in the cache, keyed by the token's row id, which the
    database hands out again after each test's rollback: start every test from zero."""
    cache.clear()


def api_url(world, *parts: object) -> str:
    return f"/api/v1/programmes/{world.programme.slug}/" + "".join(f"{part}/" for part in parts)


def page(name: str, world, **kwargs: object) -> str:
    return reverse(name, kwargs={"slug": world.programme.slug, **kwargs})


def pact_world(world) -> SimpleNamespace:
    """A draft pact of a case whose team is the world's operator (built once per world)."""
    if hasattr(world, "pacts"):
        return world.pacts
    today = timezone.localdate()
    case = CaseFactory(programme=world.programme, organisation=world.lead, opened_on=today - timedelta(days=400))
    CaseTeamMemberFactory(case=case, user=world.users[Role.OPERATOR], organisation=world.lead)
    person = HouseholdMemberFactory(household=case.household).person
    world.pacts = SimpleNamespace(
        pact=pact_services.pact_create(actor=None, case=case, person=person, text=text(today))
    )
    return world.pacts


ROWS = [
    Row("pacts", pact_world, lambda w, r: api_url(w, "pacts"), lambda w, r: page("pacts:pact-list", w)),
    Row(
        "pact",
        pact_world,
        lambda w, r: api_url(w, "pacts", r.pact.public_id),
        lambda w, r: page("pacts:pact-detail", w, pact_id=r.pact.public_id),
    ),
    Row(
        "disbursements of a pact",
        pact_world,
        lambda w, r: api_url(w, "pacts", r.pact.public_id, "disbursements"),
        lambda w, r: page("pacts:pact-detail", w, pact_id=r.pact.public_id),
    ),
    Row(
        "hours given back of a pact",
        pact_world,
        lambda w, r: api_url(w, "pacts", r.pact.public_id, "contributions"),
        lambda w, r: page("pacts:pact-detail", w, pact_id=r.pact.public_id),
    ),
]


def test_it_answers_every_role_as_the_pages_do(programme, other_programme, lead, member, login, api):
    world = make_world(programme, other_programme, lead, member)
    assert mismatches(ROWS, world, login=login, api_client=api) == []
