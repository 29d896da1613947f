from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from trama.accounts.models import AuditEvent, Role
from trama.api.models import ApiToken, hash_secret
from trama.core.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _root() -> str:
    return reverse("api:root")


def test_it_lists_the_programmes_of_the_token_user(api, coordinator, programme, other_programme, member):
    member(Role.EVALUATOR, of=other_programme)
    response = api(coordinator).get(_root())
    assert response.status_code == 200
    assert [p["slug"] for p in response.json()["programmes"]] == ["programma-a"]
    assert response.json()["programmes"][0]["roles"] == ["coordinator"]


def test_it_refuses_requests_without_a_token(api):
    response = api(None).get(_root())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_an_unknown_token(client):
    response = client.get(_root(), HTTP_AUTHORIZATION="Bearer trama_not-a-real-token")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_it_does_not_accept_a_session_on_the_api(client, login, coordinator):
    login(client, coordinator)
    assert client.get(_root()).status_code == 401


def test_it_stores_only_a_digest_of_the_secret(token_for, coordinator):
    secret = token_for(coordinator)
    token = ApiToken.objects.get(user=coordinator)
    assert token.secret_hash == hash_secret(secret)
    assert secret not in (token.secret_hash, token.prefix, token.name)
    assert secret.startswith(token.prefix)


def test_it_marks_when_a_token_was_last_used(client, token_for, coordinator):
    secret = token_for(coordinator)
    client.get(_root(), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert ApiToken.objects.get(user=coordinator).last_used_at is not None


def test_it_refuses_a_revoked_token(client, token_for, coordinator):
    secret = token_for(coordinator)
    ApiToken.objects.filter(user=coordinator).update(revoked_at=timezone.now())
    assert client.get(_root(), HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_it_refuses_an_expired_token(client, token_for, coordinator):
    secret = token_for(coordinator)
    ApiToken.objects.filter(user=coordinator).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(_root(), HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_it_kills_the_tokens_of_a_deactivated_user_for_good(client, token_for, coordinator):
    secret = token_for(coordinator)
    assert client.get(_root(), HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])
    assert client.get(_root(), HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    coordinator.is_active = True
    coordinator.save(update_fields=["is_active"])
    assert client.get(_root(), HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert ApiToken.objects.get(user=coordinator).revoked_at is not None


def test_it_creates_a_token_on_the_page_and_shows_the_secret_once(client, login, coordinator):
    login(client, coordinator)
    response = client.post(
        reverse("api-tokens:create"), {"name": "Cartella sociale", "valid_days": "30", "password": PASSWORD}
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    token = ApiToken.objects.get(user=coordinator)
    assert token.name == "Cartella sociale"
    assert token.secret_hash == hash_secret(secret)
    assert token.expires_at is not None
    assert AuditEvent.objects.filter(action="create", target_id=str(token.public_id), actor=coordinator).exists()
    listing = client.get(reverse("api-tokens:list"))
    assert secret not in listing.content.decode()
    assert str(token.public_id) in listing.content.decode()
    api_response = client.get(_root(), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api_response.status_code == 200


def test_it_asks_the_password_again_to_create_a_token(client, login, coordinator):
    login(client, coordinator)
    response = client.post(reverse("api-tokens:create"), {"name": "x", "valid_days": "", "password": "wrong"})
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_it_revokes_a_token_after_confirmation(client, login, coordinator, token_for):
    secret = token_for(coordinator)
    token = ApiToken.objects.get(user=coordinator)
    login(client, coordinator)
    url = reverse("api-tokens:revoke", kwargs={"token_id": token.public_id})
    assert client.get(url).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert client.post(url).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert AuditEvent.objects.filter(action="delete", target_id=str(token.public_id)).exists()
    assert client.get(_root(), HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_it_does_not_let_anyone_revoke_the_token_of_another(client, login, coordinator, operator, token_for):
    token_for(coordinator)
    token = ApiToken.objects.get(user=coordinator)
    login(client, operator)
    assert client.post(reverse("api-tokens:revoke", kwargs={"token_id": token.public_id})).status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_it_lists_only_ones_own_tokens(client, login, coordinator, operator, token_for):
    token_for(coordinator)
    login(client, operator)
    response = client.get(reverse("api-tokens:list"))
    assert response.status_code == 200
    assert list(response.context["tokens"]) == []


def test_it_sends_anonymous_visitors_of_the_token_pages_to_the_login(client):
    response = client.get(reverse("api-tokens:list"))
    assert response.status_code == 302


def test_it_throttles_each_token_on_its_own(client, token_for, coordinator, operator, monkeypatch):
    from django.core.cache import cache

    from trama.api.authentication import TokenRateThrottle

    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api": "2/min"})
    busy, calm = token_for(coordinator), token_for(operator)
    try:
        statuses = [client.get(_root(), HTTP_AUTHORIZATION=f"Bearer {busy}").status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        refused = client.get(_root(), HTTP_AUTHORIZATION=f"Bearer {busy}")
        assert refused.json()["error"]["code"] == "throttled"
        assert int(refused["Retry-After"]) > 0
        assert client.get(_root(), HTTP_AUTHORIZATION=f"Bearer {calm}").status_code == 200
    finally:
        cache.clear()
