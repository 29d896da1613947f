"""The API's access matrix equals the pages' (issue 9, Done-when), for every role and resource."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from trama.activities.tests.factories import ActivityFactory, OccurrenceFactory, rome
from trama.api.tests.matrix import Row, make_world, mismatches
from trama.core.tests.factories import CitizenGroupFactory, CommunityPlaceFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def _slug(world) -> dict[str, str]:
    return {"slug": world.programme.slug}


def _place_of_another_organisation(world):
    return CommunityPlaceFactory(
        programme=world.programme, managing_organisation=OrganisationFactory(name="Altro ente")
    )


def _activity(world):
    place = CommunityPlaceFactory(programme=world.programme, managing_organisation=world.lead)
    activity = ActivityFactory(programme=world.programme, place=place, municipality=place.municipality)
    return OccurrenceFactory(activity=activity, starts_at=rome(2026, 3, 2, 17, 0), ends_at=rome(2026, 3, 2, 19, 0))


ROWS = [
    Row(
        "programme",
        lambda world: None,
        lambda world, _: reverse("api:programme", kwargs=_slug(world)),
        lambda world, _: reverse("territory:programme-home", kwargs=_slug(world)),
    ),
    Row(
        "organisations",
        lambda world: None,
        lambda world, _: reverse("api:organisation-list", kwargs=_slug(world)),
        lambda world, _: reverse("network:overview", kwargs=_slug(world)),
    ),
    Row(
        "organisation",
        lambda world: SimpleNamespace(pk=world.lead.public_id),
        lambda world, lead: reverse("api:organisation-detail", kwargs={**_slug(world), "organisation_id": lead.pk}),
        lambda world, lead: reverse("network:organisation-edit", kwargs={**_slug(world), "organisation_id": lead.pk}),
    ),
    Row(
        "places",
        lambda world: None,
        lambda world, _: reverse("api:place-list", kwargs=_slug(world)),
        lambda world, _: reverse("network:place-list", kwargs=_slug(world)),
    ),
    Row(
        "place of the lab manager's organisation",
        lambda world: CommunityPlaceFactory(programme=world.programme, managing_organisation=world.lead),
        lambda world, place: reverse("api:place-detail", kwargs={**_slug(world), "place_id": place.public_id}),
        lambda world, place: reverse("network:place-edit", kwargs={**_slug(world), "place_id": place.public_id}),
    ),
    Row(
        "place of another organisation",
        _place_of_another_organisation,
        lambda world, place: reverse("api:place-detail", kwargs={**_slug(world), "place_id": place.public_id}),
        lambda world, place: reverse("network:place-edit", kwargs={**_slug(world), "place_id": place.public_id}),
    ),
    Row(
        "groups",
        lambda world: None,
        lambda world, _: reverse("api:group-list", kwargs=_slug(world)),
        lambda world, _: reverse("network:group-list", kwargs=_slug(world)),
    ),
    Row(
        "group",
        lambda world: CitizenGroupFactory(programme=world.programme),
        lambda world, group: reverse("api:group-detail", kwargs={**_slug(world), "group_id": group.public_id}),
        lambda world, group: reverse("network:group-edit", kwargs={**_slug(world), "group_id": group.public_id}),
    ),
    Row(
        "activities",
        lambda world: None,
        lambda world, _: reverse("api:activity-list", kwargs=_slug(world)),
        lambda world, _: reverse("activities:list", kwargs=_slug(world)),
    ),
    Row(
        "activity",
        _activity,
        lambda world, o: reverse("api:activity-detail", kwargs={**_slug(world), "activity_id": o.activity.public_id}),
        lambda world, o: reverse("activities:detail", kwargs={**_slug(world), "activity_id": o.activity.public_id}),
    ),
    Row(
        "occurrences of an activity",
        _activity,
        lambda world, o: reverse("api:occurrence-list", kwargs={**_slug(world), "activity_id": o.activity.public_id}),
        lambda world, o: reverse("activities:detail", kwargs={**_slug(world), "activity_id": o.activity.public_id}),
    ),
    Row(
        "attendance",
        _activity,
        lambda world, o: reverse("api:occurrence-attendance", kwargs={**_slug(world), "occurrence_id": o.public_id}),
        lambda world, o: reverse("activities:checkin", kwargs={**_slug(world), "occurrence_id": o.public_id}),
    ),
    Row(
        "tally",
        _activity,
        lambda world, o: reverse("api:occurrence-tally", kwargs={**_slug(world), "occurrence_id": o.public_id}),
        lambda world, o: reverse("activities:tally", kwargs={**_slug(world), "occurrence_id": o.public_id}),
    ),
]


def test_it_answers_every_role_as_the_pages_do(programme, other_programme, lead, member, login, api):
    world = make_world(programme, other_programme, lead, member)
    assert mismatches(ROWS, world, login=login, api_client=api) == []
