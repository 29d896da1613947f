"""The access matrix of volunteers and mutual aid: the API answers every role as the pages do (S1)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.urls import reverse

from trama.accounts.models import Role
from trama.api.tests.matrix import Row, make_world, mismatches
from trama.casework.tests.factories import CaseFactory, CaseTeamMemberFactory
from trama.mutualaid.tests.factories import OfferFactory, RequestFactory, VolunteerFactory

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


def aid_world(world) -> SimpleNamespace:
    """A volunteer of the lead organisation; a citizen's request and a household's request whose case
    team is the world's operator; an offer (built once per world)."""
    if hasattr(world, "aid"):
        return world.aid
    case = CaseFactory(programme=world.programme, organisation=world.lead)
    CaseTeamMemberFactory(case=case, user=world.users[Role.OPERATOR], organisation=world.lead)
    world.aid = SimpleNamespace(
        volunteer=VolunteerFactory(programme=world.programme, organisation=world.lead),
        citizen_request=RequestFactory(programme=world.programme),
        household_request=RequestFactory(
            programme=world.programme, requester_person=None, requester_household=case.household
        ),
        offer=OfferFactory(programme=world.programme),
    )
    return world.aid


def request_row(name: str, attribute: str) -> Row:
    return Row(
        name,
        aid_world,
        lambda w, r: api_url(w, "aid-requests", getattr(r, attribute).public_id),
        lambda w, r: page("mutualaid:request-detail", w, request_id=getattr(r, attribute).public_id),
    )


ROWS = [
    Row(
        "volunteers", aid_world, lambda w, r: api_url(w, "volunteers"), lambda w, r: page("mutualaid:volunteer-list", w)
    ),
    Row(
        "volunteer",
        aid_world,
        lambda w, r: api_url(w, "volunteers", r.volunteer.public_id),
        lambda w, r: page("mutualaid:volunteer-detail", w, volunteer_id=r.volunteer.public_id),
    ),
    Row("requests", aid_world, lambda w, r: api_url(w, "aid-requests"), lambda w, r: page("mutualaid:request-list", w)),
    request_row("request of a citizen", "citizen_request"),
    request_row("request of a followed household", "household_request"),
    Row("offers", aid_world, lambda w, r: api_url(w, "aid-offers"), lambda w, r: page("mutualaid:offer-list", w)),
    Row(
        "offer",
        aid_world,
        lambda w, r: api_url(w, "aid-offers", r.offer.public_id),
        lambda w, r: page("mutualaid:offer-edit", w, offer_id=r.offer.public_id),
    ),
]


def test_it_answers_every_role_as_the_pages_do(programme, other_programme, lead, member, login, api):
    world = make_world(programme, other_programme, lead, member)
    assert mismatches(ROWS, world, login=login, api_client=api) == []
