from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from trama.accounts.middleware import SESSION_SEEN, SESSION_STARTED
from trama.accounts.models import AuditEvent, Role
from trama.accounts.services import user_set_active
from trama.core.tests.factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def _post_login(client: Client, email: str, password: str) -> object:
    return client.post(LOGIN, {"username": email, "password": password})


def test_it_signs_in_and_writes_a_login_audit_row(client, member):
    user = member(Role.VOLUNTEER)
    response = _post_login(client, user.email, PASSWORD)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert event.actor == user
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.ip_address == "127.0.0.1"


def test_it_accepts_the_email_in_any_case(client, member):
    user = member(Role.VOLUNTEER)
    response = _post_login(client, user.email.upper(), PASSWORD)
    assert response.status_code == 302


def test_it_records_a_failed_login_without_the_password(client, member):
    user = member(Role.VOLUNTEER)
    response = _post_login(client, user.email, "wrong-password-123")
    assert response.status_code == 200
    assert "non è corretto" in response.content.decode() or "not correct" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.actor is None
    assert event.actor_label == user.email
    assert "wrong-password" not in event.reason


def test_it_locks_out_after_repeated_failures_even_with_the_right_password(client, member):
    user = member(Role.VOLUNTEER)
    for _ in range(5):
        _post_login(client, user.email, "wrong-password-123")
    response = _post_login(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count() == 6
    assert AuditEvent.objects.filter(outcome=AuditEvent.Outcome.DENIED).exists()


def test_it_does_not_follow_an_external_next_address(client, member):
    user = member(Role.VOLUNTEER)
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD, "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")


def test_it_ends_the_session_of_a_deactivated_user(client, volunteer, login):
    login(client, volunteer)
    assert client.get(reverse("accounts:home")).status_code in (200, 302)
    user_set_active(actor=None, user=volunteer, is_active=False)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_it_expires_an_idle_session(client, volunteer, login, settings):
    login(client, volunteer)
    session = client.session
    session[SESSION_STARTED] = timezone.now().isoformat()
    session[SESSION_SEEN] = (timezone.now() - timedelta(minutes=settings.TRAMA_SESSION_IDLE_MINUTES + 1)).isoformat()
    session.save()
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SESSION_EXPIRED, actor=volunteer).exists()


def test_it_expires_a_session_past_its_absolute_lifetime_even_when_active(client, volunteer, login, settings):
    login(client, volunteer)
    session = client.session
    session[SESSION_STARTED] = (timezone.now() - timedelta(hours=settings.TRAMA_SESSION_MAX_HOURS + 1)).isoformat()
    session[SESSION_SEEN] = timezone.now().isoformat()
    session.save()
    response = client.get(reverse("accounts:home"))
    assert response["Location"].startswith(LOGIN)


def test_it_signs_out_only_by_post_and_records_it(client, volunteer, login):
    login(client, volunteer)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGOUT, actor=volunteer).exists()
    assert "_auth_user_id" not in client.session


def test_it_sends_a_user_with_several_programmes_to_the_choice(client, member, other_programme, login):
    user = member(Role.OPERATOR)
    MembershipFactory(user=user, programme=other_programme, role=Role.OPERATOR)
    login(client, user)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 200
    assert "Programma A" in response.content.decode()
    assert "Programma B" in response.content.decode()


def test_it_sends_a_user_with_one_programme_straight_to_it(client, volunteer, login, programme):
    login(client, volunteer)
    response = client.get(reverse("accounts:home"))
    assert response["Location"] == reverse("territory:programme-home", kwargs={"slug": programme.slug})
