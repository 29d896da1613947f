from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from trama.accounts.models import AuditEvent, Role
from trama.activities.models import Activity, Attendance, Tally
from trama.activities.tests.factories import ActivityFactory, OccurrenceFactory, RegistrationFactory
from trama.core.tests.factories import CommunityPlaceFactory, OrganisationFactory
from trama.territory.models import Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pavia(programme):
    programme.municipalities.add(Municipality.objects.get(istat_code="018110"))


@pytest.fixture
def occurrence(programme, lead):
    place = CommunityPlaceFactory(programme=programme, managing_organisation=lead)
    activity = ActivityFactory(programme=programme, place=place, registration_required=True, expand=False)
    start = timezone.now() - timedelta(days=1)
    return OccurrenceFactory(activity=activity, starts_at=start, ends_at=start + timedelta(hours=2))


def _url(name: str, **kwargs: object) -> str:
    return reverse(f"api:{name}", kwargs={"slug": "programma-a", **kwargs})


def test_it_lists_activities_to_operators(api, operator, occurrence):
    response = api(operator).get(_url("activity-list"))
    assert response.status_code == 200
    assert [a["id"] for a in response.json()["results"]] == [str(occurrence.activity.public_id)]


def test_it_refuses_activities_to_evaluators(api, evaluator):
    assert api(evaluator).get(_url("activity-list")).status_code == 403


def test_it_creates_an_activity_and_its_dates(api, coordinator, lead, programme):
    place = CommunityPlaceFactory(programme=programme, managing_organisation=lead)
    body = {
        "title": "Orto in condominio",
        "kind": "lab",
        "place": str(place.public_id),
        "first_start": "2026-10-05T16:30:00+02:00",
        "duration_minutes": 90,
        "recurrence": "FREQ=WEEKLY;COUNT=4",
        "organisers": [str(lead.public_id)],
    }
    response = api(coordinator).post(_url("activity-list"), body, format="json", HTTP_IDEMPOTENCY_KEY="a-1")
    assert response.status_code == 201, response.json()
    activity = Activity.objects.get(title="Orto in condominio")
    assert activity.occurrences.count() == 4
    assert response.json()["organisers"] == [str(lead.public_id)]
    assert AuditEvent.objects.filter(action="create", target_id=str(activity.public_id)).exists()


def test_it_explains_a_bad_recurrence_rule(api, coordinator, lead, programme):
    body = {
        "title": "X",
        "kind": "lab",
        "venue": "Parco",
        "municipality": "018110",
        "first_start": "2026-10-05T16:30:00+02:00",
        "duration_minutes": 90,
        "recurrence": "FREQ=NEVER",
    }
    response = api(coordinator).post(_url("activity-list"), body, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["recurrence"]


def test_it_does_not_let_a_lab_manager_edit_another_organisations_activity(api, member, programme):
    other = CommunityPlaceFactory(programme=programme, managing_organisation=OrganisationFactory(name="Altro"))
    activity = ActivityFactory(programme=programme, place=other)
    response = api(member(Role.LAB_MANAGER)).patch(
        _url("activity-detail", activity_id=activity.public_id), {"title": "Mio"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 404
    activity.refresh_from_db()
    assert activity.title != "Mio"


def test_it_edits_an_activity_with_if_match(api, coordinator, occurrence):
    url = _url("activity-detail", activity_id=occurrence.activity.public_id)
    client = api(coordinator)
    etag = client.get(url)["ETag"]
    response = client.patch(url, {"capacity": 12}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["capacity"] == 12
    assert client.patch(url, {"capacity": 13}, format="json", HTTP_IF_MATCH=etag).status_code == 412


def test_it_lists_the_dates_of_an_activity(api, operator, occurrence):
    response = api(operator).get(_url("occurrence-list", activity_id=occurrence.activity.public_id))
    assert [o["id"] for o in response.json()["results"]] == [str(occurrence.public_id)]


def test_it_records_named_attendance(api, member, occurrence):
    registration = RegistrationFactory(activity=occurrence.activity)
    client = api(member(Role.LAB_MANAGER))
    url = _url("occurrence-attendance", occurrence_id=occurrence.public_id)
    response = client.put(url, {"present": [str(registration.person.public_id)]}, format="json")
    assert response.status_code == 200, response.json()
    assert [p["is_present"] for p in response.json()["people"]] == [True]
    assert Attendance.objects.filter(occurrence=occurrence, person=registration.person).exists()


def test_it_refuses_attendance_of_someone_not_on_the_sheet(api, coordinator, occurrence):
    from trama.casework.tests.factories import PersonFactory

    stranger = PersonFactory(programme=occurrence.activity.programme)
    url = _url("occurrence-attendance", occurrence_id=occurrence.public_id)
    response = api(coordinator).put(url, {"present": [str(stranger.public_id)]}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["present"]
    assert not Attendance.objects.exists()


def test_it_hides_attendance_from_operators(api, operator, occurrence):
    assert api(operator).get(_url("occurrence-attendance", occurrence_id=occurrence.public_id)).status_code == 403


def test_it_records_a_tally(api, coordinator, occurrence):
    url = _url("occurrence-tally", occurrence_id=occurrence.public_id)
    cells = [{"age_band": "6-10", "gender": "F", "count": 4}, {"age_band": "18-64", "gender": "", "count": 3}]
    response = api(coordinator).put(url, {"cells": cells}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["total"], response.json()["minors"]) == (7, 4)
    assert Tally.objects.filter(occurrence=occurrence).count() == 2


def test_it_refuses_a_tally_of_a_future_date(api, coordinator, programme, lead):
    place = CommunityPlaceFactory(programme=programme, managing_organisation=lead)
    activity = ActivityFactory(programme=programme, place=place, expand=False)
    start = timezone.now() + timedelta(days=3)
    future = OccurrenceFactory(activity=activity, starts_at=start, ends_at=start + timedelta(hours=1))
    url = _url("occurrence-tally", occurrence_id=future.public_id)
    response = api(coordinator).put(url, {"cells": [{"age_band": "", "gender": "", "count": 2}]}, format="json")
    assert response.status_code == 400
    assert not Tally.objects.exists()


@pytest.mark.parametrize("rows", [2, 20])
def test_it_lists_activities_in_a_fixed_number_of_queries(
    api, coordinator, programme, lead, rows, django_assert_num_queries
):
    client = api(coordinator)
    client.get(_url("activity-list"))
    place = CommunityPlaceFactory(programme=programme, managing_organisation=lead)
    for _ in range(rows):
        activity = ActivityFactory(programme=programme, place=place, expand=False)
        activity.organisers.add(lead)
    with django_assert_num_queries(8):
        response = client.get(_url("activity-list"), {"page_size": 50})
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [2, 20])
def test_it_lists_the_dates_in_a_fixed_number_of_queries(
    api, operator, programme, lead, rows, django_assert_num_queries
):
    client = api(operator)
    place = CommunityPlaceFactory(programme=programme, managing_organisation=lead)
    activity = ActivityFactory(programme=programme, place=place, expand=False)
    url = _url("occurrence-list", activity_id=activity.public_id)
    client.get(url)
    for day in range(rows):
        start = timezone.now() + timedelta(days=day + 1)
        OccurrenceFactory(activity=activity, starts_at=start, ends_at=start + timedelta(hours=1))
    with django_assert_num_queries(7):
        response = client.get(url, {"page_size": 50})
    assert len(response.json()["results"]) == rows
