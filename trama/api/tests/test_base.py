"""The framework every endpoint shares: error shape, pagination, Idempotency-Key, ETag/If-Match."""

from __future__ import annotations

import pytest
from django.urls import reverse

from trama.accounts.models import AuditEvent, Role
from trama.api.models import IdempotencyRecord
from trama.core.tests.factories import CitizenGroupFactory, CommunityPlaceFactory
from trama.network.models import CitizenGroup
from trama.territory.models import Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def pavia(programme):
    municipality = Municipality.objects.get(istat_code="018110")
    programme.municipalities.add(municipality)
    return municipality


def _groups_url(slug: str = "programma-a") -> str:
    return reverse("api:group-list", kwargs={"slug": slug})


def _group_body(**extra: object) -> dict[str, object]:
    return {"name": "Orti condivisi", "municipality": "018110", **extra}


def test_it_answers_404_for_a_programme_the_user_is_not_in(api, coordinator, other_programme):
    response = api(coordinator).get(_groups_url("programma-b"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_it_answers_403_to_a_member_without_the_role(api, operator):
    response = api(operator).get(_groups_url())
    assert response.status_code == 403
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert response.json()["error"]["code"] == "permission_denied"


def test_it_gives_field_errors_in_one_shape(api, coordinator, pavia):
    response = api(coordinator).post(_groups_url(), {"municipality": "999999"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert {"name", "municipality"} <= set(error["fields"])


def test_it_gives_service_errors_in_the_same_shape(api, coordinator, pavia):
    body = _group_body(contact_name="Anna", contact_consent_on=None)
    response = api(coordinator).post(_groups_url(), body, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["contact_consent_on"]
    assert not CitizenGroup.objects.exists()


def test_it_refuses_other_media_types(api, coordinator, pavia):
    response = api(coordinator).post(_groups_url(), "name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_it_refuses_unknown_methods(api, coordinator):
    response = api(coordinator).delete(_groups_url())
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_it_refuses_malformed_json(api, coordinator):
    response = api(coordinator).post(_groups_url(), "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_it_paginates_with_an_envelope(api, coordinator, programme):
    for _ in range(5):
        CitizenGroupFactory(programme=programme)
    response = api(coordinator).get(_groups_url(), {"page_size": 2, "page": 2})
    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert "page=3" in body["next"]


def test_it_caps_the_page_size(api, coordinator, programme):
    for _ in range(3):
        CitizenGroupFactory(programme=programme)
    response = api(coordinator).get(_groups_url(), {"page_size": 100000})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3


def test_it_answers_404_for_a_page_past_the_end(api, coordinator):
    response = api(coordinator).get(_groups_url(), {"page": 9})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_it_replays_a_create_sent_twice_with_the_same_key(api, coordinator, pavia):
    client = api(coordinator)
    first = client.post(_groups_url(), _group_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post(_groups_url(), _group_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert CitizenGroup.objects.count() == 1
    assert AuditEvent.objects.filter(action="create", target_type="network.citizengroup").count() == 1


def test_it_refuses_the_same_key_with_another_body(api, coordinator, pavia):
    client = api(coordinator)
    client.post(_groups_url(), _group_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    response = client.post(_groups_url(), _group_body(name="Altro"), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert CitizenGroup.objects.count() == 1


def test_it_creates_again_without_a_key(api, coordinator, pavia):
    client = api(coordinator)
    client.post(_groups_url(), _group_body(), format="json")
    client.post(_groups_url(), _group_body(), format="json")
    assert CitizenGroup.objects.count() == 2


def test_it_releases_the_key_of_a_create_that_failed(api, coordinator, pavia):
    client = api(coordinator)
    bad = client.post(_groups_url(), {"name": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert bad.status_code == 400
    good = client.post(_groups_url(), _group_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert good.status_code == 201
    assert IdempotencyRecord.objects.get(key="k-2").status_code == 201


def test_it_keeps_keys_apart_per_user(api, coordinator, member, pavia):
    other = member(Role.COORDINATOR)
    api(coordinator).post(_groups_url(), _group_body(), format="json", HTTP_IDEMPOTENCY_KEY="same")
    api(other).post(_groups_url(), _group_body(name="B"), format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert CitizenGroup.objects.count() == 2


def test_it_sends_the_version_as_etag(api, coordinator, programme):
    group = CitizenGroupFactory(programme=programme)
    response = api(coordinator).get(
        reverse("api:group-detail", kwargs={"slug": "programma-a", "group_id": group.public_id})
    )
    assert response.status_code == 200
    assert response["ETag"] == f'"{group.version}"'


def test_it_requires_if_match_to_update(api, coordinator, programme, pavia):
    group = CitizenGroupFactory(programme=programme)
    url = reverse("api:group-detail", kwargs={"slug": "programma-a", "group_id": group.public_id})
    response = api(coordinator).patch(url, {"name": "Nuovo"}, format="json")
    assert response.status_code == 428
    assert response.json()["error"]["code"] == "precondition_required"


def test_it_refuses_a_stale_if_match(api, coordinator, programme, pavia):
    group = CitizenGroupFactory(programme=programme)
    url = reverse("api:group-detail", kwargs={"slug": "programma-a", "group_id": group.public_id})
    client = api(coordinator)
    assert client.patch(url, {"name": "Primo"}, format="json", HTTP_IF_MATCH='"1"').status_code == 200
    response = client.patch(url, {"name": "Secondo"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    assert response.json()["error"]["code"] == "precondition_failed"
    group.refresh_from_db()
    assert (group.name, group.version) == ("Primo", 2)


def test_it_updates_with_the_current_etag(api, coordinator, programme, pavia):
    group = CitizenGroupFactory(programme=programme)
    url = reverse("api:group-detail", kwargs={"slug": "programma-a", "group_id": group.public_id})
    client = api(coordinator)
    etag = client.get(url)["ETag"]
    response = client.patch(url, {"neighbourhood": "Borgo Ticino"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["neighbourhood"] == "Borgo Ticino"
    assert response["ETag"] == '"2"'


@pytest.mark.parametrize("rows", [2, 20])
def test_it_lists_places_in_a_fixed_number_of_queries(api, coordinator, programme, rows, django_assert_num_queries):
    client = api(coordinator)
    url = reverse("api:place-list", kwargs={"slug": "programma-a"})
    client.get(url)  # marks the token as used: later requests do not write
    for _ in range(rows):
        CommunityPlaceFactory(programme=programme, services=["listening-desk"])
    # token, programme, memberships, count, page, services of the page
    with django_assert_num_queries(6):
        response = client.get(url, {"page_size": 50})
    assert len(response.json()["results"]) == rows
