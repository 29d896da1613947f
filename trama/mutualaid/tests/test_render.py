"""Every page of volunteering and mutual aid renders for the role it is for, with data in it, and
the forms of the actions that change something ask for confirmation first (a GET never changes)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from trama.accounts.models import Role
from trama.core.tests.factories import CitizenGroupFactory
from trama.mutualaid.models import Match, MicroNetwork, ShiftSignup, Volunteer
from trama.mutualaid.tests.factories import (
    HourLogFactory,
    MatchFactory,
    OfferFactory,
    OfferSlotFactory,
    RequestFactory,
    ShiftFactory,
    SignupFactory,
    VolunteerFactory,
    a_tuesday,
    pavia,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(programme, member, lead):
    programme.municipalities.add(pavia())
    volunteer = VolunteerFactory(programme=programme, user=member(Role.VOLUNTEER), organisation=lead)
    applicant = VolunteerFactory(programme=programme, status=Volunteer.Status.APPLIED)
    request = RequestFactory(programme=programme)
    offer = OfferFactory(programme=programme, offerer_person=None, offerer_volunteer=volunteer)
    OfferSlotFactory(offer=offer)
    match = MatchFactory(request=request, offer=offer)
    shift = ShiftFactory(occurrence__activity__programme=programme, occurrence__starts_at=a_tuesday(16))
    SignupFactory(shift=shift, volunteer=volunteer)
    log = HourLogFactory(volunteer=volunteer)
    group = CitizenGroupFactory(programme=programme)
    network = MicroNetwork.objects.create(programme=programme, name="Rete")
    return locals()


def test_it_renders_every_staff_page_for_a_coordinator(client, login, coordinator, programme, world):
    login(client, coordinator)
    slug = programme.slug
    volunteer, applicant, request = world["volunteer"], world["applicant"], world["request"]
    pages = [
        ("volunteer-list", []), ("volunteer-create", []), ("volunteer-detail", [volunteer.public_id]),
        ("volunteer-detail", [applicant.public_id]), ("volunteer-approve", [applicant.public_id]),
        ("volunteer-reject", [applicant.public_id]), ("volunteer-training", [volunteer.public_id]),
        ("hours-review", []), ("hours-reject", [world["log"].public_id]), ("shift-list", []), ("shift-create", []),
        ("shift-detail", [world["shift"].public_id]), ("shift-delete", [world["shift"].public_id]),
        ("request-list", []), ("request-create", []), ("request-detail", [request.public_id]),
        ("request-cancel", [request.public_id]), ("match-cancel", [world["match"].public_id]),
        ("offer-list", []), ("offer-create", []), ("offer-edit", [world["offer"].public_id]), ("figures", []),
        ("balances", []), ("network-list", []), ("network-detail", [world["network"].public_id]),
        ("group-list", []), ("group-members", [world["group"].public_id]),
    ]  # fmt: skip
    for name, args in pages:
        response = client.get(reverse(f"mutualaid:{name}", args=[slug, *args]))
        assert response.status_code == 200, name
    for name in ("apply", "thanks"):
        assert client.get(reverse(f"mutualaid-public:{name}", args=[slug])).status_code == 200
    # The confirmation pages changed nothing.
    applicant.refresh_from_db()
    assert applicant.status == Volunteer.Status.APPLIED
    assert Match.objects.get(pk=world["match"].pk).status == Match.Status.PROPOSED
    assert ShiftSignup.objects.filter(status=ShiftSignup.Status.SIGNED_UP).count() == 1


def test_it_renders_every_page_of_the_volunteers_own_area(client, login, programme, world):
    volunteer, match, shift = world["volunteer"], world["match"], world["shift"]
    login(client, volunteer.user)
    slug = programme.slug
    for name, args in [("my-home", []), ("my-profile", []), ("my-hours", []), ("my-match", [match.public_id]),
                       ("my-match-decline", [match.public_id]), ("my-matches-json", []),
                       ("my-shift-cancel", [shift.public_id]), ("my-certificate", [])]:  # fmt: skip
        assert client.get(reverse(f"mutualaid:{name}", args=[slug, *args])).status_code == 200, name
    match.refresh_from_db()
    assert match.status == Match.Status.PROPOSED
    assert shift.signups.get().status == ShiftSignup.Status.SIGNED_UP


def test_it_refuses_a_get_on_the_actions_that_change_something(client, login, programme, world):
    volunteer, match, shift = world["volunteer"], world["match"], world["shift"]
    login(client, volunteer.user)
    for name, args in [("my-shift-signup", [shift.public_id]), ("my-match-accept", [match.public_id]),
                       ("my-match-done", [match.public_id])]:  # fmt: skip
        assert client.get(reverse(f"mutualaid:{name}", args=[programme.slug, *args])).status_code == 405


def test_anonymous_visitors_reach_only_the_public_form(client, programme):
    """S3 for this app: every route but the public form sends an anonymous visitor to the login."""
    from uuid import uuid4

    from trama.mutualaid.urls import urlpatterns

    assert len(urlpatterns) > 40
    for pattern in urlpatterns:
        kwargs = {"slug": programme.slug} | {key: uuid4() for key in pattern.pattern.converters if key != "slug"}
        url = reverse(f"mutualaid:{pattern.name}", kwargs=kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (302, 405), (pattern.name, method, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith("/accesso/"), pattern.name
    for name in ("apply", "thanks"):
        assert client.get(reverse(f"mutualaid-public:{name}", args=[programme.slug])).status_code == 200
